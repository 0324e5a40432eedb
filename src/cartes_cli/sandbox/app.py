"""The sandbox's ASGI application: routers, error shapes, latency and request accounting."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cartes_cli import __version__
from cartes_cli.i18n import accept_language, using_language
from cartes_cli.platforms import REALM_PATH, SWAGGER_REDIRECT_PATH
from cartes_cli.sandbox.config import SandboxConfig
from cartes_cli.sandbox.domain.context import Clock, Sandbox
from cartes_cli.sandbox.domain.faults import FAULT_HEADER, FAULT_STATUS
from cartes_cli.sandbox.errors import API_ERROR_CODES, AccountError, ApiProblem, BodyTooLarge, OidcError
from cartes_cli.sandbox.routes import (
    account_rest,
    admin,
    broker_pages,
    control,
    device_pages,
    entrepot,
    oidc,
    pages,
    requests,
    signup,
    weblogin,
)
from cartes_cli.sandbox.routes.deps import buffer_body, describe_validation_error
from cartes_cli.sandbox.routes.idempotency import IdempotencyMiddleware
from cartes_cli.sandbox.util import iso

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
- `/admin/realms/geoplateforme/…`: a subset of Keycloak's admin REST API for platform staff
  (find a user, list their credentials, delete their OTP credential: a lost second factor).
- `/sandbox/…`: sandbox-only routes (capabilities, stats, request log, outbox, a mail to the
  support, fixtures, health), no authentication.
"""


def _is_under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _declared_length(scope: Scope) -> int:
    """The request's Content-Length (0 when absent or unreadable: the server rejects those)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _limited(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises BodyTooLarge (a 413) once more than ``limit`` bytes came in."""
    seen = 0

    async def limited() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return limited


def _delayed(send: Send, seconds: float) -> Send:
    """``send`` that holds the start of the answer for ``seconds``, the way a slow network would.

    The delay comes after the handler, not before it: a delay before it puts every request that
    arrived while the single-threaded server was busy on the same timer, so they wake up
    together and queue behind each other, and that queue grows with concurrency (with 16 clients
    doing nothing else, answers came 8-13 ms late on average on top of the 50 ms; with the delay
    after the handler, 3 ms). A network's latency does not make a server queue.
    """

    async def delayed(message: Message) -> None:
        if message["type"] == "http.response.start":
            await asyncio.sleep(seconds)
        await send(message)

    return delayed


def _error_answer(path: str, status: int, message: str, headers: dict[str, str]) -> Response:
    """An error in the shape of ``path``: Keycloak's under the realm, the Entrepôt API's elsewhere."""
    error = API_ERROR_CODES.get(status, "error")
    if _is_under(path, REALM_PATH):
        return JSONResponse({"error": error, "error_description": message}, status, headers=headers)
    return JSONResponse({"error": error, "error_description": [message]}, status, headers=headers)


_BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)


def _fault_answer(fault: str, path: str, retry_after: int) -> Response:
    """The answer of an injected error: what a platform on a bad day (or its gateway) sends."""
    headers = {FAULT_HEADER: fault}
    status = FAULT_STATUS[fault]
    if status == 502:  # a gateway's page, not the API's JSON
        return HTMLResponse(_BAD_GATEWAY_PAGE, 502, headers=headers)
    if status == 429:
        headers["Retry-After"] = str(retry_after)
        message = f"Too many requests: wait {retry_after} s (Retry-After), then try again."
    elif status == 503:
        message = "The service is unavailable for a moment: try again later."
    else:
        message = "Internal error."
    return _error_answer(path, status, message + " (Fault injected by the sandbox.)", headers)


class ConnectionDropped(Exception):
    """An injected dropped connection, where the server gives no way to close it for real."""


