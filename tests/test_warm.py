"""The warm start (``CARTES_WARM=1``): the installed executable served by a real server.

Each test has a server of its own in a private runtime directory, started as users start it (by
a first command), and stopped at the end. A command was served warm when, while it runs, it is a
child of the server; commands held that way wait on a local TCP server that accepts and never
answers, until the test releases them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cartes_cli import warm
from tests import warm_start
from tests.conftest import base_env, cartes_executable, wait_until

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the warm start is for Linux (SO_PEERCRED)")


class Holder:
    """A TCP server on 127.0.0.1 that accepts connections and answers nothing until released."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = threading.Event()
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            self.accepted.set()

    def received(self, timeout: float = 10) -> bytes:
        """What the first connection sent, up to the end of its headers."""
        conn = self.conns[0]
        conn.settimeout(timeout)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
        return data

    def close(self) -> None:
        """Stop listening (shutdown wakes the accepting thread; a bare close would leave the
        socket listening under it) and close what was accepted: the commands see it fail."""
        for sock in (self.sock, *self.conns):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def env(self) -> dict[str, str]:
        url = f"http://127.0.0.1:{self.port}"
        return {"CARTES_API_URL": url, "CARTES_ISSUER": f"{url}/realms/x", "CARTES_TOKEN": "held-token"}


class Warm:
    def __init__(self, tmp_path: Path) -> None:
        self.runtime = warm_start.private_runtime()
        self.env = base_env(tmp_path / "home")
        self.env.update(CARTES_WARM="1", XDG_RUNTIME_DIR=str(self.runtime), CARTES_WARM_IDLE="120")

    def run(
        self, *args: str, env: dict[str, str] | None = None, input: str = ""
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [cartes_executable(), *args],
            env={**self.env, **(env or {})},
            input=input,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def popen(self, *args: str, env: dict[str, str] | None = None, **options: Any) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [cartes_executable(), *args],
            env={**self.env, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **options,
        )

    server = 0

    def started(self) -> int:
        """The server's pid, after a first command started it."""
        return warm_start.start_server(cartes_executable(), self.env, self.runtime)

    def stop(self) -> None:
        warm_start.stop_servers(self.runtime)


@pytest.fixture
def warm_cli(tmp_path: Path) -> Iterator[Warm]:
    cli = Warm(tmp_path)
    yield cli
    cli.stop()


@pytest.fixture(scope="module")
def shared_warm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warm]:
    """One server for the tests that only compare outputs (a server costs about a second)."""
    cli = Warm(tmp_path_factory.mktemp("shared"))
    cli.server = cli.started()
    yield cli
    cli.stop()


@pytest.fixture
def shared(shared_warm: Warm) -> Iterator[Warm]:
    """The module's server, left without a command by the test whatever happened in it."""
    yield shared_warm
    for pid in warm_start.children(shared_warm.server):
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
    assert wait_until(lambda: not warm_start.children(shared_warm.server), timeout=10)


@pytest.fixture
def holder() -> Iterator[Holder]:
    held = Holder()
    yield held
    held.close()


def cold(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    plain = {k: v for k, v in env.items() if k != "CARTES_WARM"}
    return subprocess.run(
        [cartes_executable(), *args], env=plain, capture_output=True, text=True, timeout=60, input=""
    )


# --- the request and the places it goes through ---------------------------------------------------


def test_a_request_carries_any_bytes_of_arguments_and_environment() -> None:
    argv = ["/bin/cartes", "api", "caf\udce9", "--json", "a=b=c"]  # a byte that is not UTF-8
    environ = [(b"LANG", b"fr_FR.ISO-8859-1"), (b"EMPTY", b""), (b"X", b"1=2")]
    body = warm.encode_request(argv, environ, b"/tmp/r\xe9pertoire", 0o027)
    assert int.from_bytes(body[: warm.HEADER], "big") == len(body) - warm.HEADER
    cwd, umask, got_argv, got_env = warm.decode_request(body[warm.HEADER :])
    assert (cwd, umask) == (b"/tmp/r\xe9pertoire", 0o027)
    assert [os.fsdecode(a) for a in got_argv] == argv
    assert got_env == dict(environ)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"something-else\0/\x0018\x001\0cartes",
        b"cartes-warm/1\0/\x0018\x003\0cartes",
        b"cartes-warm/1\0/\x0018\x001\0c\0NOEQUALS",
    ],
)
def test_anything_but_a_request_is_refused(body: bytes) -> None:
    with pytest.raises(ValueError, match=r"request|environment"):
        warm.decode_request(body)


