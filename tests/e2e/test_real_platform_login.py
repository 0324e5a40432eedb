"""Logins against the sandbox's real-style client registrations, as production would answer them.

The sandbox registers ``gpf-warehouse`` as the real platform does (confidential, the Swagger-style
page as its only redirect), ``cartes-gouv-public`` without direct or device grant, and
``cartes-cli`` with loopback and device. ``CARTES_OIDC_CLIENT_ID=gpf-warehouse`` gives cartes the
production configuration there: the browser login pastes the address back.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pexpect
import pytest

from tests.conftest import (
    ADMIN,
    DEMO_PASSWORD,
    TOTP_USER,
    Cartes,
    Result,
    Sandbox,
    TotpUser,
)
from tests.e2e.browser import Browser

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")]

PROD_LIKE = {"CARTES_OIDC_CLIENT_ID": "gpf-warehouse"}
DEMO_SECRET = "sandbox-gpf-warehouse-demo-2026"


@pytest.fixture
def real(tmp_path: Path, real_sandbox: Sandbox, keyring_available: bool) -> Cartes:
    return Cartes(tmp_path / "home", real_sandbox, keyring_available)


def login(cli: Cartes, *args: str, env: dict[str, str] | None = None, timeout: float = 60) -> Result:
    """``cartes --env sandbox login …``, where the test machine may have no keyring."""
    storage = () if cli.keyring else ("--insecure-storage",)
    return cli("--env", "sandbox", "login", *args, *storage, env=env, timeout=timeout)


def log_in_on_the_pages(url: str, user: str | TotpUser) -> Browser:
    """The platform's login pages, with the password (and a code for a ``TotpUser``)."""
    browser = Browser()
    browser.get(url)
    username = user.username if isinstance(user, TotpUser) else user
    browser.submit(browser.form_with("username"), {"username": username, "password": DEMO_PASSWORD})
    if isinstance(user, TotpUser):
        browser.submit(browser.form_with("otp"), {"otp": user.code()})
    return browser


def start_paste_login(
    real: Cartes, *args: str, env: dict[str, str] | None = None
) -> tuple[pexpect.spawn, str]:
    child = real.spawn(
        "--env",
        "sandbox",
        "login",
        "--web",
        "--no-browser",
        *args,
        env={**PROD_LIKE, **(env or {})},
        storage=True,
    )
    child.expect(r"(http://127\.0\.0\.1:\d+/realms/\S+)")
    url = child.match.group(1)
    child.expect("Address: ")
    return child, url


# --- the paste-back browser login ----------------------------------------------------------------


def test_paste_back_login_with_a_second_factor(real: Cartes, real_sandbox: Sandbox) -> None:
    child, url = start_paste_login(real)
    assert "client_id=gpf-warehouse" in url
    assert "code_challenge_method=S256" in url
    assert "client_secret" not in url
    assert "swagger-ui%2Foauth2-redirect.html" in url
    user = real_sandbox.new_totp_user()
    browser = log_in_on_the_pages(url, user)
    landed = browser.url
    assert landed.startswith(f"{real_sandbox.base_url}/swagger-ui/oauth2-redirect.html?")
    assert "code=" in landed
    child.sendline(landed)
    child.expect("Logged in to sandbox")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    r = real("login", "status", "--json", "user,state,flow", env=PROD_LIKE)
    assert {"user": user.username, "state": "ok", "flow": "web"} in json.loads(r.stdout)
    # The refresh goes through gpf-warehouse with its secret, without CARTES_OIDC_* set.
    assert real("login", "refresh").returncode == 0
    assert real("workspace", "list", "--json", "technical_name").returncode == 0
    # And the logout ends the session at the platform with it too.
    r = real("logout")
    assert r.returncode == 0, r
    assert "Could not end the session" not in r.stderr


def test_a_stale_paste_is_refused_and_the_right_one_then_accepted(real: Cartes) -> None:
    first, first_url = start_paste_login(real)
    earlier = log_in_on_the_pages(first_url, ADMIN).url
    first.sendintr()
    first.expect(pexpect.EOF)
    child, url = start_paste_login(real)
    child.sendline(earlier)  # the address of the earlier attempt
    child.expect("another login attempt")
    child.expect("Address: ")
    child.sendline("https://example.test/swagger-ui/oauth2-redirect.html?code=x&state=y")
    child.expect("not the page the login ends on")
    child.expect("Address: ")
    child.sendline(log_in_on_the_pages(url, ADMIN).url)
    child.expect("Logged in to sandbox")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_paste_back_needs_a_terminal(real: Cartes) -> None:
    r = login(real, "--web", env=PROD_LIKE)
    assert r.returncode == 2
    assert "needs you to paste an address back" in r.stderr
    assert "Traceback" not in r.stderr


# --- refusals that name their cause ----------------------------------------------------------------


def test_a_wrong_client_secret_is_not_a_wrong_password(real: Cartes) -> None:
    env = {
        "CARTES_USERNAME": ADMIN,
        "CARTES_PASSWORD": DEMO_PASSWORD,
        "CARTES_OIDC_CLIENT_SECRET": "not-the-secret",
    }
    r = login(real, "--password", env=env)
    assert r.returncode == 4
    assert "refused cartes's OIDC client gpf-warehouse" in r.stderr
    assert "its secret is wrong" in r.stderr
    assert "wrong username" not in r.stderr
    fr = login(real, "--password", env={**env, "CARTES_LANG": "fr"})
    assert fr.returncode == 4
    assert "a refusé le client OIDC de cartes, gpf-warehouse" in fr.stderr