async def _drop_connection(send: Send) -> None:
    """Close the client's connection without an answer.

    Under uvicorn ``send`` is bound to the connection's request cycle, which holds the transport:
    closing it leaves the client with "server disconnected without sending a response". Any other
    server (or an in-process transport) gets the start of an answer broken off by an exception.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is not None and callable(getattr(transport, "close", None)):
        transport.close()
        for _ in range(100):  # let connection_lost mark the cycle disconnected: no 500 is sent then
            if getattr(cycle, "disconnected", True):
                break
            await asyncio.sleep(0)
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"1000")],
        }
    )
    raise ConnectionDropped("fault injected: connection dropped")


class ObserveMiddleware:
    """The outermost layer: counts and logs every request (never bodies or headers), refuses
    bodies over ``max_body_bytes`` (413), adds the ``/api`` latency and injects faults."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Error messages in the language the client asks for (English by default); e-mails stay
        # French, as the real platform's (they never go through the catalogue).
        header = next((v for k, v in scope.get("headers", ()) if k == b"accept-language"), b"")
        with using_language(accept_language(header.decode("latin-1"))):
            await self._observe(scope, receive, send)

    async def _observe(self, scope: Scope, receive: Receive, send: Send) -> None:
        sandbox = self.sandbox
        path: str = scope.get("path", "")
        method = str(scope.get("method", ""))
        is_api = _is_under(path, entrepot.API_PREFIX)
        faults = sandbox.faults
        # Drawn on arrival, before anything awaits: the order of arrival decides (replayable).
        fault = faults.draw(path) if faults.rate else None
        started = time.perf_counter()
        status = 500

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            limit = sandbox.config.max_body_bytes
            if _declared_length(scope) > limit:
                fault = None  # refused before anything else
                message = f"The request body is too large (at most {limit} bytes)."
                await _error_answer(path, 413, message, {})(scope, receive, send_and_watch)
                return
            receive = _limited(receive, limit)
            if is_api and sandbox.config.latency_ms > 0:
                send = _delayed(send, sandbox.config.latency_ms / 1000)
            if fault is None:
                await self.app(scope, receive, send_and_watch)
            else:
                if fault.endswith("drop"):
                    status = 0
                got = await self._inject(fault, scope, receive, send, send_and_watch)
                if got is not None:
                    status = got
        finally:
            stats = sandbox.stats
            stats.requests += 1
            if is_api:
                stats.api_requests += 1
                if status >= 400 or status == 0:
                    stats.api_errors += 1
            seq = sandbox.add_log(
                method=method,
                path=path,
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
                fault=fault,
            )
            if fault is not None:
                stats.faults[fault] += 1
                faults.record(
                    kind=fault, method=method, path=path, status=status, log_seq=seq, time=iso(sandbox.now())
                )

    async def _inject(
        self, fault: str, scope: Scope, receive: Receive, send: Send, watched: Send
    ) -> int | None:
        """Serve the request the faulty way; returns the status the client got (0: no answer;
        None: the one ``watched`` saw)."""
        settings = self.sandbox.faults.settings
        path: str = scope.get("path", "")
        if fault == "slow":  # late, then served: the change lands even if the client gave up
            try:
                _body, replay = await buffer_body(receive)
            except BodyTooLarge as exc:
                answer = _error_answer(path, 413, exc.messages[0], {})
                await answer(scope, receive, watched)
                return None
            await asyncio.sleep(settings.delay)
            await self.app(scope, replay, watched)
            return None
        if fault.startswith("after-"):  # served and committed; the answer is lost

            async def swallow(message: Message) -> None:
                return None

            await self.app(scope, receive, swallow)
        if fault.endswith("drop"):
            await _drop_connection(send)
            return 0
        answer = _fault_answer(fault, path, settings.retry_after)
        await answer(scope, receive, send)
        return answer.status_code


# --- error shapes ----------------------------------------------------------------------------