def test_the_server_keeps_no_secret_of_the_first_client() -> None:
    kept = warm.server_environment(
        {
            "PATH": "/usr/bin",
            "LANG": "fr_FR.UTF-8",
            "CARTES_LANG": "fr",
            "CARTES_HOME": "/h",
            "CARTES_TOKEN": "t",
            "CARTES_PASSWORD": "p",
            "CARTES_CLIENT_SECRET": "s",
            "CARTES_TOTP_SECRET": "o",
            "GITHUB_TOKEN": "g",
            "AWS_SECRET_ACCESS_KEY": "a",
            "SSH_AUTH_SOCK": "/s",
        }
    )
    assert kept == {"PATH": "/usr/bin", "LANG": "fr_FR.UTF-8", "CARTES_LANG": "fr"}


def test_the_socket_lives_only_in_a_private_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(shared))  # not private: not used
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    made = warm.runtime_dir()
    assert made == str(tmp_path / f"cartes-{os.getuid()}")
    assert os.stat(made).st_mode & 0o777 == 0o700
    os.chmod(made, 0o755)  # noqa: S103 - someone opened it: refused, never repaired behind the user's back
    assert warm.runtime_dir() is None
    os.rmdir(made)
    os.symlink(shared, made)  # a link to elsewhere: refused
    assert warm.runtime_dir() is None


def test_a_server_notices_a_changed_file(tmp_path: Path) -> None:
    from cartes_cli.warm_server import Server, _signature

    module = tmp_path / "module.py"
    module.write_text("x = 1\n")
    server = Server(str(tmp_path / "s.sock"))
    server.files = {str(module): _signature(str(module))}
    assert not server._changed()
    os.utime(module, ns=(1, 1))
    assert server._changed()


# --- the executable, served ------------------------------------------------------------------


def test_a_first_command_starts_the_server_and_the_next_ones_are_its_children(
    warm_cli: Warm, holder: Holder
) -> None:
    server = warm_cli.started()
    proc = warm_cli.popen("workspace", "list", env=holder.env())
    try:
        assert holder.accepted.wait(30)
        served = warm_start.children(server)
        assert len(served) == 1  # the command runs in a child of the server, not in the client
        assert os.getpgid(served[0]) == served[0]  # in a process group of its own
    finally:
        holder.close()
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert "Cannot reach 127.0.0.1" in err or "closed" in err.lower(), err
    assert wait_until(lambda: not warm_start.children(server), timeout=10)


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("workspace", "--help"),
        ("workspace", "nope"),
        ("request", "list", "--state", "nonsense"),
        ("--version",),
        ("login", "--with-token", "--password-stdin"),
    ],
)
def test_a_served_command_says_and_ends_exactly_as_a_cold_one(
    shared_warm: Warm, args: tuple[str, ...]
) -> None:
    served = shared_warm.run(*args)
    assert warm_start.wait_for_server(shared_warm.runtime) == shared_warm.server  # served by it
    plain = cold(*args, env=shared_warm.env)
    assert (served.returncode, served.stdout, served.stderr) == (plain.returncode, plain.stdout, plain.stderr)


