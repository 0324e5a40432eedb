"""A server that lies about its answers cannot hold cartes: an endless or huge body stops at a size,
and a trickling answer (headers or body, one byte at a time) at an overall deadline.

The servers here are raw sockets on 127.0.0.1, stopped by the tests; each test is bounded in time.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator

import pytest

from cartes_cli.auth.oidc import OIDCClient
from cartes_cli.client import GeoplateformeClient
from cartes_cli.client.retry import RetryPolicy
from cartes_cli.errors import ResponseTooLarge, TransportError
from cartes_cli.platforms import Platform
from cartes_cli.transport import API_MAX_BYTES, LOGIN_MAX_BYTES
from tests.conftest import base_env, cartes_executable

Behaviour = Callable[[socket.socket, threading.Event], None]


class RawServer:
    """Accepts connections on 127.0.0.1 and plays ``behaviour`` on each, until stopped."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.behaviour = behaviour
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._play, args=(conn,), daemon=True).start()

    def _play(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)  # the request (small): read once
                self.behaviour(conn, self.stop)
            except OSError:
                pass

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Behaviour], RawServer]]:
    servers: list[RawServer] = []

    def start(behaviour: Behaviour) -> RawServer:
        servers.append(RawServer(behaviour))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def endless_chunked_body(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"[" + b"0," * 32767
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    deadline = time.monotonic() + 30  # bounded, whatever the client does
    while not stop.is_set() and time.monotonic() < deadline:
        conn.sendall(frame)


def announced_10_gb(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n[")
    stop.wait(5)


def trickled_headers(conn: socket.socket, stop: threading.Event) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"a" * 1000:
        if stop.wait(0.05):
            return
        conn.sendall(bytes([byte]))


def trickled_body(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
    for _ in range(1000):
        if stop.wait(0.05):
            return
        conn.sendall(b" ")


def platform_at(server: RawServer) -> Platform:
    return Platform(name="test", api_url=f"{server.base}/api", issuer=f"{server.base}/realms/geoplateforme")


def test_an_endless_body_stops_at_the_size_limit_with_bounded_memory(
    serve: Callable[[Behaviour], RawServer],
) -> None:
    server = serve(endless_chunked_body)
    tracemalloc.start()
    start = time.monotonic()
    try:
        with (
            GeoplateformeClient(platform_at(server), retry=RetryPolicy.never()) as client,
            pytest.raises(ResponseTooLarge, match="larger than 16 MiB"),
        ):
            client.users.me()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - start < 20
    assert peak < 4 * API_MAX_BYTES  # the limit, not the endless body


def test_an_announced_huge_body_is_refused_before_reading_it(serve: Callable[[Behaviour], RawServer]) -> None:
    server = serve(announced_10_gb)
    start = time.monotonic()
    with (
        GeoplateformeClient(platform_at(server), retry=RetryPolicy.never()) as client,
        pytest.raises(ResponseTooLarge),
    ):
        client.users.me()
    assert time.monotonic() - start < 2


def test_the_login_server_has_a_smaller_limit(serve: Callable[[Behaviour], RawServer]) -> None:
    server = serve(endless_chunked_body)
    with OIDCClient(platform_at(server)) as oidc, pytest.raises(ResponseTooLarge, match="larger than 1 MiB"):
        oidc.discovery()
    assert LOGIN_MAX_BYTES < API_MAX_BYTES


@pytest.mark.parametrize("behaviour", [trickled_headers, trickled_body], ids=["headers", "body"])
def test_a_trickling_answer_ends_at_the_deadline(
    serve: Callable[[Behaviour], RawServer], behaviour: Behaviour
) -> None:
    server = serve(behaviour)
    # Each byte arrives well within the per-read time-out (0.05 s < 1 s): only an overall deadline ends it.
    start = time.monotonic()
    with (
        GeoplateformeClient(platform_at(server), timeout=1.0, retry=RetryPolicy.never()) as client,
        pytest.raises(TransportError, match=r"time-out|timed out"),
    ):
        client.users.me()
    assert time.monotonic() - start < 3
    start = time.monotonic()
    with OIDCClient(platform_at(server), timeout=1.0) as oidc, pytest.raises(TransportError):
        oidc.discovery()
    assert time.monotonic() - start < 3


def test_the_cli_says_so_and_exits_1(serve: Callable[[Behaviour], RawServer], tmp_path: object) -> None:
    server = serve(endless_chunked_body)
    env = base_env(tmp_path)  # type: ignore[arg-type]
    env["CARTES_TOKEN"] = "a.b.c"
    proc = subprocess.run(
        [cartes_executable(), "--api-url", f"{server.base}/api", "workspace", "list", "--public"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 1, proc
    assert "larger than 16 MiB" in proc.stderr
    assert "Traceback" not in proc.stderr
