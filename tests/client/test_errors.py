"""Status codes and error bodies → typed errors."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest

from cartes_cli import errors as shared_errors
from cartes_cli.client import errors as client_errors
from cartes_cli.client.errors import (
    ApiError,
    AuthRequired,
    BadRequest,
    Conflict,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    error_from_response,
    parse_error_body,
    parse_retry_after,
)

URL = "https://data.test/api/communities/abc?access_token=SECRET-IN-QUERY&page=2"


def response(
    status: int,
    body: object = None,
    *,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str = "GET",
) -> httpx.Response:
    request = httpx.Request(method, URL)
    if content is not None:
        return httpx.Response(status, content=content, headers=headers, request=request)
    if body is None:
        return httpx.Response(status, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


def test_reexports_every_shared_error() -> None:
    for name in dir(shared_errors):
        obj = getattr(shared_errors, name)
        if isinstance(obj, type) and issubclass(obj, Exception) and obj.__module__ == shared_errors.__name__:
            assert getattr(client_errors, name) is obj, name


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequest),
        (422, BadRequest),
        (401, AuthRequired),
        (403, PermissionDenied),
        (404, NotFound),
        (409, Conflict),
        (429, RateLimited),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (418, ApiError),
        (410, ApiError),
    ],
)
def test_status_maps_to_class(status: int, cls: type[ApiError]) -> None:
    error = error_from_response(response(status, {"error": "x", "error_description": ["it failed"]}))
    assert type(error) is cls
    assert error.status == status
    assert error.error == "x"
    assert error.messages == ["it failed"]
    assert error.method == "GET"
    assert str(error) == "it failed"


def test_url_has_no_query_string() -> None:
    error = error_from_response(response(404, {"error": "not_found"}))
    assert error.url == "https://data.test/api/communities/abc"
    assert "SECRET" not in repr(error.__dict__)


def test_description_as_list() -> None:
    error = error_from_response(
        response(400, {"error": "bad_request", "error_description": ["name: too short", "public: required"]})
    )
    assert error.error == "bad_request"
    assert error.messages == ["name: too short", "public: required"]
    assert error.message == "name: too short; public: required"


def test_description_as_string() -> None:
    error = error_from_response(response(409, {"error": "conflict", "error_description": "Already a member"}))
    assert isinstance(error, Conflict)
    assert error.messages == ["Already a member"]
    assert error.message == "Already a member"


def test_message_only_body() -> None:
    error = error_from_response(response(403, {"message": "Missing right COMMUNITY"}))
    assert isinstance(error, PermissionDenied)
    assert error.error is None
    assert error.messages == ["Missing right COMMUNITY"]


def test_error_code_only() -> None:
    error = error_from_response(response(404, {"error": "not_found"}))
    assert error.messages == []
    assert error.message == "not_found"


def test_nested_error_object() -> None:
    error = error_from_response(response(400, {"error": {"message": "nested problem"}}))
    assert error.messages == ["nested problem"]


def test_plain_text_body() -> None:
    error = error_from_response(
        response(502, content=b"Bad gateway: upstream down\nmore", headers={"content-type": "text/plain"})
    )
    assert isinstance(error, ServerError)
    assert error.messages == ["Bad gateway: upstream down"]


def test_html_body_is_not_shown() -> None:
    html = b"<html><body><h1>503 Service Unavailable</h1></body></html>"
    error = error_from_response(response(503, content=html, headers={"content-type": "text/html"}))
    assert isinstance(error, ServerError)
    assert error.messages == []
    assert "<" not in error.message
    assert "503" in error.message
    assert "GET https://data.test/api/communities/abc" in error.message


def test_empty_body() -> None:
    error = error_from_response(response(401))
    assert isinstance(error, AuthRequired)
    assert "401" in error.message
    assert "SECRET" not in error.message


def test_redirect_is_explained() -> None:
    error = error_from_response(
        response(302, content=b"", headers={"location": "https://login.test/sso?ticket=SECRET"})
    )
    assert type(error) is ApiError
    assert "redirected" in error.message
    assert "https://login.test/sso" in error.message
    assert "SECRET" not in error.message


def test_secrets_in_platform_messages_are_redacted() -> None:
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl"
    error = error_from_response(
        response(401, {"error": "invalid_token", "error_description": f"token {jwt} expired"})
    )
    assert jwt not in error.message
    assert "***" in error.message


def test_long_messages_are_cut() -> None:
    error = error_from_response(response(400, {"error_description": "x" * 5000}))
    assert len(error.message) <= 300


def test_retry_after_seconds() -> None:
    error = error_from_response(response(429, {"error": "too_many"}, headers={"Retry-After": "7"}))
    assert isinstance(error, RateLimited)
    assert error.retry_after == 7.0


def test_retry_after_http_date() -> None:
    now = datetime(2025, 3, 24, 12, 0, 0, tzinfo=UTC).timestamp()
    later = format_datetime(datetime(2025, 3, 24, 12, 0, 42, tzinfo=UTC), usegmt=True)
    error = error_from_response(response(429, None, headers={"Retry-After": later}), now=now)
    assert isinstance(error, RateLimited)
    assert error.retry_after == pytest.approx(42.0)


def test_retry_after_missing() -> None:
    error = error_from_response(response(429))
    assert isinstance(error, RateLimited)
    assert error.retry_after is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("0", 0.0),
        ("1.5", 1.5),
        ("-3", 0.0),
        ("garbage", None),
        ("Mon, 24 Mar 2025 11:59:00 GMT", 0.0),  # in the past → no wait
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    now = datetime(2025, 3, 24, 12, 0, 0, tzinfo=UTC).timestamp()
    assert parse_retry_after(value, now=now) == expected


def test_parse_error_body_never_raises() -> None:
    assert parse_error_body(b"") == (None, [])
    assert parse_error_body(b"\xff\xfe garbage") == (None, ["\ufffd\ufffd garbage"])
    assert parse_error_body(b"[1, 2]") == (None, ["1", "2"])
    assert parse_error_body(b'"just a string"') == (None, ["just a string"])
    assert parse_error_body(b"null") == (None, [])
