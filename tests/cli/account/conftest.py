"""The account commands' tests run in-process: a ``Terminal`` on string buffers, an ``AppContext``
on an isolated ``CARTES_HOME``, and the platform's HTTP answered by respx. No subprocess, no
sandbox: each test says what the platform answers and asserts what was sent and printed.

All the scaffolding is here, in one place, to be folded into ``tests/cli/harness.py``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import respx

from cartes_cli.cli.context import AppContext, GlobalOptions
from cartes_cli.cli.exit_codes import ExitCode
from cartes_cli.cli.output import Terminal

API = "https://gpf.test/api"
ISSUER = "https://gpf.test/realms/demo"
ACCOUNT = ISSUER + "/account"
CAPABILITIES = "https://gpf.test/sandbox/capabilities"
SANDBOX_FEATURES = ["accounts", "outbox", "support-mail", "admin-credentials"]

_SCRUB = (
    "CI",
    "CARTES_TOKEN",
    "CARTES_PROFILE",
    "CARTES_ENV",
    "CARTES_API_URL",
    "CARTES_ISSUER",
    "CARTES_USERNAME",
    "CARTES_PASSWORD",
    "CARTES_TOTP_SECRET",
    "CARTES_NO_INPUT",
    "CARTES_DEBUG",
    "NO_COLOR",
    "DISPLAY",
    "WAYLAND_DISPLAY",
)


@dataclass
class Cli:
    """One command's world: its context, what it reads, and what it printed."""

    app: AppContext
    stdin: io.StringIO
    stdout: io.StringIO
    stderr: io.StringIO

    @property
    def out(self) -> str:
        return self.stdout.getvalue()

    @property
    def err(self) -> str:
        return self.stderr.getvalue()


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty CARTES_HOME, English messages, nothing from the developer's shell, and no
    platform flags remembered from an in-process ``cartes(...)`` (hints quote them)."""
    from cartes_cli import hints

    hints.forget()
    for name in _SCRUB:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CARTES_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CARTES_LANG", "en")
    monkeypatch.setenv("CARTES_TIMEOUT", "5")
    yield tmp_path / "home"
    hints.forget()


@pytest.fixture
def make_cli() -> Callable[..., Cli]:
    """``make_cli(tty=…, format=…, stdin=…)``: a context on buffers for the mocked platform. ``tty``
    makes stdin, stdout and stderr terminals (so the command may prompt)."""

    def make(*, tty: bool = False, format: str = "auto", stdin: str = "", json: bool = False) -> Cli:
        out, err, inp = io.StringIO(), io.StringIO(), io.StringIO(stdin)
        terminal = Terminal(
            format=format,  # type: ignore[arg-type]
            json_fields=[] if json else None,
            stdout=out,
            stderr=err,
            stdin=inp,
            stdout_isatty=tty,
            stderr_isatty=tty,
            stdin_isatty=tty,
            color=False,
            width=100,
        )
        options = GlobalOptions(api_url=API, issuer=ISSUER, format=format)
        return Cli(AppContext(options, terminal), inp, out, err)

    return make


@pytest.fixture
def platform() -> Iterator[respx.MockRouter]:
    """The platform: a sandbox offering the account API (change ``capabilities`` for another).
    Any request no test expects fails the test."""
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        router.get(CAPABILITIES).mock(return_value=capabilities(SANDBOX_FEATURES))
        yield router


def capabilities(features: list[str]) -> httpx.Response:
    return httpx.Response(200, json={"sandbox": bool(features), "features": features})


def real_platform(router: respx.MockRouter) -> None:
    """The real Géoplateforme: no /sandbox/capabilities (404), so no account API."""
    router.get(CAPABILITIES).mock(return_value=httpx.Response(404, json={"error": "not found"}))


def problems(*items: tuple[str | None, str, str], status: int = 400) -> httpx.Response:
    """An error answer naming what is wrong, field by field."""
    body = {"problems": [{"field": f, "code": c, "message": m} for f, c, m in items]}
    return httpx.Response(status, json=body)


def sent(route: respx.Route, index: int = -1) -> dict[str, object]:
    """The JSON body of a call to a route (the last one by default)."""
    body = json.loads(route.calls[index].request.content)
    assert isinstance(body, dict)
    return body


def posts(router: respx.MockRouter) -> list[str]:
    """Every POST the command sent, as ``POST url`` lines."""
    return [f"POST {call.request.url}" for call in router.calls if call.request.method == "POST"]


@pytest.fixture
def logged_in(monkeypatch: pytest.MonkeyPatch) -> str:
    """A login from the environment (CARTES_TOKEN): the authenticated routes get this token."""
    monkeypatch.setenv("CARTES_TOKEN", "test-token")
    return "test-token"


@pytest.fixture
def hidden_answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Answers to hidden prompts (passwords), in order: ``getpass`` reads the real terminal."""
    answers: list[str] = []

    def getpass(prompt: str = "", stream: object = None) -> str:
        assert answers, f"unexpected hidden prompt {prompt!r}"
        return answers.pop(0)

    monkeypatch.setattr("getpass.getpass", getpass)
    return answers


def cartes(*args: str) -> int:
    """Run ``cartes --api-url API --issuer ISSUER ARGS…`` in-process (the whole command tree, its
    Typer declarations and error handling); read what it printed with ``capsys``."""
    from cartes_cli.cli.main import run

    return run(["--api-url", API, "--issuer", ISSUER, *args])


def exit_code(exc: BaseException) -> int:
    """The exit status cartes turns this exception into (as ``cartes_cli.__main__`` does)."""
    import typer

    from cartes_cli.cli.errors import describe

    if isinstance(exc, typer.Exit):
        return exc.exit_code
    return int(describe(exc)[0])


__all__ = ["ExitCode"]
