"""Keycloak-compatible OpenID Connect under ``/realms/geoplateforme``.

Status codes, error codes and ``error_description`` texts are Keycloak's own, so that a client
written against the sandbox behaves the same against ``sso.geopf.fr``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import re
from typing import Any
from urllib.parse import parse_qsl, unquote

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from cartes_cli.platforms import REALM_PATH
from cartes_cli.sandbox.domain.context import Sandbox
from cartes_cli.sandbox.domain.credentials import verify_client_secret, verify_password
from cartes_cli.sandbox.domain.flows import DEVICE_APPROVED, DEVICE_DENIED, SLOW_DOWN_STEP
from cartes_cli.sandbox.domain.tokens import (
    REALM,
    TYP_ACCESS,
    TYP_REFRESH,
    TokenInvalid,
    decode,
    expired,
    issue_service_token,
    issue_token_set,
    issuer_from_base_url,
    profile_claims,
    start_session,
)
from cartes_cli.sandbox.errors import (
    INVALID_CLIENT_CREDENTIALS,
    INVALID_USER_CREDENTIALS,
    OidcError,
    invalid_grant,
)
from cartes_cli.sandbox.routes import schemas
from cartes_cli.sandbox.routes.deps import bearer_token, sandbox_of
from cartes_cli.sandbox.store.records import (
    GRANT_AUTHORIZATION_CODE,
    GRANT_CLIENT_CREDENTIALS,
    GRANT_DEVICE_CODE,
    GRANT_PASSWORD,
    GRANT_REFRESH,
    GRANT_TYPES,
    Client,
)
from cartes_cli.sandbox.util import iso

router = APIRouter(prefix=REALM_PATH, tags=["Keycloak (OpenID Connect)"])

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
PROTOCOL = "/protocol/openid-connect"
_UNAUTHORIZED_CLIENT = {
    GRANT_PASSWORD: "Client not allowed for direct access grants",
    GRANT_REFRESH: "Client not allowed to use refresh tokens",
    GRANT_CLIENT_CREDENTIALS: "Client not enabled to retrieve service account",
    GRANT_AUTHORIZATION_CODE: "Client not allowed to exchange code",
    GRANT_DEVICE_CODE: "Client is not allowed to initiate OAuth 2.0 Device Authorization Grant. "
    "The flow is disabled for the client.",
}
PKCE_VERIFIER_RE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
_FORM_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            FORM_CONTENT_TYPE: {
                "schema": {
                    "type": "object",
                    "properties": {
                        name: {"type": "string"}
                        for name in (
                            "grant_type",
                            "client_id",
                            "client_secret",
                            "username",
                            "password",
                            "totp",
                            "refresh_token",
                            "scope",
                            "code",
                            "redirect_uri",
                            "code_verifier",
                            "device_code",
                        )
                    },
                }
            }
        },
    }
}


def issuer_of(request: Request) -> str:
    return issuer_from_base_url(str(request.base_url))


async def read_form(request: Request) -> dict[str, str]:
    """The url-encoded body, one value per name (Keycloak refuses duplicated parameters)."""
    body = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if body and content_type != FORM_CONTENT_TYPE:
        raise OidcError(415, "invalid_request", f"Content-Type must be {FORM_CONTENT_TYPE}")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    except (UnicodeDecodeError, ValueError) as exc:
        raise OidcError(400, "invalid_request", "Malformed form body") from exc
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise OidcError(400, "invalid_request", "duplicated parameter")
        form[name] = value
    return form


def authenticate_client(sandbox: Sandbox, request: Request, form: dict[str, str]) -> Client:
    """Client id (and secret, for confidential clients) from HTTP Basic or the form."""
    client_id = form.get("client_id") or None
    secret = form.get("client_secret") or None
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise OidcError(401, "invalid_client", INVALID_CLIENT_CREDENTIALS) from exc
        basic_id, _, basic_secret = decoded.partition(":")
        client_id, secret = unquote(basic_id), unquote(basic_secret)
    if not client_id:
        raise OidcError(400, "invalid_client", "Missing client_id parameter")
    client = sandbox.store.clients.get(client_id)
    if client is None or not client.enabled:
        raise OidcError(401, "invalid_client", INVALID_CLIENT_CREDENTIALS)
    if not client.public:
        if not secret:
            raise OidcError(401, "unauthorized_client", "Client secret not provided in request")
        if not verify_client_secret(secret, client.secret_hash):
            raise OidcError(401, "unauthorized_client", INVALID_CLIENT_CREDENTIALS)
    return client


# --- discovery -------------------------------------------------------------------------------


@router.get("", summary="Realm information", response_model=schemas.RealmInfo)
async def realm_info(request: Request) -> dict[str, Any]:
    issuer = issuer_of(request)
    return {
        "realm": REALM,
        "public_key": sandbox_of(request).keys.public_key_pem_body(),
        "token-service": issuer + PROTOCOL,
        "account-service": issuer + "/account",
        "tokens-not-before": 0,
    }


@router.get(
    "/.well-known/openid-configuration",
    summary="OpenID Connect discovery document",
    response_model=None,
    responses={200: {"description": "OpenID Provider Metadata (absolute URLs on this server)"}},
)
async def openid_configuration(request: Request) -> dict[str, Any]:
    issuer = issuer_of(request)
    protocol = issuer + PROTOCOL
    allowed: set[str] = set()
    for client in sandbox_of(request).store.clients.all():
        if client.enabled:
            allowed.update(client.grant_types)
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{protocol}/auth",
        "token_endpoint": f"{protocol}/token",
        "userinfo_endpoint": f"{protocol}/userinfo",
        "end_session_endpoint": f"{protocol}/logout",
        "revocation_endpoint": f"{protocol}/revoke",
        "jwks_uri": f"{protocol}/certs",
        "device_authorization_endpoint": f"{protocol}/auth/device",
        "grant_types_supported": [g for g in GRANT_TYPES if g in allowed],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "userinfo_signing_alg_values_supported": ["none"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": True,
        "scopes_supported": ["openid", "profile", "email", "roles", "offline_access"],
        "claims_supported": [
            "aud",
            "sub",
            "iss",
            "auth_time",
            "name",
            "given_name",
            "family_name",
            "preferred_username",
            "email",
            "email_verified",
            "acr",
            "azp",
            "sid",
        ],
        "claim_types_supported": ["normal"],
        "acr_values_supported": ["0", "1"],
        "frontchannel_logout_supported": True,
        "frontchannel_logout_session_supported": True,
        "backchannel_logout_supported": False,
    }


@router.get(f"{PROTOCOL}/certs", summary="Signing keys (JWKS)", response_model=schemas.Jwks)
async def certs(request: Request) -> dict[str, Any]:
    return sandbox_of(request).keys.jwks()


# --- token endpoint --------------------------------------------------------------------------


@router.post(
    f"{PROTOCOL}/token",
    summary="Token endpoint (password, refresh_token, authorization_code, device_code, client_credentials)",
    response_model=schemas.TokenResponse,
    responses={400: {"model": schemas.OidcErrorBody}, 401: {"model": schemas.OidcErrorBody}},
    openapi_extra=_FORM_DOC,
)
async def token(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    grant_type = ""
    try:
        form = await read_form(request)
        grant_type = form.get("grant_type", "")
        if not grant_type:
            raise OidcError(400, "invalid_request", "Missing form parameter: grant_type")
        if grant_type not in GRANT_TYPES:
            raise OidcError(400, "unsupported_grant_type", "Unsupported grant_type")
        client = authenticate_client(sandbox, request, form)
        if grant_type == GRANT_CLIENT_CREDENTIALS and client.public:
            raise OidcError(
                400, "unauthorized_client", "Public client not allowed to retrieve service account"
            )
        if grant_type not in client.grant_types:
            raise OidcError(
                400, "unauthorized_client", _UNAUTHORIZED_CLIENT.get(grant_type, "Client not allowed")
            )
        issuer = issuer_of(request)
        if grant_type == GRANT_PASSWORD:
            body = await _password_grant(sandbox, form, client, issuer)
        elif grant_type == GRANT_REFRESH:
            body = _refresh_grant(sandbox, form, client, issuer)
        elif grant_type == GRANT_AUTHORIZATION_CODE:
            body = _authorization_code_grant(sandbox, form, client, issuer)
        elif grant_type == GRANT_DEVICE_CODE:
            body = _device_code_grant(sandbox, form, client, issuer)
        else:
            address = request.client.host if request.client else "127.0.0.1"
            body = _client_credentials_grant(sandbox, form, client, issuer, address)
    except OidcError as exc:
        sandbox.stats.token_errors[exc.error] += 1
        raise
    sandbox.stats.token_grants[grant_type] += 1
    return JSONResponse(body, headers=NO_STORE)


async def _password_grant(
    sandbox: Sandbox, form: dict[str, str], client: Client, issuer: str
) -> dict[str, Any]:
    """Keycloak's direct grant flow: username, then enabled, then password, then OTP, then actions."""
    username = form.get("username", "").strip()
    if not username:
        raise OidcError(401, "invalid_request", "Missing parameter: username")
    password = form.get("password", "")
    user = sandbox.store.users.by_login(username)
    if user is None:
        await asyncio.to_thread(verify_password, password, None)  # same cost as a real check
        raise invalid_grant(INVALID_USER_CREDENTIALS, 401)
    if not user.enabled:
        raise invalid_grant("Account disabled")
    guard = sandbox.login_guard
    if guard.locked(user.id, sandbox.now()):
        # Temporarily locked (brute-force detection): the answer of a wrong password, same cost.
        await asyncio.to_thread(verify_password, password, None)
        raise invalid_grant(INVALID_USER_CREDENTIALS, 401)
    if not password or not await asyncio.to_thread(verify_password, password, user.password_hash):
        guard.failed(user.id, user.username, sandbox.now())
        raise invalid_grant(INVALID_USER_CREDENTIALS, 401)
    if user.totp_secret:
        code = form.get("totp") or form.get("otp") or ""
        if not sandbox.accept_one_time_code(user, code):
            guard.failed(user.id, user.username, sandbox.now())
            raise invalid_grant(INVALID_USER_CREDENTIALS, 401)
    guard.succeeded(user.id)
    if sandbox.required_actions(user):  # e-mail not verified, password to renew (yearly)…
        raise invalid_grant("Account is not fully set up")
    store = sandbox.store
    with store.transaction():
        current = store.users.get(user.id)  # re-read: the password check awaited
        if current is None or not current.enabled:
            raise invalid_grant(INVALID_USER_CREDENTIALS, 401)
        session = start_session(sandbox, current, client.client_id)
        store.users.set_last_login(current.id, iso(sandbox.now()))
        return issue_token_set(
            sandbox, user=current, session=session, client_id=client.client_id, issuer=issuer
        )


