"""OIDCClient against a respx-mocked Keycloak."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from cartes_cli.auth.oidc import OIDCClient, SessionExpired, keycloak_endpoints
from cartes_cli.errors import (
    AccountNotReady,
    ApiError,
    AuthRequired,
    ConfigError,
    InvalidResponse,
    LoginRefused,
    RateLimited,
    ServerError,
    TransportError,
    UsageError,
)
from cartes_cli.platforms import Platform

ISSUER = "https://sso.test/realms/geoplateforme"
PLATFORM = Platform(name="test", api_url="https://data.test/api", issuer=ISSUER, client_id="gpf-warehouse")
WELL_KNOWN = f"{ISSUER}/.well-known/openid-configuration"
TOKEN = f"{ISSUER}/protocol/openid-connect/token"
LOGOUT = f"{ISSUER}/protocol/openid-connect/logout"

TOKENS = {
    "access_token": "access-1",
    "expires_in": 300,
    "refresh_expires_in": 1800,
    "refresh_token": "refresh-1",
    "token_type": "Bearer",
    "scope": "openid profile email",
}


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        router.get(WELL_KNOWN).respond(
            200,
            json={
                "issuer": ISSUER,
                "token_endpoint": TOKEN,
                "end_session_endpoint": LOGOUT,
                "authorization_endpoint": f"{ISSUER}/protocol/openid-connect/auth",
            },
        )
        yield router


@pytest.fixture
def debug_lines() -> list[str]:
    return []


@pytest.fixture
def oidc(debug_lines: list[str]) -> Iterator[OIDCClient]:
    with OIDCClient(PLATFORM, debug=debug_lines.append, clock=lambda: 1000.0) as client:
        yield client


# --- discovery ----------------------------------------------------------------------------


def test_discovery_is_cached(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    assert oidc.discovery()["token_endpoint"] == TOKEN
    assert oidc.endpoint("end_session_endpoint") == LOGOUT
    assert oidc.endpoint("device_authorization_endpoint") == f"{ISSUER}/protocol/openid-connect/auth/device"
    assert mock.routes[0].call_count == 1


def test_discovery_falls_back_to_keycloak_paths_on_404(oidc: OIDCClient) -> None:
    with respx.mock() as router:
        router.get(WELL_KNOWN).respond(404)
        token = router.post(TOKEN).respond(200, json=TOKENS)
        oidc.password_grant("dave", "pw")
    assert token.called
    assert oidc.discovery() == keycloak_endpoints(ISSUER)


def test_discovery_server_error(oidc: OIDCClient) -> None:
    with respx.mock() as router:
        router.get(WELL_KNOWN).respond(503)
        with pytest.raises(ServerError):
            oidc.discovery()


def test_discovery_not_json(oidc: OIDCClient) -> None:
    with respx.mock() as router:
        router.get(WELL_KNOWN).respond(200, text="<html>")
        with pytest.raises(InvalidResponse, match="issuer URL"):
            oidc.discovery()


def test_discovery_refuses_plain_http_endpoints(oidc: OIDCClient) -> None:
    with respx.mock() as router:
        router.get(WELL_KNOWN).respond(200, json={"token_endpoint": "http://evil.test/token"})
        with pytest.raises(InvalidResponse, match="token_endpoint"):
            oidc.discovery()


def test_seeded_discovery_document_saves_a_round_trip() -> None:
    with respx.mock() as router:
        token = router.post("https://elsewhere.test/token").respond(200, json=TOKENS)
        with OIDCClient(
            PLATFORM, discovery_document={"token_endpoint": "https://elsewhere.test/token"}
        ) as oidc:
            oidc.password_grant("dave", "pw")
    assert token.called


# --- password grant -----------------------------------------------------------------------


def test_password_grant_success(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    route = mock.post(TOKEN).respond(200, json=TOKENS)
    tokens = oidc.password_grant("dave", "s3cret!", totp="123456")
    assert tokens.access_token.get_secret_value() == "access-1"
    assert tokens.expires_at == 1300.0
    sent = form(route.calls.last.request)
    assert sent == {
        "grant_type": "password",
        "username": "dave",
        "password": "s3cret!",
        "totp": "123456",
        "scope": "openid",
        "client_id": "gpf-warehouse",
    }
    assert route.calls.last.request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "authorization" not in route.calls.last.request.headers


def test_password_grant_without_totp(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    route = mock.post(TOKEN).respond(200, json=TOKENS)
    oidc.password_grant("dave", "pw")
    assert "totp" not in form(route.calls.last.request)


def test_client_secret_is_sent(mock: respx.MockRouter) -> None:
    route = mock.post(TOKEN).respond(200, json=TOKENS)
    with OIDCClient(PLATFORM, client_secret="cs") as oidc:
        oidc.client_credentials()
    assert form(route.calls.last.request) == {
        "grant_type": "client_credentials",
        "client_id": "gpf-warehouse",
        "client_secret": "cs",
    }


def test_client_credentials_needs_a_secret(oidc: OIDCClient) -> None:
    with pytest.raises(UsageError):
        oidc.client_credentials()


def test_invalid_grant(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    mock.post(TOKEN).respond(
        401, json={"error": "invalid_grant", "error_description": "Invalid user credentials"}
    )
    with pytest.raises(LoginRefused) as info:
        oidc.password_grant("dave", "wrong")
    error = info.value
    assert type(error) is LoginRefused
    assert isinstance(error, AuthRequired)
    assert error.error == "invalid_grant"
    assert error.messages == ["Invalid user credentials"]
    assert error.status == 401
    assert str(error) == "Login refused: Invalid user credentials."
    assert "wrong" not in repr(error.__dict__)


def test_account_not_fully_set_up(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    mock.post(TOKEN).respond(
        400, json={"error": "invalid_grant", "error_description": "Account is not fully set up"}
    )
    with pytest.raises(AccountNotReady) as info:
        oidc.password_grant("dave", "pw")
    assert info.value.error == "invalid_grant"
    assert info.value.messages == ["Account is not fully set up"]
    assert f"{ISSUER}/account" in str(info.value)


def test_invalid_client(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    mock.post(TOKEN).respond(
        401, json={"error": "invalid_client", "error_description": "Invalid client credentials"}
    )
    with pytest.raises(LoginRefused) as info:
        oidc.password_grant("dave", "pw")
    assert info.value.error == "invalid_client"
    assert "gpf-warehouse" in str(info.value)


def test_login_refused_without_a_body(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    mock.post(TOKEN).respond(401)
    with pytest.raises(LoginRefused, match="not accepted"):
        oidc.password_grant("dave", "pw")


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors(mock: respx.MockRouter, oidc: OIDCClient, status: int) -> None:
    mock.post(TOKEN).respond(status, text="upstream failed")
    with pytest.raises(ServerError) as info:
        oidc.password_grant("dave", "pw")
    assert info.value.status == status
    assert "sso.test" in str(info.value)


def test_rate_limited(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    mock.post(TOKEN).respond(429, headers={"Retry-After": "3"})
    with pytest.raises(RateLimited) as info:
        oidc.password_grant("dave", "pw")
    assert info.value.retry_after == 3.0


def test_token_endpoint_missing(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    mock.post(TOKEN).respond(404)
    with pytest.raises(ConfigError, match="check the issuer URL"):
        oidc.password_grant("dave", "pw")


def test_other_status(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    mock.post(TOKEN).respond(418)
    with pytest.raises(ApiError) as info:
        oidc.password_grant("dave", "pw")
    assert info.value.status == 418


def test_success_that_is_not_json(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    mock.post(TOKEN).respond(200, text="<html>")
    with pytest.raises(InvalidResponse):
        oidc.password_grant("dave", "pw")


def test_empty_credentials_are_refused_before_any_request(oidc: OIDCClient) -> None:
    with pytest.raises(UsageError):
        oidc.password_grant("dave", "")


def test_unreachable_login_server() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    platform = Platform(name="sandbox", api_url="http://x/api", issuer=f"http://127.0.0.1:{port}/realms/g")
    with OIDCClient(platform, timeout=2) as oidc, pytest.raises(TransportError) as info:
        oidc.password_grant("dave", "pw")
    assert str(info.value) == f"Cannot reach 127.0.0.1:{port}: connection refused."


def test_timeout_mocked(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    mock.post(TOKEN).mock(side_effect=httpx.ConnectTimeout("timed out"))
    with pytest.raises(TransportError, match=r"^Cannot reach sso\.test: the connection timed out"):
        oidc.password_grant("dave", "pw")


# --- refresh and logout -------------------------------------------------------------------


def test_refresh(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    route = mock.post(TOKEN).respond(200, json={**TOKENS, "refresh_token": "refresh-2"})
    tokens = oidc.refresh("refresh-1")
    assert tokens.refresh_token is not None
    assert tokens.refresh_token.get_secret_value() == "refresh-2"
    assert form(route.calls.last.request) == {
        "grant_type": "refresh_token",
        "refresh_token": "refresh-1",
        "client_id": "gpf-warehouse",
    }


@pytest.mark.parametrize(
    "body",
    [
        {"error": "invalid_grant", "error_description": "Token is not active"},
        {"error": "invalid_grant", "error_description": "Session not active"},
        {},
    ],
)
def test_refused_refresh_means_log_in_again(
    mock: respx.MockRouter, oidc: OIDCClient, body: dict[str, str]
) -> None:
    mock.post(TOKEN).respond(400, json=body)
    with pytest.raises(SessionExpired) as info:
        oidc.refresh("refresh-1")
    assert isinstance(info.value, AuthRequired)
    assert "log in again" in str(info.value)


def test_refresh_5xx_is_not_a_session_end(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    mock.post(TOKEN).respond(503)
    with pytest.raises(ServerError):
        oidc.refresh("refresh-1")


def test_logout(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    route = mock.post(LOGOUT).respond(204)
    oidc.logout("refresh-1")
    assert form(route.calls.last.request) == {"refresh_token": "refresh-1", "client_id": "gpf-warehouse"}


def test_logout_tolerates_an_unknown_token(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    mock.post(LOGOUT).respond(
        400, json={"error": "invalid_grant", "error_description": "Invalid refresh token"}
    )
    oidc.logout("refresh-1")  # no error


def test_logout_server_error(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    mock.post(LOGOUT).respond(500)
    with pytest.raises(ServerError):
        oidc.logout("refresh-1")


# --- debug --------------------------------------------------------------------------------


def test_debug_never_shows_form_values(
    mock: respx.MockRouter, oidc: OIDCClient, debug_lines: list[str]
) -> None:
    mock.post(TOKEN).respond(
        401, json={"error": "invalid_grant", "error_description": "Invalid user credentials"}
    )
    with pytest.raises(LoginRefused):
        oidc.password_grant("dave", "hunter2-password", totp="987654")
    text = "\n".join(debug_lines)
    assert "hunter2-password" not in text
    assert "987654" not in text
    assert f"→ POST {TOKEN} (grant_type=password)" in debug_lines
    assert any(
        line.startswith(f"← 401 POST {TOKEN} (") and line.endswith("invalid_grant") for line in debug_lines
    )


def test_repr_has_no_secret() -> None:
    with OIDCClient(PLATFORM, client_secret="very-secret") as oidc:
        assert "very-secret" not in repr(oidc)
        assert "very-secret" not in repr(oidc.__dict__)


def test_shared_http_client_is_not_closed() -> None:
    http = httpx.Client()
    with OIDCClient(PLATFORM, http=http):
        pass
    assert not http.is_closed
    http.close()
