"""ID-token checks: signature against the JWKS (with one re-read on an unknown kid), claims."""

from __future__ import annotations

from typing import Any

import pytest

from cartes_cli.auth.idtoken import IdTokenError, check_id_token

from .jwt_helpers import make_jwt, public_jwk, rsa_key, signed_jwt

ISSUER = "https://sso.test/realms/geoplateforme"
NOW = 1_700_000_000.0
CLAIMS = {"iss": ISSUER, "aud": "cartes-cli", "exp": NOW + 300, "nonce": "n-1", "sub": "u"}


def check(token: str, jwks: Any = None, **overrides: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "issuer": ISSUER,
        "client_id": "cartes-cli",
        "nonce": "n-1",
        "now": NOW,
        "jwks": jwks,
    }
    options.update(overrides)
    return check_id_token(token, **options)


class Keys:
    """A JWKS source that rotates: the first read lacks the new key."""

    def __init__(self, first: list[dict[str, Any]], then: list[dict[str, Any]]) -> None:
        self.first, self.then = first, then
        self.reads: list[bool] = []

    def __call__(self, refresh: bool) -> dict[str, Any]:
        self.reads.append(refresh)
        return {"keys": self.then if refresh else self.first}


def test_valid_signed_token() -> None:
    keys = Keys([public_jwk(rsa_key(), "k1")], [])
    claims = check(signed_jwt(CLAIMS, rsa_key()), keys)
    assert claims["sub"] == "u"
    assert keys.reads == [False]


def test_key_rotation_reads_the_keys_again_once() -> None:
    keys = Keys([public_jwk(rsa_key("other"), "old")], [public_jwk(rsa_key(), "k1")])
    check(signed_jwt(CLAIMS, rsa_key()), keys)
    assert keys.reads == [False, True]


def test_unknown_key() -> None:
    keys = Keys([public_jwk(rsa_key(), "k1")], [public_jwk(rsa_key(), "k1")])
    with pytest.raises(IdTokenError, match="does not publish"):
        check(signed_jwt(CLAIMS, rsa_key(), kid="k9"), keys)


def test_single_key_without_kid() -> None:
    keys = Keys([public_jwk(rsa_key(), "k1")], [])
    check(signed_jwt(CLAIMS, rsa_key(), kid=None), keys)


def test_forged_signature() -> None:
    keys = Keys([public_jwk(rsa_key(), "k1")], [])
    with pytest.raises(IdTokenError, match="signature"):
        check(signed_jwt(CLAIMS, rsa_key("other")), keys)


def test_unsigned_token_is_refused_when_verifying() -> None:
    header_none = "eyJhbGciOiJub25lIn0"  # {"alg":"none"}
    token = header_none + "." + make_jwt(CLAIMS).split(".")[1] + "."
    with pytest.raises(IdTokenError, match="unsigned"):
        check(token, Keys([], []))


def test_claims_without_signature_check() -> None:
    assert check(make_jwt(CLAIMS))["nonce"] == "n-1"  # unsigned helper token, jwks=None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nonce": "other"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"iss": "https://evil.test/realms/x"}, "another login server"),
        ({"aud": "other-client"}, "another application"),
        ({"exp": NOW - 1000}, "expired"),
    ],
)
def test_claim_checks(change: dict[str, Any], message: str) -> None:
    claims = {**CLAIMS, **change}
    with pytest.raises(IdTokenError, match=message):
        check(make_jwt({k: v for k, v in claims.items() if v is not None}))


def test_audience_list_and_trailing_slash_issuer() -> None:
    claims = {**CLAIMS, "aud": ["account", "cartes-cli"], "iss": ISSUER + "/"}
    check(make_jwt(claims))


def test_small_clock_skew_is_tolerated() -> None:
    check(make_jwt({**CLAIMS, "exp": NOW - 60}))


@pytest.mark.parametrize("token", ["", "a.b", "not.a.jwt", "eyJ9.eyJ9.x"])
def test_garbage(token: str) -> None:
    with pytest.raises(IdTokenError):
        check(token)
