"""The account endpoints under the issuer (``/realms/geoplateforme/account``): Keycloak's account
REST representation for the profile, and sandbox endpoints for what Keycloak only offers as
browser actions (``kc_action=UPDATE_PASSWORD``, ``kc_action=CONFIGURE_TOTP``).

Every call needs ``Authorization: Bearer <access token>`` (401 otherwise). Errors have Keycloak's
account REST shape, ``{"errorMessage", "field"?, "messageKey"?}``, plus ``problems``: every
problem as ``{"field", "code", "message"}`` (codes of ``cartes_cli.validators.CODES``).

- ``GET /account`` → the profile; ``POST /account`` → 204 (partial update; the username cannot
  change; a new e-mail address must be confirmed with a code sent to it, as Keycloak does:
  the account then needs VERIFY_EMAIL before its next login).
- ``POST /account/credentials/password`` → 204 (current password, rule, not the current or the
  previous password, confirmation); the yearly renewal clock restarts.
- ``POST /account/totp`` → a pending seed; ``POST /account/totp/confirm`` turns it on;
  ``POST /account/totp/disable`` turns it off (both with a current code).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from cartes_cli import validators
from cartes_cli.i18n import _
from cartes_cli.platforms import REALM_PATH
from cartes_cli.sandbox.domain import second_factor
from cartes_cli.sandbox.domain.accounts import update_profile
from cartes_cli.sandbox.domain.context import Sandbox
from cartes_cli.sandbox.domain.credentials import otpauth_uri, verify_password, verify_totp
from cartes_cli.sandbox.domain.passwords import check_new_password, set_password
from cartes_cli.sandbox.domain.tokens import REALM, TYP_ACCESS, TokenInvalid, decode, expired
from cartes_cli.sandbox.errors import AccountError
from cartes_cli.sandbox.routes import account_schemas, schemas
from cartes_cli.sandbox.routes.deps import NotJsonText, bearer_token, loads_json, sandbox_of
from cartes_cli.sandbox.store.records import User
from cartes_cli.sandbox.util import api_url_of, iso, parse_iso
from cartes_cli.validators import Problem

ACCOUNT = "/account"
NO_STORE = {"Cache-Control": "no-store"}

router = APIRouter(
    prefix=REALM_PATH,
    tags=["Keycloak account (sandbox)"],
    responses={
        400: {"model": account_schemas.AccountErrorBody, "description": "Bad input: every problem listed"},
        401: {
            "model": account_schemas.AccountErrorBody,
            "description": "Missing, invalid or expired access token",
        },
    },
)

_TEXT_LIMITS = {
    "street": validators.STREET_MAX_LENGTH,
    "locality": validators.LOCALITY_MAX_LENGTH,
    "company": validators.COMPANY_MAX_LENGTH,
    "position": validators.POSITION_MAX_LENGTH,
    "company_street": validators.STREET_MAX_LENGTH,
    "company_locality": validators.LOCALITY_MAX_LENGTH,
}
ATTRIBUTES = (
    "phone",
    "street",
    "locality",
    "postcode",
    "siret",
    "tva",
    "company",
    "position",
    "company_street",
    "company_locality",
    "company_postcode",
    "photo",
)
"""The user attributes an account may set (``photo`` is kept apart, in its own table)."""
_EDITABLE = frozenset({"username", "email", "firstName", "lastName", "attributes"})
_READ_ONLY = frozenset(
    {
        "id",
        "emailVerified",
        "createdTimestamp",
        "totp",
        "requiredActions",
        "passwordChangedAt",
        "passwordExpiresAt",
        "userProfileMetadata",
    }
)
"""Fields of the representation a client may send back as it got them (ignored)."""
_PASSWORD_KEYS = {
    "password.too_short": "invalidPasswordMinLengthMessage",
    "password.too_long": "invalidPasswordMaxLengthMessage",
    "password.missing_upper": "invalidPasswordMinUpperCaseCharsMessage",
    "password.missing_lower": "invalidPasswordMinLowerCaseCharsMessage",
    "password.missing_digits": "invalidPasswordMinDigitsMessage",
    "password.missing_special": "invalidPasswordMinSpecialCharsMessage",
    "password.contains_username": "invalidPasswordNotUsernameMessage",
    "password.contains_email": "invalidPasswordNotEmailMessage",
    "password.reused": "invalidPasswordHistoryMessage",
    "password.confirmation_mismatch": "invalidPasswordConfirmMessage",
    "field.required": "missingPasswordMessage",
}


# --- authentication, body ----------------------------------------------------------------------


def _unauthorized(message: str, *, invalid_token: bool) -> AccountError:
    challenge = f'Bearer realm="{REALM}"'
    if invalid_token:
        challenge += ', error="invalid_token"'
    return AccountError(401, message, headers={"WWW-Authenticate": challenge})


def account_user(request: Request) -> User:
    """The account of the request's access token (signature, type, expiry, revocation checked)."""
    sandbox = sandbox_of(request)
    token = bearer_token(request)
    if token is None:
        raise _unauthorized(
            "Authentication required: send an access token in an 'Authorization: Bearer' header.",
            invalid_token=False,
        )
    try:
        claims = decode(sandbox, token, typ=TYP_ACCESS)
    except TokenInvalid:
        raise _unauthorized("The access token is invalid.", invalid_token=True) from None
    if expired(sandbox, claims) or sandbox.store.sessions.is_access_token_revoked(str(claims["jti"])):
        raise _unauthorized("The access token has expired or was revoked.", invalid_token=True)
    user = sandbox.store.users.get(str(claims["sub"]))
    if user is None or not user.enabled:
        raise _unauthorized("The account of this access token is unknown or disabled.", invalid_token=True)
    return user


