"""Request helpers shared by the route modules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from cartes_cli.sandbox.context import Sandbox
from cartes_cli.sandbox.errors import ApiProblem


def sandbox_of(request: Request) -> Sandbox:
    return cast(Sandbox, request.app.state.sandbox)


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer …`` header, or None."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


M = TypeVar("M", bound=BaseModel)


def describe_validation_error(error: Mapping[str, Any]) -> str:
    """``field.sub: message`` from one pydantic error (request parts such as ``body`` left out)."""
    location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body", "header")]
    name = ".".join(location)
    message = str(error.get("msg", "invalid value"))
    return f"{name}: {message}" if name else message


async def json_body(request: Request, model: type[M], *, optional: bool = False) -> M:
    """The request's JSON object as ``model``; a 400 in the API's shape otherwise."""
    raw = await request.body()
    if not raw.strip():
        if optional:
            return model()
        raise ApiProblem(400, "A JSON object is required as the body.")
    try:
        data = json.loads(raw)
    except ValueError:
        raise ApiProblem(400, "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiProblem(400, "The body must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiProblem(400, *[describe_validation_error(e) for e in exc.errors()]) from None