def _refresh_grant(sandbox: Sandbox, form: dict[str, str], client: Client, issuer: str) -> dict[str, Any]:
    """Rotation with reuse detection: presenting a used refresh token ends the whole session."""
    presented = form.get("refresh_token", "")
    if not presented:
        raise OidcError(400, "invalid_request", "No refresh token")
    try:
        claims = decode(sandbox, presented, typ=TYP_REFRESH)
    except TokenInvalid as exc:
        raise invalid_grant("Invalid refresh token") from exc
    if claims.get("azp") != client.client_id:
        raise invalid_grant("Unmatching clients")
    if expired(sandbox, claims):
        raise invalid_grant("Token is not active")
    store = sandbox.store
    now = sandbox.now()
    record = store.sessions.refresh_token(str(claims["jti"]))
    session = store.sessions.get(str(claims.get("sid", "")))
    if record is None or session is None or record.session_id != session.id or not session.active(now):
        raise invalid_grant("Session not active")
    if record.used is not None:
        store.sessions.end(session.id, when=now, reason="refresh_token_reuse")
        sandbox.stats.refresh_reuse_detected += 1
        raise invalid_grant("Maximum allowed refresh token reuse exceeded")
    user = store.users.get(session.user_id)
    if user is None or not user.enabled:
        store.sessions.end(session.id, when=now, reason="user_disabled")
        raise invalid_grant("User disabled" if user else "User not found")
    with store.transaction():
        store.sessions.use_refresh_token(record.jti, now)
        store.sessions.touch(session.id, now)
        body = issue_token_set(sandbox, user=user, session=session, client_id=client.client_id, issuer=issuer)
    sandbox.stats.record_refresh(session.id, user=user.username, client_id=client.client_id, when=now)
    return body