async def _json_object(request: Request, *, optional: bool = False) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        if optional:
            return {}
        raise AccountError(400, _("A JSON object is required as the body."))
    try:
        data = loads_json(raw)
    except NotJsonText as exc:
        raise AccountError(400, str(exc)) from None
    if not isinstance(data, dict):
        raise AccountError(400, _("The body must be a JSON object."))
    return data


def _string(data: dict[str, Any], name: str, *, required: bool = True) -> list[Problem]:
    value = data.get(name)
    if value is None or value == "":
        return [Problem(name, "field.required", "is required.")] if required else []
    if not isinstance(value, str):
        return [Problem(name, "field.invalid_type", "must be a string.")]
    return []


# --- the profile ------------------------------------------------------------------------------


def _attribute_values(user: User) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for name, value in sorted(user.attributes.items()):
        items = value if isinstance(value, list) else [value]
        items = [str(v) for v in items if v not in (None, "")]
        if items:
            values[name] = items
    return values


def identity(user: User) -> dict[str, Any]:
    """The fields every Keycloak user representation starts with (account and admin APIs)."""
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "emailVerified": user.email_verified,
        "totp": user.totp_secret is not None,
        "createdTimestamp": int(parse_iso(user.created) * 1000),
    }


def representation(sandbox: Sandbox, user: User) -> dict[str, Any]:
    attributes = _attribute_values(user)
    photo = sandbox.store.users.photo(user.id)
    if photo:
        attributes["photo"] = [photo]
    expires = sandbox.password_expires_at(user)
    return {
        **identity(user),
        "attributes": attributes,
        "requiredActions": list(sandbox.required_actions(user)),
        "passwordChangedAt": user.password_changed,
        "passwordExpiresAt": iso(expires) if expires is not None else None,
    }


@router.get(
    ACCOUNT,
    summary="The caller's profile (Keycloak account REST representation)",
    response_model=account_schemas.KeycloakAccount,
)
async def get_account(request: Request) -> JSONResponse:
    user = account_user(request)
    return JSONResponse(representation(sandbox_of(request), user), headers=NO_STORE)


def _check_attribute(name: str, value: str) -> list[Problem]:
    if name == "phone":
        return validators.check_phone(value, field=name)
    if name in ("postcode", "company_postcode"):
        return validators.check_postcode(value, field=name)
    if name == "siret":
        return validators.check_siret(value, field=name)
    if name == "tva":
        return validators.check_tva(value, field=name)
    if name == "photo":
        return validators.check_photo(value, field=name)
    return validators.check_text(value, field=name, max_length=_TEXT_LIMITS[name])


