"""Fixtures of the end-to-end tests of login flows."""

from __future__ import annotations

import re
import subprocess
import threading
from pathlib import Path

import pytest

from tests.conftest import ADMIN, STAFF, Cartes, Sandbox, cartes_executable, own_sandbox

flows_sandbox = own_sandbox("flows_sandbox", "--device-interval", "1")

real_sandbox = own_sandbox("real_sandbox", "--no-requests-api")
"""A demo sandbox in its real-platform mode (``--no-requests-api``): requests by e-mail, join
forms under /annexes, community details for members only."""

PRODUCER = "elodie.chevalier"
"""A demo producer: a member of two workspaces, supervisor of none that the tests decide on."""


@pytest.fixture
def cli(tmp_path: Path, flows_sandbox: Sandbox, keyring_available: bool) -> Cartes:
    return Cartes(tmp_path / "home", flows_sandbox, keyring_available)


# The demo's people, each logged in in a home of their own on the module's ``sandbox`` (a module
# using them defines that fixture, usually with ``own_sandbox("sandbox", …)``).


@pytest.fixture
def staff(tmp_path: Path, sandbox: Sandbox, keyring_available: bool) -> Cartes:
    return logged_in(tmp_path, sandbox, keyring_available, STAFF)


@pytest.fixture
def admin(tmp_path: Path, sandbox: Sandbox, keyring_available: bool) -> Cartes:
    return logged_in(tmp_path, sandbox, keyring_available, ADMIN)


@pytest.fixture
def producer(tmp_path: Path, sandbox: Sandbox, keyring_available: bool) -> Cartes:
    return logged_in(tmp_path, sandbox, keyring_available, PRODUCER)


class Background:
    """``cartes login`` running in the background while the test plays the browser."""

    def __init__(self, cli: Cartes, *args: str) -> None:
        storage = () if cli.keyring else ("--insecure-storage",)
        self.proc = subprocess.Popen(
            [cartes_executable(), "--env", "sandbox", "login", *args, *storage],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=cli.env,
        )
        self.lines: list[str] = []
        self._new = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._new:
                self.lines.append(line)
                self._new.notify_all()

    def wait_for(self, pattern: str, timeout: float = 20) -> re.Match[str]:
        regex = re.compile(pattern)
        with self._new:
            ok = self._new.wait_for(lambda: any(regex.search(x) for x in self.lines), timeout)
        assert ok, f"{pattern!r} not seen in {''.join(self.lines)!r}"
        return next(m for x in self.lines if (m := regex.search(x)))

    def finish(self, timeout: float = 30) -> int:
        code = self.proc.wait(timeout)
        assert self.proc.stdout is not None
        self.stdout = self.proc.stdout.read()
        return code


def logged_in(tmp_path: Path, sandbox: Sandbox, keyring: bool, user: str, home: str | None = None) -> Cartes:
    """A home of its own (``home``, by default named after the user), logged in as ``user`` (a
    demo user) on ``sandbox``."""
    cli = Cartes(tmp_path / (home or user), sandbox, keyring)
    r = cli.login(user)
    assert r.returncode == 0, r
    return cli


def log_seq(sandbox: Sandbox) -> int:
    """The sandbox's request-log position now: what came after it was sent by the test."""
    import httpx

    r = httpx.get(sandbox.base_url + "/sandbox/log", params={"limit": 1}, timeout=10)
    return int(r.headers["X-Sandbox-Log-Seq"])
