"""The real platform's OIDC clients: gpf-warehouse's secret travels with every call made with it,
the browser login pastes the address back, and a refused client is named as such.

Keycloak's descriptions below are its own (ClientIdAndSecretAuthenticator,
ResourceOwnerPasswordCredentialsGrantType, the device authorization endpoint).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import respx

from cartes_cli.auth.oidc import OIDCClient
from cartes_cli.auth.web import PastedLogin, PasteRejected
from cartes_cli.cli.errors import describe
from cartes_cli.errors import ClientRefused, LoginRefused
from cartes_cli.platforms import (
    GPF_WAREHOUSE,
    GPF_WAREHOUSE_SECRET,
    KNOWN_PLATFORMS,
    LOOPBACK,
    PROD_SWAGGER_REDIRECT,
    ClientOverrides,
    Platform,
    custom_clients,
    sandbox_clients,
)

PROD = KNOWN_PLATFORMS["prod"]
ISSUER = PROD.issuer
TOKEN = f"{ISSUER}/protocol/openid-connect/token"
AUTH = f"{ISSUER}/protocol/openid-connect/auth"
LOGOUT = f"{ISSUER}/protocol/openid-connect/logout"
REVOKE = f"{ISSUER}/protocol/openid-connect/revoke"
DEVICE = f"{ISSUER}/protocol/openid-connect/auth/device"
TOKENS = {"access_token": "a.b.c", "refresh_token": "r.s.t", "expires_in": 300, "token_type": "Bearer"}


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


@pytest.fixture
def keycloak() -> Any:
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{ISSUER}/.well-known/openid-configuration").respond(404)
        yield router


# --- the platforms' clients ---------------------------------------------------------------------


def test_prod_and_qualif_use_gpf_warehouse_with_its_published_secret_and_the_swagger_redirect() -> None:
    for name in ("prod", "qualif"):
        platform = KNOWN_PLATFORMS[name]
        assert (platform.client_id, platform.web_client_id) == (GPF_WAREHOUSE, GPF_WAREHOUSE)
        assert platform.secret_for(GPF_WAREHOUSE) == GPF_WAREHOUSE_SECRET
        assert not platform.web_loopback
        assert not platform.device_grant
    assert (
        PROD.web_redirect == PROD_SWAGGER_REDIRECT == "https://data.geopf.fr/swagger-ui/oauth2-redirect.html"
    )
    assert GPF_WAREHOUSE_SECRET not in repr(PROD)


def test_the_sandbox_has_a_demo_secret_for_gpf_warehouse_and_a_public_cli_client() -> None:
    sandbox = sandbox_clients(Platform(name="sandbox", api_url="http://127.0.0.1:9/api", issuer="http://x/r"))
    assert sandbox.secret_for(GPF_WAREHOUSE) not in (None, GPF_WAREHOUSE_SECRET)
    assert (sandbox.web_client_id, sandbox.web_redirect, sandbox.device_grant) == (
        "cartes-cli",
        LOOPBACK,
        True,
    )
    assert sandbox.secret_for("cartes-cli") is None


def test_a_platform_given_by_url_is_a_sandbox_on_loopback_and_prod_like_elsewhere() -> None:
    local = custom_clients(Platform(name="custom", api_url="http://127.0.0.1:8/api", issuer="http://x/r"))
    assert local.web_client_id == "cartes-cli"
    remote = custom_clients(
        Platform(name="custom", api_url="https://gpf.test/api", issuer="https://sso.test/r")
    )
    assert remote.web_redirect == "https://gpf.test/swagger-ui/oauth2-redirect.html"
    assert remote.secret_for(GPF_WAREHOUSE) == GPF_WAREHOUSE_SECRET


def test_overrides_name_another_client_and_drop_the_platform_secret() -> None:
    other = ClientOverrides(client_id="cartes-cli", redirect=LOOPBACK, device=True).apply(PROD)
    assert (other.client_id, other.web_client_id, other.web_redirect, other.device_grant) == (
        "cartes-cli",
        "cartes-cli",
        LOOPBACK,
        True,
    )
    assert other.secret_for("cartes-cli") is None  # the published secret is gpf-warehouse's only
    rotated = ClientOverrides(client_secret="new-secret").apply(PROD)
    assert rotated.secret_for(GPF_WAREHOUSE) == "new-secret"
    sandbox = sandbox_clients(Platform(name="sandbox", api_url="http://127.0.0.1:9/api", issuer="http://x/r"))
    like_prod = ClientOverrides(client_id=GPF_WAREHOUSE).apply(sandbox)
    assert like_prod.web_redirect == "http://127.0.0.1:9/swagger-ui/oauth2-redirect.html"
    assert like_prod.secret_for(GPF_WAREHOUSE) == sandbox.secret_for(GPF_WAREHOUSE)
    assert not like_prod.device_grant


# --- the secret travels with every call ----------------------------------------------------------


def test_gpf_warehouse_sends_its_secret_for_password_refresh_logout_and_revocation(keycloak: Any) -> None:
    token = keycloak.post(TOKEN).respond(200, json=TOKENS)
    logout = keycloak.post(LOGOUT).respond(204)
    revoke = keycloak.post(REVOKE).respond(200)
    with OIDCClient(PROD) as oidc:
        oidc.password_grant("dave", "pw", totp="123456")
        assert form(token.calls.last.request)["client_secret"] == GPF_WAREHOUSE_SECRET
        assert form(token.calls.last.request)["totp"] == "123456"
        oidc.refresh("r.s.t")
        assert form(token.calls.last.request)["client_secret"] == GPF_WAREHOUSE_SECRET
        oidc.logout("r.s.t")
        assert form(logout.calls.last.request)["client_secret"] == GPF_WAREHOUSE_SECRET
        oidc.revoke("r.s.t")
        assert form(revoke.calls.last.request)["client_secret"] == GPF_WAREHOUSE_SECRET
        oidc.authorization_code("code", redirect_uri=PROD_SWAGGER_REDIRECT, code_verifier="v" * 43)
        assert form(token.calls.last.request)["client_secret"] == GPF_WAREHOUSE_SECRET


def test_a_public_client_sends_no_secret(keycloak: Any) -> None:
    token = keycloak.post(TOKEN).respond(200, json=TOKENS)
    with OIDCClient(PROD, client_id="cartes-cli") as oidc:
        oidc.refresh("r.s.t")
    assert "client_secret" not in form(token.calls.last.request)


# --- refusals name the client ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error", "description", "expected"),
    [
        (401, "unauthorized_client", "Client secret not provided in request", "no client secret was sent"),
        (401, "unauthorized_client", "Invalid client or Invalid client credentials", "its secret is wrong"),
        (401, "invalid_client", "Invalid client credentials", "its secret is wrong"),
        (400, "unauthorized_client", "Client not allowed for direct access grants", "password logins"),
    ],
)
def test_a_refused_client_is_not_a_wrong_password(
    keycloak: Any, status: int, error: str, description: str, expected: str
) -> None:
    keycloak.post(TOKEN).respond(status, json={"error": error, "error_description": description})
    with OIDCClient(PROD) as oidc, pytest.raises(ClientRefused) as info:
        oidc.password_grant("dave", "pw")
    code, message = describe(info.value)
    assert code == 4
    assert expected in message
    assert "gpf-warehouse" in message
    assert "password is wrong" not in message
    assert "wrong username" not in message
    assert GPF_WAREHOUSE_SECRET not in message


def test_a_device_grant_the_client_lacks_is_named(keycloak: Any) -> None:
    keycloak.post(DEVICE).respond(
        400,
        json={
            "error": "unauthorized_client",
            "error_description": "Client is not allowed to initiate OAuth 2.0 Device Authorization Grant. "
            "The flow is disabled for the client.",
        },
    )
    with (
        OIDCClient(PROD) as oidc,
        pytest.raises(ClientRefused, match="device logins through the OIDC client"),
    ):
        oidc.device_authorization()


def test_a_wrong_password_is_still_a_wrong_password(keycloak: Any) -> None:
    keycloak.post(TOKEN).respond(
        401, json={"error": "invalid_grant", "error_description": "Invalid user credentials"}
    )
    with OIDCClient(PROD) as oidc, pytest.raises(LoginRefused) as info:
        oidc.password_grant("dave", "pw")
    assert not isinstance(info.value, ClientRefused)


def test_an_unregistered_redirect_is_caught_before_the_browser_opens(keycloak: Any) -> None:
    keycloak.get(AUTH).respond(
        400, html="<p>Paramètre invalide : redirect_uri</p><p>Invalid parameter: redirect_uri</p>"
    )
    with OIDCClient(PROD) as oidc:
        flow = PastedLogin(oidc, redirect_uri="http://127.0.0.1:5000/callback")
        with pytest.raises(ClientRefused, match="CARTES_OIDC_REDIRECT_URI") as info:
            flow.check()
    assert "127.0.0.1:5000/callback" in info.value.message


def test_a_login_page_passes_the_check(keycloak: Any) -> None:
    keycloak.get(AUTH).respond(200, html="<form id='kc-form-login'></form>")
    with OIDCClient(PROD) as oidc:
        PastedLogin(oidc, redirect_uri=PROD_SWAGGER_REDIRECT).check()


# --- pasting the address back -------------------------------------------------------------------


def landing(flow: PastedLogin, **params: str) -> str:
    values = {"state": flow.state, "session_state": "s", "iss": ISSUER, "code": "c0de.1234.5678", **params}
    return f"{PROD_SWAGGER_REDIRECT}?{urlencode(values)}"


def test_the_authorization_url_carries_pkce_state_nonce_and_the_registered_redirect(keycloak: Any) -> None:
    with OIDCClient(PROD) as oidc:
        flow = PastedLogin(oidc, redirect_uri=PROD_SWAGGER_REDIRECT)
        query = parse_qs(urlsplit(flow.authorization_url).query)
    assert query["client_id"] == [GPF_WAREHOUSE]
    assert query["redirect_uri"] == [PROD_SWAGGER_REDIRECT]
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] == [flow.state]
    assert query["nonce"] == [flow.nonce]
    assert "client_secret" not in query  # the secret never goes into a browser's address


def test_the_pasted_address_is_exchanged_with_pkce_and_the_secret(keycloak: Any) -> None:
    token = keycloak.post(TOKEN).respond(200, json=TOKENS)
    with OIDCClient(PROD) as oidc:
        flow = PastedLogin(oidc, redirect_uri=PROD_SWAGGER_REDIRECT)
        flow.answer(f"  <{landing(flow)}>\n")
    sent = form(token.calls.last.request)
    assert sent["code"] == "c0de.1234.5678"
    assert sent["redirect_uri"] == PROD_SWAGGER_REDIRECT
    assert sent["code_verifier"] == flow.code_verifier
    assert sent["client_secret"] == GPF_WAREHOUSE_SECRET


def test_a_bare_code_is_accepted(keycloak: Any) -> None:
    token = keycloak.post(TOKEN).respond(200, json=TOKENS)
    with OIDCClient(PROD) as oidc:
        PastedLogin(oidc, redirect_uri=PROD_SWAGGER_REDIRECT).answer("c0de.1234.5678")
    assert form(token.calls.last.request)["code"] == "c0de.1234.5678"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda f: landing(f, state="an-older-attempt"), "another login attempt"),
        (lambda f: "https://example.test/phish?code=x&state=" + f.state, "not the page the login ends on"),
        (lambda f: PROD_SWAGGER_REDIRECT, "no code"),
        (lambda f: landing(f, iss="https://evil.test/realms/x"), "another login server"),
        (lambda f: "", "Nothing was pasted"),
        (lambda f: "hello world", "neither an address nor a code"),
        (lambda f: landing(f).replace("state=", "stat="), "no state"),
    ],
)
def test_a_foreign_or_stale_paste_is_refused_before_anything_is_sent(
    keycloak: Any, make: Any, expected: str
) -> None:
    token = keycloak.post(TOKEN).respond(200, json=TOKENS)
    with OIDCClient(PROD) as oidc:
        flow = PastedLogin(oidc, redirect_uri=PROD_SWAGGER_REDIRECT)
        with pytest.raises(PasteRejected, match=expected):
            flow.answer(make(flow))
    assert token.call_count == 0


def test_a_declined_login_says_so(keycloak: Any) -> None:
    with OIDCClient(PROD) as oidc:
        flow = PastedLogin(oidc, redirect_uri=PROD_SWAGGER_REDIRECT)
        pasted = f"{PROD_SWAGGER_REDIRECT}?{urlencode({'state': flow.state, 'error': 'access_denied'})}"
        with pytest.raises(LoginRefused, match="declined"):
            flow.answer(pasted)
