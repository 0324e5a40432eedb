"""Warm start, the client side: run this command in a child of a server that has cartes imported.

Opt-in with ``CARTES_WARM=1``. Python's start-up and the imports of httpx, Typer and pydantic are
most of a one-shot command's time (docs/design.md, "Warm start"). With the variable set, the
``cartes`` executable first tries a per-user server on a private Unix socket
(:mod:`cartes_cli.warm_server`). The server has the modules imported already and forks a child
per command; the child takes this process's arguments, environment, working directory, umask and
standard streams (the file descriptors themselves, passed with ``SCM_RIGHTS``), runs the command
exactly as this process would, and the server sends back how it ended. This process stays the
command's face: signals it receives (Ctrl-C, a window resize, Ctrl-Z and ``fg``) go to the child,
and it leaves with the child's exit status.

Whenever the warm path cannot be taken safely *before* the command starts, this module answers
None and the caller runs the command itself, as without the variable: no server yet (one is
started for the next command), a socket directory that is not private, a server of another user,
a server whose code changed on disk since it started, an environment that differs in what the
server read while importing, or a process in the background of its terminal. Once the child
exists, the command is never run a second time.

Only the standard library's C modules are used here (``_socket``, ``_signal``, ``_struct``): the
pure-Python wrappers import ``enum`` and cost more than the whole exchange.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

ENV_VAR = "CARTES_WARM"
PROTOCOL = b"cartes-warm/1"
HEADER = 4  # the request's length, big-endian, before the request itself
REPLY = 5  # a kind byte and a signed 32-bit number

# Replies of the server.
STARTED = b"P"  # the child's pid (and process group): the command runs
ENDED = b"X"  # how the child ended: an exit code, or minus the signal that killed it
COLD = b"C"  # not served: the caller runs the command itself (changed code, other environment)
RESTART = 1  # with COLD: the server's code changed and it is leaving; start a new one

FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGWINCH", "SIGUSR1", "SIGUSR2", "SIGCONT")

# Environment variables that shape the interpreter before any module runs (the encodings), and
# those that choose the language cartes installs into Typer when the server imports it: a server
# serves only clients that agree on them (the server checks), so they are part of its socket's
# name, and a French and an English user each have a server.
_START_UP_LOCALE = ("LC_ALL", "LC_CTYPE", "LANG", "LANGUAGE", "LC_MESSAGES", "CARTES_LANG")


def enabled(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Asked for, on Linux (the peer check reads SO_PEERCRED; elsewhere the variable is ignored)."""
    wanted = environ.get(ENV_VAR, "").strip().lower() in ("1", "true", "yes", "on")
    return wanted and sys.platform.startswith("linux")


def runtime_dir() -> str | None:
    """A directory only this user can enter, for the socket; None when none can be made safe.

    ``$XDG_RUNTIME_DIR/cartes`` when the runtime directory is this user's and private (systemd
    makes it so), otherwise ``cartes-<uid>`` in the temporary directory, created with mode 0700 and
    checked: a directory owned by someone else, a symbolic link or group or world access refuse
    the warm start (another user could otherwise put a server of theirs there).
    """
    uid = os.getuid()
    base = os.environ.get("XDG_RUNTIME_DIR", "")
    if base and os.path.isabs(base) and _private(base, uid):
        path = os.path.join(base, "cartes")
    else:
        path = os.path.join(os.environ.get("TMPDIR") or "/tmp", f"cartes-{uid}")  # noqa: S108 - checked below
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    return path if _private(path, uid) else None


def _private(path: str, uid: int) -> bool:
    import stat

    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == uid and info.st_mode & 0o077 == 0