def pkce_s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _authorization_code_grant(
    sandbox: Sandbox, form: dict[str, str], client: Client, issuer: str
) -> dict[str, Any]:
    """Keycloak's checks, in its order. A code is burnt by its first presentation, good or bad;
    presenting it again ends the session it started (RFC 6749 §4.1.2)."""
    presented = form.get("code", "")
    if not presented:
        raise OidcError(400, "invalid_request", "Missing parameter: code")
    store = sandbox.store
    now = sandbox.now()
    code = sandbox.flows.code(presented, now)
    if code is None:
        raise invalid_grant("Code not valid")
    if code.used:
        store.sessions.end(code.session_id, when=now, reason="code_reuse")
        raise invalid_grant("Code not valid")
    code.used = True
    if now >= code.expires:
        raise invalid_grant("Code is expired")
    if code.client_id != client.client_id:
        raise invalid_grant("Auth error")
    if form.get("redirect_uri", "") != code.redirect_uri:
        raise invalid_grant("Incorrect redirect_uri")
    if code.code_challenge is not None:
        verifier = form.get("code_verifier", "")
        if not verifier:
            raise invalid_grant("PKCE code verifier not specified")
        if not PKCE_VERIFIER_RE.match(verifier):
            raise invalid_grant("PKCE verification failed: Invalid code verifier")
        if not hmac.compare_digest(pkce_s256(verifier), code.code_challenge):
            raise invalid_grant("PKCE verification failed: Code mismatch")
    session = store.sessions.get(code.session_id)
    if session is None or not session.active(now):
        raise invalid_grant("Session not active")
    user = store.users.get(code.user_id)
    if user is None or not user.enabled:
        raise invalid_grant("User disabled" if user else "User not found")
    with store.transaction():
        return issue_token_set(
            sandbox, user=user, session=session, client_id=client.client_id, issuer=issuer, nonce=code.nonce
        )


