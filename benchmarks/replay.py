"""A reverse proxy in front of the sandbox that answers a GET it has seen again from memory.

The listings' ideal counts the network only: the platform answers from machines of its own. On
this machine the sandbox shares the CLI's two cores and costs 2–5 ms of CPU a page, so a figure
against it measures the sandbox as much as the CLI. Behind this proxy, once a listing has been
read through it (the sandbox answering), each page is the same bytes from memory after the same
latency the sandbox injects, for a few tens of microseconds of CPU: what the CLI meets when the
server's time is the network's. ``benchmarks/listings.py`` reports both.

Only what is safe to replay is replayed: a GET answered 200 while caching is on, keyed by its
target and its ``Authorization``. Everything else (log-in, token refresh, POSTs, errors) goes to
the sandbox. The ``Host`` header is passed on unchanged, so the sandbox writes its links and its
issuer with the proxy's address, and the CLI never learns the sandbox's own.

It runs as a process of its own (its event loop would otherwise share a GIL with the benchmark's
threads), started by :func:`start_proxy`; ``POST /_replay/caching`` turns caching on and
``GET /_replay/stats`` counts hits and misses. It parses only what the CLI and uvicorn write:
``Content-Length`` requests; ``Content-Length`` or chunked answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

API_PREFIX = b"/api"
CONTROL_PREFIX = b"/_replay/"


class _Closed(Exception):
    pass


async def _head(reader: asyncio.StreamReader) -> tuple[bytes, list[bytes]]:
    """The start line and header lines of a message (without the blank line)."""
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError) as error:
        raise _Closed from error
    lines = raw[:-4].split(b"\r\n")
    return lines[0], lines[1:]


def _header(lines: list[bytes], name: bytes) -> bytes | None:
    for line in lines:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip()
    return None


async def _message_body(reader: asyncio.StreamReader, lines: list[bytes]) -> bytes:
    length = _header(lines, b"content-length")
    if length is not None:
        return await reader.readexactly(int(length))
    if (_header(lines, b"transfer-encoding") or b"").lower() == b"chunked":
        parts: list[bytes] = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                    pass
                return b"".join(parts)
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
    return b""


def _serialised(start: bytes, lines: list[bytes], body: bytes) -> bytes:
    kept = [
        line
        for line in lines
        if line.partition(b":")[0].strip().lower() not in (b"content-length", b"transfer-encoding")
    ]
    kept.append(b"content-length: %d" % len(body))
    return start + b"\r\n" + b"\r\n".join(kept) + b"\r\n\r\n" + body


class Proxy:
    def __init__(self, upstream_host: str, upstream_port: int, latency_s: float) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.latency_s = latency_s
        self.caching = False
        self.hits = 0
        self.misses = 0
        self.cache: dict[tuple[bytes, bytes | None], bytes] = {}

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            while True:
                start, lines = await _head(reader)
                body = await _message_body(reader, lines)
                method, target, _version = start.split(b" ", 2)
                if target.startswith(CONTROL_PREFIX):
                    writer.write(self._control(target))
                    await writer.drain()
                    continue
                key = (target, _header(lines, b"authorization"))
                answer = self.cache.get(key) if method == b"GET" and self.caching else None
                if answer is not None:
                    self.hits += 1
                    if target.startswith(API_PREFIX):
                        await asyncio.sleep(self.latency_s)
                else:
                    self.misses += 1
                    if upstream is None:
                        upstream = await asyncio.open_connection(*self.upstream)
                    up_reader, up_writer = upstream
                    up_writer.write(_serialised(start, lines, body))
                    await up_writer.drain()
                    status, answer_lines = await _head(up_reader)
                    answer = _serialised(status, answer_lines, await _message_body(up_reader, answer_lines))
                    if method == b"GET" and status.split(b" ", 2)[1] == b"200" and self.caching:
                        self.cache[key] = answer
                writer.write(answer)
                await writer.drain()
        except (_Closed, ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            if upstream is not None:
                upstream[1].close()
            writer.close()

    def _control(self, target: bytes) -> bytes:
        if target == CONTROL_PREFIX + b"caching":
            self.caching = True
        body = json.dumps({"hits": self.hits, "misses": self.misses, "cached": len(self.cache)}).encode()
        return _serialised(b"HTTP/1.1 200 OK", [b"content-type: application/json"], body)


async def _main(upstream: str, latency_ms: float) -> None:
    url = urlsplit(upstream)
    proxy = Proxy(url.hostname or "127.0.0.1", url.port or 80, latency_ms / 1000)
    server = await asyncio.start_server(proxy.serve, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


@dataclass(frozen=True)
class Running:
    base_url: str

    def control(self, what: str) -> dict[str, int]:
        import httpx

        method = "POST" if what == "caching" else "GET"
        answer = httpx.request(method, f"{self.base_url}/_replay/{what}", timeout=10)
        answer.raise_for_status()
        result: dict[str, int] = answer.json()
        return result


@contextlib.contextmanager
def start_proxy(upstream: str, latency_ms: float) -> Iterator[Running]:
    """The proxy in a process of its own in front of ``upstream`` (a base URL), until the block ends."""
    proc = subprocess.Popen(
        [sys.executable, __file__, upstream, str(latency_ms)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield Running(f"http://127.0.0.1:{port}")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    asyncio.run(_main(sys.argv[1], float(sys.argv[2])))