def server_key(environ: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """What a client and its server must share from before any module ran: the interpreter, the
    installed cartes, the interpreter's flags and the variables that shape it (``PYTHON*`` and the
    locale of the encodings). Different answers use different servers."""
    import zlib

    package = os.path.dirname(os.path.abspath(__file__))
    parts = [sys.executable, package, repr(sys.flags), sys.version]
    parts += sorted(f"{k}={v}" for k, v in environ.items() if k.startswith("PYTHON"))
    parts += [f"{k}={environ.get(k, '')}" for k in _START_UP_LOCALE]
    return f"{zlib.crc32(chr(0).join(parts).encode('utf-8', 'surrogateescape')):08x}"


def socket_path() -> str | None:
    directory = runtime_dir()
    if directory is None:
        return None
    path = os.path.join(directory, f"warm-{server_key()}.sock")
    return path if len(os.fsencode(path)) < 100 else None  # sun_path holds 108 bytes


def encode_request(argv: list[str], environ: Iterable[tuple[bytes, bytes]], cwd: bytes, umask: int) -> bytes:
    """The request: NUL-separated fields (none may hold a NUL: arguments and the environment cannot)."""
    fields = [PROTOCOL, cwd, b"%d" % umask, b"%d" % len(argv), *(os.fsencode(a) for a in argv)]
    fields += [key + b"=" + value for key, value in environ]
    body = b"\0".join(fields)
    return len(body).to_bytes(HEADER, "big") + body


def decode_request(body: bytes) -> tuple[bytes, int, list[bytes], dict[bytes, bytes]]:
    """(cwd, umask, argv, environment) of a request's body; ValueError when it is not one."""
    fields = body.split(b"\0")
    if len(fields) < 4 or fields[0] != PROTOCOL:
        raise ValueError("not a cartes warm-start request")
    cwd, umask, count = fields[1], int(fields[2]), int(fields[3])
    if count < 1 or len(fields) < 4 + count:
        raise ValueError("truncated request")
    argv = fields[4 : 4 + count]
    environ: dict[bytes, bytes] = {}
    for item in fields[4 + count :]:
        key, sep, value = item.partition(b"=")
        if not sep or not key:
            raise ValueError("malformed environment entry")
        environ[key] = value
    return cwd, umask, argv, environ


def _foreground() -> bool:
    """False when a standard stream is this process's terminal and the process is in its
    background: a child outside the terminal's session would not be stopped by SIGTTIN/SIGTTOU."""
    group = os.getpgrp()
    for fd in (0, 1, 2):
        try:
            if os.isatty(fd) and os.tcgetpgrp(fd) != group:
                return False
        except OSError:
            continue
    return True


class _Cold(Exception):
    """The command has not started: the caller runs it itself."""


def long_running(args: list[str]) -> bool:
    """``sandbox serve``: a server that runs for hours gains nothing from a warm start, and a
    process stopped with SIGSTOP (which no process can catch, so none can forward) must stop it.
    Any two consecutive words count (a false match only makes a command start cold)."""
    from itertools import pairwise  # a built-in module

    return any(a == "sandbox" and b == "serve" for a, b in pairwise(args))


def run(argv: list[str]) -> int | None:
    """The command's exit status, run warm; None when the caller must run it itself."""
    if long_running(argv[1:]) or not _foreground():
        return None
    path = socket_path()
    if path is None:
        return None
    import _socket

    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError:
        sock.close()
        start_server(path)
        return None
    conversation = _Conversation(sock, path)
    try:
        return conversation.run(argv)
    except _Cold:
        return None
    except Exception as exc:  # never a traceback; never the command twice
        if not conversation.pid:
            return None  # it has not started: run it here
        sys.stderr.write(f"cartes: warm start: {type(exc).__name__}; the command's outcome is unknown.\n")
        return 1
    finally:
        sock.close()


class _Conversation:
    def __init__(self, sock: object, path: str) -> None:
        import _signal  # type: ignore[import-not-found]  # 'signal' imports enum: 8 ms

        self.sock: object = sock
        self.path = path
        self.signal = _signal
        self.pid = 0
        self.pending: list[int] = []
        self.previous: dict[int, object] = {}

    def run(self, argv: list[str]) -> int:
        import _socket
        import _struct

        sock = self.sock
        uid = os.getuid()
        pid_uid_gid = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)  # type: ignore[attr-defined]
        if _struct.unpack("3i", pid_uid_gid)[1] != uid:  # not our server: never hand it our streams
            raise _Cold
        try:
            cwd = os.getcwdb()
            for fd in (0, 1, 2):
                os.fstat(fd)
        except OSError:  # a deleted directory, a closed stream: as Python itself handles them
            raise _Cold from None
        umask = os.umask(0o077)
        os.umask(umask)
        request = encode_request(argv, os.environb.items(), cwd, umask)
        self._catch_signals()
        try:
            try:
                rights = [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, _struct.pack("3i", 0, 1, 2))]
                sent = sock.sendmsg([request], rights)  # type: ignore[attr-defined]
                if sent < len(request):
                    sock.sendall(request[sent:])  # type: ignore[attr-defined]
                kind, number = self._reply()
            except OSError:
                raise _Cold from None
            if kind != STARTED:
                if kind == COLD and number == RESTART:
                    start_server(self.path)
                raise _Cold
            self.pid = number
            for signum in self.pending:  # what came before the child was known, in order
                if signum == getattr(self.signal, "SIGTSTP", None):
                    self._suspend(signum, None)
                else:
                    self._forward(signum, None)
            try:
                kind, number = self._reply()
            except OSError:
                kind, number = b"", 0
            if kind != ENDED:
                return self._lost()
        finally:
            self._restore_signals()
        if number < 0:  # the child died of a signal: so does this process, as the shell expects
            signum = -number
            try:  # noqa: SIM105 - SIGKILL's cannot be set (nor needs to be)
                self.signal.signal(signum, self.signal.SIG_DFL)
            except (OSError, ValueError):
                pass
            os.kill(os.getpid(), signum)
            return 128 + signum
        return number

    def _reply(self) -> tuple[bytes, int]:
        import _struct

        data = b""
        while len(data) < REPLY:
            chunk = self.sock.recv(REPLY - len(data))  # type: ignore[attr-defined]
            if not chunk:
                raise OSError("the warm-start server closed the connection")
            data += chunk
        return data[:1], _struct.unpack("!i", data[1:])[0]

    def _lost(self) -> int:
        """The server went away while the child ran: wait for the child, then report a failure."""
        import time

        while True:
            try:
                os.kill(self.pid, 0)
            except OSError:
                break
            time.sleep(0.05)
        sys.stderr.write("cartes: the warm-start server stopped during the command; outcome unknown.\n")
        return 1

    def _catch_signals(self) -> None:
        signal = self.signal
        for name in FORWARDED:
            signum = getattr(signal, name, None)
            if signum is not None:
                self.previous[signum] = signal.signal(signum, self._forward)
        if hasattr(signal, "SIGTSTP"):
            self.previous[signal.SIGTSTP] = signal.signal(signal.SIGTSTP, self._suspend)

    def _restore_signals(self) -> None:
        for signum, handler in self.previous.items():
            self.signal.signal(signum, handler)

    def _forward(self, signum: int, frame: object) -> None:
        if not self.pid:
            self.pending.append(signum)
            return
        try:  # noqa: SIM105 - contextlib costs more than this whole module
            os.killpg(self.pid, signum)
        except OSError:  # the child has ended already
            pass

    def _suspend(self, signum: int, frame: object) -> None:
        """Ctrl-Z: stop the child's process group, then this process (the shell sees it stop);
        ``fg`` continues this process, which continues the child."""
        signal = self.signal
        if not self.pid:  # the child is not known yet: both stop once it is
            self.pending.append(signal.SIGTSTP)
            return
        self._forward(signal.SIGTSTP, frame)
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTSTP)  # stops here until SIGCONT
        signal.signal(signal.SIGTSTP, self._suspend)
        self._forward(signal.SIGCONT, frame)


