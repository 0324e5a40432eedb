"""TokenSet and unverified JWT claims."""

from __future__ import annotations

import math

import pytest

from cartes_cli.auth.tokens import DEFAULT_EXPIRES_IN, TokenSet, jwt_claims
from cartes_cli.errors import AuthRequired, InvalidResponse, LoginRefused
from cartes_cli.secret import Secret

from .jwt_helpers import b64, make_jwt

ACCESS = make_jwt({"preferred_username": "dave", "email": "dave@ign.fr", "exp": 2_000_000_000})
REFRESH = make_jwt({"typ": "Refresh", "exp": 2_000_001_000})
ID_TOKEN = make_jwt({"preferred_username": "dave-id", "email": "id@ign.fr"})

KEYCLOAK_BODY = {
    "access_token": ACCESS,
    "expires_in": 300,
    "refresh_expires_in": 1800,
    "refresh_token": REFRESH,
    "token_type": "Bearer",
    "id_token": ID_TOKEN,
    "not-before-policy": 0,
    "session_state": "5f7c…",
    "scope": "openid profile email",
}


def test_from_keycloak_response() -> None:
    tokens = TokenSet.from_response(KEYCLOAK_BODY, now=1000.0)
    assert tokens.access_token.get_secret_value() == ACCESS
    assert tokens.refresh_token is not None
    assert tokens.refresh_token.get_secret_value() == REFRESH
    assert tokens.id_token is not None
    assert tokens.id_token.get_secret_value() == ID_TOKEN
    assert tokens.expires_at == 1300.0
    assert tokens.refresh_expires_at == 2800.0
    assert tokens.scope == "openid profile email"
    assert tokens.token_type == "Bearer"
    assert tokens.issued_at == 1000.0
    assert tokens.lifetime == 300.0
    assert tokens.username == "dave"
    assert tokens.email == "dave@ign.fr"


def test_offline_refresh_token_has_no_expiry() -> None:
    tokens = TokenSet.from_response({**KEYCLOAK_BODY, "refresh_expires_in": 0}, now=0.0)
    assert tokens.refresh_expires_at is None
    assert not tokens.refresh_expired(10**12)


def test_expiry_from_jwt_when_expires_in_is_missing() -> None:
    body = {"access_token": ACCESS}
    assert TokenSet.from_response(body, now=5.0).expires_at == 2_000_000_000
    opaque = TokenSet.from_response({"access_token": "opaque", "expires_in": "bad"}, now=5.0)
    assert opaque.expires_at == 5.0 + DEFAULT_EXPIRES_IN
    assert opaque.refresh_token is None
    assert opaque.token_type == "Bearer"


@pytest.mark.parametrize("body", [None, [], "x", {}, {"access_token": ""}, {"access_token": 42}])
def test_bad_bodies(body: object) -> None:
    with pytest.raises(InvalidResponse):
        TokenSet.from_response(body, now=0.0)


def test_non_string_refresh_token() -> None:
    with pytest.raises(InvalidResponse):
        TokenSet.from_response({"access_token": "a", "refresh_token": 5}, now=0.0)


def test_expires_within() -> None:
    tokens = TokenSet.from_response({"access_token": "a", "expires_in": 300}, now=0.0)
    assert not tokens.expires_within(30, now=0.0)
    assert not tokens.expires_within(30, now=269.0)
    assert tokens.expires_within(30, now=270.0)
    assert tokens.is_expired(300.0)
    assert not tokens.is_expired(299.0)


def test_from_refresh_token_is_expired_but_refreshable() -> None:
    tokens = TokenSet.from_refresh_token("stored-refresh")
    assert tokens.is_expired(0.0)
    assert tokens.can_refresh
    assert not tokens.has_access_token


def test_from_access_token() -> None:
    assert TokenSet.from_access_token(ACCESS).expires_at == 2_000_000_000
    assert TokenSet.from_access_token("opaque").expires_at == math.inf
    assert not TokenSet.from_access_token("opaque").can_refresh


def test_with_refresh_fallback() -> None:
    old = TokenSet.from_response(KEYCLOAK_BODY, now=0.0)
    not_rotated = TokenSet.from_response({"access_token": "new", "expires_in": 300}, now=100.0)
    merged = not_rotated.with_refresh_fallback(old)
    assert merged.refresh_token == old.refresh_token
    assert merged.refresh_expires_at == old.refresh_expires_at
    rotated = TokenSet.from_response({"access_token": "n", "refresh_token": "r2"}, now=1.0)
    assert rotated.with_refresh_fallback(old) is rotated


def test_repr_and_str_hide_every_secret() -> None:
    tokens = TokenSet.from_response(KEYCLOAK_BODY, now=0.0)
    for text in (repr(tokens), str(tokens), f"{tokens}", repr([tokens])):
        assert ACCESS not in text
        assert REFRESH not in text
        assert ID_TOKEN not in text
        assert "**********" in text


def test_errors_never_show_secrets() -> None:
    error = LoginRefused("Login refused: Invalid user credentials.", status=401, error="invalid_grant")
    assert "password" not in repr(error).lower()
    secret = Secret("hunter2")
    assert "hunter2" not in repr(secret)
    assert "hunter2" not in str(secret)
    assert "hunter2" not in str(AuthRequired(f"token {secret}"))


def test_jwt_claims() -> None:
    assert jwt_claims(ACCESS)["preferred_username"] == "dave"
    assert jwt_claims(Secret(ACCESS))["email"] == "dave@ign.fr"


@pytest.mark.parametrize(
    "garbage",
    [
        None,
        "",
        "opaque",
        "a.b",
        "a.b.c",
        "a.!!!.c",
        f"x.{b64(b'[1,2]')}.y",
        f"x.{b64(b'not json')}.y",
        f"x.{b64(bytes([0xFF, 0xFE]))}.y",
        "a.b.c.d.e",  # JWE: encrypted, nothing to read
    ],
)
def test_jwt_claims_tolerates_garbage(garbage: str | None) -> None:
    assert jwt_claims(garbage) == {}


def test_whole_second_expiry_is_taken_from_the_token_when_the_clocks_agree() -> None:
    # Keycloak truncates to whole seconds: issued at 1000.9 with a 2 s lifespan, the token says
    # iat 1000, exp 1002 and expires_in 2. It dies at 1002, not at 1002.9.
    access = make_jwt({"iat": 1000, "exp": 1002, "sub": "u"})
    tokens = TokenSet.from_response({"access_token": access, "expires_in": 2}, now=1000.9)
    assert tokens.expires_at == 1002
    assert tokens.lifetime == pytest.approx(1.1)


def test_a_skewed_clock_keeps_expires_in() -> None:
    # This machine's clock is an hour ahead of the server's: the JWT's exp means nothing here.
    access = make_jwt({"iat": 1000, "exp": 1002, "sub": "u"})
    tokens = TokenSet.from_response({"access_token": access, "expires_in": 2}, now=4600.5)
    assert tokens.expires_at == 4602.5
