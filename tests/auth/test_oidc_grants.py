"""OIDCClient: client authentication (form or Basic), revocation, authorization code, device calls,
JWKS, and derived clients for another client id."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from cartes_cli.auth.oidc import OIDCClient
from cartes_cli.errors import ApiError, InvalidResponse, LoginRefused, UsageError
from cartes_cli.platforms import Platform

ISSUER = "https://sso.test/realms/geoplateforme"
PLATFORM = Platform(name="test", api_url="https://data.test/api", issuer=ISSUER)
TOKEN = f"{ISSUER}/protocol/openid-connect/token"
REVOKE = f"{ISSUER}/protocol/openid-connect/revoke"
CERTS = f"{ISSUER}/protocol/openid-connect/certs"
LOGOUT = f"{ISSUER}/protocol/openid-connect/logout"
TOKENS = {"access_token": "sa-access", "expires_in": 300, "token_type": "Bearer"}


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{ISSUER}/.well-known/openid-configuration").respond(404)  # Keycloak's paths
        yield router


def test_client_credentials_secret_in_the_form(mock: respx.MockRouter) -> None:
    route = mock.post(TOKEN).respond(200, json=TOKENS)
    with OIDCClient(PLATFORM, client_id="svc-ci", client_secret="s3cret") as oidc:
        tokens = oidc.client_credentials()
    request = route.calls.last.request
    assert form(request) == {
        "grant_type": "client_credentials",
        "client_id": "svc-ci",
        "client_secret": "s3cret",
    }
    assert "authorization" not in request.headers
    assert tokens.refresh_token is None
    assert tokens.access_token.get_secret_value() == "sa-access"


def test_client_credentials_http_basic(mock: respx.MockRouter) -> None:
    route = mock.post(TOKEN).respond(200, json=TOKENS)
    with OIDCClient(PLATFORM, client_id="svc:ci", client_secret="p@ss word", client_auth="basic") as oidc:
        oidc.client_credentials(scope="openid")
    request = route.calls.last.request
    assert form(request) == {"grant_type": "client_credentials", "client_id": "svc:ci", "scope": "openid"}
    scheme, _, value = request.headers["authorization"].partition(" ")
    assert scheme == "Basic"
    # RFC 6749 §2.3.1: id and secret are form-encoded before base64.
    assert base64.b64decode(value).decode() == "svc%3Aci:p%40ss%20word"


def test_client_credentials_refused(mock: respx.MockRouter) -> None:
    mock.post(TOKEN).respond(
        401, json={"error": "unauthorized_client", "error_description": "Invalid client"}
    )
    with (
        OIDCClient(PLATFORM, client_id="svc", client_secret="bad") as oidc,
        pytest.raises(LoginRefused) as info,
    ):
        oidc.client_credentials()
    assert "service account svc" in str(info.value)
    assert "CARTES_CLIENT_SECRET" in str(info.value)
    assert "bad" not in str(info.value)


def test_empty_secret_is_no_secret() -> None:
    with OIDCClient(PLATFORM, client_secret="") as oidc:
        assert not oidc.has_client_secret
        with pytest.raises(UsageError):
            oidc.client_credentials()


def test_bad_client_auth_method() -> None:
    with pytest.raises(ValueError, match="client_auth"):
        OIDCClient(PLATFORM, client_auth="jwt")  # type: ignore[arg-type]


def test_revoke(mock: respx.MockRouter) -> None:
    route = mock.post(REVOKE).respond(200)
    with OIDCClient(PLATFORM) as oidc:
        oidc.revoke("refresh-1")
        oidc.revoke("access-1", hint="access_token")
        oidc.revoke("tok", hint=None)
    forms = [form(c.request) for c in route.calls]
    assert forms == [
        {"token": "refresh-1", "token_type_hint": "refresh_token", "client_id": "gpf-warehouse"},
        {"token": "access-1", "token_type_hint": "access_token", "client_id": "gpf-warehouse"},
        {"token": "tok", "client_id": "gpf-warehouse"},
    ]


def test_revoke_error(mock: respx.MockRouter) -> None:
    mock.post(REVOKE).respond(400, json={"error": "unsupported_token_type"})
    with OIDCClient(PLATFORM) as oidc, pytest.raises(ApiError) as info:
        oidc.revoke("x")
    assert info.value.error == "unsupported_token_type"


def test_logout_with_basic_auth(mock: respx.MockRouter) -> None:
    route = mock.post(LOGOUT).respond(204)
    with OIDCClient(PLATFORM, client_id="c", client_secret="s", client_auth="basic") as oidc:
        oidc.logout("refresh-1")
    assert form(route.calls.last.request) == {"refresh_token": "refresh-1", "client_id": "c"}
    assert route.calls.last.request.headers["authorization"].startswith("Basic ")


def test_authorization_code(mock: respx.MockRouter) -> None:
    route = mock.post(TOKEN).respond(200, json=TOKENS)
    with OIDCClient(PLATFORM, client_id="cartes-cli") as oidc:
        oidc.authorization_code("c0de", redirect_uri="http://127.0.0.1:5/callback", code_verifier="v" * 43)
        with pytest.raises(UsageError):
            oidc.authorization_code("", redirect_uri="x", code_verifier="v")
    assert form(route.calls.last.request) == {
        "grant_type": "authorization_code",
        "code": "c0de",
        "redirect_uri": "http://127.0.0.1:5/callback",
        "code_verifier": "v" * 43,
        "client_id": "cartes-cli",
    }


def test_device_authorization_not_json(mock: respx.MockRouter) -> None:
    mock.post(f"{ISSUER}/protocol/openid-connect/auth/device").respond(200, text="<html/>")
    with OIDCClient(PLATFORM) as oidc, pytest.raises(InvalidResponse):
        oidc.device_authorization()


def test_jwks_is_cached_and_can_be_reread(mock: respx.MockRouter) -> None:
    route = mock.get(CERTS).respond(200, json={"keys": [{"kid": "a"}]})
    with OIDCClient(PLATFORM) as oidc:
        assert oidc.jwks() == {"keys": [{"kid": "a"}]}
        oidc.jwks()
        assert route.call_count == 1
        oidc.jwks(refresh=True)
        assert route.call_count == 2


def test_jwks_garbage(mock: respx.MockRouter) -> None:
    mock.get(CERTS).respond(200, json={"nope": 1})
    with OIDCClient(PLATFORM) as oidc, pytest.raises(InvalidResponse, match="JWKS"):
        oidc.jwks()


def test_with_client_id_shares_the_pool_and_discovery(mock: respx.MockRouter) -> None:
    route = mock.post(TOKEN).respond(200, json=TOKENS)
    with OIDCClient(PLATFORM) as oidc:
        oidc.discovery()
        web = oidc.with_client_id("cartes-cli")
        assert web is not oidc
        assert web._http is oidc._http
        assert web.client_id == "cartes-cli"
        assert oidc.with_client_id("gpf-warehouse") is oidc
        web.refresh("r")
        web.close()  # does not own the pool
        assert not oidc._http.is_closed
    assert form(route.calls.last.request)["client_id"] == "cartes-cli"
    assert mock.routes[0].call_count == 1  # discovery fetched once for both