def _api_error(status: int, messages: list[str], headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": API_ERROR_CODES.get(status, "error"), "error_description": messages}
    return JSONResponse(body, status_code=status, headers=headers)


async def _on_api_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


async def _on_body_too_large(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BodyTooLarge)
    return _error_answer(request.url.path, 413, exc.messages[0], {})


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


async def _on_storage_error(request: Request, exc: Exception) -> JSONResponse:
    """SQLite's errors: a full disk is said as such; anything else is an internal error."""
    return await _on_unexpected(request, exc)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    if is_disk_full(exc):
        # SQLITE_FULL: the transaction was rolled back, nothing was saved. Said as such (507, as
        # WebDAV's Insufficient Storage), not as a bug, and remembered for /sandbox/health.
        sandbox = request.app.state.sandbox
        sandbox.disk_full_at = sandbox.now()
        logger.error("disk full on %s %s", request.method, request.url.path)
        return _api_error(
            507, ["The sandbox's disk is full: nothing was saved. Free some space, then try again."]
        )
    # Type and route only: the exception text could quote request data.
    logger.error("internal error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return _api_error(500, ["Internal sandbox error; see the server's log."])


def is_disk_full(exc: BaseException) -> bool:
    """SQLite's "database or disk is full" (SQLITE_FULL), or the OS's ENOSPC."""
    import errno

    if isinstance(exc, sqlite3.OperationalError) and "full" in str(exc).lower():
        return True
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


# --- factory ---------------------------------------------------------------------------------


class SandboxApp(FastAPI):
    """FastAPI with ObserveMiddleware outside everything, Starlette's error middleware included:
    it must see every answer, and hold the server's own ``send`` to drop a connection."""

    def build_middleware_stack(self) -> ASGIApp:
        # Idempotency-Key replays sit inside fault injection: a fault "after the change" hits an
        # answer already remembered, as on a real platform whose gateway drops the answer.
        keyed = IdempotencyMiddleware(super().build_middleware_stack())
        return ObserveMiddleware(keyed, self.state.sandbox)

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            self.openapi_schema = _document_real_errors(super().openapi())
        return self.openapi_schema


def _document_real_errors(doc: dict[str, Any]) -> dict[str, Any]:
    """FastAPI documents its 422 for parameters that fail validation; the sandbox answers those
    with a 400 in the API's error shape (``_on_validation_error``), like the real platform."""
    bad_input = {
        "description": "Bad input",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiErrorBody"}}},
    }
    for operations in doc.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if responses.pop("422", None) is not None:
                responses.setdefault("400", bad_input)
    schemas = doc.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return doc


def build_app(sandbox: Sandbox) -> FastAPI:
    """The ASGI app serving ``sandbox`` (which the caller opens and closes)."""
    app = SandboxApp(
        title="Géoplateforme sandbox (cartes)",
        version=__version__,
        description=_DESCRIPTION,
        exception_handlers={
            BodyTooLarge: _on_body_too_large,  # before ApiProblem, its base: the path's error shape
            ApiProblem: _on_api_problem,
            AccountError: _on_account_error,
            OidcError: _on_oidc_error,
            StarletteHTTPException: _on_http_exception,
            RequestValidationError: _on_validation_error,
            sqlite3.OperationalError: _on_storage_error,
            Exception: _on_unexpected,
        },
    )
    app.state.sandbox = sandbox
    # Routes are matched in order: the API answers bulk runs hammer come first.
    if sandbox.config.requests_api:
        app.include_router(requests.router)
    app.include_router(entrepot.router)
    app.include_router(entrepot.annexes_router)
    app.include_router(oidc.router)
    app.include_router(weblogin.router)
    app.include_router(device_pages.router)
    app.include_router(broker_pages.router)
    if sandbox.config.accounts_api:
        app.include_router(account_rest.router)
    if sandbox.config.accounts_api:
        app.include_router(signup.router)
    app.include_router(admin.router)
    app.include_router(control.router)

    @app.get(SWAGGER_REDIRECT_PATH, include_in_schema=False)
    async def swagger_redirect() -> HTMLResponse:
        # The stand-in for the Entrepôt API's Swagger UI page, gpf-warehouse's only registered
        # redirect. The real page only talks to the Swagger window that opened it; what a person
        # needs from it is its address, which carries the code.
        return pages.message_page(
            "Connexion terminée",
            "Copiez l'adresse de cette page (barre d'adresse) et collez-la dans le terminal.",
            english="Copy this page's address (address bar) and paste it into the terminal.",
            kind="status",
        )

    @app.get("/", summary="Where things are", tags=["Sandbox control"])
    async def index(request: Request) -> dict[str, Any]:
        base = str(request.base_url).rstrip("/")
        return {
            "sandbox": True,
            "version": __version__,
            "api_url": base + entrepot.API_PREFIX,
            "issuer": base + REALM_PATH,
            "openapi": base + "/openapi.json",
            "docs": base + "/docs",
        }

    return app


def create_app(config: SandboxConfig | None = None, *, clock: Clock = time.time) -> FastAPI:
    """Open the data directory of ``config`` (seeding it if asked) and build the app.

    The store stays open for the app's life; close it with ``app.state.sandbox.close()``.
    """
    from cartes_cli.sandbox.startup import open_sandbox

    return build_app(open_sandbox(config or SandboxConfig(), clock=clock))
