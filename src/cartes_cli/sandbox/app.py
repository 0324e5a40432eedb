"""The sandbox's ASGI application: routers, error shapes, latency and request accounting."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cartes_cli import __version__
from cartes_cli.platforms import REALM_PATH
from cartes_cli.sandbox import account, accounts, api, control, oidc, weblogin, workflow
from cartes_cli.sandbox.config import SandboxConfig
from cartes_cli.sandbox.context import Clock, Sandbox
from cartes_cli.sandbox.deps import describe_validation_error
from cartes_cli.sandbox.errors import API_ERROR_CODES, AccountError, ApiProblem, OidcError

logger = logging.getLogger("cartes_cli.sandbox")

_DESCRIPTION = """\
A self-contained Géoplateforme for development, demos and end-to-end tests.

- `/realms/geoplateforme/…`: Keycloak-compatible OpenID Connect (discovery, JWKS, token with the
  password, refresh, authorization-code + PKCE, device and client-credentials grants, logout,
  revoke, userinfo) and its browser pages (login, TOTP, yearly password renewal, device
  verification, FranceConnect and ProConnect simulated); the account REST endpoints
  (`/realms/geoplateforme/account…`: profile, password, TOTP set-up) unless switched off.
- `/api/…`: the Entrepôt API, same paths and shapes as `https://data.geopf.fr/api`, plus the
  sandbox-only request workflow (`/api/requests…`, join forms) and sign-up (`/api/accounts…`,
  no authentication) unless switched off. Every other call needs
  `Authorization: Bearer <access token>`.
- `/sandbox/…`: sandbox-only routes (capabilities, stats, request log, outbox, fixtures, health),
  no authentication.
"""


def _is_under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


class ObserveMiddleware:
    """Counts and logs every request (never bodies or headers) and adds the ``/api`` latency."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sandbox = self.sandbox
        path: str = scope.get("path", "")
        is_api = _is_under(path, api.API_PREFIX)
        started = time.perf_counter()
        status = 500

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            if is_api and sandbox.config.latency_ms > 0:
                await asyncio.sleep(sandbox.config.latency_ms / 1000)
            await self.app(scope, receive, send_and_watch)
        finally:
            stats = sandbox.stats
            stats.requests += 1
            if is_api:
                stats.api_requests += 1
                if status >= 400:
                    stats.api_errors += 1
            sandbox.add_log(
                method=str(scope.get("method", "")),
                path=path,
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
            )


# --- error shapes ----------------------------------------------------------------------------


def _api_error(status: int, messages: list[str], headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": API_ERROR_CODES.get(status, "error"), "error_description": messages}
    return JSONResponse(body, status_code=status, headers=headers)


async def _on_api_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


async def _on_account_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AccountError)
    return JSONResponse(exc.body(), status_code=exc.status, headers={**oidc.NO_STORE, **exc.headers})


async def _on_oidc_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OidcError)
    headers = {**oidc.NO_STORE, **exc.headers}
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    path = request.url.path
    if exc.status_code == 404:
        message = f"No route {request.method} {path}."
    elif exc.status_code == 405:
        message = f"Method {request.method} is not allowed on {path}."
    else:
        message = str(exc.detail)
    headers = dict(exc.headers or {})
    if _is_under(path, REALM_PATH):
        body = {"error": API_ERROR_CODES.get(exc.status_code, "error"), "error_description": message}
        return JSONResponse(body, status_code=exc.status_code, headers=headers)
    return _api_error(exc.status_code, [message], headers)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _api_error(400, [describe_validation_error(e) for e in exc.errors()] or ["Invalid request."])


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Type and route only: the exception text could quote request data.
    logger.error("internal error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return _api_error(500, ["Internal sandbox error; see the server's log."])


# --- factory ---------------------------------------------------------------------------------


def build_app(sandbox: Sandbox) -> FastAPI:
    """The ASGI app serving ``sandbox`` (which the caller opens and closes)."""
    app = FastAPI(
        title="Géoplateforme sandbox (cartes)",
        version=__version__,
        description=_DESCRIPTION,
        exception_handlers={
            ApiProblem: _on_api_problem,
            AccountError: _on_account_error,
            OidcError: _on_oidc_error,
            StarletteHTTPException: _on_http_exception,
            RequestValidationError: _on_validation_error,
            Exception: _on_unexpected,
        },
    )
    app.state.sandbox = sandbox
    # Routes are matched in order: the API answers bulk runs hammer come first.
    if sandbox.config.requests_api:
        app.include_router(workflow.router)
    app.include_router(api.router)
    app.include_router(oidc.router)
    app.include_router(weblogin.router)
    if sandbox.config.accounts_api:
        app.include_router(account.router)
    if sandbox.config.accounts_api:
        app.include_router(accounts.router)
    app.include_router(control.router)

    @app.get("/", summary="Where things are", tags=["Sandbox control"])
    async def index(request: Request) -> dict[str, Any]:
        base = str(request.base_url).rstrip("/")
        return {
            "sandbox": True,
            "version": __version__,
            "api_url": base + api.API_PREFIX,
            "issuer": base + REALM_PATH,
            "openapi": base + "/openapi.json",
            "docs": base + "/docs",
        }

    app.add_middleware(ObserveMiddleware, sandbox=sandbox)
    return app


def create_app(config: SandboxConfig | None = None, *, clock: Clock = time.time) -> FastAPI:
    """Open the data directory of ``config`` (seeding it if asked) and build the app.

    The store stays open for the app's life; close it with ``app.state.sandbox.close()``.
    """
    return build_app(Sandbox.open(config or SandboxConfig(), clock=clock))
