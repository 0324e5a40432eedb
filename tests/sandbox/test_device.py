"""The device flow (RFC 8628): device authorization, the verification pages, polling."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import pyotp
import pytest

from tests.conftest import WAREHOUSE

from .browser import Browser, parse
from .conftest import DEMO_TOTP_SECRET, ISSUER, Harness, demo_id

PROTOCOL = "/realms/geoplateforme/protocol/openid-connect"
USER_CODE = re.compile(r"^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$")


def start(sb: Harness, client_id: str = "cartes-cli") -> dict[str, Any]:
    response = sb.client.post(f"{PROTOCOL}/auth/device", data={"client_id": client_id, "scope": "openid"})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, Any] = response.json()
    return body


def poll(sb: Harness, device_code: str, client_id: str = "cartes-cli") -> httpx.Response:
    return sb.token_request(
        grant_type="urn:ietf:params:oauth:grant-type:device_code",
        client_id=client_id,
        device_code=device_code,
    )


def error_of(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    return str(response.json()["error"])


def approve(sb: Harness, user_code: str, username: str = "julien.lefebvre", decision: str = "accept") -> str:
    """Type the code, log in, decide; return the final page's text."""
    browser = Browser(sb)
    page = parse(browser.get(f"{ISSUER}/device", params={"user_code": user_code}))
    consent = parse(browser.login(page, username))
    assert "Autoriser" in consent.text
    assert user_code in consent.text  # to check against the device's screen
    result = browser.submit(consent.form(f"kc-consent-{decision}"))
    assert result.status_code == 200
    return parse(result).text


def test_device_authorization_answer(sb: Harness) -> None:
    body = start(sb)
    assert set(body) == {
        "device_code",
        "user_code",
        "verification_uri",
        "verification_uri_complete",
        "expires_in",
        "interval",
    }
    assert USER_CODE.match(body["user_code"])
    assert body["verification_uri"] == f"{ISSUER}/device"
    assert body["verification_uri_complete"] == f"{ISSUER}/device?user_code={body['user_code']}"
    assert (body["expires_in"], body["interval"]) == (600, 5)
    assert start(sb)["user_code"] != body["user_code"]


def test_full_flow(sb: Harness) -> None:
    body = start(sb)
    assert error_of(poll(sb, body["device_code"])) == "authorization_pending"
    assert poll(sb, body["device_code"]).json()["error"] == "slow_down"  # too soon
    text = approve(sb, body["user_code"])
    assert "Appareil connecté" in text
    sb.clock.advance(10)
    tokens = poll(sb, body["device_code"])
    assert tokens.status_code == 200, tokens.text
    claims = jwt.decode(tokens.json()["access_token"], options={"verify_signature": False})
    assert claims["sub"] == demo_id("user", "julien.lefebvre")
    assert claims["azp"] == "cartes-cli"
    assert sb.refresh(tokens.json()["refresh_token"], client_id="cartes-cli").status_code == 200
    # The device code is used up.
    assert poll(sb, body["device_code"]).json() == {
        "error": "invalid_grant",
        "error_description": "Device code not valid",
    }
    assert (
        sb.get("/sandbox/stats").json()["token_grants"]["urn:ietf:params:oauth:grant-type:device_code"] == 1
    )


def test_typing_the_code_in_the_form(sb: Harness) -> None:
    body = start(sb)
    browser = Browser(sb)
    page = parse(browser.get(f"{ISSUER}/device"))
    form = page.form("kc-user-verify-device-user-code-form")
    assert "device_user_code" in form.fields
    wrong = parse(browser.submit(form, device_user_code="BBBB-BBBB"))
    assert "Code invalide ou expiré" in wrong.text
    # Any case, no dash, spaces: still the code.
    typed = body["user_code"].lower().replace("-", " ")
    login = parse(browser.submit(wrong.form("kc-user-verify-device-user-code-form"), device_user_code=typed))
    assert "kc-form-login" in login.forms


def test_slow_down_adds_five_seconds_each_time(sb: Harness) -> None:
    code = start(sb)["device_code"]
    assert error_of(poll(sb, code)) == "authorization_pending"
    sb.clock.advance(4)
    assert error_of(poll(sb, code)) == "slow_down"  # interval now 10 s
    sb.clock.advance(6)
    assert error_of(poll(sb, code)) == "slow_down"  # 6 < 10: interval now 15 s
    sb.clock.advance(15)
    assert error_of(poll(sb, code)) == "authorization_pending"
    sb.clock.advance(15)
    assert error_of(poll(sb, code)) == "authorization_pending"


def test_denied(sb: Harness) -> None:
    body = start(sb)
    assert "Accès refusé" in approve(sb, body["user_code"], decision="deny")
    response = poll(sb, body["device_code"])
    assert response.json() == {
        "error": "access_denied",
        "error_description": "The end user denied the authorization request.",
    }
    assert poll(sb, body["device_code"]).json()["error"] == "invalid_grant"


def test_expired(sb: Harness) -> None:
    body = start(sb)
    sb.clock.advance(601)
    assert poll(sb, body["device_code"]).json() == {
        "error": "expired_token",
        "error_description": "Device code is expired",
    }
    page = parse(Browser(sb).get(f"{ISSUER}/device", params={"user_code": body["user_code"]}))
    assert "Code invalide ou expiré" in page.text


