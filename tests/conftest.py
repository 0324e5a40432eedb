"""Shared fixtures: a real sandbox server on 127.0.0.1 and the installed ``cartes`` executable.

End-to-end tests never import the CLI: they run the console script that ``pip install`` put next
to the interpreter, as a user would, with an isolated ``CARTES_HOME`` (config, state, and a
keyring namespace of their own).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cartes_cli.platforms import GPF_WAREHOUSE, SANDBOX_WAREHOUSE_SECRET
from tests import warm_start

BIN_DIR = Path(sys.executable).parent
# Tests assert English messages: in-process code must not follow the developer's locale (the
# executable's environment is set by base_env below).
os.environ["CARTES_LANG"] = "en"

WAREHOUSE = {"client_id": GPF_WAREHOUSE, "client_secret": SANDBOX_WAREHOUSE_SECRET}
"""The sandbox's gpf-warehouse client, confidential as on the real platform: a token request form's
client part."""


def client_form(client_id: str) -> dict[str, str]:
    """A token request's client part: gpf-warehouse with the sandbox's demo secret, others alone."""
    return dict(WAREHOUSE) if client_id == GPF_WAREHOUSE else {"client_id": client_id}


DEMO_PASSWORD = "Carto-Demo-2026!"
TOTP_SEED = "GEOPLATEFORMEDEMOSECRETTOTPCODE2"
STAFF = "claire.moreau"
ADMIN = "julien.lefebvre"
TOTP_USER = "amelie.rousseau"

# Variables from the developer's shell that would change what the CLI does.
SCRUB = (
    "CARTES_TOKEN",
    "CARTES_PROFILE",
    "CARTES_ENV",
    "CARTES_API_URL",
    "CARTES_ISSUER",
    "CARTES_USERNAME",
    "CARTES_PASSWORD",
    "CARTES_TOTP_SECRET",
    "CARTES_CLIENT_ID",
    "CARTES_CLIENT_SECRET",
    "CARTES_DEBUG",
    "CARTES_NO_INPUT",
    "CARTES_LANG",
    "NO_COLOR",
    "CARTES_WARM",
    "CARTES_WARM_IDLE",
)


def cartes_executable() -> str:
    exe = BIN_DIR / "cartes"
    if exe.exists():
        return str(exe)
    found = shutil.which("cartes")
    if not found:
        pytest.fail("the 'cartes' executable is not installed (pip install -e '.[dev]')")
    return found


def base_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUB}
    env["CARTES_HOME"] = str(home)
    # The per-user sandbox record (found whatever CARTES_HOME says) stays inside the test's home.
    env["XDG_STATE_HOME"] = str(home / "xdg-state")
    env["LANG"] = "C.UTF-8"
    env.pop("LANGUAGE", None)
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("CI", "true")  # never prompt unless a test drives a terminal on purpose
    if warm_start.ENABLED:  # CARTES_TEST_WARM=1: every command through a warm-start server
        env.update(warm_start.test_env())
    return env


@dataclass
class TotpUser:
    """An account with two-factor authentication, and the seed its codes come from."""

    username: str
    seed: str
    used: set[str] = field(default_factory=set)

    def code(self) -> str:
        """A code the platform has not seen yet: the current one, else the next window's (valid
        one window ahead too), else wait for a new window."""
        import pyotp

        totp = pyotp.TOTP(self.seed)
        while True:
            for candidate in (totp.at(time.time()), totp.at(time.time() + 30)):
                if candidate not in self.used:
                    self.used.add(candidate)
                    return candidate
            time.sleep(1)


@dataclass
class Sandbox:
    proc: subprocess.Popen[str]
    info: dict[str, object]
    home: Path
    data_dir: Path
    stderr_lines: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return str(self.info["base_url"])

    @property
    def api_url(self) -> str:
        return str(self.info["api_url"])

    @property
    def issuer(self) -> str:
        return str(self.info["issuer"])

    def access_token(self, username: str, password: str = DEMO_PASSWORD) -> str:
        """A fresh access token by the password grant (a demo user's password by default)."""
        import httpx

        response = httpx.post(
            self.issuer + "/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                **WAREHOUSE,
                "username": username,
                "password": password,
            },
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def new_totp_user(self) -> TotpUser:
        """A fresh account with two-factor authentication (a seed of its own, DEMO_PASSWORD).

        A one-time code works once (the platform refuses a code already used, as Keycloak does), so
        a test that logs in with a code takes an account of its own instead of sharing the demo's
        on a sandbox where other tests log in meanwhile. Written straight to the sandbox's
        database, as its seed is."""
        import uuid

        import pyotp

        from cartes_cli.sandbox.config import DB_FILENAME
        from cartes_cli.sandbox.domain.credentials import hash_password
        from cartes_cli.sandbox.store import Store
        from cartes_cli.sandbox.util import iso, new_id

        user = TotpUser(f"deux.facteurs.{uuid.uuid4().hex[:10]}", pyotp.random_base32())
        store = Store.open(self.data_dir / DB_FILENAME)
        try:
            with store.transaction():
                store.users.insert(
                    id=new_id(),
                    username=user.username,
                    email=f"{user.username}@exemple.test",
                    first_name="Deux",
                    last_name="Facteurs",
                    password_hash=hash_password(DEMO_PASSWORD, iterations=1000),
                    created=iso(time.time()),
                    totp_secret=user.seed,
                )
        finally:
            store.close()
        return user

    def get(self, path: str) -> object:
        import httpx

        response = httpx.get(self.base_url + path, timeout=10)
        response.raise_for_status()
        return response.json()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode


def start_sandbox(home: Path, data_dir: Path, *extra: str, timeout: float = 30) -> Sandbox:
    cmd = [cartes_executable(), "sandbox", "serve", "--port", "0", "--data", str(data_dir), *extra]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=base_env(home),
        stdin=subprocess.DEVNULL,
    )
    stderr_lines: list[str] = []

    def drain() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            stderr_lines.append(line)

    threading.Thread(target=drain, daemon=True).start()
    result: dict[str, object] = {}

    def read_ready() -> None:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if line:
            result.update(json.loads(line))

    reader = threading.Thread(target=read_ready, daemon=True)
    reader.start()
    reader.join(timeout)
    if not result:
        proc.kill()
        proc.wait(5)
        raise RuntimeError(f"sandbox did not start: {''.join(stderr_lines)[-2000:]}")
    return Sandbox(proc=proc, info=result, home=home, data_dir=data_dir, stderr_lines=stderr_lines)


