"""Running the sandbox: bind, announce, serve until SIGINT/SIGTERM, clean up.

stdout carries exactly one line, the JSON ``ready`` event, so that a parent process (the test
suite, a script) learns the URLs; everything meant for people goes to stderr.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import sqlite3
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from cartes_cli.sandbox.config import LOCK_FILENAME, SandboxConfig, SandboxConfigError

if TYPE_CHECKING:
    from cartes_cli.sandbox.domain.context import Sandbox

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class DataDirBusy(RuntimeError):
    """Another sandbox server already uses this data directory."""


class _DataDirLock:
    """An exclusive advisory lock on the data directory, held while serving (POSIX only)."""

    def __init__(self, data_dir: Path) -> None:
        self._fd: int | None = None
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock
            return
        fd = os.open(data_dir / LOCK_FILENAME, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            raise DataDirBusy(str(data_dir)) from exc
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the lock
            self._fd = None


def _advertised_host(sock: socket.socket) -> str:
    """How clients on this machine reach the socket (a wildcard address → loopback)."""
    address = sock.getsockname()[0]
    if sock.family == socket.AF_INET6:
        return "[::1]" if address in ("::", "::0") else f"[{address}]"
    return "127.0.0.1" if address in ("0.0.0.0", "") else str(address)  # noqa: S104


def bind_socket(host: str, port: int) -> socket.socket:
    """A bound TCP socket for ``host:port`` (``port=0``: a free port). Raises OSError."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    if not infos:  # pragma: no cover - getaddrinfo raises instead
        raise OSError(f"cannot resolve {host}")
    family, type_, proto, _, address = infos[0]
    sock = socket.socket(family, type_, proto)
    try:
        if os.name != "nt":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(False)
    return sock


