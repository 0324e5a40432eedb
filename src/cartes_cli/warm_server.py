"""Warm start, the server side: cartes imported once, a forked child per command.

Started by the first command run with ``CARTES_WARM=1`` (:func:`cartes_cli.warm.start_server`)
as ``python -P -m cartes_cli.warm_server SOCKET``, in a session of its own. It:

1. takes an exclusive lock beside the socket (a second server for the same socket leaves);
2. imports what commands import (every module of cartes but the sandbox's, and through them
   httpx, Typer, click, Rich and pydantic), recording which environment variables those imports
   read (Typer reads a few at import, and cartes's language is chosen then for Typer's strings);
3. notes the modification time and size of every module file it loaded;
4. listens on the socket (mode 0600, in a private directory) and, for each connection:
   - refuses a peer of another user id (``SO_PEERCRED``);
   - answers "run it yourself" (:data:`~cartes_cli.warm.COLD`) when a loaded module's file
     changed on disk since (an upgrade, an edit: the server then leaves, and the next command
     starts a fresh one), or when the client's environment differs in a variable the imports
     read;
   - otherwise forks. The child puts itself in a process group of its own, takes the client's
     standard streams, directory, umask, environment and arguments, and runs the command as
     the executable does (:func:`cartes_cli.__main__.run_command`); it never comes back here.
     The server tells the client the child's pid, then how it ended. A client that goes away
     before (killed) takes its command with it: the child's group is killed.
5. leaves after ``CARTES_WARM_IDLE`` seconds (default 900) without a command, when its socket
   is removed or replaced, or on SIGTERM.

Nothing is kept from one command to the next: each child is a fresh copy of the server, which
has only imported modules (no connection, no thread, no token, no file but its socket and lock).
"""

from __future__ import annotations

import errno
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

IDLE_SECONDS = 900.0
ANY_VARIABLE = "*"  # recorded when an import iterates over the environment
REQUEST_LIMIT = 4 << 20  # bytes: arguments and environment of one command
REQUEST_TIMEOUT = 5.0  # seconds for a client to send its request


class Request:
    """A command to run: what the client sent, and its three standard streams."""

    __slots__ = ("argv", "cwd", "environ", "fds", "umask")

    def __init__(self, body: bytes, fds: list[int]) -> None:
        from cartes_cli.warm import decode_request

        self.fds = fds
        self.cwd, self.umask, self.argv, self.environ = decode_request(body)
        if len(fds) != 3:
            raise ValueError("a request comes with three standard streams")