def test_a_client_without_password_grant_is_named(real: Cartes) -> None:
    env = {
        "CARTES_USERNAME": ADMIN,
        "CARTES_PASSWORD": DEMO_PASSWORD,
        "CARTES_OIDC_CLIENT_ID": "cartes-gouv-public",
    }
    r = login(real, "--password", env=env)
    assert r.returncode == 4
    assert "does not allow password logins through the OIDC client cartes-gouv-public" in r.stderr
    assert "Client not allowed for direct access grants" in r.stderr


def test_the_device_login_is_refused_where_the_client_lacks_it(real: Cartes) -> None:
    r = login(real, "--device", env=PROD_LIKE)
    assert r.returncode == 2
    assert "device login is not available" in r.stderr
    assert "cartes --env sandbox login --web" in r.stderr  # works as printed
    # Told that the documentation site's client has the device grant, the server says otherwise.
    config = real.home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        '[profiles.default]\noidc_client_id = "cartes-gouv-public"\noidc_device = true\n', encoding="utf-8"
    )
    r = login(real, "--device")
    assert r.returncode == 4, r
    assert "does not allow device logins through the OIDC client cartes-gouv-public" in r.stderr


def test_an_unregistered_redirect_is_named_before_anyone_waits(real: Cartes) -> None:
    env = {**PROD_LIKE, "CARTES_OIDC_REDIRECT_URI": "loopback"}
    r = login(real, "--web", "--no-browser", env=env, timeout=20)
    assert r.returncode == 4
    assert "refused the browser login's return address" in r.stderr
    assert "CARTES_OIDC_REDIRECT_URI" in r.stderr
    assert "Waiting for the browser" not in r.stderr


def test_a_missing_second_factor_without_a_terminal_says_both_causes(real: Cartes) -> None:
    r = login(real, env={"CARTES_USERNAME": TOTP_USER, "CARTES_PASSWORD": DEMO_PASSWORD})
    assert r.returncode == 4
    assert "the password is wrong, or the account has two-factor authentication" in r.stderr
    assert "CARTES_TOTP_SECRET" in r.stderr


def test_a_refused_service_account_and_a_refused_token_say_what_was_refused(real: Cartes) -> None:
    r = real(
        "--env",
        "sandbox",
        "workspace",
        "list",
        env={"CARTES_CLIENT_ID": "cartes-ci", "CARTES_CLIENT_SECRET": "wrong"},
    )
    assert r.returncode == 4
    assert "The service account cartes-ci was refused" in r.stderr
    assert "CARTES_CLIENT_SECRET" in r.stderr
    r = real(
        "--env", "sandbox", "workspace", "list", env={"CARTES_TOKEN": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.x"}
    )
    assert r.returncode == 4
    assert "refused the token in CARTES_TOKEN" in r.stderr
    assert "run 'cartes login'" not in r.stderr


def test_the_password_login_goes_through_gpf_warehouse_with_the_demo_secret(real: Cartes) -> None:
    r = real.login(ADMIN)
    assert r.returncode == 0, r
    assert DEMO_SECRET not in r.stdout + r.stderr
    config = (real.home / "config" / "config.toml").read_text(encoding="utf-8")
    assert 'client_id = "gpf-warehouse"' in config
    assert DEMO_SECRET not in config
    assert real("login", "refresh").returncode == 0


def test_the_password_login_with_a_second_factor_on_the_real_style_platform(
    real: Cartes, real_sandbox: Sandbox
) -> None:
    user = real_sandbox.new_totp_user()
    r = real.login(user)
    assert r.returncode == 0, r
    r = real("--env", "sandbox", "login", "status", "--json", "user,state")
    assert r.returncode == 0, r
    assert {"user": user.username, "state": "ok"} in json.loads(r.stdout)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_paste_instructions_fit_80_columns(real: Cartes, lang: str) -> None:
    child = real.spawn(
        "--env",
        "sandbox",
        "login",
        "--web",
        "--no-browser",
        env={**PROD_LIKE, "CARTES_LANG": lang},
        storage=True,
        width=80,
    )
    child.expect("Address: " if lang == "en" else "Adresse : ")
    lines = [line for line in (child.before or "").splitlines() if line.strip()]
    child.sendintr()
    child.expect(pexpect.EOF)
    prose = [line for line in lines if "://" not in line]
    assert len(prose) >= 5, lines
    assert all(len(line) <= 80 for line in prose), prose
    assert sum("://" in line for line in lines) == 1  # the address stays whole, on one line, to be copied


def test_the_final_error_line_is_wrapped_between_words_at_80_columns(real: Cartes) -> None:
    child = real.spawn(
        "--env", "sandbox", "workspace", "list", env={"CARTES_TOKEN": "a.b.c", "NO_COLOR": "1"}, width=80
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 4
    lines = [line for line in (child.before or "").splitlines() if line.strip()]
    assert lines[0].startswith("Error: The platform refused the token in CARTES_TOKEN")
    assert len(lines) > 1
    assert all(len(line) <= 80 for line in lines), lines
    words = " ".join(lines).split()
    assert "expired" in words  # no word cut in two by the terminal
