"""Browser, device and service-account logins, end to end: a script plays the person."""

from __future__ import annotations

import json
import time

import pexpect
import pytest

from tests.conftest import ADMIN, DEMO_PASSWORD, Cartes
from tests.e2e.browser import Browser
from tests.e2e.conftest import Background

pytestmark = pytest.mark.e2e


def test_web_login_with_password_and_totp(cli: Cartes) -> None:
    assert cli.sandbox is not None
    user = cli.sandbox.new_totp_user()
    run = Background(cli, "--web", "--no-browser")
    url = run.wait_for(r"(http://127\.0\.0\.1:\d+/realms/\S+)").group(1)
    assert "code_challenge_method=S256" in url
    assert "state=" in url
    assert "nonce=" in url
    browser = Browser()
    browser.get(url)
    browser.submit(browser.form_with("username"), {"username": user.username, "password": DEMO_PASSWORD})
    browser.submit(browser.form_with("otp"), {"otp": user.code()})
    # The last redirect reached cartes' one-shot listener on 127.0.0.1.
    assert "fermer" in browser.page_text().lower() or "close" in browser.page_text().lower()
    assert run.finish() == 0, "".join(run.lines)
    r = cli("login", "status", "--json", "user,state,flow")
    assert {"user": user.username, "state": "ok", "flow": "web"} in json.loads(r.stdout)
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


def test_store_totp_secret_then_unattended_logins_compute_the_code(cli: Cartes) -> None:
    assert cli.sandbox is not None
    user = cli.sandbox.new_totp_user()
    storage = () if cli.keyring else ("--insecure-storage",)
    password_only = {"CARTES_USERNAME": user.username, "CARTES_PASSWORD": DEMO_PASSWORD}
    before = time.time() // 30
    r = cli(
        "--env",
        "sandbox",
        "login",
        "--store-totp-secret",
        *storage,
        env={**password_only, "CARTES_TOTP_SECRET": user.seed},
    )
    assert r.returncode == 0, r
    # Later, a script logs in again with only the password: the stored seed gives the code. The
    # platform takes a code once: within the same 30 s, cartes waits for the next code (and says
    # so) rather than send the used one and be refused.
    after = time.time()
    r = cli("--env", "sandbox", "login", *storage, env=password_only)
    assert r.returncode == 0, r
    if after // 30 == before and after % 30 < 25:  # the same window, with time to spare: a wait
        assert "waiting" in r.stderr, r
    # Logging out forgets the seed too.
    assert cli("logout").returncode == 0
    r = cli("--env", "sandbox", "login", *storage, env=password_only)
    assert r.returncode == 4, r


def test_default_flow_without_display_is_the_device_code(cli: Cartes) -> None:
    import pexpect

    from tests.conftest import cartes_executable

    env = {k: v for k, v in cli.env.items() if k not in ("CI", "DISPLAY", "WAYLAND_DISPLAY")}
    env["TERM"] = "dumb"
    storage = [] if cli.keyring else ["--insecure-storage"]
    child = pexpect.spawn(
        cartes_executable(), ["--env", "sandbox", "login", *storage], env=env, encoding="utf-8", timeout=20
    )
    child.expect(r"one-time code:\s+[A-Z0-9]{4}-[A-Z0-9]{4}")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 or child.signalstatus is not None


def test_service_account_login_stores_its_secret(cli: Cartes) -> None:
    import pexpect

    from tests.conftest import cartes_executable

    env = {k: v for k, v in cli.env.items() if k != "CI"}
    env["TERM"] = "dumb"
    storage = [] if cli.keyring else ["--insecure-storage"]
    child = pexpect.spawn(
        cartes_executable(),
        ["--env", "sandbox", "--profile", "ci", "login", "--client-credentials", *storage],
        env=env,
        encoding="utf-8",
        timeout=20,
    )
    child.expect("Client id")
    child.sendline("cartes-ci")
    child.expect("Client secret")
    child.sendline("ci-demo-secret-2026")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "ci-demo-secret-2026" not in (child.before or "")
    r = cli("--profile", "ci", "workspace", "list", "--json", "technical_name")
    assert r.returncode == 0, r
    assert {"technical_name": "ddt33"} in json.loads(r.stdout)
    r = cli("--profile", "ci", "login", "status", "--json", "profile,flow,state")
    assert {"profile": "ci", "flow": "client-credentials", "state": "ok"} in json.loads(r.stdout)


def test_web_login_ignores_a_forged_callback(cli: Cartes) -> None:
    from urllib.parse import parse_qs, urlsplit

    import httpx

    run = Background(cli, "--web", "--no-browser")
    url = run.wait_for(r"(http://127\.0\.0\.1:\d+/realms/\S+)").group(1)
    callback = parse_qs(urlsplit(url).query)["redirect_uri"][0]
    # Another local process (or a page guessing the port) answers first, with a code of its own.
    forged = httpx.get(callback, params={"code": "stolen", "state": "forged"}, timeout=5)
    assert forged.status_code == 400
    browser = Browser()
    browser.get(url)
    browser.submit(browser.form_with("username"), {"username": ADMIN, "password": DEMO_PASSWORD})
    assert run.finish() == 0, "".join(run.lines)
    r = cli("login", "status", "--json", "user,state")
    assert {"user": ADMIN, "state": "ok"} in json.loads(r.stdout)


def test_a_browser_login_as_someone_else_is_confirmed_on_a_terminal(cli: Cartes) -> None:
    assert cli.login(ADMIN).returncode == 0
    # Whoever opened the URL logged in: here another person (the URL was seen by someone else).
    child = cli.spawn("--env", "sandbox", "login", "--web", "--no-browser", storage=True)
    child.expect(r"(http://127\.0\.0\.1:\d+/realms/\S+)")
    browser = Browser()
    browser.get(child.match.group(1))
    browser.submit(browser.form_with("username"), {"username": "claire.moreau", "password": DEMO_PASSWORD})
    child.expect("This login is claire.moreau's, but profile default was julien.lefebvre's")
    child.expect(r"\[y/N\]")
    child.sendline("n")
    child.expect("session was ended and nothing was stored")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    r = cli("login", "status", "--json", "user,state")
    assert {"user": ADMIN, "state": "ok"} in json.loads(r.stdout)