def _normalise_attribute(name: str, value: str) -> str:
    if name == "phone":
        return validators.normalise_phone(value) or value.strip()
    if name == "siret":
        return validators.normalise_siret(value)
    if name == "tva":
        return validators.normalise_tva(value)
    return value.strip()


def _attribute_changes(raw: Any) -> tuple[dict[str, str | None], list[Problem]]:
    """``{name: new value, or None to remove}`` and the problems of ``attributes``."""
    if not isinstance(raw, dict):
        return {}, [Problem("attributes", "field.invalid_type", "must be an object of lists of strings.")]
    changes: dict[str, str | None] = {}
    problems: list[Problem] = []
    for name, value in raw.items():
        if name not in ATTRIBUTES:
            problems.append(
                Problem(name, "field.unknown", "is not an attribute of this platform's accounts.")
            )
            continue
        if isinstance(value, list):
            if len(value) > 1:
                problems.append(Problem(name, "field.invalid_type", "takes one value."))
                continue
            value = value[0] if value else None
        if value is None or (isinstance(value, str) and not value.strip()):
            changes[name] = None
        elif not isinstance(value, str):
            problems.append(Problem(name, "field.invalid_type", "must be a string (or a list of one)."))
        else:
            found = _check_attribute(name, value)
            problems += found
            if not found:
                changes[name] = _normalise_attribute(name, value)
    return changes, problems


@router.post(
    ACCOUNT,
    summary="Update the caller's profile (partial; 204)",
    status_code=204,
    response_class=Response,
    responses={
        409: {"model": account_schemas.AccountErrorBody, "description": "E-mail address already used"}
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schemas.inline_schema(account_schemas.KeycloakAccountUpdate)}
            },
        }
    },
)
async def update_account(request: Request) -> Response:
    sandbox = sandbox_of(request)
    user = account_user(request)
    data = await _json_object(request)
    problems: list[Problem] = [
        Problem(name, "field.unknown", "is not a field of the account.")
        for name in data
        if name not in _EDITABLE | _READ_ONLY
    ]
    message_key: str | None = None
    username = data.get("username")
    if username is not None and (
        not isinstance(username, str) or username.casefold() != user.username.casefold()
    ):
        problems.append(Problem("username", "username.immutable", "the username cannot be changed."))
        message_key = "readOnlyUsernameMessage"
    new_email: str | None = None
    if "email" in data:
        found = validators.check_email(data["email"])
        problems += found
        if found:
            message_key = message_key or "invalidEmailMessage"
        elif data["email"].strip().casefold() != user.email.casefold():
            new_email = data["email"].strip()
    names: dict[str, str] = {}
    for key, column in (("firstName", "first_name"), ("lastName", "last_name")):
        if key in data and data[key] is not None:
            found = validators.check_name(data[key], field=key)
            problems += found
            if not found:
                names[column] = data[key].strip()
    changes: dict[str, str | None] = {}
    if data.get("attributes") is not None:
        changes, found = _attribute_changes(data["attributes"])
        problems += found
    merged = {k: v for k, v in {**_attribute_values_flat(user), **changes}.items() if v}
    if merged.get("siret") and merged.get("tva"):
        problems.append(
            Problem(
                "attributes",
                "professional.identifier_conflict",
                "a SIRET or a VAT number, not both: remove one (set it to []).",
            )
        )
    if problems:
        raise AccountError.invalid(problems, message_key)
    update_profile(
        sandbox,
        user,
        names=names,
        changes=changes,
        merged=merged,
        new_email=new_email,
        api_url=api_url_of(request),
    )
    return Response(status_code=204)


def _attribute_values_flat(user: User) -> dict[str, str | None]:
    return {name: values[0] for name, values in _attribute_values(user).items()}


# --- password -----------------------------------------------------------------------------------