def test_the_command_has_the_callers_streams_directory_umask_and_environment(
    shared: Warm, holder: Holder, tmp_path: Path
) -> None:
    server = shared.server
    workdir = tmp_path / "work"
    workdir.mkdir()
    env = {**shared.env, **holder.env()}
    proc = subprocess.Popen(
        [cartes_executable(), "workspace", "list"],
        env=env,
        cwd=workdir,
        umask=0o027,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert holder.accepted.wait(30)
        (child,) = warm_start.children(server)
        proc_dir, child_dir = Path(f"/proc/{proc.pid}"), Path(f"/proc/{child}")
        assert os.readlink(child_dir / "cwd") == str(workdir)
        assert "Umask:\t0027" in (child_dir / "status").read_text()
        for fd in ("0", "1", "2"):  # the very pipes the caller was given
            assert os.readlink(child_dir / "fd" / fd) == os.readlink(proc_dir / "fd" / fd)
        # The environment (/proc shows only the server's, from its exec): the command sent the
        # token that only the caller's environment holds.
        assert b"Bearer held-token" in holder.received()
    finally:
        holder.close()
    proc.communicate(timeout=30)


def test_standard_input_is_read_by_the_command(shared: Warm, holder: Holder, tmp_path: Path) -> None:
    server = shared.server
    env = {k: v for k, v in {**shared.env, **holder.env()}.items() if k != "CARTES_TOKEN"}
    given = tmp_path / "token"
    given.write_text("token-from-standard-input\n")
    with given.open("rb") as stdin:
        proc = subprocess.Popen(
            [cartes_executable(), "login", "--with-token", "--insecure-storage"],
            env=env,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    try:
        assert holder.accepted.wait(30)
        assert len(warm_start.children(server)) == 1
        assert b"Bearer token-from-standard-input" in holder.received()
    finally:
        holder.close()
    proc.communicate(timeout=30)


def test_ctrl_c_reaches_the_command(shared: Warm) -> None:
    server = shared.server

    def interrupted(env: dict[str, str], *, served: bool) -> tuple[int, str]:
        held = Holder()
        try:
            proc = subprocess.Popen(
                [cartes_executable(), "workspace", "list"],
                env={**env, **held.env()},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert held.accepted.wait(30)
            assert len(warm_start.children(server)) == (1 if served else 0)
            proc.send_signal(signal.SIGINT)
            _out, err = proc.communicate(timeout=30)
        finally:
            held.close()
        return proc.returncode, err

    plain_env = {k: v for k, v in shared.env.items() if k != "CARTES_WARM"}
    assert interrupted(shared.env, served=True) == interrupted(plain_env, served=False)
    assert interrupted(shared.env, served=True)[0] == 130


def test_a_command_killed_by_a_signal_kills_its_client_with_it(shared: Warm, holder: Holder) -> None:
    server = shared.server
    proc = shared.popen("workspace", "list", env=holder.env())
    assert holder.accepted.wait(30)
    (child,) = warm_start.children(server)
    os.kill(child, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL  # as the shell would have seen it without the server


def test_a_killed_client_takes_its_command_with_it(shared: Warm, holder: Holder) -> None:
    server = shared.server
    proc = shared.popen("workspace", "list", env=holder.env())
    assert holder.accepted.wait(30)
    (child,) = warm_start.children(server)
    proc.kill()
    proc.communicate(timeout=30)
    assert wait_until(lambda: not warm_start.alive(child), timeout=10)
    assert warm_start.alive(server)  # the server itself goes on


def test_ctrl_z_stops_the_command_and_fg_continues_it(shared: Warm, holder: Holder) -> None:
    server = shared.server
    # A process group of its own in this session, as a shell's job is: not orphaned, so SIGTSTP
    # stops it whatever group pytest runs in (a background job whose shell has left is orphaned).
    proc = shared.popen("workspace", "list", env=holder.env(), process_group=0)
    assert holder.accepted.wait(30)
    (child,) = warm_start.children(server)
    proc.send_signal(signal.SIGTSTP)  # what the terminal sends on Ctrl-Z
    assert wait_until(lambda: warm_start.state(proc.pid) == "T" and warm_start.state(child) == "T")
    proc.send_signal(signal.SIGCONT)  # what the shell sends on 'fg'
    assert wait_until(lambda: warm_start.state(proc.pid) in "RS" and warm_start.state(child) in "RS")
    holder.close()
    proc.communicate(timeout=30)
    assert proc.returncode == 1


def test_ctrl_z_in_an_orphaned_process_group_stops_neither(shared: Warm, holder: Holder) -> None:
    """The kernel discards SIGTSTP for a process of an orphaned process group (no shell to
    continue it): a cold command goes on, so the warm one must not be left stopped either."""
    server = shared.server
    proc = shared.popen("workspace", "list", env=holder.env(), start_new_session=True)  # orphaned
    assert holder.accepted.wait(30)
    (child,) = warm_start.children(server)
    proc.send_signal(signal.SIGTSTP)
    time.sleep(0.5)
    assert warm_start.state(proc.pid) != "T"
    assert wait_until(lambda: warm_start.state(child) in "RS")
    holder.close()
    proc.communicate(timeout=30)
    assert proc.returncode == 1


def test_a_changed_module_is_never_served(warm_cli: Warm, tmp_path: Path) -> None:
    """After an upgrade or an edit, the command runs cold, the old server leaves and the next
    command starts a new one. A sitecustomize on PYTHONPATH stands for a module of cartes."""
    extra = tmp_path / "path"
    extra.mkdir()
    (extra / "sitecustomize.py").write_text("")
    warm_cli.env["PYTHONPATH"] = str(extra)
    server = warm_cli.started()
    os.utime(extra / "sitecustomize.py", ns=(10**9, 10**9))
    after = warm_cli.run("--help")
    assert after.returncode == 0
    assert after.stdout.startswith("Usage: cartes")
    assert wait_until(lambda: not warm_start.alive(server), timeout=10)
    assert warm_start.wait_for_server(warm_cli.runtime) != server


def test_an_environment_the_imports_read_differently_is_run_cold(shared: Warm, holder: Holder) -> None:
    """Typer reads TYPER_USE_RICH when imported: a server that imported it without cannot serve
    a command that sets it."""
    server = shared.server
    proc = shared.popen("workspace", "list", env={**holder.env(), "TYPER_USE_RICH": "0"})
    try:
        assert holder.accepted.wait(30)
        assert warm_start.children(server) == []  # the client runs it itself
    finally:
        holder.close()
    proc.communicate(timeout=30)
    assert proc.returncode == 1


def test_a_command_in_the_background_of_its_terminal_runs_cold(shared: Warm) -> None:
    """Outside the terminal's session, a child would read the terminal without being stopped."""
    import pty

    server = shared.server
    master, slave = pty.openpty()
    try:
        script = (
            "import os, subprocess, sys\n"
            "os.setsid()\n"
            "fd = os.open(os.ttyname(0), os.O_RDWR)\n"  # the pty as controlling terminal
            "bg = os.fork()\n"
            "if bg == 0:\n"
            "    os.setpgid(0, 0)\n"  # a background group of the terminal's session
            "    os.execv(sys.argv[1], [sys.argv[1], '--help'])\n"
            "os.waitpid(bg, 0)\n"
        )
        proc = subprocess.run(
            [sys.executable, "-c", script, cartes_executable()],
            stdin=slave,
            capture_output=True,
            env=shared.env,
            timeout=60,
        )
    finally:
        os.close(master)
        os.close(slave)
    assert proc.returncode == 0, proc.stderr
    assert b"Usage: cartes" in proc.stdout
    assert warm_start.children(server) == []


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to act as another user")
def test_another_user_is_never_served(warm_cli: Warm) -> None:
    server = warm_cli.started()
    (path,) = warm_start.sockets(warm_cli.runtime)
    # Open the way for the test (the directory is 0700): the server itself must refuse.
    os.chmod(warm_cli.runtime, 0o711)  # noqa: S103
    os.chmod(path.parent, 0o711)  # noqa: S103
    os.chmod(path, 0o666)  # noqa: S103
    request = warm.encode_request(["cartes", "--help"], [], b"/", 0o022)
    script = (
        "import array, os, socket, sys\n"
        "os.setgid(65534); os.setuid(65534)\n"
        "s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(10)\n"
        "fds = bytes(memoryview(array.array('i', [0, 1, 2])))\n"
        "try:\n"
        "    s.sendmsg([bytes.fromhex(sys.argv[2])], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, fds)])\n"
        "    print(repr(s.recv(5)))\n"
        "except OSError:\n"  # reset, broken pipe: closed as soon as seen
        "    print('refused')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(path), request.hex()], capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() in ("b''", "refused")  # closed without a word
    assert warm_start.children(server) == []


def test_the_server_leaves_when_idle_and_when_its_socket_goes(warm_cli: Warm) -> None:
    warm_cli.env["CARTES_WARM_IDLE"] = "1"
    server = warm_cli.started()
    assert wait_until(lambda: not warm_start.alive(server), timeout=10)
    assert warm_start.sockets(warm_cli.runtime) == []


def test_peer_credentials_are_those_of_the_connecting_process() -> None:
    """What the server's user check reads (SO_PEERCRED), on a pair of sockets of this process."""
    from cartes_cli.warm_server import _same_user

    left, right = socket.socketpair(socket.AF_UNIX)
    with contextlib.closing(left), contextlib.closing(right):
        assert _same_user(left)
        pid, uid, _gid = struct.unpack("3i", left.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
        assert (pid, uid) == (os.getpid(), os.getuid())


def test_no_secret_of_the_command_reaches_the_server(warm_cli: Warm, holder: Holder) -> None:
    """The server is started by a command that has a token in its environment: the server's own
    environment (what /proc shows for it) holds none."""
    warm_cli.env["CARTES_TOKEN"] = "canary-token-in-env"
    server = warm_cli.started()
    environ = Path(f"/proc/{server}/environ").read_bytes()
    assert b"canary-token-in-env" not in environ
    assert b"CARTES_TOKEN" not in environ


def test_the_sandbox_server_always_starts_cold(shared: Warm, tmp_path: Path) -> None:
    """A server for hours gains nothing, and SIGSTOP (uncatchable, so never forwarded) must stop it."""
    server = shared.server
    proc = subprocess.Popen(
        [cartes_executable(), "sandbox", "serve", "--port", "0", "--data", str(tmp_path / "data")],
        env=shared.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline()  # it says where it listens once it does
        assert warm_start.children(server) == []
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    assert warm.long_running(["--env", "x", "sandbox", "serve", "--seed", "demo"])
    assert not warm.long_running(["sandbox", "status"])


@pytest.mark.skipif(
    shutil.which("tmux") is None and not os.environ.get("CARTES_REQUIRE_TMUX"), reason="needs tmux"
)
def test_job_control_at_a_real_terminal(shared: Warm, holder: Holder, tmp_path: Path) -> None:
    """In a shell in tmux: the command is served warm with the terminal as its streams; Ctrl-Z
    stops it and the shell says so, fg continues it, Ctrl-C ends it with 130."""
    server = shared.server
    env = {k: v for k, v in {**shared.env, **holder.env()}.items() if k != "CI"}
    env.update(TERM="xterm-256color", PS1="$ ")
    sock = str(tmp_path / "tmux")

    def tmux(*args: str) -> str:
        done = subprocess.run(
            ["tmux", "-S", sock, *args], env=env, capture_output=True, text=True, timeout=30
        )
        return done.stdout

    def screen() -> str:
        return tmux("capture-pane", "-p")

    tmux("new-session", "-d", "-x", "80", "-y", "24", "bash --norc --noprofile")
    try:
        tmux("send-keys", f"{cartes_executable()} workspace list", "Enter")
        assert holder.accepted.wait(30)
        (child,) = warm_start.children(server)
        assert os.readlink(f"/proc/{child}/fd/0").startswith("/dev/pts/")
        tmux("send-keys", "C-z")
        assert wait_until(lambda: "Stopped" in screen())
        assert warm_start.state(child) == "T"
        tmux("send-keys", "fg", "Enter")
        assert wait_until(lambda: warm_start.state(child) in ("R", "S"))
        tmux("send-keys", "C-c")
        assert wait_until(lambda: not warm_start.alive(child))
        tmux("send-keys", "echo status=$?", "Enter")
        assert wait_until(lambda: "status=130" in screen())
    finally:
        tmux("kill-server")


def test_a_french_user_has_a_server_of_their_own(shared: Warm, holder: Holder) -> None:
    """The language is chosen when Typer is imported: French commands go to a French server."""
    english = shared.server
    french_env = {"CARTES_LANG": "fr"}
    assert shared.run("--help", env=french_env).returncode == 0  # starts the French server
    assert wait_until(lambda: len(warm_start.sockets(shared.runtime)) == 2, timeout=30)
    pids = {warm_start.wait_for_server(shared.runtime)} | {
        pid for path in warm_start.sockets(shared.runtime) if (pid := warm_start.server_pid(path))
    }
    (french,) = pids - {english}
    served = shared.run("workspace", "nope", env=french_env)
    plain = cold("workspace", "nope", env={**shared.env, **french_env})
    assert (served.returncode, served.stderr) == (plain.returncode, plain.stderr)
    assert "Commande inconnue" in served.stderr
    proc = shared.popen("workspace", "list", env={**holder.env(), **french_env})
    try:
        assert holder.accepted.wait(30)
        assert len(warm_start.children(french)) == 1
        assert warm_start.children(english) == []
    finally:
        holder.close()
    proc.communicate(timeout=30)


def test_what_imports_read_of_the_environment_is_recorded_and_compared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cartes_cli.warm_server import ANY_VARIABLE, Server, _recording_environment

    monkeypatch.setenv("WARM_TEST_SET", "yes")
    monkeypatch.delenv("WARM_TEST_UNSET", raising=False)
    with _recording_environment() as read:
        assert os.getenv("WARM_TEST_SET") == "yes"
        assert "WARM_TEST_UNSET" not in os.environ
        assert os.environ.get("WARM_TEST_UNSET", "default") == "default"
    assert read == {"WARM_TEST_SET": "yes", "WARM_TEST_UNSET": None}
    assert os.environ.get("WARM_TEST_SET") == "yes"  # the real environment is back

    server = Server("unused.sock")
    server.read_at_import = dict(read)
    assert server._same_environment({b"WARM_TEST_SET": b"yes", b"OTHER": b"1"})
    assert not server._same_environment({b"WARM_TEST_SET": b"no"})
    assert not server._same_environment({b"WARM_TEST_SET": b"yes", b"WARM_TEST_UNSET": b""})

    with _recording_environment() as read:
        dict(os.environ)  # an import that looks at every variable
    assert ANY_VARIABLE in read
    server.read_at_import, server.environ_at_import = dict(read), {b"A": b"1"}
    assert server._same_environment({b"A": b"1"})
    assert not server._same_environment({b"A": b"1", b"B": b"2"})


def test_the_variable_is_ignored_outside_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    assert warm.enabled({"CARTES_WARM": "1"})
    assert not warm.enabled({"CARTES_WARM": "0"})
    assert not warm.enabled({})
    monkeypatch.setattr(sys, "platform", "darwin")
    assert not warm.enabled({"CARTES_WARM": "1"})


def test_an_unexpected_failure_runs_the_command_cold_only_if_it_has_not_started(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    runtime = warm_start.private_runtime()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    path = warm.socket_path()
    assert path is not None
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(4)
    started = {"pid": 0}

    def failing(self: object, argv: list[str]) -> int:
        self.pid = started["pid"]  # type: ignore[attr-defined]
        raise RuntimeError("unexpected")

    monkeypatch.setattr(warm._Conversation, "run", failing)
    try:
        assert warm.run(["cartes", "--help"]) is None  # not started: the caller runs it
        started["pid"] = 12345
        assert warm.run(["cartes", "--help"]) == 1  # started: never run twice
        assert "outcome is unknown" in capsys.readouterr().err
    finally:
        listener.close()


def test_ctrl_z_before_the_child_is_known_stops_both_once_it_is(tmp_path: Path) -> None:
    """Ctrl-Z may come between the fork and the client reading the child's pid: it is kept and
    done then (forwarding it to nobody and stopping the client alone left the command running).
    A fake server holds the pid back until the client has been sent SIGTSTP."""
    runtime = warm_start.private_runtime()
    env = {**base_env(tmp_path / "home"), "CARTES_WARM": "1", "XDG_RUNTIME_DIR": str(runtime)}
    where = subprocess.run(
        [sys.executable, "-c", "from cartes_cli import warm; print(warm.socket_path())"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(where.stdout.strip())
    listener.listen(1)
    # Stands for the child: a group of its own that is not orphaned (its parent, this process,
    # is in the same session), as the server's children are, so SIGTSTP stops it.
    command = subprocess.Popen(["sleep", "60"], process_group=0)
    client = subprocess.Popen(  # not orphaned either: see test_ctrl_z_stops_the_command_and_fg_continues_it
        [cartes_executable(), "workspace", "list"], env=env, stdin=subprocess.DEVNULL, process_group=0
    )
    try:
        conn, _ = listener.accept()
        conn.settimeout(10)
        _request, ancillary, _flags, _address = conn.recvmsg(1 << 20, socket.CMSG_SPACE(12))
        for _level, _kind, data in ancillary:
            for fd in struct.unpack(f"{len(data) // 4}i", data[: len(data) - len(data) % 4]):
                os.close(fd)
        time.sleep(0.3)  # the whole request read, the client waits for the pid
        client.send_signal(signal.SIGTSTP)
        time.sleep(0.3)
        assert warm_start.state(client.pid) != "T"  # not stopped alone
        conn.sendall(warm.STARTED + command.pid.to_bytes(4, "big", signed=True))
        assert wait_until(
            lambda: warm_start.state(client.pid) == "T" and warm_start.state(command.pid) == "T"
        )
        client.send_signal(signal.SIGCONT)
        assert wait_until(lambda: warm_start.state(command.pid) in ("R", "S"))
        conn.sendall(warm.ENDED + (7).to_bytes(4, "big", signed=True))
        assert client.wait(timeout=30) == 7
    finally:
        for proc in (client, command):
            proc.kill()
            proc.wait()
        listener.close()
