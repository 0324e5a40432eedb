"""Browser login (authorization code + PKCE) against a respx Keycloak, with real loopback requests.

The "browser" is a thread doing plain ``urllib`` requests to the loopback listener (not httpx,
which respx intercepts).
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import respx

from cartes_cli.auth.idtoken import IdTokenError
from cartes_cli.auth.oidc import OIDCClient
from cartes_cli.auth.web import WebLogin, code_challenge, new_code_verifier
from cartes_cli.errors import ConfigError, LoginRefused, LoginTimedOut
from cartes_cli.platforms import Platform

from .jwt_helpers import public_jwk, rsa_key, signed_jwt

ISSUER = "https://sso.test/realms/geoplateforme"
PLATFORM = Platform(name="test", api_url="https://data.test/api", issuer=ISSUER, web_client_id="cartes-cli")
AUTH = f"{ISSUER}/protocol/openid-connect/auth"
TOKEN = f"{ISSUER}/protocol/openid-connect/token"
CERTS = f"{ISSUER}/protocol/openid-connect/certs"
DISCOVERY = {"issuer": ISSUER, "authorization_endpoint": AUTH, "token_endpoint": TOKEN, "jwks_uri": CERTS}

KEY = rsa_key("main")
OTHER_KEY = rsa_key("other")


def id_token(nonce: str, *, key: Any = KEY, kid: str = "k1", **claims: Any) -> str:
    body = {
        "iss": ISSUER,
        "aud": "cartes-cli",
        "sub": "u1",
        "exp": int(time.time()) + 300,
        "iat": int(time.time()),
        "nonce": nonce,
        "preferred_username": "dave",
        **claims,
    }
    return signed_jwt(body, key, kid)


@dataclass
class Keycloak:
    """Token endpoint: checks the PKCE verifier against the challenge of the authorization URL."""

    router: respx.MockRouter
    certs: respx.Route
    forms: list[dict[str, str]] = field(default_factory=list)
    challenge: str = ""
    nonce: str = ""
    make_id_token: Callable[[str], str] | None = None

    def token(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        self.forms.append(form)
        if code_challenge(form.get("code_verifier", "")) != self.challenge:
            return httpx.Response(400, json={"error": "invalid_grant", "error_description": "PKCE failed"})
        make = self.make_id_token or id_token
        return httpx.Response(
            200,
            json={
                "access_token": "access-1",
                "refresh_token": "refresh-1",
                "expires_in": 300,
                "id_token": make(self.nonce),
            },
        )


@pytest.fixture
def keycloak() -> Iterator[Keycloak]:
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{ISSUER}/.well-known/openid-configuration").respond(200, json=DISCOVERY)
        certs = router.get(CERTS).respond(200, json={"keys": [public_jwk(KEY, "k1")]})
        kc = Keycloak(router, certs)
        router.post(TOKEN).mock(side_effect=kc.token)
        yield kc


@pytest.fixture
def oidc() -> Iterator[OIDCClient]:
    with OIDCClient(PLATFORM) as client:
        yield client


@dataclass
class Browser:
    """Opens the authorization URL "in a browser": answers with a redirect to the listener."""

    keycloak: Keycloak
    answer: Callable[[dict[str, str]], dict[str, str]] = lambda q: {"code": "the-code", "state": q["state"]}
    before: list[str] = field(default_factory=list)
    """Paths requested on the listener before the redirect (``/favicon.ico``…)."""
    pages: list[tuple[int, str]] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)

    def get(self, url: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback test URL
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        self.keycloak.challenge = query["code_challenge"]
        self.keycloak.nonce = query["nonce"]
        redirect = query["redirect_uri"]
        root = redirect.rsplit("/", 1)[0]

        def visit() -> None:
            for path in self.before:
                self.pages.append(self.get(root + path))
            self.pages.append(self.get(redirect + "?" + urlencode(self.answer(query))))

        self._visitor = threading.Thread(target=visit, daemon=True)
        self._visitor.start()
        return True

    def finished_pages(self) -> list[tuple[int, str]]:
        """The pages, once the browser has read them all (the CLI may finish first)."""
        visitor = getattr(self, "_visitor", None)
        if visitor is not None:
            visitor.join(5)
        return self.pages


def test_pkce_rfc7636_vector() -> None:
    assert code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == (
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )
    for length in (43, 64, 128):
        verifier = new_code_verifier(length)
        assert len(verifier) == length
        assert set(verifier) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    with pytest.raises(ValueError, match="43 to 128"):
        new_code_verifier(42)
    assert new_code_verifier() != new_code_verifier()


def test_authorization_url_is_known_before_waiting(keycloak: Keycloak, oidc: OIDCClient) -> None:
    with WebLogin(oidc, extra_params={"ui_locales": "fr"}) as login:
        url = login.authorization_url
        parts = urlsplit(url)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == AUTH
        assert query["response_type"] == "code"
        assert query["client_id"] == "cartes-cli"
        assert query["redirect_uri"] == f"http://127.0.0.1:{login.port}/callback"
        assert query["scope"] == "openid"
        assert query["code_challenge_method"] == "S256"
        assert query["code_challenge"] == code_challenge(login.code_verifier)
        assert query["state"] == login.state
        assert query["nonce"] == login.nonce
        assert query["ui_locales"] == "fr"
        assert "code_verifier" not in query
        assert login.client_id == "cartes-cli"
        assert not keycloak.forms  # nothing exchanged yet


def test_full_login(keycloak: Keycloak, oidc: OIDCClient) -> None:
    browser = Browser(keycloak, before=["/favicon.ico"])
    login = WebLogin(oidc, open_browser=browser, timeout=10)
    tokens = login.wait()
    assert tokens.access_token.get_secret_value() == "access-1"
    assert tokens.refresh_token is not None
    assert keycloak.certs.call_count == 1  # the ID token's signature was checked
    assert login.browser_opened is True
    assert browser.opened == [login.authorization_url]
    [form] = keycloak.forms
    assert form == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": login.redirect_uri,
        "code_verifier": login.code_verifier,
        "client_id": "cartes-cli",
    }
    (favicon_status, _), (status, page) = browser.finished_pages()
    assert favicon_status == 404  # ignored, the login went on
    assert status == 200
    assert "Vous pouvez fermer cet onglet" in page
    assert "You may close this tab" in page
    # The listener is gone once the login is over.
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", login.port)) != 0


def test_a_forged_callback_is_ignored_and_the_login_goes_on(keycloak: Keycloak, oidc: OIDCClient) -> None:
    # A local process (or a web page guessing the port) calls first with a code of its own.
    browser = Browser(keycloak, before=["/callback?code=stolen&state=forged", "/callback?code=stolen"])
    tokens = WebLogin(oidc, open_browser=browser, timeout=10).wait()
    assert tokens.access_token.get_secret_value() == "access-1"
    assert [form["code"] for form in keycloak.forms] == ["the-code"]  # the forged codes are never sent
    forged, missing, genuine = browser.finished_pages()
    assert forged[0] == missing[0] == 400
    assert "ignored" in forged[1]
    assert genuine[0] == 200


def test_only_forged_callbacks_end_in_a_time_out(keycloak: Keycloak, oidc: OIDCClient) -> None:
    browser = Browser(keycloak, answer=lambda q: {"code": "stolen", "state": "forged"})
    with pytest.raises(LoginTimedOut):
        WebLogin(oidc, open_browser=browser, timeout=1.5).wait()
    assert keycloak.forms == []


def test_access_denied_redirect(keycloak: Keycloak, oidc: OIDCClient) -> None:
    browser = Browser(
        keycloak,
        answer=lambda q: {
            "error": "access_denied",
            "error_description": "L'utilisateur a refusé <script>\x1b[31m",
            "state": q["state"],
        },
    )
    with pytest.raises(LoginRefused) as info:
        WebLogin(oidc, open_browser=browser, timeout=10).wait()
    message = str(info.value)
    assert message.startswith("The login was declined in the browser: L'utilisateur a refusé")
    assert "\x1b" not in message  # no terminal escapes from a URL
    assert info.value.error == "access_denied"
    assert keycloak.forms == []
    [(status, page)] = browser.finished_pages()
    assert status == 400
    assert "&lt;script&gt;" in page
    assert "<script>" not in page


def test_other_error_redirect(keycloak: Keycloak, oidc: OIDCClient) -> None:
    browser = Browser(keycloak, answer=lambda q: {"error": "temporarily_unavailable", "state": q["state"]})
    with pytest.raises(LoginRefused, match=r"refused the login \(temporarily_unavailable\)"):
        WebLogin(oidc, open_browser=browser, timeout=10).wait()


def test_timeout(keycloak: Keycloak, oidc: OIDCClient) -> None:
    login = WebLogin(oidc, timeout=0.3)
    start = time.monotonic()
    with pytest.raises(LoginTimedOut, match=r"within 0\.3 s"):
        login.wait()
    assert time.monotonic() - start < 3
    assert keycloak.forms == []


def test_browser_that_cannot_open(keycloak: Keycloak, oidc: OIDCClient) -> None:
    def broken(url: str) -> bool:
        raise OSError("no display")

    login = WebLogin(oidc, open_browser=broken, timeout=0.2)
    with pytest.raises(LoginTimedOut):
        login.wait()
    assert login.browser_opened is False


def test_nonce_mismatch(keycloak: Keycloak, oidc: OIDCClient) -> None:
    keycloak.make_id_token = lambda nonce: id_token("another-login")
    with pytest.raises(IdTokenError, match="nonce"):
        WebLogin(oidc, open_browser=Browser(keycloak), timeout=10).wait()


def test_bad_signature(keycloak: Keycloak, oidc: OIDCClient) -> None:
    keycloak.make_id_token = lambda nonce: id_token(nonce, key=OTHER_KEY)
    with pytest.raises(IdTokenError, match="signature"):
        WebLogin(oidc, open_browser=Browser(keycloak), timeout=10).wait()


def test_signature_check_can_be_skipped(keycloak: Keycloak, oidc: OIDCClient) -> None:
    keycloak.make_id_token = lambda nonce: id_token(nonce, key=OTHER_KEY)
    login = WebLogin(oidc, open_browser=Browser(keycloak), timeout=10, verify_signature=False)
    assert login.wait().access_token.get_secret_value() == "access-1"
    assert keycloak.certs.call_count == 0


def test_wrong_audience(keycloak: Keycloak, oidc: OIDCClient) -> None:
    keycloak.make_id_token = lambda nonce: id_token(nonce, aud="someone-else")
    with pytest.raises(IdTokenError, match="another application"):
        WebLogin(oidc, open_browser=Browser(keycloak), timeout=10).wait()


def test_configurable_client_id(keycloak: Keycloak, oidc: OIDCClient) -> None:
    keycloak.make_id_token = lambda nonce: id_token(nonce, aud=["my-client", "account"])
    login = WebLogin(oidc, client_id="my-client", open_browser=Browser(keycloak), timeout=10)
    login.wait()
    assert keycloak.forms[0]["client_id"] == "my-client"
    assert oidc.client_id == "gpf-warehouse"  # the original is untouched


def test_busy_port(oidc: OIDCClient) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ConfigError, match=f"127.0.0.1:{port}"):
            WebLogin(oidc, port=port)


def test_close_without_wait_frees_the_port(oidc: OIDCClient) -> None:
    login = WebLogin(oidc)
    port = login.port
    login.close()
    login.close()  # idempotent
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_fixed_port_can_be_reused_right_away(keycloak: Keycloak, oidc: OIDCClient) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    first = WebLogin(oidc, port=port, open_browser=Browser(keycloak), timeout=10)
    first.wait()  # the browser's connection to the port leaves it in TIME_WAIT
    second = WebLogin(oidc, port=port, open_browser=Browser(keycloak), timeout=10)
    assert second.redirect_uri == f"http://127.0.0.1:{port}/callback"
    second.wait()