@router.post(
    f"{ACCOUNT}/credentials/password",
    summary="Change the caller's password (204)",
    status_code=204,
    response_class=Response,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schemas.inline_schema(account_schemas.PasswordChange)}
            },
        }
    },
)
async def change_password(request: Request) -> Response:
    sandbox = sandbox_of(request)
    user = account_user(request)
    data = await _json_object(request)
    has_password = user.password_hash is not None
    problems = _string(data, "newPassword") + _string(data, "confirmation")
    problems += _string(data, "currentPassword", required=has_password)
    if problems:
        raise AccountError.invalid(problems, _PASSWORD_KEYS["field.required"])
    if has_password and not await asyncio.to_thread(
        verify_password, data["currentPassword"], user.password_hash
    ):
        raise AccountError(
            400,
            _("The current password is wrong."),
            problems=[
                Problem("currentPassword", "password.current_invalid", "the current password is wrong.")
            ],
            message_key="invalidPasswordExistingMessage",
        )
    problems = await check_new_password(
        user,
        data["newPassword"],
        confirmation=data["confirmation"],
        confirmation_field="confirmation",
        field="newPassword",
    )
    if problems:
        raise AccountError.invalid(problems, _PASSWORD_KEYS.get(problems[0].code))
    await set_password(sandbox, user, data["newPassword"])
    return Response(status_code=204)


# --- two-factor authentication (TOTP) -------------------------------------------------------------


def _totp_conflict(code: str, message: str) -> AccountError:
    return AccountError(409, message, problems=[Problem("totp", code, message[0].lower() + message[1:])])


def _code_of(data: dict[str, Any]) -> str:
    problems = _string(data, "code")
    if problems:
        raise AccountError.invalid(problems)
    return str(data["code"])


def _wrong_code() -> AccountError:
    return AccountError(
        400,
        _("The authenticator code is wrong (or from another account)."),
        problems=[Problem("code", "totp.invalid_code", "wrong code: type the 6 digits your app shows now.")],
        message_key="invalidTotpMessage",
    )


@router.post(
    f"{ACCOUNT}/totp",
    summary="Start setting up an authenticator app: a pending seed (again: a new one)",
    response_model=account_schemas.TotpSetup,
    responses={409: {"model": account_schemas.AccountErrorBody, "description": "Already on"}},
)
async def totp_setup(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    user = account_user(request)
    if user.totp_secret is not None:
        raise _totp_conflict(
            "totp.already_enabled", "Two-factor authentication is already on: disable it first."
        )
    secret = second_factor.start_setup(sandbox, user)
    body = {"secret": secret, "otpauth_uri": otpauth_uri(secret, user.username)}
    return JSONResponse(body, headers=NO_STORE)


@router.post(
    f"{ACCOUNT}/totp/confirm",
    summary="Turn two-factor authentication on with a first code from the app (204)",
    status_code=204,
    response_class=Response,
    responses={
        409: {"model": account_schemas.AccountErrorBody, "description": "Already on, or no set-up pending"}
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schemas.inline_schema(account_schemas.TotpCode)}},
        }
    },
)
async def totp_confirm(request: Request) -> Response:
    sandbox = sandbox_of(request)
    user = account_user(request)
    code = _code_of(await _json_object(request))
    if user.totp_secret is not None:
        raise _totp_conflict("totp.already_enabled", "Two-factor authentication is already on.")
    if user.totp_pending is None:
        raise _totp_conflict("totp.not_pending", "No authenticator set-up in progress: start one first.")
    now = sandbox.now()
    if not verify_totp(user.totp_pending, code, at=now):
        raise _wrong_code()
    second_factor.enable(sandbox, user, now)
    return Response(status_code=204)


@router.post(
    f"{ACCOUNT}/totp/disable",
    summary="Turn two-factor authentication off, with a current code (204)",
    status_code=204,
    response_class=Response,
    responses={409: {"model": account_schemas.AccountErrorBody, "description": "Not on"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schemas.inline_schema(account_schemas.TotpCode)}},
        }
    },
)
async def totp_disable(request: Request) -> Response:
    sandbox = sandbox_of(request)
    user = account_user(request)
    code = _code_of(await _json_object(request))
    if user.totp_secret is None:
        raise _totp_conflict("totp.not_enabled", "Two-factor authentication is not on.")
    now = sandbox.now()
    if not verify_totp(user.totp_secret, code, at=now):
        raise _wrong_code()
    second_factor.disable(sandbox, user, now)
    return Response(status_code=204)