def test_code_expiring_while_the_person_logs_in(sb: Harness) -> None:
    body = start(sb)
    browser = Browser(sb)
    consent = parse(browser.login(parse(browser.get(body["verification_uri_complete"])), "julien.lefebvre"))
    sb.clock.advance(590)
    result = browser.submit(consent.form("kc-consent-accept"))
    assert result.status_code == 200  # 10 s left: still in time
    sb.clock.advance(20)
    assert error_of(poll(sb, body["device_code"])) == "expired_token"


def test_interval_and_lifetime_are_configurable(make_harness: Callable[..., Harness]) -> None:
    sb = make_harness(device_interval=1, device_expires_in=30)
    body = start(sb)
    assert (body["interval"], body["expires_in"]) == (1, 30)
    assert error_of(poll(sb, body["device_code"])) == "authorization_pending"
    sb.clock.advance(1)
    assert error_of(poll(sb, body["device_code"])) == "authorization_pending"
    sb.clock.advance(30)
    assert error_of(poll(sb, body["device_code"])) == "expired_token"


def test_second_factor_then_consent(sb: Harness) -> None:
    body = start(sb)
    browser = Browser(sb)
    otp = parse(browser.login(parse(browser.get(body["verification_uri_complete"])), "amelie.rousseau"))
    consent = parse(
        browser.submit(otp.form("kc-otp-login-form"), otp=pyotp.TOTP(DEMO_TOTP_SECRET).at(sb.clock()))
    )
    assert "Amélie Rousseau" in consent.text
    browser.submit(consent.form("kc-consent-accept"))
    assert poll(sb, body["device_code"]).status_code == 200


def test_brokered_login_then_consent(sb: Harness) -> None:
    body = start(sb)
    browser = Browser(sb)
    page = parse(browser.get(body["verification_uri_complete"]))
    provider = parse(browser.get(browser.get(page.links["social-proconnect"]).headers["location"]))
    back = browser.submit(provider.form("idp-pc-julien-lefebvre"))
    consent = parse(browser.get(back.headers["location"]))
    browser.submit(consent.form("kc-consent-accept"))
    tokens = poll(sb, body["device_code"]).json()
    assert jwt.decode(tokens["access_token"], options={"verify_signature": False})["sub"] == demo_id(
        "user", "julien.lefebvre"
    )


def test_a_decision_is_taken_once(sb: Harness) -> None:
    body = start(sb)
    browser = Browser(sb)
    consent = parse(browser.login(parse(browser.get(body["verification_uri_complete"])), "julien.lefebvre"))
    browser.submit(consent.form("kc-consent-accept"))
    replay = browser.submit(consent.form("kc-consent-deny"))
    assert replay.status_code == 400  # the login is over
    assert poll(sb, body["device_code"]).status_code == 200


def test_keycloak_field_names_are_accepted_on_the_consent_form(sb: Harness) -> None:
    body = start(sb)
    browser = Browser(sb)
    consent = parse(browser.login(parse(browser.get(body["verification_uri_complete"])), "julien.lefebvre"))
    form = consent.form("kc-consent-accept")
    fields = {k: v for k, v in form.fields.items() if k != "decision"}
    response = sb.client.post(form.action, data={**fields, "cancel": "Non"})
    assert "Accès refusé" in parse(response).text


@pytest.mark.parametrize(
    ("form", "status", "body"),
    [
        (
            {**WAREHOUSE},
            400,
            {
                "error": "unauthorized_client",
                "error_description": "Client is not allowed to initiate OAuth 2.0 Device Authorization "
                "Grant. The flow is disabled for the client.",
            },
        ),
        (
            {"client_id": "nope"},
            401,
            {"error": "invalid_client", "error_description": "Invalid client or Invalid client credentials"},
        ),
    ],
)
def test_device_authorization_refusals(
    sb: Harness, form: dict[str, str], status: int, body: dict[str, str]
) -> None:
    response = sb.client.post(f"{PROTOCOL}/auth/device", data=form)
    assert (response.status_code, response.json()) == (status, body)


def test_polling_errors(sb: Harness) -> None:
    code = start(sb)["device_code"]
    # A client without the device grant is refused as such; one with it may not use another's code.
    refused = poll(sb, code, client_id="cartes-gouv-public").json()
    assert refused["error"] == "unauthorized_client"
    sb.sandbox.store.clients.insert(
        client_id="other-cli",
        name="Another device client",
        grant_types=["urn:ietf:params:oauth:grant-type:device_code"],
        secret_hash=None,
        created="2025-01-01T00:00:00Z",
    )
    assert poll(sb, code, client_id="other-cli").json()["error_description"] == "Device code not valid"
    assert poll(sb, "junk").json()["error"] == "invalid_grant"
    missing = sb.token_request(
        grant_type="urn:ietf:params:oauth:grant-type:device_code", client_id="cartes-cli"
    )
    assert missing.json() == {
        "error": "invalid_request",
        "error_description": "Missing parameter: device_code",
    }