def start_server(path: str) -> None:
    """Start a server on ``path`` for the next commands, detached from this one (its own session,
    standard streams on /dev/null, no descriptor of ours), without waiting for it to be ready."""
    try:
        pid = os.fork()
    except OSError:
        return
    if pid:
        try:  # noqa: SIM105 - contextlib costs more than this whole module
            os.waitpid(pid, 0)  # the intermediate process leaves at once
        except OSError:
            pass
        return
    try:
        os.setsid()
        if os.fork():
            os._exit(0)
        os.chdir("/")
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(3, 1 << 16)
        environ = server_environment(os.environ)
        command = [sys.executable, "-P", "-m", "cartes_cli.warm_server", path]
        os.execve(sys.executable, command, environ)  # noqa: S606 - our own interpreter, no shell
    finally:
        os._exit(127)


# Variables the server never needs and must not keep for minutes: secrets cartes reads from the
# environment (tokens, passwords, client secrets, TOTP seeds) and anything that looks like one.
_KEPT_CARTES = ("CARTES_LANG", "CARTES_WARM", "CARTES_WARM_IDLE")
_SECRET_WORDS = ("TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "PRIVATE", "_KEY", "AUTH")


def server_environment(environ: dict[str, str] | os._Environ[str]) -> dict[str, str]:
    kept = {}
    for key, value in environ.items():
        upper = key.upper()
        if upper.startswith("CARTES_") and upper not in _KEPT_CARTES:
            continue
        if any(word in upper for word in _SECRET_WORDS):
            continue
        kept[key] = value
    return kept