def _device_code_grant(sandbox: Sandbox, form: dict[str, str], client: Client, issuer: str) -> dict[str, Any]:
    """RFC 8628 §3.4-3.5: pending, slow_down (+5 s each time), denied, expired, or the tokens."""
    presented = form.get("device_code", "")
    if not presented:
        raise OidcError(400, "invalid_request", "Missing parameter: device_code")
    flows = sandbox.flows
    grant = flows.device(presented)
    if grant is None or grant.client_id != client.client_id:
        raise invalid_grant("Device code not valid")
    now = sandbox.now()
    if now >= grant.expires:
        flows.end_device(grant)
        raise OidcError(400, "expired_token", "Device code is expired")
    if grant.status == DEVICE_DENIED:
        flows.end_device(grant)
        raise OidcError(400, "access_denied", "The end user denied the authorization request.")
    if grant.status != DEVICE_APPROVED:
        too_soon = grant.last_poll is not None and now - grant.last_poll < grant.interval
        grant.last_poll = now
        if too_soon:
            grant.interval += SLOW_DOWN_STEP
            raise OidcError(400, "slow_down", "Slow down")
        raise OidcError(400, "authorization_pending", "The authorization request is still pending")
    flows.end_device(grant)
    store = sandbox.store
    session = store.sessions.get(grant.session_id or "")
    user = store.users.get(grant.user_id or "")
    if session is None or not session.active(now):
        raise invalid_grant("Session not active")
    if user is None or not user.enabled:
        raise invalid_grant("User disabled" if user else "User not found")
    with store.transaction():
        return issue_token_set(sandbox, user=user, session=session, client_id=client.client_id, issuer=issuer)


def _client_credentials_grant(
    sandbox: Sandbox, form: dict[str, str], client: Client, issuer: str, address: str
) -> dict[str, Any]:
    store = sandbox.store
    user = store.users.get(client.service_account) if client.service_account else None
    if user is None:
        raise OidcError(400, "unauthorized_client", _UNAUTHORIZED_CLIENT[GRANT_CLIENT_CREDENTIALS])
    if not user.enabled:
        raise invalid_grant("User disabled")
    store.users.set_last_login(user.id, iso(sandbox.now()))
    return issue_service_token(
        sandbox,
        user=user,
        client_id=client.client_id,
        issuer=issuer,
        scope=form.get("scope", ""),
        client_address=address,
    )


# --- device authorization (RFC 8628 §3.1) ------------------------------------------------------