class DropQueryString(logging.Filter):
    """Cuts the query string out of uvicorn's access-log lines: login URLs carry user codes,
    broker codes and states there."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            client, method, path, version, status = args
            record.args = (client, method, str(path).split("?", 1)[0], version, status)
        return True


def _log_config(log_requests: bool) -> dict[str, Any]:
    """uvicorn's logging: warnings only, access log on stderr when asked; never on stdout."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "default": {"()": "uvicorn.logging.DefaultFormatter", "fmt": "%(levelprefix)s %(message)s"},
            "access": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s',
            },
        },
        "filters": {"no_query": {"()": "cartes_cli.sandbox.server.DropQueryString"}},
        "handlers": {
            "default": {
                "formatter": "default",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
            },
            "access": {
                "formatter": "access",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "filters": ["no_query"],
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "WARNING", "propagate": False},
            "uvicorn.error": {"level": "WARNING"},
            "uvicorn.access": {
                "handlers": ["access"] if log_requests else [],
                "level": "INFO" if log_requests else "WARNING",
                "propagate": False,
            },
            "cartes_cli.sandbox": {"handlers": ["default"], "level": "WARNING", "propagate": False},
        },
    }


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Until uvicorn takes over the signals, SIGTERM stops start-up like Ctrl+C does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(**options: Any) -> int:
    """Run a sandbox server in the foreground until SIGINT or SIGTERM; return the exit status.

    ``options``: SandboxConfig settings by name (``token_ttl=60``, ``fault_kinds="500,slow"``…).
    0 after a clean stop, 1 if it could not start (port taken, data directory in use or
    unreadable), 2 for bad settings (unknown seed, negative durations, unknown fault kinds).
    ``fault_*``: fault injection, see :mod:`cartes_cli.sandbox.domain.faults` (``fault_kinds`` and
    ``fault_scope`` as lists or comma-separated strings).
    """
    try:
        config = SandboxConfig.from_options(options)
    except SandboxConfigError as exc:
        print(f"cartes sandbox: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return run(config)


def run(config: SandboxConfig, *, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """``serve()`` for a ready-made config (and the streams to announce on)."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    try:
        config.validate()
    except SandboxConfigError as exc:
        print(f"cartes sandbox: {exc}", file=err)
        return EXIT_USAGE
    with _sigterm_as_interrupt():
        try:
            return _run(config, out, err)
        except KeyboardInterrupt:
            print("cartes sandbox: stopped.", file=err)
            return EXIT_OK


def _run(config: SandboxConfig, out: TextIO, err: TextIO) -> int:
    from cartes_cli.paths import ensure_private_dir

    data_dir = config.resolved_data_dir()
    try:
        ensure_private_dir(data_dir)
        lock = _DataDirLock(data_dir)
    except DataDirBusy:
        print(f"cartes sandbox: another sandbox server is already using {data_dir}.", file=err)
        return EXIT_FAILURE
    except OSError as exc:
        print(f"cartes sandbox: cannot use the data directory {data_dir}: {exc.strerror or exc}.", file=err)
        return EXIT_FAILURE
    try:
        return _run_locked(config, data_dir, out, err)
    finally:
        lock.release()


def _run_locked(config: SandboxConfig, data_dir: Path, out: TextIO, err: TextIO) -> int:
    # Heavy imports here: importing this module stays cheap, and a missing extra is one sentence.
    try:
        import fastapi  # noqa: F401
        import jwt  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        print(
            f"cartes sandbox: the sandbox needs optional packages ({exc.name} is missing); "
            "install them with: pip install 'cartes-cli[sandbox]'",
            file=err,
        )
        return EXIT_FAILURE
    from cartes_cli.sandbox.startup import open_sandbox
    from cartes_cli.sandbox.store.migrations import SchemaError

    try:
        sandbox = open_sandbox(config)
    except SandboxConfigError as exc:
        print(f"cartes sandbox: {exc}", file=err)
        return EXIT_USAGE
    except (sqlite3.Error, SchemaError, OSError, ValueError) as exc:
        print(f"cartes sandbox: cannot open the data in {data_dir}: {exc}", file=err)
        return EXIT_FAILURE
    try:
        try:
            sock = bind_socket(config.host, config.port)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            print(f"cartes sandbox: cannot listen on {config.host}:{config.port}: {reason}.", file=err)
            return EXIT_FAILURE
        with sock:
            return _serve_on(sandbox, sock, data_dir, out, err)
    finally:
        sandbox.close()


def _banner(sandbox: Sandbox, info: dict[str, Any], *, demo: bool) -> list[str]:
    """What the sandbox tells people on stderr once it listens: URLs, demo accounts, the settings
    that make it differ from the real platform."""
    from cartes_cli.sandbox.seed import DEMO_ACCOUNTS, DEMO_CLIENTS, DEMO_PASSWORD

    config = sandbox.config
    lines = [
        f"Sandbox listening on {info['base_url']} (API {info['api_url']}, issuer {info['issuer']})",
        f"Data: {info['data_dir']}",
    ]
    if demo:
        accounts = ", ".join(f"{a.username} ({a.role})" for a in DEMO_ACCOUNTS)
        lines.append(f"Demo accounts, all with the password {DEMO_PASSWORD}: {accounts}")
        for client_id, secret, role in DEMO_CLIENTS:
            lines.append(f"Demo client {client_id}, secret {secret}: {role}")
    if not config.requests_api:
        lines.append("Request API off: the sandbox answers like the real platform (no /api/requests).")
    if not config.accounts_api:
        lines.append("Account API off: sign-up, profile, password and 2FA only through web pages.")
    elif config.scriptable_captchas:
        lines.append(
            "Scriptable captchas: each answer is readable (cartes sandbox captcha ID, "
            "GET /sandbox/captchas/ID); never so on a real platform."
        )
    faults = sandbox.faults.settings
    if faults.rate > 0:
        lines.append(
            f"FAULT INJECTION on: each request to {'/'.join(faults.scope)} meets, with probability "
            f"{faults.rate:g}, one of {', '.join(faults.kinds)} (seed {faults.seed}; GET /sandbox/faults "
            "lists them)."
        )
    lines.append("Stop with Ctrl+C.")
    return lines


def _serve_on(sandbox: Sandbox, sock: socket.socket, data_dir: Path, out: TextIO, err: TextIO) -> int:
    import uvicorn

    from cartes_cli.paths import sandbox_state_file, user_sandbox_state_file
    from cartes_cli.platforms import REALM_PATH, claim_sandbox_state, clear_sandbox_state, write_sandbox_state
    from cartes_cli.sandbox.app import build_app
    from cartes_cli.sandbox.httpserver import SandboxServer

    config = sandbox.config
    base_url = f"http://{_advertised_host(sock)}:{sock.getsockname()[1]}"
    info = {
        "event": "ready",
        "base_url": base_url,
        "api_url": base_url + "/api",
        "issuer": base_url + REALM_PATH,
        "pid": os.getpid(),
        "data_dir": str(data_dir.resolve()),
    }
    state_path = sandbox_state_file()
    user_state_path = user_sandbox_state_file()
    demo = sandbox.store.meta.get("seed") == "demo"

    def announce() -> None:
        try:
            write_sandbox_state(state_path, info)
        except OSError as exc:
            print(f"cartes sandbox: warning: cannot record the sandbox in {state_path}: {exc}", file=err)
        if user_state_path != state_path:
            # So that --env sandbox finds it under another CARTES_HOME too (the first one started
            # keeps this record); failing to write it is no reason to stop.
            with contextlib.suppress(OSError):
                claim_sandbox_state(user_state_path, info)
        try:
            out.write(json.dumps(info) + "\n")
            out.flush()
        except (OSError, ValueError):  # nobody reads stdout any more: keep serving
            pass
        lines = _banner(sandbox, info, demo=demo)
        with contextlib.suppress(OSError, ValueError):
            err.write("\n".join(lines) + "\n")
            err.flush()

    uvicorn_config = uvicorn.Config(
        build_app(sandbox),
        log_config=_log_config(config.log_requests),
        access_log=config.log_requests,
        lifespan="off",
        timeout_graceful_shutdown=5,
        server_header=False,
    )
    server = SandboxServer(uvicorn_config, on_ready=announce)
    from cartes_cli import garbage_collection

    garbage_collection.for_long_run()  # a server: collect as usual, but not among what start-up built
    try:
        server.run(sockets=[sock])
    except SystemExit:  # uvicorn's start-up failure
        return EXIT_FAILURE
    finally:
        clear_sandbox_state(state_path, os.getpid())
        if user_state_path != state_path:
            clear_sandbox_state(user_state_path, os.getpid())
    if not server.started:
        return EXIT_FAILURE
    with contextlib.suppress(OSError, ValueError):
        print("cartes sandbox: stopped.", file=err)
    return EXIT_OK
