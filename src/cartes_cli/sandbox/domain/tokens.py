"""Keycloak-shaped JWTs: issuing a token set for a session, and checking a presented token."""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import urlsplit

import jwt

from cartes_cli.platforms import REALM_PATH
from cartes_cli.sandbox.domain.context import Sandbox
from cartes_cli.sandbox.store.records import Session, User
from cartes_cli.sandbox.util import new_id

REALM = REALM_PATH.rsplit("/", 1)[-1]
DEFAULT_SCOPE = "openid profile email"
BASE_ROLES = (f"default-roles-{REALM}", "offline_access", "uma_authorization")
STAFF_ROLE = "ADMIN"
ACCOUNT_ROLES = ("manage-account", "manage-account-links", "view-profile")

TYP_ACCESS = "Bearer"
TYP_REFRESH = "Refresh"
TYP_ID = "ID"


class TokenInvalid(Exception):
    """A presented token is not one of ours (bad signature, wrong type or issuer, malformed)."""


def issuer_from_base_url(base_url: str) -> str:
    """``http://127.0.0.1:8080/`` → ``http://127.0.0.1:8080/realms/geoplateforme``."""
    return base_url.rstrip("/") + REALM_PATH


def realm_roles(user: User) -> list[str]:
    roles = list(BASE_ROLES)
    if user.administrator:
        roles.append(STAFF_ROLE)
    return roles


def profile_claims(user: User) -> dict[str, Any]:
    """The claims of the ``profile`` and ``email`` scopes (also the userinfo answer)."""
    return {
        "email_verified": user.email_verified,
        "name": user.full_name,
        "preferred_username": user.username.lower(),
        "given_name": user.first_name,
        "family_name": user.last_name,
        "email": user.email.lower(),
    }


def _at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")


def start_session(sandbox: Sandbox, user: User, client_id: str) -> Session:
    now = sandbox.now()
    session_id = new_id()
    sandbox.store.sessions.create(
        id=session_id,
        user_id=user.id,
        client_id=client_id,
        created=now,
        expires=now + sandbox.config.session_max_ttl,
    )
    session = sandbox.store.sessions.get(session_id)
    assert session is not None
    return session


def _access_claims(
    common: dict[str, Any], user: User, session: Session, exp: int, profile: dict[str, Any]
) -> dict[str, Any]:
    """An access token's claims, as Keycloak writes them."""
    return {
        **common,
        "exp": exp,
        "auth_time": int(session.created),
        "jti": new_id(),
        "aud": "account",
        "typ": TYP_ACCESS,
        "acr": "1",
        "allowed-origins": [],
        "realm_access": {"roles": realm_roles(user)},
        "resource_access": {"account": {"roles": list(ACCOUNT_ROLES)}},
        "scope": DEFAULT_SCOPE,
        **profile,
    }


def issue_token_set(
    sandbox: Sandbox,
    *,
    user: User,
    session: Session,
    client_id: str,
    issuer: str,
    nonce: str | None = None,
) -> dict[str, Any]:
    """Sign an access, a refresh and an ID token for ``session``; record the refresh token.

    Answers the token endpoint's success body, in Keycloak's shape. ``nonce`` (from the
    authorization request) goes into the ID token.
    """
    config = sandbox.config
    now = sandbox.now()
    iat = int(now)
    access_exp = int(min(now + config.token_ttl, session.expires))
    refresh_exp = int(min(now + config.refresh_ttl, session.expires))
    common: dict[str, Any] = {
        "iat": iat,
        "iss": issuer,
        "sub": user.id,
        "azp": client_id,
        "sid": session.id,
        "session_state": session.id,
    }
    profile = profile_claims(user)
    access_token = sandbox.keys.sign(_access_claims(common, user, session, access_exp, profile))
    refresh_jti = new_id()
    refresh_token = sandbox.keys.sign(
        {
            **common,
            "exp": refresh_exp,
            "jti": refresh_jti,
            "aud": issuer,
            "typ": TYP_REFRESH,
            "scope": DEFAULT_SCOPE,
        }
    )
    id_token = sandbox.keys.sign(
        {
            **common,
            "exp": access_exp,
            "auth_time": int(session.created),
            "jti": new_id(),
            "aud": client_id,
            "typ": TYP_ID,
            "acr": "1",
            "at_hash": _at_hash(access_token),
            **({"nonce": nonce} if nonce else {}),
            **profile,
        }
    )
    sandbox.store.sessions.add_refresh_token(
        jti=refresh_jti, session_id=session.id, issued=now, expires=refresh_exp
    )
    return {
        "access_token": access_token,
        "expires_in": max(0, access_exp - iat),
        "refresh_expires_in": max(0, refresh_exp - iat),
        "refresh_token": refresh_token,
        "token_type": "Bearer",
        "id_token": id_token,
        "not-before-policy": 0,
        "session_state": session.id,
        "scope": DEFAULT_SCOPE,
    }


def decode(sandbox: Sandbox, token: str, *, typ: str) -> dict[str, Any]:
    """A token we signed, of type ``typ``, from a ``/realms/geoplateforme`` issuer.

    Expiry is left to the caller (``expired``), since each endpoint words it differently.
    """
    try:
        claims = sandbox.keys.verify(token)
    except jwt.InvalidTokenError as exc:
        raise TokenInvalid("signature or format") from exc
    if claims.get("typ") != typ:
        raise TokenInvalid("token type")
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or urlsplit(issuer).path.rstrip("/") != REALM_PATH:
        raise TokenInvalid("issuer")
    if not isinstance(claims.get("exp"), int | float):
        raise TokenInvalid("expiry")
    return claims


def expired(sandbox: Sandbox, claims: dict[str, Any]) -> bool:
    return bool(sandbox.now() >= float(claims["exp"]))


def issue_service_token(
    sandbox: Sandbox, *, user: User, client_id: str, issuer: str, scope: str, client_address: str
) -> dict[str, Any]:
    """A ``client_credentials`` answer (Keycloak 26): an access token for the client's service-account
    user; no refresh token and no session; an ID token only when ``openid`` was asked for."""
    now = sandbox.now()
    iat = int(now)
    exp = iat + sandbox.config.token_ttl
    granted = "openid profile email" if "openid" in scope.split() else "profile email"
    common: dict[str, Any] = {"iat": iat, "exp": exp, "iss": issuer, "sub": user.id, "azp": client_id}
    service_claims: dict[str, Any] = {
        "email_verified": False,
        "preferred_username": user.username.lower(),
        "clientHost": client_address,
        "clientAddress": client_address,
        "client_id": client_id,
    }
    access_token = sandbox.keys.sign(
        {
            **common,
            "jti": new_id(),
            "aud": "account",
            "typ": TYP_ACCESS,
            "acr": "1",
            "allowed-origins": [],
            "realm_access": {"roles": realm_roles(user)},
            "resource_access": {"account": {"roles": list(ACCOUNT_ROLES)}},
            "scope": granted,
            **service_claims,
        }
    )
    body: dict[str, Any] = {
        "access_token": access_token,
        "expires_in": exp - iat,
        "refresh_expires_in": 0,
        "token_type": "Bearer",
    }
    if "openid" in granted.split():
        body["id_token"] = sandbox.keys.sign(
            {
                **common,
                "jti": new_id(),
                "aud": client_id,
                "typ": TYP_ID,
                "acr": "1",
                "at_hash": _at_hash(access_token),
                **service_claims,
            }
        )
    body.update({"not-before-policy": 0, "scope": granted})
    return body
