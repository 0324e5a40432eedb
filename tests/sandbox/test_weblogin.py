"""Browser logins driven over HTTP like a script would: authorization code + PKCE, the login and
TOTP pages, the checks Keycloak makes, FranceConnect and ProConnect (simulated)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
import jwt
import pyotp
import pytest

from tests.conftest import WAREHOUSE

from .browser import AUTH_PATH, REALM, REDIRECT_URI, Authorization, Browser, location_params, parse
from .conftest import DEMO_PASSWORD, DEMO_TOTP_SECRET, ISSUER, Harness, demo_id


@pytest.fixture
def browser(sb: Harness) -> Browser:
    return Browser(sb)


def claims(token: str) -> dict[str, object]:
    decoded: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    return decoded


# --- the happy path --------------------------------------------------------------------------


def test_code_flow_with_pkce_end_to_end(sb: Harness, browser: Browser) -> None:
    auth = browser.authorize()
    assert auth.response.status_code == 200
    page = parse(auth.response)
    assert page.lang == "fr"
    form = page.form("kc-form-login")
    assert set(form.fields) >= {"username", "password", "credentialId"}
    assert form.action.startswith(f"{ISSUER}/login-actions/authenticate?")
    query = dict(p.split("=", 1) for p in urlsplit(form.action).query.split("&"))
    assert set(query) == {"session_code", "execution", "client_id", "tab_id"}
    assert "Nom d'utilisateur" in page.labels["username"]
    assert "Mot de passe" in page.labels["password"]
    assert {"social-franceconnect", "social-proconnect"} <= set(page.links)
    headers = auth.response.headers
    assert headers["cache-control"].startswith("no-store")
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]

    response = browser.login(page, "julien.lefebvre")
    params = location_params(response)
    assert response.headers["location"].startswith(REDIRECT_URI + "?")
    assert list(params) == ["state", "session_state", "iss", "code"]
    assert params["state"] == auth.state
    assert params["iss"] == ISSUER

    tokens = browser.exchange(auth, params["code"])
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["session_state"] == params["session_state"]
    assert claims(body["id_token"])["nonce"] == auth.nonce
    access = claims(body["access_token"])
    assert access["sub"] == demo_id("user", "julien.lefebvre")
    assert access["azp"] == "cartes-cli"
    # The tokens work: API call, refresh.
    assert sb.get("/api/users/me", token=body["access_token"]).status_code == 200
    assert sb.refresh(body["refresh_token"], client_id="cartes-cli").status_code == 200
    assert sb.get("/sandbox/stats").json()["token_grants"]["authorization_code"] == 1


@pytest.mark.parametrize(
    "redirect_uri", ["http://127.0.0.1:9/cb", "http://localhost:65000/x/y?z=1", "http://[::1]:4242/"]
)
def test_loopback_redirect_uris_match_any_port(browser: Browser, redirect_uri: str) -> None:
    auth, code = browser.code_for("julien.lefebvre", redirect_uri=redirect_uri)
    assert browser.exchange(auth, code).status_code == 200


SWAGGER = "http://127.0.0.1/swagger-ui/oauth2-redirect.html"


def test_gpf_warehouse_logs_in_through_its_swagger_redirect_with_its_secret(browser: Browser) -> None:
    auth, code = browser.code_for("claire.moreau", client_id="gpf-warehouse", redirect_uri=SWAGGER)
    without = browser.exchange(auth, code)
    assert without.json()["error_description"] == "Client secret not provided in request"
    auth, code = browser.code_for("claire.moreau", client_id="gpf-warehouse", redirect_uri=SWAGGER)
    exchanged = browser.exchange(auth, code, client_secret=WAREHOUSE["client_secret"])
    assert claims(exchanged.json()["access_token"])["azp"] == "gpf-warehouse"
    assert browser.get("/swagger-ui/oauth2-redirect.html").status_code == 200


@pytest.mark.parametrize(
    ("client_id", "redirect_uri"),
    [
        ("gpf-warehouse", REDIRECT_URI),  # no loopback for IGN's clients
        ("cartes-gouv-public", REDIRECT_URI),
        ("gpf-warehouse", "https://data.geopf.fr/swagger-ui/oauth2-redirect.html"),  # another origin
    ],
)
def test_unregistered_redirects_are_an_error_page(
    browser: Browser, client_id: str, redirect_uri: str
) -> None:
    auth = browser.authorize(client_id=client_id, redirect_uri=redirect_uri)
    assert auth.response.status_code == 400
    assert "Invalid parameter: redirect_uri" in auth.response.text


def test_fragment_and_form_post_response_modes(browser: Browser) -> None:
    auth = browser.authorize(response_mode="fragment")
    response = browser.login(parse(auth.response), "julien.lefebvre")
    assert "#state=" in response.headers["location"]
    assert browser.exchange(auth, location_params(response)["code"]).status_code == 200

    auth = browser.authorize(response_mode="form_post")
    page = parse(browser.login(parse(auth.response), "julien.lefebvre"))
    posted = page.form("kc-form-post")
    assert posted.action == REDIRECT_URI
    assert posted.fields["state"] == auth.state
    assert browser.exchange(auth, posted.fields["code"]).status_code == 200


def test_login_hint_prefills_the_username(browser: Browser) -> None:
    page = parse(browser.authorize(login_hint="julien.lefebvre").response)
    assert page.form("kc-form-login").fields["username"] == "julien.lefebvre"


# --- the login pages -------------------------------------------------------------------------


def test_wrong_password_re_renders_the_page_with_keycloaks_message(browser: Browser) -> None:
    auth = browser.authorize()
    response = browser.login(parse(auth.response), "julien.lefebvre", "Wrong-Password-42!!")
    assert response.status_code == 200
    page = parse(response)
    assert "Nom d'utilisateur ou mot de passe invalide." in page.text
    assert page.form("kc-form-login").fields["username"] == "julien.lefebvre"
    assert 'aria-invalid="true"' in response.text
    unknown = browser.login(page, "nobody.at.all")
    assert "Nom d'utilisateur ou mot de passe invalide." in parse(unknown).text
    # And then the right password still works on the re-rendered page.
    ok = browser.login(parse(unknown), "julien.lefebvre")
    assert location_params(ok)["state"] == auth.state


def test_totp_step(sb: Harness, browser: Browser) -> None:
    auth = browser.authorize()
    response = browser.login(parse(auth.response), "amelie.rousseau")
    page = parse(response)
    otp_form = page.form("kc-otp-login-form")
    assert "otp" in otp_form.fields
    assert "chiffres" in page.text
    good = pyotp.TOTP(DEMO_TOTP_SECRET).at(sb.clock())
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    again = parse(browser.submit(otp_form, otp=wrong))
    assert "Code d'authentification invalide." in again.text
    done = browser.submit(again.form("kc-otp-login-form"), otp=good)
    params = location_params(done)
    body = browser.exchange(auth, params["code"]).json()
    assert claims(body["access_token"])["sub"] == demo_id("user", "amelie.rousseau")
    # The same code on a new login page: already used, refused as a wrong one.
    second = browser.authorize()
    form = parse(browser.login(parse(second.response), "amelie.rousseau")).form("kc-otp-login-form")
    assert "Code d'authentification invalide." in parse(browser.submit(form, otp=good)).text


def test_a_used_page_cannot_be_posted_again(browser: Browser) -> None:
    auth = browser.authorize()
    page = parse(auth.response)
    first = browser.login(page, "julien.lefebvre", "Wrong-Password-42!!")
    assert first.status_code == 200
    # The same (old) form again: refused as stale, the current page comes back, nothing happens.
    replay = parse(browser.login(page, "julien.lefebvre"))
    assert "n'est plus valide" in replay.text
    assert "kc-form-login" in replay.forms


def test_a_tampered_or_unknown_tab_is_an_expired_page(browser: Browser) -> None:
    form = parse(browser.authorize().response).form("kc-form-login")
    form.action = form.action.replace("tab_id=", "tab_id=0")
    response = browser.submit(form, username="julien.lefebvre", password=DEMO_PASSWORD)
    assert response.status_code == 400
    assert "expiré" in parse(response).text


def test_login_flow_expires(sb: Harness, browser: Browser) -> None:
    page = parse(browser.authorize().response)
    sb.clock.advance(1801)
    assert browser.login(page, "julien.lefebvre").status_code == 400


def test_disabled_account_and_pending_required_action(browser: Browser) -> None:
    disabled = parse(browser.login(parse(browser.authorize().response), "hugo.lambert"))
    assert "Compte désactivé" in disabled.text
    unverified = browser.login(parse(browser.authorize().response), "ines.benali")
    assert unverified.status_code == 200
    assert "vérifier votre adresse e-mail" in parse(unverified).text


def test_current_step_can_be_shown_again(browser: Browser) -> None:
    page = parse(browser.authorize().response)
    form = page.form("kc-form-login")
    query = urlsplit(form.action).query
    shown = browser.get(f"{ISSUER}/login-actions/authenticate?{query}")
    assert "kc-form-login" in parse(shown).forms


# --- Keycloak's checks on the authorization request ------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"client_id": "no-such-client"}, "Client inconnu."),
        ({"client_id": None}, "Paramètre manquant : client_id"),
        ({"redirect_uri": "https://evil.example/cb"}, "Paramètre invalide : redirect_uri"),
        ({"redirect_uri": "http://127.0.0.1.evil.example/cb"}, "Paramètre invalide : redirect_uri"),
        ({"redirect_uri": "http://127.0.0.1@evil.example/cb"}, "Paramètre invalide : redirect_uri"),
        ({"redirect_uri": None}, "Paramètre invalide : redirect_uri"),
        ({"client_id": "gpf-warehouse"}, "Paramètre invalide : redirect_uri"),
    ],
)
def test_bad_client_or_redirect_uri_is_an_error_page_never_a_redirect(
    browser: Browser, params: dict[str, str | None], message: str
) -> None:
    response = browser.authorize(**params).response
    assert response.status_code == 400
    assert "location" not in response.headers
    assert message in parse(response).text


@pytest.mark.parametrize(
    ("params", "error", "description"),
    [
        ({"code_challenge": None, "code_challenge_method": None}, "invalid_request",
         "Missing parameter: code_challenge_method"),
        ({"code_challenge_method": "plain"}, "invalid_request",
         "Invalid parameter: code challenge method is not matching the configured one"),
        ({"code_challenge": None}, "invalid_request", "Missing parameter: code_challenge"),
        ({"code_challenge": "short"}, "invalid_request", "Invalid parameter: code_challenge"),
        ({"response_type": None}, "invalid_request", "Missing parameter: response_type"),
        ({"response_type": "token"}, "unauthorized_client", None),
        ({"response_mode": "carrier-pigeon"}, "invalid_request", "Invalid parameter: response_mode"),
        ({"prompt": "none"}, "login_required", None),
    ],
)  # fmt: skip
def test_other_bad_requests_redirect_with_an_error(
    browser: Browser, params: dict[str, str | None], error: str, description: str | None
) -> None:
    auth = browser.authorize(**params)
    result = location_params(auth.response)
    assert result["error"] == error
    if description:
        assert result["error_description"] == description
    assert result["state"] == auth.state
    assert result["iss"] == ISSUER


def test_duplicated_parameter_is_refused(sb: Harness) -> None:
    url = f"{AUTH_PATH}?client_id=cartes-cli&client_id=cartes-cli&redirect_uri={REDIRECT_URI}"
    response = sb.client.get(url)
    assert response.status_code == 400


# --- the code at the token endpoint ----------------------------------------------------------


def test_code_is_single_use_and_reuse_ends_the_session(sb: Harness, browser: Browser) -> None:
    auth, code = browser.code_for("julien.lefebvre")
    first = browser.exchange(auth, code)
    assert first.status_code == 200
    again = browser.exchange(auth, code)
    assert (again.status_code, again.json()) == (
        400,
        {"error": "invalid_grant", "error_description": "Code not valid"},
    )
    # RFC 6749 §4.1.2: the tokens of that code are revoked (the session is over).
    refused = sb.refresh(first.json()["refresh_token"], client_id="cartes-cli")
    assert refused.json()["error_description"] == "Session not active"


def test_wrong_verifier_burns_the_code(browser: Browser) -> None:
    auth, code = browser.code_for("julien.lefebvre")
    other_verifier = "x" * 43
    wrong = browser.exchange(auth, code, code_verifier=other_verifier)
    assert wrong.json() == {
        "error": "invalid_grant",
        "error_description": "PKCE verification failed: Code mismatch",
    }
    assert browser.exchange(auth, code).json()["error_description"] == "Code not valid"


@pytest.mark.parametrize(
    ("overrides", "description"),
    [
        ({"code_verifier": None}, "PKCE code verifier not specified"),
        ({"code_verifier": "too-short"}, "PKCE verification failed: Invalid code verifier"),
        ({"redirect_uri": "http://127.0.0.1:1/other"}, "Incorrect redirect_uri"),
        ({"redirect_uri": None}, "Incorrect redirect_uri"),
        ({"client_id": "cartes-gouv-public"}, "Auth error"),
        ({"code": "not-a-code"}, "Code not valid"),
    ],
)
def test_token_exchange_checks(browser: Browser, overrides: dict[str, str | None], description: str) -> None:
    auth, code = browser.code_for("julien.lefebvre")
    response = browser.exchange(auth, code, **overrides)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": description}


def test_code_expires_after_60_seconds(sb: Harness, browser: Browser) -> None:
    auth, code = browser.code_for("julien.lefebvre")
    sb.clock.advance(61)
    assert browser.exchange(auth, code).json()["error_description"] == "Code is expired"


def test_code_lifetime_is_configurable(make_harness: Callable[..., Harness]) -> None:
    sb = make_harness(code_ttl=5)
    browser = Browser(sb)
    auth, code = browser.code_for("julien.lefebvre")
    sb.clock.advance(6)
    assert browser.exchange(auth, code).json()["error_description"] == "Code is expired"


def test_missing_code(browser: Browser) -> None:
    auth, _ = browser.code_for("julien.lefebvre")
    response = browser.exchange(auth, "")
    assert response.json() == {"error": "invalid_request", "error_description": "Missing parameter: code"}


# --- FranceConnect and ProConnect ------------------------------------------------------------


def _broker_login(browser: Browser, alias: str, subject: str) -> tuple[Authorization, httpx.Response]:
    auth = browser.authorize()
    page = parse(auth.response)
    leave = browser.get(page.links[f"social-{alias}"])
    assert leave.status_code == 302
    assert urlsplit(leave.headers["location"]).path == f"{REALM}/broker/{alias}/idp/authorize"
    provider = browser.get(leave.headers["location"])
    provider_page = parse(provider)
    back = browser.submit(provider_page.form(f"idp-{subject}"))
    assert back.status_code == 302
    assert urlsplit(back.headers["location"]).path == f"{REALM}/broker/{alias}/endpoint"
    return auth, browser.get(back.headers["location"])


def test_franceconnect_login_of_a_linked_account(browser: Browser) -> None:
    auth, response = _broker_login(browser, "franceconnect", "fc-camille-dubois")
    params = location_params(response)
    body = browser.exchange(auth, params["code"]).json()
    assert claims(body["access_token"])["sub"] == demo_id("user", "camille.dubois")


def test_provider_pages_look_different(browser: Browser) -> None:
    auth = browser.authorize()
    page = parse(auth.response)
    fc = parse(browser.get(browser.get(page.links["social-franceconnect"]).headers["location"]))
    assert "FranceConnect" in fc.text
    assert 'class="fc"' in fc.response.text
    assert {"idp-fc-camille-dubois", "idp-fc-marie-dupont", "idp-fc-ines-benali"} <= set(fc.forms)
    assert "J'accepte" in fc.text


def test_proconnect_login_of_a_linked_staff_account(sb: Harness, browser: Browser) -> None:
    auth, response = _broker_login(browser, "proconnect", "pc-claire-moreau")
    body = browser.exchange(auth, location_params(response)["code"]).json()
    me = sb.get("/api/users/me", token=body["access_token"]).json()
    assert me["_id"] == demo_id("user", "claire.moreau")
    assert me["administrator"] is True


def test_first_login_with_a_new_identity_creates_the_account_once(sb: Harness, browser: Browser) -> None:
    auth, response = _broker_login(browser, "proconnect", "pc-paul-girard")
    body = browser.exchange(auth, location_params(response)["code"]).json()
    me = sb.get("/api/users/me", token=body["access_token"]).json()
    assert (me["first_name"], me["last_name"], me["email"]) == (
        "Paul",
        "Girard",
        "paul.girard@ddtm-herault.test",
    )
    assert me["communities_member"] == []
    # Second time: the same account, not a new one.
    auth2, response2 = _broker_login(browser, "proconnect", "pc-paul-girard")
    body2 = browser.exchange(auth2, location_params(response2)["code"]).json()
    assert claims(body2["access_token"])["sub"] == me["_id"]
    # The new account has no password: the password grant refuses it.
    assert sb.login("paul.girard").status_code == 401


def test_identity_whose_email_is_taken_is_refused(browser: Browser) -> None:
    _, response = _broker_login(browser, "franceconnect", "fc-ines-benali")
    assert response.status_code == 409
    page = parse(response)
    assert "existe déjà" in page.text
    assert "kc-form-login" in parse(browser.get(page.links["kc-back"])).forms


def test_cancelling_at_the_provider_returns_to_the_login_page(browser: Browser) -> None:
    page = parse(browser.authorize().response)
    provider = parse(browser.get(browser.get(page.links["social-proconnect"]).headers["location"]))
    back = parse(browser.get(provider.links["idp-cancel"]))
    assert "annulée" in back.text
    assert location_params(browser.login(back, "julien.lefebvre"))["code"]


def test_provider_links_and_answers_are_single_use(browser: Browser) -> None:
    page = parse(browser.authorize().response)
    link = page.links["social-franceconnect"]
    leave = browser.get(link)
    # The link of a login page works once: the second time, the current page comes back.
    again = browser.get(link)
    assert again.status_code == 200
    assert "n'est plus valide" in parse(again).text
    provider = parse(browser.get(leave.headers["location"]))
    back = browser.submit(provider.form("idp-fc-camille-dubois"))
    assert browser.get(back.headers["location"]).status_code == 302
    assert browser.get(back.headers["location"]).status_code == 400  # the state is used up


def test_unknown_provider(browser: Browser) -> None:
    assert browser.get(f"{REALM}/broker/nope/login").status_code == 404
