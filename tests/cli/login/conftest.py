"""The login commands' world: an empty ``CARTES_HOME``, no credential from the developer's shell,
a keyring that is never usable (nothing reaches the real one: ``--insecure-storage`` keeps logins
in the private file), and a login server (``ISSUER``) whose token endpoint each test answers."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cartes_cli.errors import CredentialStoreError
from tests.auth.jwt_helpers import make_jwt
from tests.cli.harness import ISSUER, Harness, hidden_answers, home, make_harness, on_platform

TOKEN_URL = ISSUER + "/protocol/openid-connect/token"
USERINFO_URL = ISSUER + "/protocol/openid-connect/userinfo"
LOGOUT_URL = ISSUER + "/protocol/openid-connect/logout"
DISCOVERY_URL = ISSUER + "/.well-known/openid-configuration"

# The harness's: an empty CARTES_HOME (autouse), getpass's answers, harnesses made on demand.
__all__ = ["ISSUER", "hidden_answers", "home", "make_harness"]


@pytest.fixture(autouse=True)
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """A keyring that is never usable: logins go to the private file."""

    def unusable(self: object) -> None:
        raise CredentialStoreError("No usable system keyring (tests).")

    monkeypatch.setattr("cartes_cli.auth.store.KeyringStore.check_usable", unusable)


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
def login_world(make_harness: Callable[..., Harness]) -> Callable[..., Harness]:
    """``login_world(tty=…, answers=…, profile=…)``: a harness on the test platform (``--api-url``
    and ``--issuer`` given), its discovery answered 404 (Keycloak's standard paths)."""

    def make(*, profile: str | None = None, **kwargs: Any) -> Harness:
        h = make_harness(options=on_platform(profile=profile), **kwargs)
        h.mock.get(DISCOVERY_URL).respond(404)
        return h

    return make


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
