"""``cartes login --web`` completed in a real headless Chromium, as a person would."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pexpect
import pytest

from tests.conftest import DEMO_PASSWORD, Cartes, TotpUser
from tests.e2e.conftest import Background

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture
def chrome(tmp_path: Path):  # type: ignore[no-untyped-def]
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("CARTES_REQUIRE_BROWSER"):
            pytest.fail("CARTES_REQUIRE_BROWSER is set but chromium/chromedriver are not installed")
        pytest.skip("needs Debian's chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def log_in_with_a_second_factor(chrome, url: str, user: TotpUser):  # type: ignore[no-untyped-def]
    """A person logs in on the platform's pages, with the 6-digit code of their app."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    chrome.get(url)
    wait = WebDriverWait(chrome, 20)
    wait.until(ec.presence_of_element_located((By.NAME, "username"))).send_keys(user.username)
    chrome.find_element(By.NAME, "password").send_keys(DEMO_PASSWORD)
    chrome.find_element(By.CSS_SELECTOR, "form button[type=submit], form input[type=submit]").click()
    otp = wait.until(ec.presence_of_element_located((By.NAME, "otp")))
    otp.send_keys(user.code())
    chrome.find_element(By.CSS_SELECTOR, "form button[type=submit], form input[type=submit]").click()
    return wait


def test_web_login_in_headless_chromium(cli: Cartes, chrome, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    assert cli.sandbox is not None
    user = cli.sandbox.new_totp_user()
    run = Background(cli, "--web", "--no-browser")
    url = run.wait_for(r"(http://127\.0\.0\.1:\d+/realms/\S+)").group(1)
    wait = log_in_with_a_second_factor(chrome, url, user)
    wait.until(lambda d: "127.0.0.1" in d.current_url and "code=" in d.current_url)
    chrome.save_screenshot(str(tmp_path / "done.png"))
    body = chrome.find_element(By.TAG_NAME, "body").text.lower()
    assert "fermer" in body or "close" in body
    assert run.finish() == 0, "".join(run.lines)
    r = cli("login", "status", "--json", "user,state,flow")
    assert {"user": user.username, "state": "ok", "flow": "web"} in json.loads(r.stdout)


def test_paste_back_login_in_headless_chromium(cli: Cartes, chrome, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The production browser login: gpf-warehouse, its Swagger-style page, the address pasted at
    cartes's prompt in a real terminal."""
    assert cli.sandbox is not None
    user = cli.sandbox.new_totp_user()
    child = cli.spawn(
        "--env",
        "sandbox",
        "login",
        "--web",
        "--no-browser",
        env={"CARTES_OIDC_CLIENT_ID": "gpf-warehouse"},
        storage=True,
    )
    child.expect(r"(http://127\.0\.0\.1:\d+/realms/\S+)")
    url = child.match.group(1)
    child.expect("Address: ")
    wait = log_in_with_a_second_factor(chrome, url, user)
    wait.until(lambda d: "/swagger-ui/oauth2-redirect.html" in d.current_url and "code=" in d.current_url)
    chrome.save_screenshot(str(tmp_path / "landed.png"))
    child.sendline(chrome.current_url)  # what a person copies from the address bar
    child.expect("Logged in to sandbox")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    r = cli("login", "status", "--json", "user,state,flow")
    assert {"user": user.username, "state": "ok", "flow": "web"} in json.loads(r.stdout)
