"""Remove secrets from text before it is shown or logged (``--debug``, error messages).

Standard library only. What goes: bearer/basic credentials, anything that looks like a JWT,
URL credentials, and the values of secret-bearing parameters (``password=``, ``totp=``,
``client_secret=``, ``refresh_token=``, ``code=``…) whether in a query string, a form body or JSON.
Redaction is deliberately over-eager: hiding a harmless value is better than showing a secret.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

__all__ = [
    "REDACTED",
    "SECRET_HEADERS",
    "SECRET_PARAMS",
    "redact",
    "redact_form",
    "redact_headers",
    "redact_url",
]

REDACTED = "***"

SECRET_PARAMS: frozenset[str] = frozenset(
    {
        "password",
        "passwd",
        "new_password",
        "current_password",
        "totp",
        "otp",
        "client_secret",
        "refresh_token",
        "access_token",
        "id_token",
        "token",
        "code",
        "code_verifier",
        "device_code",
        "user_code",
        "secret",
        "totp_secret",
        "api_key",
        "apikey",
        "session_state",
        "assertion",
        "client_assertion",
    }
)
"""Parameter names whose values are always hidden (compared case-insensitively)."""

SECRET_HEADERS: frozenset[str] = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)


@functools.cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The patterns, compiled on the first redaction (most commands never log anything: compiling
    them at import cost every command's start-up a few milliseconds), in the order applied."""
    alternation = "|".join(sorted((re.escape(p) for p in SECRET_PARAMS), key=len, reverse=True))
    return (
        # https://user:password@host
        (re.compile(r"(?i)(\b[a-z][a-z0-9+.\-]*://[^/@\s:]*:)[^/@\s]*@"), rf"\1{REDACTED}@"),
        # Authorization: Bearer xxx / Basic xxx, in headers or free text.
        (re.compile(r"(?i)\b(bearer|basic)(\s+)[A-Za-z0-9._~+/=\-]+"), rf"\1\2{REDACTED}"),
        # Header lines in free text ("Cookie: …").
        (
            re.compile(r"(?im)^(\s*(?:proxy-authorization|cookie|set-cookie|x-api-key)\s*:\s*)[^\r\n]*"),
            rf"\1{REDACTED}",
        ),
        # JWT / JWS / JWE: base64url JSON header "eyJ" followed by dot-separated segments.
        (re.compile(r"\beyJ[A-Za-z0-9_\-]{4,}(?:\.[A-Za-z0-9_\-]*){1,4}"), REDACTED),
        # "key": "value" in JSON.
        (re.compile(rf'(?i)("(?:{alternation})"\s*:\s*)"(?:[^"\\]|\\.)*"'), rf'\1"{REDACTED}"'),
        # key=value in query strings and form bodies; the look-behind keeps "postcode=" and
        # "error_code=".
        (re.compile(rf"(?i)(?<![A-Za-z0-9_\-])({alternation})=([^&\s\"',;]*)"), rf"\1={REDACTED}"),
    )


def redact(text: str) -> str:
    """Hide every secret-looking part of ``text``."""
    if not text:
        return text
    for pattern, replacement in _patterns():
        text = pattern.sub(replacement, text)
    return text


def redact_url(url: object) -> str:
    """A URL (``str`` or ``httpx.URL``) safe to log: secret query values and credentials hidden."""
    return redact(str(url))


def redact_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers safe to log: credentials hidden (the auth scheme is kept, ``Bearer ***``)."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    safe: dict[str, str] = {}
    for name, value in items:
        if name.lower() in SECRET_HEADERS:
            scheme, _, rest = value.partition(" ")
            if name.lower().endswith("authorization") and rest:
                safe[name] = f"{scheme} {REDACTED}"
            else:
                safe[name] = REDACTED
        else:
            safe[name] = redact(value)
    return safe


def redact_form(body: str | bytes | Mapping[str, object]) -> str:
    """A form body (``a=1&password=x``) or a mapping of fields, safe to log."""
    if isinstance(body, Mapping):
        parts = []
        for key, value in body.items():
            shown = REDACTED if str(key).lower() in SECRET_PARAMS else redact(str(value))
            parts.append(f"{key}={shown}")
        return "&".join(parts)
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return redact(body)