def own_sandbox(name: str, *extra: str, check: Any = None) -> Any:
    """A module's own demo sandbox, as a module-scoped fixture called ``name``, started with the
    ``extra`` options of ``cartes sandbox serve`` (``check(sandbox)`` runs once it is up). Bind it
    to that name in the module: ``accounts_sandbox = own_sandbox("accounts_sandbox", "--x")``."""

    @pytest.fixture(scope="module", name=name)
    def fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
        home = tmp_path_factory.mktemp(name)
        sandbox = start_sandbox(home, home / "data", "--seed", "demo", *extra)
        try:
            if check is not None:
                check(sandbox)
            yield sandbox
        finally:
            sandbox.stop()

    return fixture


@pytest.fixture(scope="session", autouse=True)
def _warm_start_servers() -> Iterator[None]:
    """The warm-start servers of CARTES_TEST_WARM=1 end with the test process."""
    yield
    warm_start.stop_test_servers()


@pytest.fixture(scope="session")
def demo_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """One demo sandbox shared by the read-mostly end-to-end tests."""
    home = tmp_path_factory.mktemp("sandbox-home")
    sandbox = start_sandbox(home, home / "data", "--seed", "demo")
    yield sandbox
    sandbox.stop()


@pytest.fixture(scope="session")
def keyring_available() -> bool:
    """Is a usable Secret Service reachable? (CI runs the suite inside dbus-run-session.)"""
    code = "from cartes_cli.auth.store import KeyringStore\nKeyringStore(timeout=3).check_usable()\n"
    probe = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20)
    available = probe.returncode == 0
    if not available and os.environ.get("CARTES_REQUIRE_SECRET_SERVICE"):
        pytest.fail(f"CARTES_REQUIRE_SECRET_SERVICE is set but no usable keyring: {probe.stderr[-500:]}")
    return available


@dataclass
class Result:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def __repr__(self) -> str:  # shown by pytest on failure
        return (
            f"Result(args={self.args!r}, rc={self.returncode}, "
            f"stdout={self.stdout!r}, stderr={self.stderr!r})"
        )


