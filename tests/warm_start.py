"""Helpers for tests of the warm start (``CARTES_WARM=1``, docs/design.md "Warm start").

``CARTES_TEST_WARM=1`` runs every executable the tests start (``base_env``) through a warm-start
server: scripts/test runs a part of the end-to-end suite that way too, so that what those tests
prove holds both ways. The servers live in a private runtime directory of this test process and
are stopped at its end (``tests/conftest.py``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import struct
import subprocess
import tempfile
import time
from pathlib import Path

ENABLED = os.environ.get("CARTES_TEST_WARM") == "1"

_runtime: Path | None = None


def private_runtime(parent: str | None = None) -> Path:
    """A new directory of mode 0700, with a short path (a socket's path holds 108 bytes)."""
    return Path(tempfile.mkdtemp(prefix="cw-", dir=parent or "/tmp"))  # mkdtemp: mode 0700


def test_env() -> dict[str, str]:
    """What ``base_env`` adds under ``CARTES_TEST_WARM=1``: one runtime directory per test process."""
    global _runtime
    if _runtime is None:
        _runtime = private_runtime()
    return {"CARTES_WARM": "1", "XDG_RUNTIME_DIR": str(_runtime)}


def sockets(runtime: Path) -> list[Path]:
    return sorted((runtime / "cartes").glob("warm-*.sock"))


def server_pid(path: Path) -> int | None:
    """The pid of the server listening on ``path`` (its peer credentials), None if none listens."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(str(path))
        except OSError:
            return None
        credentials = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return int(struct.unpack("3i", credentials)[0])


def wait_for_server(runtime: Path, timeout: float = 30) -> int:
    """The pid of the server in ``runtime`` once it accepts connections."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sockets(runtime):
            pid = server_pid(path)
            if pid is not None:
                return pid
        time.sleep(0.05)
    raise AssertionError(f"no warm-start server listens in {runtime}")


def start_server(exe: str, env: dict[str, str], runtime: Path) -> int:
    """Start the server as users do (a first warm command) and wait until it listens: its pid."""
    subprocess.run([exe, "--help"], env=env, stdout=subprocess.DEVNULL, check=True)
    return wait_for_server(runtime)


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return state[state.rindex(")") + 2] != "Z"


def state(pid: int) -> str:
    """One letter: R, S (running, sleeping), T (stopped), Z; '' when gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat[stat.rindex(")") + 2]


def stop_servers(runtime: Path) -> None:
    for path in sockets(runtime):
        pid = server_pid(path)
        if pid is not None:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)


def stop_test_servers() -> None:
    if _runtime is not None:
        stop_servers(_runtime)
