"""Sign-up (a sandbox-only API; the real platform has web pages only): the Géoplateforme user
guide's five steps in one ``POST /api/accounts``, behind a captcha, then the e-mail verification.

- ``GET /api/accounts/captcha`` → a captcha (PNG as a data URL, and the URL of the same answer
  read aloud); ``GET /api/accounts/captcha/{id}/audio`` → ``audio/wav``.
- ``POST /api/accounts`` → 201, the account exists but cannot log in (Keycloak's required action
  VERIFY_EMAIL: "Account is not fully set up") until the 6-digit code e-mailed to it is given to
  ``POST /api/accounts/verify``. ``POST /api/accounts/verify/resend`` sends a new code.

No authentication. Every field is checked with ``cartes_cli.validators`` (the CLI runs the same
checks before sending): a 400 lists every problem, as ``"<field>: <message>"`` strings in
``error_description`` and as ``{"field", "code", "message"}`` objects in ``problems``.

The captcha is checked (and consumed, right or wrong) before anything else is looked at, and
duplicates (409) are only reported to a request that solved it: a script cannot probe which
usernames or addresses exist without solving one captcha per probe.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from cartes_cli import validators
from cartes_cli.i18n import _
from cartes_cli.sandbox.domain import captchas
from cartes_cli.sandbox.domain.accounts import (
    confirm_email,
    duplicates,
    register,
    resend_code_to,
    status_of,
)
from cartes_cli.sandbox.domain.context import Sandbox
from cartes_cli.sandbox.domain.credentials import hash_password
from cartes_cli.sandbox.errors import ApiProblem
from cartes_cli.sandbox.routes import account_schemas, schemas
from cartes_cli.sandbox.routes.deps import NotJsonText, loads_json, sandbox_of
from cartes_cli.sandbox.routes.entrepot import API_PREFIX
from cartes_cli.sandbox.store.records import User
from cartes_cli.sandbox.util import api_url_of
from cartes_cli.validators import Problem

NO_STORE = {"Cache-Control": "no-store"}

router = APIRouter(
    prefix=API_PREFIX,
    tags=["Accounts: sign-up (sandbox only)"],
    responses={
        400: {
            "model": account_schemas.ApiProblemBody,
            "description": "Bad input: every problem, field by field",
        },
    },
)


def account_view(user: User) -> dict[str, Any]:
    return {"_id": user.id, "username": user.username, "email": user.email, "status": status_of(user)}


def _body_problem(code: str, message: str) -> ApiProblem:
    """A 400 about the body as a whole, with its ``problems`` list like every 400 of this API."""
    return ApiProblem(400, message, problems=[Problem("body", code, message)])


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        raise _body_problem("field.required", "A JSON object is required as the body.")
    try:
        data = loads_json(raw)
    except NotJsonText as exc:
        raise _body_problem("field.invalid_type", str(exc)) from None
    if not isinstance(data, dict):
        raise _body_problem("field.invalid_type", "The body must be a JSON object.")
    return data


def _problem(field: str, code: str, message: str) -> Problem:
    return Problem(field, code, message)


# --- captcha ---------------------------------------------------------------------------------


def _unavailable(exc: captchas.CaptchaUnavailable) -> ApiProblem:
    return ApiProblem(
        503,
        f"Captchas are unavailable on this sandbox ({exc}): install cartes-cli[sandbox].",
    )


@router.get(
    "/accounts/captcha",
    summary="A new captcha for the sign-up (single use, expires)",
    response_model=account_schemas.CaptchaChallenge,
    response_model_exclude_none=True,
)
async def new_captcha(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    config = sandbox.config
    captcha = sandbox.captchas.new(now=sandbox.now(), ttl=config.captcha_ttl)
    try:
        image = await asyncio.to_thread(captchas.png_data_url, captcha.answer)
    except captchas.CaptchaUnavailable as exc:
        raise _unavailable(exc) from None
    body: dict[str, Any] = {
        "_id": captcha.id,
        "image": image,
        "audio_url": str(request.url_for("captcha_audio", captcha_id=captcha.id)),
        "expires_in": config.captcha_ttl,
    }
    if config.scriptable_captchas:
        body["answer"] = captcha.answer
    return JSONResponse(body, headers=NO_STORE)


@router.get(
    "/accounts/captcha/{captcha_id}/audio",
    name="captcha_audio",
    summary="The captcha's answer read aloud (WAV: digits and letters, in English)",
    response_class=Response,
    responses={
        200: {"content": {"audio/wav": {}}, "description": "8 kHz mono WAV"},
        404: {"model": schemas.ApiErrorBody, "description": "Unknown, used or expired captcha"},
    },
)
async def captcha_audio(request: Request, captcha_id: str) -> Response:
    sandbox = sandbox_of(request)
    captcha = sandbox.captchas.get(captcha_id, sandbox.now())
    if captcha is None:
        raise ApiProblem(404, _("Unknown, used or expired captcha: get a new one."))
    if captcha.audio is None:
        try:
            captcha.audio = await asyncio.to_thread(captchas.render_wav, captcha.answer)
        except captchas.CaptchaUnavailable as exc:
            raise _unavailable(exc) from None
    return Response(captcha.audio, media_type="audio/wav", headers=NO_STORE)


def _captcha_problem(sandbox: Sandbox, block: Any) -> Problem | None:
    """Consume the captcha the body names (if it names one) and say what was wrong with it."""
    if not isinstance(block, dict) or not isinstance(block.get("_id"), str):
        return None  # check_registration reports the missing or malformed block
    outcome = sandbox.captchas.take(block["_id"], block.get("answer"), sandbox.now())
    if outcome == captchas.EXPIRED:
        return _problem("captcha", "captcha.expired", _("the captcha has expired: get a new one."))
    if outcome == captchas.INVALID:
        return _problem(
            "captcha", "captcha.invalid", _("wrong answer, or a captcha already used: get a new one.")
        )
    return None


# --- sign-up ---------------------------------------------------------------------------------


@router.post(
    "/accounts",
    summary="Sign up (the five steps in one body): the account waits for its e-mail verification",
    status_code=201,
    response_model=account_schemas.AccountStatus,
    responses={
        409: {"model": account_schemas.ApiProblemBody, "description": "Username or e-mail already used"}
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schemas.inline_schema(account_schemas.NewAccount)}},
        }
    },
)
async def create_account(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    data = await _json_object(request)
    captcha_problem = _captcha_problem(sandbox, data.get("captcha"))  # consumed before anything else
    problems = validators.check_registration(data)
    if captcha_problem is not None:
        problems.insert(0, captcha_problem)
    if problems:
        raise ApiProblem(400, problems=problems)
    clean = validators.normalise_registration(data)
    username, email = clean["username"], clean["email"]
    conflicts = duplicates(sandbox, username, email)
    if conflicts:
        raise ApiProblem(409, problems=conflicts)
    password_hash = await asyncio.to_thread(hash_password, clean["password"])
    user = register(sandbox, clean, password_hash=password_hash, api_url=api_url_of(request))
    return JSONResponse(account_view(user), status_code=201)


# --- e-mail verification ---------------------------------------------------------------------


def _string_fields(data: dict[str, Any], *names: str) -> list[Problem]:
    problems = []
    for name in names:
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(_problem(name, "field.required", _("is required.")))
        elif not isinstance(value, str):
            problems.append(_problem(name, "field.invalid_type", _("must be a string.")))
    return problems


@router.post(
    "/accounts/verify",
    summary="Confirm an e-mail address with the code sent to it (idempotent once verified)",
    response_model=account_schemas.AccountStatus,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schemas.inline_schema(account_schemas.VerifyEmail)}},
        }
    },
)
async def verify_email(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    data = await _json_object(request)
    problems = _string_fields(data, "email", "code")
    if problems:
        raise ApiProblem(400, problems=problems)
    verified = confirm_email(sandbox, data["email"].strip(), data["code"])
    return JSONResponse(account_view(verified))


@router.post(
    "/accounts/verify/resend",
    summary="Send a new verification code (always 202: whether the address has an account is not told)",
    status_code=202,
    response_model=account_schemas.Accepted,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schemas.inline_schema(account_schemas.ResendCode)}},
        }
    },
)
async def resend_code(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    data = await _json_object(request)
    problems = _string_fields(data, "email")
    if problems:
        raise ApiProblem(400, problems=problems)
    resend_code_to(sandbox, data["email"].strip(), api_url=api_url_of(request))
    return JSONResponse(
        {"message": "If an account waits for the verification of this address, a new code was sent to it."},
        status_code=202,
    )
