"""Request helpers shared by the route modules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.types import Message, Receive

from cartes_cli.i18n import _
from cartes_cli.sandbox.domain.context import Sandbox
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


class NotJsonText(ValueError):
    """A body that is not JSON text: malformed, nested too deep, or with a lone surrogate."""


def loads_json(raw: bytes | str) -> Any:
    """``json.loads`` for request bodies: every failure is a NotJsonText (a ValueError).

    Besides malformed JSON, it refuses nesting deeper than the interpreter can parse (RecursionError)
    and unpaired UTF-16 surrogates (``"\\ud800"``): valid JSON escapes, but not text, which
    neither SQLite nor a UTF-8 answer that quotes them back could take.
    """
    try:
        data = json.loads(raw)
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise NotJsonText(
            "The body contains an unpaired surrogate (\\ud800-\\udfff), which is not text."
        ) from None
    except (ValueError, RecursionError):
        raise NotJsonText("The body is not valid JSON.") from None
    return data


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
        raise ApiProblem(400, _("A JSON object is required as the body."))
    try:
        data = loads_json(raw)
    except NotJsonText as exc:
        raise ApiProblem(400, str(exc)) from None
    if not isinstance(data, dict):
        raise ApiProblem(400, _("The body must be a JSON object."))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiProblem(400, *[describe_validation_error(e) for e in exc.errors()]) from None


async def buffer_body(receive: Receive) -> tuple[bytes | None, Receive]:
    """Read a request's whole body now: ``(body, receive)`` where the new ``receive`` hands the
    body over later, even after the client has gone. ``body`` is None when the client left before
    the body was complete; ``receive`` is then the original one (the app meets the disconnect).
    Errors of ``receive`` (a body over the size limit) propagate."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":  # gone before the body was complete
            return None, receive
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return body, replay
