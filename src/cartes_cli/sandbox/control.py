"""Sandbox-only routes under ``/sandbox`` (no authentication): what a test or a demo needs to see.

The real Géoplateforme has none of these; a 404 on ``/sandbox/capabilities`` is how the client
tells the two apart.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from cartes_cli import __version__
from cartes_cli.sandbox import schemas
from cartes_cli.sandbox.context import LOG_SIZE
from cartes_cli.sandbox.db import SCHEMA_VERSION
from cartes_cli.sandbox.deps import sandbox_of

router = APIRouter(prefix="/sandbox", tags=["Sandbox control"])

FEATURES: list[str] = []
"""Sandbox-only APIs this server offers (``requests``, ``accounts``, ``outbox`` come later)."""


@router.get("/capabilities", summary="What this sandbox offers", response_model=schemas.Capabilities)
async def capabilities() -> dict[str, Any]:
    return {"sandbox": True, "version": __version__, "schema_version": SCHEMA_VERSION, "features": FEATURES}


@router.get("/health", summary="Liveness", response_model=schemas.Health)
async def health() -> dict[str, Any]:
    return {"status": "ok"}


@router.get("/stats", summary="Counters since start (or the last reset)", response_model=schemas.Stats)
async def stats(request: Request) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    now = sandbox.now()
    return {**sandbox.stats.snapshot(now), "active_sessions": sandbox.store.active_session_count(now)}


@router.post("/stats/reset", summary="Zero the counters", status_code=204, response_class=Response)
async def reset_stats(request: Request) -> Response:
    sandbox = sandbox_of(request)
    sandbox.stats.reset(sandbox.now())
    return Response(status_code=204)


@router.get(
    "/log",
    summary="The most recent requests, oldest first (method, path, status, time; never bodies or headers)",
    response_model=list[schemas.LogEntry],
)
async def log(
    request: Request, limit: Annotated[int, Query(ge=1, le=LOG_SIZE)] = 100
) -> list[dict[str, Any]]:
    entries = list(sandbox_of(request).log)[-limit:]
    return [entry.as_dict() for entry in entries]
