"""The login commands' world: an empty ``CARTES_HOME``, no credential from the developer's shell,
a keyring that is never usable (nothing reaches the real one: ``--insecure-storage`` keeps logins
in the private file), and a login server (``ISSUER``) whose token endpoint each test answers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cartes_cli.cli.context import GlobalOptions
from cartes_cli.errors import CredentialStoreError
from tests.auth.jwt_helpers import make_jwt
from tests.cli.harness import API, Harness

ISSUER = "https://sso.test/realms/geoplateforme"
TOKEN_URL = ISSUER + "/protocol/openid-connect/token"
USERINFO_URL = ISSUER + "/protocol/openid-connect/userinfo"
LOGOUT_URL = ISSUER + "/protocol/openid-connect/logout"
DISCOVERY_URL = ISSUER + "/.well-known/openid-configuration"

_SCRUB = (
    "CI",
    "CARTES_TOKEN",
    "CARTES_CLIENT_ID",
    "CARTES_CLIENT_SECRET",
    "CARTES_OIDC_CLIENT_ID",
    "CARTES_OIDC_CLIENT_SECRET",
    "CARTES_PROFILE",
    "CARTES_ENV",
    "CARTES_API_URL",
    "CARTES_ISSUER",
    "CARTES_USERNAME",
    "CARTES_PASSWORD",
    "CARTES_TOTP_SECRET",
    "CARTES_NO_INPUT",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "SSH_CONNECTION",
    "SSH_TTY",
    "SSH_CLIENT",
)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in _SCRUB:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CARTES_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CARTES_TIMEOUT", "5")

    def unusable(self: object) -> None:
        raise CredentialStoreError("No usable system keyring (tests).")

    monkeypatch.setattr("cartes_cli.auth.store.KeyringStore.check_usable", unusable)
    return tmp_path / "home"


def access_token(user: str = "marie", **claims: Any) -> str:
    """An access token as the login server signs it (the CLI only reads its claims)."""
    return make_jwt(
        {"preferred_username": user, "email": f"{user}@ign.fr", "exp": int(time.time()) + 300, **claims}
    )


def token_answer(user: str = "marie", *, refresh: str | None = "refresh-1", **claims: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "access_token": access_token(user, **claims),
        "token_type": "Bearer",
        "expires_in": 300,
    }
    if refresh is not None:
        body["refresh_token"] = refresh
    return body


def invalid_credentials() -> dict[str, str]:
    return {"error": "invalid_grant", "error_description": "Invalid user credentials"}


@pytest.fixture
def login_world() -> Iterator[Callable[..., Harness]]:
    """``login_world(tty=…, answers=…, profile=…)``: a harness on the test platform (``--api-url``
    and ``--issuer`` given), its discovery answered 404 (Keycloak's standard paths)."""
    made: list[Harness] = []

    def make(*, profile: str | None = None, **kwargs: Any) -> Harness:
        options = GlobalOptions(profile=profile, api_url=API, issuer=ISSUER)
        h = Harness(options=options, **kwargs).__enter__()
        h.mock.get(DISCOVERY_URL).respond(404)
        made.append(h)
        return h

    yield make
    for h in made:
        h.__exit__(None, None, None)


def form(route: Any, call: int = -1) -> dict[str, str]:
    """The form a route received (the last call by default)."""
    from urllib.parse import parse_qs

    return {k: v[0] for k, v in parse_qs(route.calls[call].request.content.decode()).items()}


def stored(home: Path) -> dict[str, str]:
    """What the private credentials file keeps (``profile/user/kind`` → secret)."""
    import json

    path = home / "config" / "credentials.json"
    return json.loads(path.read_text()) if path.exists() else {}


def profiles(home: Path) -> dict[str, Any]:
    """The configuration file: ``active_profile`` and ``profiles``."""
    import tomllib

    path = home / "config" / "config.toml"
    return tomllib.loads(path.read_text()) if path.exists() else {}


def log_in(
    make: Callable[..., Harness],
    monkeypatch: pytest.MonkeyPatch,
    user: str = "marie",
    profile: str | None = None,
) -> None:
    """A password login kept in the private file, as ``cartes login`` would leave it."""
    from cartes_cli.cli.login.login import LoginOptions, run

    with monkeypatch.context() as env:
        env.setenv("CARTES_USERNAME", user)
        env.setenv("CARTES_PASSWORD", "s3cret")
        h = make(profile=profile)
        h.mock.post(TOKEN_URL).respond(200, json=token_answer(user, refresh=f"refresh-{user}"))
        outcome = h.run(run, LoginOptions(insecure_storage=True))
        assert outcome.code == 0, outcome.err
        h.__exit__(None, None, None)


@pytest.fixture
def hidden_answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Answers to hidden prompts (passwords, secrets), in order: ``getpass`` reads the real terminal."""
    answers: list[str] = []

    def getpass(prompt: str = "", stream: object = None) -> str:
        assert answers, f"unexpected hidden prompt {prompt!r}"
        return answers.pop(0)

    monkeypatch.setattr("getpass.getpass", getpass)
    return answers
