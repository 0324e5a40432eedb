"""Checking the ID token of a browser login: issuer, audience, expiry, ``nonce`` and, when the
``cryptography`` package is importable (it is wherever the Linux keyring works, and in the
sandbox extra), its RS256 signature against the realm's JWKS.

The ID token comes straight from the token endpoint over TLS, so OpenID Connect Core §3.1.3.7
allows skipping the signature; checking it is defence in depth. Without ``cryptography`` or for an
algorithm other than RS256 (Keycloak's default), the claims are still checked, unverified.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Callable, Mapping
from typing import Any

from cartes_cli.errors import InvalidResponse
from cartes_cli.i18n import _

__all__ = ["IdTokenError", "check_id_token", "rs256_verify"]

DEFAULT_LEEWAY = 120.0
"""Seconds of clock difference tolerated on ``exp``."""


class IdTokenError(InvalidResponse):
    """The ID token does not belong to this login (wrong nonce, issuer, audience, signature…)."""


def _b64decode(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (ValueError, binascii.Error) as exc:
        raise IdTokenError(_("The login server sent an ID token that is not a valid JWT.")) from exc


def _json_part(part: str) -> dict[str, Any]:
    try:
        data = json.loads(_b64decode(part))
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise IdTokenError(_("The login server sent an ID token that is not a valid JWT."))
    return data


def _int_from_b64(value: Any) -> int:
    if not isinstance(value, str) or not value:
        raise IdTokenError(_("The login server's signing key is malformed."))
    return int.from_bytes(_b64decode(value), "big")


def rs256_verify(signing_input: bytes, signature: bytes, jwk: Mapping[str, Any]) -> bool | None:
    """True/False: the RS256 signature is valid or not; None: ``cryptography`` is not available."""
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding, rsa
    except ImportError:  # pragma: no cover - cryptography ships with the Linux keyring stack
        return None
    if jwk.get("kty") != "RSA":
        return False
    key = rsa.RSAPublicNumbers(_int_from_b64(jwk.get("e")), _int_from_b64(jwk.get("n"))).public_key()
    try:
        key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def _find_key(jwks: Mapping[str, Any], kid: str | None) -> Mapping[str, Any] | None:
    keys = [k for k in jwks.get("keys", []) if isinstance(k, Mapping)]
    usable = [k for k in keys if k.get("kty") == "RSA" and k.get("use", "sig") == "sig"]
    if kid is not None:
        for key in usable:
            if key.get("kid") == kid:
                return key
        return None
    return usable[0] if len(usable) == 1 else None


def check_id_token(
    id_token: str,
    *,
    issuer: str,
    client_id: str,
    nonce: str | None,
    now: float,
    jwks: Callable[[bool], Mapping[str, Any]] | None = None,
    leeway: float = DEFAULT_LEEWAY,
) -> dict[str, Any]:
    """The ID token's claims after checking them; raises :class:`IdTokenError`.

    ``jwks(refresh)`` returns the realm's keys (``refresh=True`` re-reads them once when the
    token's ``kid`` is unknown: the realm rotated its keys). None skips the signature.
    """
    parts = id_token.strip().split(".")
    if len(parts) != 3:
        raise IdTokenError(_("The login server sent an ID token that is not a signed JWT."))
    header = _json_part(parts[0])
    claims = _json_part(parts[1])

    if jwks is not None and header.get("alg") == "RS256":
        kid = header.get("kid") if isinstance(header.get("kid"), str) else None
        key = _find_key(jwks(False), kid)
        if key is None:
            key = _find_key(jwks(True), kid)
        if key is None:
            raise IdTokenError(_("The ID token is signed with a key the login server does not publish."))
        verdict = rs256_verify(f"{parts[0]}.{parts[1]}".encode("ascii"), _b64decode(parts[2]), key)
        if verdict is False:
            raise IdTokenError(_("The ID token's signature is not valid; the login was not completed."))
    elif jwks is not None and header.get("alg") in (None, "none", ""):
        raise IdTokenError(_("The login server sent an unsigned ID token."))

    if str(claims.get("iss", "")).rstrip("/") != issuer.rstrip("/"):
        raise IdTokenError(_("The ID token was issued by another login server; the login was not completed."))
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if client_id not in audiences:
        raise IdTokenError(_("The ID token was issued for another application; the login was not completed."))
    exp = claims.get("exp")
    if isinstance(exp, (int, float)) and not isinstance(exp, bool) and exp + leeway < now:
        raise IdTokenError(
            _("The ID token has already expired; check this computer's clock, then log in again.")
        )
    if nonce is not None:
        got = claims.get("nonce")
        if not isinstance(got, str) or not hmac.compare_digest(got.encode(), nonce.encode()):
            raise IdTokenError(
                _("The ID token does not belong to this login (nonce mismatch); the login was not completed.")
            )
    return claims