class Canary:
    """The secret canary over the whole end-to-end suite.

    Every run of the executable is checked: no password, TOTP seed, client secret or token may
    appear in its stdout or stderr, except where showing one is the command's job (``login token``,
    ``login status --show-token``, the seed shown once by ``account 2fa enable``). The secrets
    checked are the suite's distinctive ones plus any secret the run received through its
    environment or standard input. Violations fail the test that caused them.
    """

    JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")
    FIXED = (DEMO_PASSWORD, TOTP_SEED, "ci-demo-secret-2026")
    SECRET_VARS = ("CARTES_PASSWORD", "CARTES_TOTP_SECRET", "CARTES_CLIENT_SECRET", "CARTES_TOKEN")

    def __init__(self) -> None:
        self.checked = 0
        self.violations: list[str] = []

    def check(self, result: Result, env: dict[str, str], stdin: str | None) -> None:
        self.checked += 1
        args = result.args
        shows_token = ("login" in args and "token" in args) or "--show-token" in args
        shows_seed = "2fa" in args and "enable" in args
        secrets = {s for s in self.FIXED if len(s) >= 8}
        secrets |= {env[v] for v in self.SECRET_VARS if len(env.get(v, "")) >= 8}
        reads_secret = "--with-token" in args or "--password-stdin" in args or "--stdin" in args
        if stdin and reads_secret:
            secrets |= {line.strip() for line in stdin.splitlines() if len(line.strip()) >= 8}
        for stream, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            for secret in secrets:
                allowed = (shows_seed and secret == TOTP_SEED) or (
                    shows_token and bool(self.JWT.fullmatch(secret))
                )
                if secret in text and not allowed:
                    self.violations.append(f"{' '.join(args)}: a secret in its {stream}")
            if not shows_token and self.JWT.search(text):
                self.violations.append(f"{' '.join(args)}: a token in its {stream}")


CANARY = Canary()


@pytest.fixture(autouse=True)
def _secret_canary() -> Iterator[None]:
    before = len(CANARY.violations)
    yield
    new = CANARY.violations[before:]
    assert not new, f"secret canary: {new}"


class Cartes:
    """Runs the installed executable with an isolated home, against a given sandbox."""

    def __init__(self, home: Path, sandbox: Sandbox | None, keyring: bool) -> None:
        self.home = home
        self.sandbox = sandbox
        self.keyring = keyring
        self.env = base_env(home)
        self.transcript: list[Result] = []
        if sandbox is not None:
            # Point this home at the sandbox the way users do: --env sandbox finds its record.
            state_dir = home / "state"
            state_dir.mkdir(parents=True, exist_ok=True)
            (state_dir / "sandbox.json").write_text(json.dumps(sandbox.info), encoding="utf-8")

    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None, timeout: float = 60
    ) -> Result:
        full_env = dict(self.env)
        if env:
            full_env.update(env)
        cmd = [cartes_executable(), *args]
        proc = subprocess.run(
            cmd,
            input=input if input is not None else "",
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
        )
        result = Result(list(args), proc.returncode, proc.stdout, proc.stderr)
        self.transcript.append(result)
        CANARY.check(result, full_env, input)
        return result

    def spawn(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        storage: bool = False,
        unset: tuple[str, ...] = (),
        timeout: float = 30,
        width: int = 200,
    ) -> Any:
        """The executable at a real terminal (a pty, ``pexpect``), as a person runs it: ``CI``
        unset (and ``unset``), ``TERM=dumb``; ``storage`` adds ``--insecure-storage`` where the
        machine has no keyring (for logins)."""
        import pexpect

        full = {k: v for k, v in {**self.env, **(env or {})}.items() if k not in ("CI", *unset)}
        full["TERM"] = "dumb"
        extra = ("--insecure-storage",) if storage and not self.keyring else ()
        return pexpect.spawn(
            cartes_executable(),
            [*args, *extra],
            env=full,
            encoding="utf-8",
            timeout=timeout,
            dimensions=(40, width),
        )

    def login(
        self,
        user: str | TotpUser,
        *,
        profile: str | None = None,
        extra: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ) -> Result:
        """``--env sandbox login`` with DEMO_PASSWORD; a ``TotpUser`` logs in with its seed
        (``CARTES_TOTP_SECRET``), so that cartes computes the code."""
        variables = {"CARTES_PASSWORD": DEMO_PASSWORD}
        if isinstance(user, TotpUser):
            variables.update(CARTES_USERNAME=user.username, CARTES_TOTP_SECRET=user.seed)
        else:
            variables["CARTES_USERNAME"] = user
        args = ["--env", "sandbox", "login", *extra]
        if profile:
            args = ["--profile", profile, *args]
        if not self.keyring:
            args.append("--insecure-storage")
        return self(*args, env={**variables, **(env or {})})


@pytest.fixture
def cartes(tmp_path: Path, demo_sandbox: Sandbox, keyring_available: bool) -> Cartes:
    return Cartes(tmp_path / "home", demo_sandbox, keyring_available)


def wait_until(predicate: object, timeout: float = 10, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(interval)
    return False
