"""Browser, device and service-account logins, end to end: a script plays the person."""

from __future__ import annotations

import json

import pyotp
import pytest

from tests.conftest import ADMIN, DEMO_PASSWORD, TOTP_SEED, TOTP_USER, Cartes
from tests.e2e.browser import Browser
from tests.e2e.conftest import Background

pytestmark = pytest.mark.e2e


def test_web_login_with_password_and_totp(cli: Cartes) -> None:
    run = Background(cli, "--web", "--no-browser")
    url = run.wait_for(r"(http://127\.0\.0\.1:\d+/realms/\S+)").group(1)
    assert "code_challenge_method=S256" in url
    assert "state=" in url
    assert "nonce=" in url
    browser = Browser()
    browser.get(url)
    browser.submit(browser.form_with("username"), {"username": TOTP_USER, "password": DEMO_PASSWORD})
    browser.submit(browser.form_with("otp"), {"otp": pyotp.TOTP(TOTP_SEED).now()})
    # The last redirect reached cartes' one-shot listener on 127.0.0.1.
    assert "fermer" in browser.page_text().lower() or "close" in browser.page_text().lower()
    assert run.finish() == 0, "".join(run.lines)
    r = cli("login", "status", "--json", "user,state,flow")
    assert {"user": TOTP_USER, "state": "ok", "flow": "web"} in json.loads(r.stdout)
    # The web client's refresh token is refreshed with the web client.
    assert cli("login", "refresh").returncode == 0
    assert cli("workspace", "list").returncode == 0


def test_web_login_wrong_password_then_right(cli: Cartes) -> None:
    run = Background(cli, "--web", "--no-browser")
    url = run.wait_for(r"(http://127\.0\.0\.1:\d+/realms/\S+)").group(1)
    browser = Browser()
    browser.get(url)
    browser.submit(browser.form_with("username"), {"username": ADMIN, "password": "wrong-password-42!!"})
    assert "invalide" in browser.page_text().lower()
    browser.submit(browser.form_with("username"), {"username": ADMIN, "password": DEMO_PASSWORD})
    assert run.finish() == 0, "".join(run.lines)


@pytest.mark.parametrize("provider", ["franceconnect", "proconnect"])
def test_web_login_through_a_brokered_provider(cli: Cartes, provider: str) -> None:
    run = Background(cli, "--web", "--no-browser")
    url = run.wait_for(r"(http://127\.0\.0\.1:\d+/realms/\S+)").group(1)
    browser = Browser()
    browser.get(url)
    link = next(href for href in browser.links() if provider in href.lower())
    browser.get(link)
    identity_form = browser.forms()[0]
    browser.submit(identity_form, {})
    assert run.finish() == 0, "".join(run.lines)
    r = cli("login", "status", "--json", "state,flow")
    assert {"state": "ok", "flow": "web"} in json.loads(r.stdout)


def test_device_login(cli: Cartes) -> None:
    run = Background(cli, "--device")
    code = run.wait_for(r"code:\s+([A-Z0-9]{4}-[A-Z0-9]{4})").group(1)
    verify = run.wait_for(r"open (http://127\.0\.0\.1:\d+/\S+) on any device").group(1)
    browser = Browser()
    browser.get(verify)
    browser.submit(browser.form_with("device_user_code"), {"device_user_code": code})
    browser.submit(browser.form_with("username"), {"username": ADMIN, "password": DEMO_PASSWORD})
    accept = next(
        f for f in browser.forms() if "accept" in f.action or (f.buttons and "Autoriser" in f.buttons[0][2])
    )
    browser.submit(accept, {})
    assert run.finish() == 0, "".join(run.lines)
    r = cli("login", "status", "--json", "user,state,flow")
    assert {"user": ADMIN, "state": "ok", "flow": "device"} in json.loads(r.stdout)


def test_device_login_denied_exit_4(cli: Cartes) -> None:
    run = Background(cli, "--device")
    code = run.wait_for(r"code:\s+([A-Z0-9]{4}-[A-Z0-9]{4})").group(1)
    verify = run.wait_for(r"open (http://127\.0\.0\.1:\d+/\S+) on any device").group(1)
    browser = Browser()
    browser.get(verify)
    browser.submit(browser.form_with("device_user_code"), {"device_user_code": code})
    browser.submit(browser.form_with("username"), {"username": ADMIN, "password": DEMO_PASSWORD})
    deny = next(f for f in browser.forms() if any("Refuser" in b[2] for b in f.buttons))
    browser.submit(deny, {})
    assert run.finish() == 4, "".join(run.lines)
