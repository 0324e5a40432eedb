"""Secrets never reach a log line."""

from __future__ import annotations

import httpx
import pytest

from cartes_cli.client.redact import redact, redact_form, redact_headers, redact_url

JWT = (
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer abc.DEF-123_~+/=", "abc.DEF-123"),
        ("authorization: basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        (f"token is {JWT} ok", JWT),
        (f"{JWT}", "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"),
        ("grant_type=password&username=bob&password=p%40ss%21&client_id=x", "p%40ss%21"),
        ("totp=123456&x=1", "123456"),
        ("client_secret=s3cr3t", "s3cr3t"),
        ("refresh_token=opaque-refresh", "opaque-refresh"),
        ("https://app.test/callback?state=xyz&code=AUTHCODE&session_state=abc", "AUTHCODE"),
        ("https://app.test/callback?code_verifier=VERIFIER", "VERIFIER"),
        ('{"password": "hunter2", "username": "bob"}', "hunter2"),
        ('{"refresh_token":"quoted \\" value"}', "quoted"),
        ("https://bob:hunter2@proxy.test:3128/", "hunter2"),
        ("Cookie: KEYCLOAK_SESSION=abcdef", "abcdef"),
        ("device_code=DEVICE&user_code=ABCD-EFGH", "DEVICE"),
    ],
)
def test_secrets_are_hidden(text: str, secret: str) -> None:
    out = redact(text)
    assert secret not in out
    assert "***" in out


@pytest.mark.parametrize(
    "text",
    [
        "postcode=75001&street=rue",
        "error_code=42",
        "GET https://data.geopf.fr/api/catalogs/communities?page=2&limit=50",
        "username=bob&client_id=gpf-warehouse&grant_type=password",
        "",
    ],
)
def test_harmless_text_is_kept(text: str) -> None:
    assert redact(text) == text


def test_redact_keeps_structure() -> None:
    assert redact("grant_type=password&password=x&totp=1") == "grant_type=password&password=***&totp=***"
    assert redact("Authorization: Bearer tok") == "Authorization: Bearer ***"


def test_redact_url_accepts_httpx_urls() -> None:
    url = httpx.URL("https://sso.test/cb", params={"code": "C0DE", "state": "s"})
    assert redact_url(url) == "https://sso.test/cb?code=***&state=s"


def test_redact_headers() -> None:
    safe = redact_headers(
        {"Authorization": "Bearer tok", "Cookie": "a=b", "Accept": "application/json", "X-Api-Key": "k"}
    )
    assert safe == {
        "Authorization": "Bearer ***",
        "Cookie": "***",
        "Accept": "application/json",
        "X-Api-Key": "***",
    }
    assert redact_headers([("proxy-authorization", "Basic abc")]) == {"proxy-authorization": "Basic ***"}


def test_redact_form() -> None:
    assert redact_form({"grant_type": "password", "password": "p", "TOTP": "123456"}) == (
        "grant_type=password&password=***&TOTP=***"
    )
    assert redact_form(b"refresh_token=r&client_id=c") == "refresh_token=***&client_id=c"