class Server:
    def __init__(self, path: str, *, idle: float = IDLE_SECONDS) -> None:
        self.path = path
        self.idle = idle
        self.read_at_import: dict[str, str | None] = {}
        self.environ_at_import: dict[bytes, bytes] = {}
        self.files: dict[str, tuple[int, int]] = {}
        self.children: dict[int, Any] = {}  # pid -> the connection of its client
        self.listener: Any = None
        self.inode = 0
        self.lock_fd = -1
        self.stale = False

    # --- start -------------------------------------------------------------------------------

    def lock(self) -> bool:
        """The socket's lock, held for the server's life; False when another server holds it."""
        import fcntl

        fd = os.open(self.path + ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        deadline = time.monotonic() + 3  # a stale server releases it before it finishes
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    os.close(fd)
                    return False
                time.sleep(0.05)
                continue
            self.lock_fd = fd
            return True

    def preload(self) -> None:
        # Two standard modules read the environment at import, for what cartes does not use or
        # what the socket's name already pins: sysconfig (HOME, for the per-user install scheme)
        # and zoneinfo (PYTHONTZPATH). Imported before the recording, they do not make every
        # client with another HOME (each test's) run cold.
        import sysconfig  # noqa: F401
        import zoneinfo  # noqa: F401

        self.environ_at_import = dict(os.environb)
        with _recording_environment() as read:
            _import_commands()
        self.read_at_import = dict(read)  # a copy: a module may keep the recorder as its environ
        self.files = _module_files()

    def listen(self) -> None:
        import socket

        with suppress(FileNotFoundError):
            os.unlink(self.path)  # a socket left by a server that died (we hold the lock)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            listener.bind(self.path)
        finally:
            os.umask(old)
        listener.listen(64)
        self.listener = listener
        self.inode = os.stat(self.path).st_ino

    # --- serve -------------------------------------------------------------------------------

    def serve(self) -> None:
        import selectors
        import signal

        wake_read, wake_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        signal.signal(signal.SIGTERM, lambda *_: None)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        self.wake_fds = (wake_read, wake_write)
        selector = selectors.DefaultSelector()
        selector.register(self.listener, selectors.EVENT_READ, "accept")
        selector.register(wake_read, selectors.EVENT_READ, "signal")
        self.selector = selector
        from cartes_cli import garbage_collection

        garbage_collection.for_start_up()  # the children start with the executable's settings
        import gc

        gc.freeze()  # what is imported stays shared with the children, untouched by collections
        last = time.monotonic()
        terminated = False
        while not terminated:
            listening = self.listener is not None
            if not self.children and (not listening or time.monotonic() - last >= self.idle):
                break
            for key, _events in selector.select(timeout=min(self.idle, 30.0)):
                if key.data == "accept":
                    self._accept()
                    last = time.monotonic()
                elif key.data == "signal":
                    terminated = self._signals(wake_read)
                else:
                    self._client_readable(key.fileobj)
            self._reap()
            if self.listener is not None and not self._socket_is_ours():
                self._stop_listening()
        self._stop_listening()
        for pid in list(self.children):  # SIGTERM: the commands in progress go with us
            _kill_group(pid, 15)
        self._reap(wait=True)

    def _signals(self, wake_read: int) -> bool:
        try:
            data = os.read(wake_read, 512)
        except BlockingIOError:
            return False
        return 15 in data  # SIGTERM

    def _socket_is_ours(self) -> bool:
        try:
            return os.stat(self.path).st_ino == self.inode
        except OSError:
            return False

    def _stop_listening(self) -> None:
        if self.listener is None:
            return
        self.selector.unregister(self.listener)
        if self._socket_is_ours():
            with suppress(OSError):
                os.unlink(self.path)
        self.listener.close()
        self.listener = None
        if self.lock_fd >= 0:  # a new server may start now, while our children finish
            os.close(self.lock_fd)
            self.lock_fd = -1

    def _accept(self) -> None:
        try:
            conn, _address = self.listener.accept()
        except OSError:
            return
        fds: list[int] = []
        try:
            if not _same_user(conn):
                conn.close()
                return
            body, fds = _receive(conn)
            from cartes_cli.warm import COLD, RESTART

            request = Request(body, fds)
            if self._changed():
                self.stale = True
                conn.sendall(COLD + RESTART.to_bytes(4, "big"))
                conn.close()
                _close_all(fds)
                self._stop_listening()
                return
            if not self._same_environment(request.environ):
                conn.sendall(COLD + b"\0\0\0\0")
                conn.close()
                _close_all(fds)
                return
        except (OSError, ValueError):
            conn.close()
            _close_all(fds)
            return
        self._fork(conn, request)

    def _fork(self, conn: Any, request: Request) -> None:
        import selectors

        from cartes_cli.warm import STARTED

        pid = os.fork()
        if pid == 0:
            try:
                self._become_command(conn, request)
            finally:
                os._exit(1)  # never back into the server's loop
        with suppress(OSError):  # the child does the same: the group exists before the pid is sent
            os.setpgid(pid, pid)
        _close_all(request.fds)
        try:
            conn.sendall(STARTED + pid.to_bytes(4, "big", signed=True))
        except OSError:
            _kill_group(pid, 9)
        self.children[pid] = conn
        self.selector.register(conn, selectors.EVENT_READ, pid)

    def _client_readable(self, conn: Any) -> None:
        """A client sends nothing after its request: readable means it went away (killed)."""
        pid = next((p for p, c in self.children.items() if c is conn), None)
        try:
            data = conn.recv(1)
        except OSError:
            data = b""
        if data:
            return
        self.selector.unregister(conn)
        if pid is not None:
            _kill_group(pid, 9)

    def _reap(self, *, wait: bool = False) -> None:
        from cartes_cli.warm import ENDED

        while self.children:
            try:
                pid, status = os.waitpid(-1, 0 if wait else os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            conn = self.children.pop(pid, None)
            if conn is None:
                continue
            # An exit code, or minus the signal that ended the child (waitstatus_to_exitcode's form).
            number = os.waitstatus_to_exitcode(status)
            with suppress(KeyError, ValueError):
                self.selector.unregister(conn)
            with suppress(OSError):
                conn.sendall(ENDED + number.to_bytes(4, "big", signed=True))
            conn.close()

    def _changed(self) -> bool:
        return any(_signature(path) != known for path, known in self.files.items())

    def _same_environment(self, environ: dict[bytes, bytes]) -> bool:
        if ANY_VARIABLE in self.read_at_import:  # an import went through all of it: all must match
            return environ == self.environ_at_import
        for name, value in self.read_at_import.items():
            theirs = environ.get(os.fsencode(name))
            if (None if theirs is None else os.fsdecode(theirs)) != value:
                return False
        return True

    # --- in the child --------------------------------------------------------------------------

    def _become_command(self, conn: Any, request: Request) -> None:
        import signal

        signal.set_wakeup_fd(-1)
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)  # as Python sets it at start-up
        with suppress(OSError):
            os.setpgid(0, 0)
        # Nothing of the server stays open in the command: its socket, lock, wake-up pipe, the
        # other clients' connections; the server reports how this child ends, not the child.
        conn.close()
        for other in self.children.values():
            other.close()
        if self.listener is not None:
            self.listener.close()
        self.selector.close()
        for fd in (*self.wake_fds, self.lock_fd):
            if fd >= 0:
                os.close(fd)
        for target, fd in enumerate(request.fds):
            os.dup2(fd, target)
        _close_all(request.fds)
        os.umask(request.umask)
        os.environ.clear()
        os.environb.update(request.environ)
        time.tzset()
        try:
            os.chdir(request.cwd)
        except OSError as exc:
            os.write(2, f"cartes: {os.fsdecode(request.cwd)}: {exc.strerror}\n".encode(errors="replace"))
            os._exit(1)
        _standard_streams()
        args = [os.fsdecode(a) for a in request.argv]
        sys.argv = args
        from cartes_cli.__main__ import run_command

        run_command(args[1:])


_KEPT: list[Any] = []


def _standard_streams() -> None:
    """New sys.stdin/stdout/stderr on descriptors 0-2, made as Python makes them at start-up
    (same encodings and errors, stdout line-buffered on a terminal, stderr always)."""
    import io

    unbuffered = bool(getattr(sys.stdout, "write_through", False))  # -u or PYTHONUNBUFFERED
    made = []
    for fd, old, writing in ((0, sys.stdin, False), (1, sys.stdout, True), (2, sys.stderr, True)):
        raw = io.FileIO(fd, "wb" if writing else "rb", closefd=False)
        # Unbuffered (-u), Python writes straight to the FileIO; a buffer object made and dropped
        # would close it.
        buffered: Any = (raw if unbuffered else io.BufferedWriter(raw)) if writing else io.BufferedReader(raw)
        line_buffering = fd == 2 or (fd == 1 and raw.isatty())
        stream = io.TextIOWrapper(
            buffered,
            encoding=getattr(old, "encoding", None) or "utf-8",
            errors=getattr(old, "errors", None) or "strict",
            newline="\n",
            line_buffering=line_buffering and not unbuffered,
            write_through=unbuffered and writing,
        )
        stream.mode = "w" if writing else "r"  # type: ignore[misc]
        made.append(stream)
    # The server's own streams own descriptors 0-2 (they close them when freed, and those are
    # the client's now): they are kept, never freed, as the child leaves with os._exit.
    _KEPT.extend((sys.stdin, sys.stdout, sys.stderr, sys.__stdin__, sys.__stdout__, sys.__stderr__))
    sys.stdin, sys.stdout, sys.stderr = made
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = made  # type: ignore[misc]


def _same_user(conn: Any) -> bool:
    import socket
    import struct

    credentials = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return bool(uid == os.getuid())


def _receive(conn: Any) -> tuple[bytes, list[int]]:
    """A request's body and the descriptors that came with it."""
    import array
    import socket

    from cartes_cli.warm import HEADER

    conn.settimeout(REQUEST_TIMEOUT)
    fds: list[int] = []
    data = b""
    room = socket.CMSG_SPACE(8 * array.array("i").itemsize)
    try:
        while len(data) < HEADER:
            chunk, ancillary, _flags, _address = conn.recvmsg(65536, room if not fds else 0)
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    received = array.array("i")
                    received.frombytes(payload[: len(payload) - len(payload) % received.itemsize])
                    fds.extend(received)
            if not chunk:
                raise ValueError("closed before the request")
            data += chunk
        length = int.from_bytes(data[:HEADER], "big")
        if length > REQUEST_LIMIT:
            raise ValueError("request too large")
        while len(data) < HEADER + length:
            chunk = conn.recv(min(65536, HEADER + length - len(data)))
            if not chunk:
                raise ValueError("truncated request")
            data += chunk
    except (OSError, ValueError):
        _close_all(fds)
        raise
    conn.settimeout(None)
    return data[HEADER : HEADER + length], fds


def _close_all(fds: list[int]) -> None:
    for fd in fds:
        with suppress(OSError):
            os.close(fd)


def _kill_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except OSError as exc:
        if exc.errno == errno.ESRCH:
            return
        with suppress(OSError):
            os.kill(pid, signum)


def _signature(path: str) -> tuple[int, int]:
    try:
        info = os.stat(path)
    except OSError:
        return (-1, -1)
    return (info.st_mtime_ns, info.st_size)


def _module_files() -> dict[str, tuple[int, int]]:
    """The files of the loaded modules outside the standard library (cartes and its
    dependencies), with the interpreter itself: what an upgrade or an edit changes."""
    import sysconfig

    stdlib = sysconfig.get_paths()["stdlib"] + os.sep
    files = {sys.executable: _signature(sys.executable)}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and not path.startswith(stdlib):
            files[path] = _signature(path)
    return files


# Modules the commands import only when they run (httpx imports its transport, httpcore and h11,
# when a client is built; truststore and certifi for TLS; platformdirs for the files; the rest
# for forms, CSV, completion and pydantic's plugin loader): about 60 modules and 60 ms of a
# command when the server has not imported them (found by listing sys.modules in a child).
# A name missing here costs only its import, in the child.
_USED_LATER = (
    "httpcore",
    "h11",
    "anyio",
    "truststore",
    "certifi",
    "platformdirs",
    "encodings.idna",
    "stringprep",
    "importlib.metadata",
    "importlib.resources",
    "zipfile",
    "csv",
    "pydantic.plugin._loader",
    "typer._click.decorators",
    "typer._click._textwrap",
)


def _import_commands() -> None:
    """Import what the commands import, as the executable does (its stubs, cartes's language
    installed in Typer before Typer is imported), then every module of cartes but the sandbox's."""
    import importlib
    import pkgutil

    import cartes_cli
    from cartes_cli.__main__ import _lighten_imports

    _lighten_imports()
    from cartes_cli.i18n import install

    install()
    skipped = ("cartes_cli.sandbox", "cartes_cli.warm_server", "cartes_cli.__main__")
    for info in pkgutil.walk_packages(cartes_cli.__path__, "cartes_cli."):
        if info.name.startswith(skipped):
            continue
        try:
            importlib.import_module(info.name)
        except Exception:  # noqa: S112 - an optional module that cannot load here loads in the child
            continue
    for name in _USED_LATER:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: S112 - the same
            continue


class _RecordingEnviron(os._Environ):  # type: ignore[type-arg]
    """``os.environ`` that notes which variables are read (and what they held)."""

    def __init__(self, original: Any, read: dict[str, str | None]) -> None:
        super().__init__(
            original._data,
            original.encodekey,
            original.decodekey,
            original.encodevalue,
            original.decodevalue,
        )
        self._read = read

    def __getitem__(self, key: str) -> str:
        try:
            value: str = super().__getitem__(key)
        except KeyError:
            self._read.setdefault(key, None)
            raise
        self._read.setdefault(key, value)
        return value

    def __contains__(self, key: object) -> bool:
        found = super().__contains__(key)
        if isinstance(key, str):
            value = self.decodevalue(self._data[self.encodekey(key)]) if found else None  # type: ignore[attr-defined]
            self._read.setdefault(key, value)
        return found

    def __iter__(self) -> Iterator[str]:
        self._read.setdefault(ANY_VARIABLE, None)  # the whole environment was looked at
        return super().__iter__()


@contextmanager
def _recording_environment() -> Iterator[dict[str, str | None]]:
    read: dict[str, str | None] = {}
    original = os.environ
    os.environ = _RecordingEnviron(original, read)  # noqa: B003 - the same variables, watched
    try:
        yield read
    finally:
        os.environ = original  # noqa: B003


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python -m cartes_cli.warm_server SOCKET\n")
        return 2
    try:
        idle = float(os.environ.get("CARTES_WARM_IDLE", "") or IDLE_SECONDS)
    except ValueError:
        idle = IDLE_SECONDS
    server = Server(argv[0], idle=max(idle, 0.1))
    if not server.lock():
        return 0
    server.preload()
    server.listen()
    server.serve()
    return 0


if __name__ == "__main__":
    os._exit(main(sys.argv[1:]))
