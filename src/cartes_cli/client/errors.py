"""The client's errors: everything from :mod:`cartes_cli.errors`, plus the status → class mapping.

``error_from_response`` reads the platform's error body in any of its shapes::

    {"error": "<short>", "error_description": ["message", …]}   # or a plain string
    {"message": "…"}
    <html>…</html> / plain text / nothing

Messages are safe to show: passed through :func:`cartes_cli.client.redact.redact`, and the URL kept
on the error has no query string.
"""

from __future__ import annotations

import json
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from cartes_cli.client.redact import redact
from cartes_cli.errors import (
    AccountNotReady,
    AmbiguousReference,
    ApiError,
    AuthRequired,
    BadRequest,
    CartesError,
    ClientRefused,
    ConfigError,
    Conflict,
    CredentialStoreError,
    InvalidInput,
    InvalidResponse,
    LoginRefused,
    LoginTimedOut,
    NotFound,
    NotLoggedIn,
    PermissionDenied,
    RateLimited,
    ResponseTooLarge,
    ServerError,
    SessionExpired,
    TransportError,
    UsageError,
)
from cartes_cli.i18n import _
from cartes_cli.transport import url_without_query

if TYPE_CHECKING:
    import httpx

__all__ = [
    "AccountNotReady",
    "AmbiguousReference",
    "ApiError",
    "AuthRequired",
    "BadRequest",
    "CartesError",
    "ClientRefused",
    "ConfigError",
    "Conflict",
    "CredentialStoreError",
    "InvalidInput",
    "InvalidResponse",
    "LoginRefused",
    "LoginTimedOut",
    "NotFound",
    "NotLoggedIn",
    "PermissionDenied",
    "RateLimited",
    "ResponseTooLarge",
    "ServerError",
    "SessionExpired",
    "TransportError",
    "UsageError",
    "error_class_for_status",
    "error_from_response",
    "parse_error_body",
    "parse_problems",
    "parse_retry_after",
]

_MAX_TEXT = 300
_NOT_JSON = object()


def error_class_for_status(status: int) -> type[ApiError]:
    if status in (400, 422):
        return BadRequest
    if status == 401:
        return AuthRequired
    if status == 403:
        return PermissionDenied
    if status == 404:
        return NotFound
    if status == 409:
        return Conflict
    if status == 429:
        return RateLimited
    if status >= 500:
        return ServerError
    return ApiError


def _as_messages(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        out: list[str] = []
        for item in value:
            out.extend(_as_messages(item))
        return out
    if isinstance(value, dict):
        for key in ("message", "description", "error_description", "detail", "msg"):
            if key in value:
                return _as_messages(value[key])
        return [json.dumps(value, ensure_ascii=False)]
    return [str(value)]


def parse_error_body(content: bytes, content_type: str = "") -> tuple[str | None, list[str]]:
    """``(error code, messages)`` from an error body; tolerant of every shape, never raises."""
    text = content.decode("utf-8", "replace").strip() if content else ""
    if not text:
        return None, []
    try:
        data: Any = json.loads(text)
    except ValueError:
        data = _NOT_JSON
    if isinstance(data, dict):
        error = data.get("error")
        code: str | None = None
        messages: list[str] = []
        if isinstance(error, str):
            code = error
        elif error is not None:  # {"error": {"message": …}} and friends
            messages.extend(_as_messages(error))
        messages.extend(_as_messages(data.get("error_description")))
        if not messages:
            messages.extend(_as_messages(data.get("message")))
        if not messages:
            messages.extend(_as_messages(data.get("errorMessage")))  # Keycloak's account REST
        if not messages:
            messages.extend(_as_messages(data.get("detail")))  # FastAPI-style answers
        return code, [redact(m)[:_MAX_TEXT] for m in messages]
    if isinstance(data, (list, str)):
        return None, [redact(m)[:_MAX_TEXT] for m in _as_messages(data)]
    if data is not _NOT_JSON:  # null, a number…: nothing worth showing
        return None, []
    # Not JSON: keep a short plain-text body, never an HTML page.
    if "html" in content_type.lower() or text.lstrip().startswith("<"):
        return None, []
    first_line = text.splitlines()[0].strip()
    return None, [redact(first_line)[:_MAX_TEXT]] if first_line else []


def parse_problems(content: bytes) -> list[tuple[str | None, str, str]]:
    """The per-field ``problems`` of an error body (``[{"field", "code", "message"}, …]``), as
    ``(field, code, message)`` tuples; ``[]`` when there are none or the body is not JSON."""
    try:
        data: Any = json.loads(content.decode("utf-8", "replace")) if content else None
    except ValueError:
        return []
    if not isinstance(data, dict):
        return []
    raw = data.get("problems")
    if not isinstance(raw, list):
        return []
    problems: list[tuple[str | None, str, str]] = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        field = item.get("field")
        code = item.get("code")
        message = item.get("message")
        problems.append(
            (
                str(field) if field not in (None, "") else None,
                str(code) if code else "invalid",
                redact(str(message))[:_MAX_TEXT] if message else "",
            )
        )
    return problems


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date); None if absent."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN guard
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        from datetime import UTC

        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def error_from_response(response: httpx.Response, *, now: float | None = None) -> ApiError:
    """The typed error for a non-2xx answer (its body must have been read)."""
    status = response.status_code
    request = response.request
    method = request.method
    url = url_without_query(request.url)
    try:
        content = response.content
    except Exception:  # a streamed body that was not read
        content = b""
    code, messages = parse_error_body(content, response.headers.get("content-type", ""))
    cls = error_class_for_status(status)

    if messages:
        message = "; ".join(messages)
    elif code:
        message = code
    elif 300 <= status < 400:
        location = url_without_query(response.headers.get("location", "")) or _("another address")
        message = _(
            "The platform redirected {request} to {location} (HTTP {status}); check the API URL."
        ).format(request=f"{method} {url}", location=location, status=status)
    else:
        reason = response.reason_phrase or ""
        message = _("The platform answered HTTP {status} to {request}.").format(
            status=f"{status} {reason}" if reason else status, request=f"{method} {url}"
        )

    kwargs: dict[str, Any] = {
        "status": status,
        "error": code,
        "messages": messages,
        "method": method,
        "url": url,
    }
    if cls is RateLimited:
        retry_after = parse_retry_after(response.headers.get("retry-after"), now=now)
        return RateLimited(message, retry_after=retry_after, **kwargs)
    if cls is BadRequest:
        problems = parse_problems(content)
        if problems:
            if not messages:
                kwargs["messages"] = [text for _f, _c, text in problems if text]
                message = "; ".join(kwargs["messages"]) or message
            return InvalidInput(message, problems=problems, **kwargs)
    return cls(message, **kwargs)
