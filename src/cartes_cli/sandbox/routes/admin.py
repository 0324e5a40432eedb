"""A subset of Keycloak's admin REST API (``/admin/realms/geoplateforme/…``), for platform staff.

What the Géoplateforme's staff do in Keycloak's admin console when a user has lost their
authenticator app (the user guide sends them to the support, ``geoplateforme@ign.fr``): find the
user, look at their credentials, delete the OTP one. The routes and shapes are Keycloak's own
(``GET /admin/realms/{realm}/users?username=…&exact=true``, ``GET …/users/{id}``,
``GET …/users/{id}/credentials``, ``DELETE …/users/{id}/credentials/{credentialId}``), so that a
client written against them speaks real Keycloak; the caller must be platform staff
(``administrator``), where Keycloak asks for the realm-management roles. Errors have the Entrepôt
API's shape (``{"error", "error_description": [...]}``), whose ``error`` key Keycloak's admin
errors share.

Credential ids are derived (uuid5) from the user and a digest of the credential, never from the
secret itself: a new seed is a new credential, as in Keycloak.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from cartes_cli.i18n import _
from cartes_cli.platforms import REALM_PATH
from cartes_cli.sandbox.domain import second_factor
from cartes_cli.sandbox.errors import ApiProblem
from cartes_cli.sandbox.routes import schemas
from cartes_cli.sandbox.routes.account_rest import identity
from cartes_cli.sandbox.routes.deps import sandbox_of
from cartes_cli.sandbox.routes.entrepot import CurrentUser
from cartes_cli.sandbox.store.records import User
from cartes_cli.validators import is_uuid

ADMIN_PREFIX = "/admin" + REALM_PATH
_NAMESPACE = uuid.UUID("6f1d3a57-2c0e-4f7b-9a51-0c2d8f3e6b11")

router = APIRouter(
    prefix=ADMIN_PREFIX,
    tags=["Keycloak admin (sandbox subset, staff only)"],
    responses={
        status: {"model": schemas.ApiErrorBody, "description": text}
        for status, text in (
            (400, "Bad input"),
            (401, "Missing, invalid or expired access token"),
            (403, "Not platform staff"),
            (404, "Unknown user or credential"),
        )
    },
)


def _require_staff(user: User) -> None:
    if not user.administrator:
        raise ApiProblem(403, _("Only platform staff may use the admin API."))


def _millis(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def _representation(user: User) -> dict[str, Any]:
    return {**identity(user), "enabled": user.enabled}


def _credential_id(user: User, kind: str, material: str) -> str:
    digest = hashlib.sha256(material.encode("utf-8")).hexdigest()
    return str(uuid.uuid5(_NAMESPACE, f"{user.id}:{kind}:{digest}"))


def _credentials(user: User) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if user.password_hash:
        found.append(
            {
                "id": _credential_id(user, "password", user.password_hash),
                "type": "password",
                "userLabel": None,
                "createdDate": _millis(user.password_changed),
            }
        )
    if user.totp_secret:
        found.append(
            {
                "id": _credential_id(user, "otp", user.totp_secret),
                "type": "otp",
                "userLabel": "authenticator app",
                "createdDate": None,
            }
        )
    return found


def _target(request: Request, user_id: str) -> User:
    target = sandbox_of(request).store.users.get(user_id) if is_uuid(user_id) else None
    if target is None:
        raise ApiProblem(404, _("User not found."))
    return target


@router.get(
    "/users",
    summary="Find users by username or e-mail (Keycloak admin; staff only)",
    response_model=list[schemas.AdminUser],
)
async def find_users(
    request: Request,
    user: CurrentUser,
    username: Annotated[str | None, Query(max_length=254)] = None,
    email: Annotated[str | None, Query(max_length=254)] = None,
    exact: Annotated[bool, Query(description="exact match (the sandbox always matches exactly)")] = True,
) -> JSONResponse:
    _require_staff(user)
    store = sandbox_of(request).store
    wanted = (username or "").strip() or (email or "").strip()
    if not wanted:
        raise ApiProblem(400, _("Give username or email."))
    found = store.users.by_login(wanted)
    if found is not None and username and found.username.casefold() != username.strip().casefold():
        found = None  # a username search does not match e-mail addresses
    if found is not None and not username and email and found.email.casefold() != email.strip().casefold():
        found = None
    return JSONResponse([_representation(found)] if found is not None else [])


@router.get(
    "/users/{user_id}",
    summary="One user (Keycloak admin; staff only)",
    response_model=schemas.AdminUser,
)
async def get_user(request: Request, user: CurrentUser, user_id: str) -> JSONResponse:
    _require_staff(user)
    return JSONResponse(_representation(_target(request, user_id)))


@router.get(
    "/users/{user_id}/credentials",
    summary="A user's credentials, without their secrets (Keycloak admin; staff only)",
    response_model=list[schemas.AdminCredential],
)
async def user_credentials(request: Request, user: CurrentUser, user_id: str) -> JSONResponse:
    _require_staff(user)
    return JSONResponse(_credentials(_target(request, user_id)))


@router.delete(
    "/users/{user_id}/credentials/{credential_id}",
    summary="Remove a user's second factor (its OTP credential), e.g. after a lost phone; the "
    "user is told by e-mail (Keycloak admin; staff only; 204)",
    status_code=204,
    response_class=Response,
)
async def delete_credential(
    request: Request, user: CurrentUser, user_id: str, credential_id: str
) -> Response:
    _require_staff(user)
    sandbox = sandbox_of(request)
    target = _target(request, user_id)
    credential = next((c for c in _credentials(target) if c["id"] == credential_id), None)
    if credential is None:
        raise ApiProblem(404, _("Credential not found."))
    if credential["type"] != "otp":
        raise ApiProblem(
            400, _("The sandbox removes OTP credentials only; a password is reset by its owner.")
        )
    second_factor.reset(sandbox, target)
    return Response(status_code=204)
