"""Sandbox-only routes under ``/sandbox`` (no authentication): what a test or a demo needs to see
and set up.

The real Géoplateforme has none of these; a 404 on ``/sandbox/capabilities`` is how the client
tells the two apart. They are meant for a server listening on loopback only.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from cartes_cli import __version__
from cartes_cli.i18n import _
from cartes_cli.sandbox.config import SandboxConfig
from cartes_cli.sandbox.domain import mail
from cartes_cli.sandbox.domain.context import LOG_SIZE
from cartes_cli.sandbox.domain.faults import RECORDS_KEPT, FaultSettingsError, parse_kinds, parse_scope
from cartes_cli.sandbox.domain.fixtures import community_fixtures, join_request_fixtures
from cartes_cli.sandbox.errors import ApiProblem
from cartes_cli.sandbox.routes import account_schemas, schemas
from cartes_cli.sandbox.routes.deps import json_body, sandbox_of
from cartes_cli.sandbox.store.migrations import SCHEMA_VERSION
from cartes_cli.sandbox.util import api_url_of, iso


async def local_only(request: Request) -> None:
    """The control routes have no authentication: they answer this machine's scripts only.

    A web page the person visits can send requests to 127.0.0.1 (a form posting ``text/plain``
    creates users without any preflight), and DNS rebinding can make a page's own host name point
    at 127.0.0.1 and read the outbox. So: a loopback ``Host`` only, no cross-site request
    (``Sec-Fetch-Site``, ``Origin``), and bodies in JSON only (which a cross-site form cannot send
    without a preflight the sandbox never grants).
    """
    from cartes_cli.platforms import is_loopback_host

    host = request.headers.get("host", "")
    hostname = host.split("]")[0].lstrip("[") if host.startswith("[") else host.rsplit(":", 1)[0]
    if not is_loopback_host(hostname):
        raise ApiProblem(
            403, "The sandbox's control routes answer only to a loopback Host (127.0.0.1, localhost)."
        )
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    cross_origin = False
    if origin and origin != "null":
        try:
            cross_origin = not is_loopback_host(urlsplit(origin).hostname or "")
        except ValueError:
            cross_origin = True
    if (site and site not in ("same-origin", "none")) or cross_origin or origin == "null":
        raise ApiProblem(403, "Cross-site requests to the sandbox's control routes are refused.")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        length = request.headers.get("content-length")
        has_body = (length is not None and length != "0") or "transfer-encoding" in request.headers
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if has_body and content_type != "application/json":
            raise ApiProblem(
                415, "The sandbox's control routes take JSON bodies only (Content-Type: application/json)."
            )


_REFUSED = {"model": schemas.ApiErrorBody}
router = APIRouter(
    prefix="/sandbox",
    tags=["Sandbox control"],
    dependencies=[Depends(local_only)],
    responses={
        403: {**_REFUSED, "description": "Not a loopback Host, or a cross-site request"},
        415: {**_REFUSED, "description": "A body that is not JSON"},
    },
)

LOG_SEQ_HEADER = "X-Sandbox-Log-Seq"
OUTBOX_MAX = 10_000


def features(config: SandboxConfig) -> list[str]:
    """Sandbox-only capabilities of this server (the real platform has none of them)."""
    found = ["web-login", "device", "client-credentials"]
    if config.requests_api:
        found += ["requests", "join-forms"]
    if config.accounts_api:
        found.append("accounts")
    found += ["outbox", "support-mail", "admin-credentials", "fixtures", "faults"]
    if config.accounts_api and config.scriptable_captchas:
        found.append("scriptable-captchas")
    return found


@router.get("/capabilities", summary="What this sandbox offers", response_model=schemas.Capabilities)
async def capabilities(request: Request) -> dict[str, Any]:
    return {
        "sandbox": True,
        "version": __version__,
        "schema_version": SCHEMA_VERSION,
        "features": features(sandbox_of(request).config),
    }


DISK_FULL_MEMORY = 60.0
"""Seconds during which a write refused for want of space keeps /sandbox/health "degraded"."""
DISK_FREE_MINIMUM = 1024 * 1024


@router.get(
    "/health",
    summary="Liveness, and whether the data directory can still be written",
    response_model=schemas.Health,
)
async def health(request: Request) -> dict[str, Any]:
    import shutil

    sandbox = sandbox_of(request)
    problems: list[str] = []
    recent = sandbox.disk_full_at is not None and sandbox.now() - sandbox.disk_full_at < DISK_FULL_MEMORY
    try:
        free = shutil.disk_usage(sandbox.config.resolved_data_dir()).free
    except OSError:
        free = None
    if recent or (free is not None and free < DISK_FREE_MINIMUM):
        problems.append("disk full: writes are refused (507) until space is freed")
    return {"status": "degraded" if problems else "ok", "problems": problems}


@router.get("/stats", summary="Counters since start (or the last reset)", response_model=schemas.Stats)
async def stats(request: Request) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    now = sandbox.now()
    return {**sandbox.stats.snapshot(now), "active_sessions": sandbox.store.sessions.active_count(now)}


@router.post("/stats/reset", summary="Zero the counters", status_code=204, response_class=Response)
async def reset_stats(request: Request) -> Response:
    sandbox = sandbox_of(request)
    sandbox.stats.reset(sandbox.now())
    return Response(status_code=204)


@router.get(
    "/log",
    summary="Answered requests, oldest first (method, path, status, time; never bodies or headers). "
    f"The {LOG_SEQ_HEADER} header gives the last sequence number so far.",
    response_model=list[schemas.LogEntry],
)
async def log(
    request: Request,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=LOG_SIZE)] = 100,
    since: Annotated[
        int | None, Query(ge=0, description="only entries with a greater seq (then the first `limit`)")
    ] = None,
) -> list[dict[str, Any]]:
    sandbox = sandbox_of(request)
    entries = list(sandbox.log)
    chosen = entries[-limit:] if since is None else [e for e in entries if e.seq > since][:limit]
    response.headers[LOG_SEQ_HEADER] = str(sandbox.log_seq)
    return [entry.as_dict() for entry in chosen]


# --- fault injection -------------------------------------------------------------------------


@router.get(
    "/faults",
    summary="Fault injection: settings, counters and the most recent faults (or those after `since`)",
    response_model=schemas.FaultState,
)
async def faults(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=RECORDS_KEPT)] = 1000,
    since: Annotated[int | None, Query(ge=0, description="only faults with a greater seq")] = None,
) -> dict[str, Any]:
    return sandbox_of(request).faults.state(since=since, limit=limit)


@router.put(
    "/faults",
    summary="Change fault injection at run time (partial; a seed restarts the sequence; rate 0: off)",
    response_model=schemas.FaultState,
    responses={400: {"model": schemas.ApiErrorBody, "description": "Bad settings"}},
)
async def set_faults(request: Request) -> dict[str, Any]:
    injector = sandbox_of(request).faults
    body = await json_body(request, schemas.FaultSettingsIn)
    changes = body.model_dump(exclude_none=True)
    try:
        if "kinds" in changes:
            changes["kinds"] = parse_kinds(changes["kinds"])
        if "scope" in changes:
            changes["scope"] = parse_scope(changes["scope"])
    except FaultSettingsError as exc:
        raise ApiProblem(400, str(exc).removeprefix("--fault-") + ".") from None
    injector.update(**changes)
    return injector.state(limit=0)


# --- captchas --------------------------------------------------------------------------------


@router.get(
    "/captchas/{captcha_id}",
    summary="A sign-up captcha's answer, for scripts (only with --scriptable-captchas; 404 otherwise)",
    response_model=account_schemas.CaptchaSolution,
    responses={404: {"model": schemas.ApiErrorBody, "description": "Switch off, or unknown captcha"}},
)
async def captcha_answer(request: Request, captcha_id: str) -> JSONResponse:
    sandbox = sandbox_of(request)
    if not (sandbox.config.accounts_api and sandbox.config.scriptable_captchas):
        # As on the real platform: the route does not exist.
        raise ApiProblem(
            404, _("This sandbox does not give captcha answers: start it with --scriptable-captchas.")
        )
    captcha = sandbox.captchas.get(captcha_id, sandbox.now())
    if captcha is None:
        raise ApiProblem(404, _("Unknown, used or expired captcha: get a new one."))
    remaining = max(0, int(captcha.expires - sandbox.now()))
    return JSONResponse(
        {"_id": captcha.id, "answer": captcha.answer, "expires_in": remaining},
        headers={"Cache-Control": "no-store"},
    )


# --- outbox ----------------------------------------------------------------------------------


@router.get(
    "/outbox",
    summary="The e-mails the platform would have sent, oldest first (the most recent `limit`)",
    response_model=list[schemas.OutboxMail],
)
async def outbox(
    request: Request,
    to: Annotated[str | None, Query(description="recipient address (any case)")] = None,
    related: Annotated[str | None, Query(description="the request id")] = None,
    limit: Annotated[int, Query(ge=1, le=OUTBOX_MAX)] = 100,
) -> list[dict[str, Any]]:
    mails = sandbox_of(request).store.outbox.mails(limit=limit, to=to, related=related)
    return [
        {
            "_id": m.id,
            "to": m.to,
            "subject": m.subject,
            "body": m.body,
            "related": m.related,
            "creation": m.created,
        }
        for m in mails
    ]


@router.delete("/outbox", summary="Empty the outbox", status_code=204, response_class=Response)
async def clear_outbox(request: Request) -> Response:
    sandbox_of(request).store.outbox.clear()
    return Response(status_code=204)


@router.post(
    "/support",
    summary=f"Send an e-mail to the Géoplateforme's support ({mail.SUPPORT_MAILBOX}): kept in the outbox",
    status_code=201,
    response_model=schemas.OutboxMail,
    responses={400: {"model": schemas.ApiErrorBody, "description": "Bad input"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schemas.inline_schema(schemas.SupportMessage)}},
        }
    },
)
async def support(request: Request) -> JSONResponse:
    """What ``cartes account 2fa lost --send`` posts: the recipient is always the support, so this
    route cannot mail anyone else."""
    sandbox = sandbox_of(request)
    body = await json_body(request, schemas.SupportMessage)
    if not body.subject.strip() or not body.body.strip():
        raise ApiProblem(400, _("subject and body must not be blank."))
    message = mail.support_message(subject=body.subject.strip(), body=body.body, when=iso(sandbox.now()))
    sandbox.store.outbox.add(message)
    return JSONResponse(
        {
            "_id": message.id,
            "to": message.to,
            "subject": message.subject,
            "body": message.body,
            "related": message.related,
            "creation": message.created,
        },
        status_code=201,
    )


# --- fixtures (benchmarks and tests) ---------------------------------------------------------


@router.post(
    "/fixtures/join-requests",
    summary="Create N users, each with a pending join request to a community (one transaction)",
    status_code=201,
    response_model=schemas.JoinRequestFixtureResult,
    responses={
        400: {"model": schemas.ApiErrorBody, "description": "Bad input"},
        404: {"model": schemas.ApiErrorBody, "description": "Unknown community"},
    },
)
async def fixture_join_requests(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    body = await json_body(request, schemas.JoinRequestFixture)
    community_id, users, requests = join_request_fixtures(
        sandbox, body.community, body.count, notify=body.notify, api_url=api_url_of(request)
    )
    return JSONResponse(
        {"community": community_id, "users": users, "requests": requests},
        status_code=201,
    )


@router.post(
    "/fixtures/communities",
    summary="Create N public communities (catalogue benchmarks), supervised by a new fixture user",
    status_code=201,
    response_model=schemas.CommunityFixtureResult,
    responses={400: {"model": schemas.ApiErrorBody, "description": "Bad input"}},
)
async def fixture_communities(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    body = await json_body(request, schemas.CommunityFixture)
    join_form = [f.model_dump(exclude_none=True) for f in body.join_form] if body.join_form else None
    owner, communities = community_fixtures(
        sandbox, body.count, prefix=body.prefix, contact=body.contact, join_form=join_form
    )
    return JSONResponse({"supervisor": owner, "communities": communities}, status_code=201)