@router.post(
    f"{PROTOCOL}/auth/device",
    summary="Device authorization: a device code to poll with, a user code to type in a browser",
    response_model=schemas.DeviceAuthorization,
    responses={400: {"model": schemas.OidcErrorBody}, 401: {"model": schemas.OidcErrorBody}},
)
async def device_authorization(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    form = await read_form(request)
    client = authenticate_client(sandbox, request, form)
    if GRANT_DEVICE_CODE not in client.grant_types:
        raise OidcError(400, "unauthorized_client", _UNAUTHORIZED_CLIENT[GRANT_DEVICE_CODE])
    config = sandbox.config
    grant = sandbox.flows.new_device(
        client_id=client.client_id,
        scope=form.get("scope") or "openid",
        now=sandbox.now(),
        ttl=config.device_expires_in,
        interval=config.device_interval,
    )
    verification_uri = issuer_of(request) + "/device"
    body = {
        "device_code": grant.device_code,
        "user_code": grant.user_code,
        "verification_uri": verification_uri,
        "verification_uri_complete": f"{verification_uri}?user_code={grant.user_code}",
        "expires_in": config.device_expires_in,
        "interval": grant.interval,
    }
    return JSONResponse(body, headers=NO_STORE)


# --- logout, revocation, userinfo ------------------------------------------------------------


@router.post(
    f"{PROTOCOL}/logout",
    summary="End the session of a refresh token",
    status_code=204,
    response_class=Response,
    responses={400: {"model": schemas.OidcErrorBody}, 401: {"model": schemas.OidcErrorBody}},
)
async def logout(request: Request) -> Response:
    sandbox = sandbox_of(request)
    form = await read_form(request)
    client = authenticate_client(sandbox, request, form)
    presented = form.get("refresh_token", "")
    if not presented:
        raise OidcError(400, "invalid_request", "No refresh token")
    try:
        claims = decode(sandbox, presented, typ=TYP_REFRESH)  # expired tokens still log out
    except TokenInvalid as exc:
        raise invalid_grant("Invalid refresh token") from exc
    if claims.get("azp") != client.client_id:
        raise invalid_grant("Unmatching clients")
    sandbox.store.sessions.end(str(claims.get("sid", "")), when=sandbox.now(), reason="logout")
    return Response(status_code=204, headers=NO_STORE)


@router.post(
    f"{PROTOCOL}/revoke",
    summary="Revoke a refresh token (ends its session) or an access token (RFC 7009)",
    response_class=Response,
    responses={400: {"model": schemas.OidcErrorBody}, 401: {"model": schemas.OidcErrorBody}},
)
async def revoke(request: Request) -> Response:
    sandbox = sandbox_of(request)
    form = await read_form(request)
    client = authenticate_client(sandbox, request, form)
    presented = form.get("token", "")
    if not presented:
        raise OidcError(400, "invalid_request", "Token not provided")
    claims: dict[str, Any] | None = None
    for typ in (TYP_REFRESH, TYP_ACCESS):
        try:
            claims = decode(sandbox, presented, typ=typ)
            break
        except TokenInvalid:
            continue
    if claims is None:  # RFC 7009: an invalid token is not an error
        return Response(status_code=200, headers=NO_STORE)
    if claims.get("azp") != client.client_id:
        raise OidcError(400, "invalid_request", "Unmatching clients")
    if claims["typ"] == TYP_REFRESH:
        sandbox.store.sessions.end(str(claims.get("sid", "")), when=sandbox.now(), reason="revoked")
    else:
        sandbox.store.sessions.revoke_access_token(str(claims["jti"]), float(claims["exp"]))
    return Response(status_code=200, headers=NO_STORE)


def _userinfo_error(description: str) -> OidcError:
    header = f'Bearer realm="{REALM}", error="invalid_token", error_description="{description}"'
    return OidcError(401, "invalid_token", description, headers={"WWW-Authenticate": header})


_USERINFO_DOC: dict[str, Any] = {
    "summary": "Claims of the bearer's account",
    "response_model": schemas.UserInfo,
    "responses": {401: {"model": schemas.OidcErrorBody}},
}


@router.get(f"{PROTOCOL}/userinfo", operation_id="userinfo_get", **_USERINFO_DOC)
@router.post(f"{PROTOCOL}/userinfo", operation_id="userinfo_post", **_USERINFO_DOC)
async def userinfo(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    presented = bearer_token(request)
    if presented is None:
        raise _userinfo_error("Token not provided")
    try:
        claims = decode(sandbox, presented, typ=TYP_ACCESS)
    except TokenInvalid as exc:
        raise _userinfo_error("Token verification failed") from exc
    store = sandbox.store
    if expired(sandbox, claims) or store.sessions.is_access_token_revoked(str(claims["jti"])):
        raise _userinfo_error("Token verification failed")
    if "sid" in claims or "client_id" not in claims:  # service-account tokens have no session
        session = store.sessions.get(str(claims.get("sid", "")))
        if session is None or not session.active(sandbox.now()):
            raise _userinfo_error("User session not found or doesn't have client attached on it")
    user = store.users.get(str(claims["sub"]))
    if user is None or not user.enabled:
        raise _userinfo_error("User not found or disabled")
    return JSONResponse({"sub": user.id, **profile_claims(user)}, headers=NO_STORE)
