"""Login at a real terminal (a pty): hidden password prompt, then the 6-digit code prompt."""

from __future__ import annotations

import json
import sys

import pexpect
import pyotp
import pytest

from tests.conftest import ADMIN, DEMO_PASSWORD, TOTP_SEED, TOTP_USER, Cartes

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")]


def spawn(cartes: Cartes, *args: str) -> pexpect.spawn:
    return cartes.spawn(*args, storage=True, width=120)


def test_interactive_login_asks_for_the_code_after_keycloak_refuses(cartes: Cartes) -> None:
    assert cartes.sandbox is not None
    user = cartes.sandbox.new_totp_user()
    child = spawn(cartes, "--env", "sandbox", "login", "--password")
    child.expect("Username or e-mail")
    child.sendline(user.username)
    child.expect("Password")
    child.sendline(DEMO_PASSWORD)
    # Keycloak answers a missing code like a wrong password; cartes asks for the code once.
    child.expect("6-digit code")
    child.sendline(user.code())
    child.expect("Logged in to sandbox")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    transcript = child.before or ""
    assert DEMO_PASSWORD not in transcript  # the password prompt does not echo

    # The profile now remembers the second factor: the next login asks for the code up front.
    child = spawn(cartes, "--env", "sandbox", "login", "--username", user.username)
    child.expect("Password")
    child.sendline(DEMO_PASSWORD)
    child.expect("6-digit code")
    child.sendline(user.code())  # a code works once: a new one
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    r = cartes("login", "status", "--json", "user,state,active")
    assert {"user": user.username, "state": "ok", "active": True} in json.loads(r.stdout)


def test_interactive_wrong_code_exit_4(cartes: Cartes) -> None:
    child = spawn(cartes, "--env", "sandbox", "login", "--username", TOTP_USER)
    good = pyotp.TOTP(TOTP_SEED).now()
    for _attempt in range(3):  # the password and the code are asked again, three tries in all
        child.expect("Password")
        child.sendline(DEMO_PASSWORD)
        child.expect("6-digit code")
        child.sendline("000000" if good != "000000" else "111111")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 4
    assert "Traceback" not in (child.before or "")


def test_interactive_account_without_totp_never_sees_a_code_prompt(cartes: Cartes) -> None:
    child = spawn(cartes, "--env", "sandbox", "login", "--username", ADMIN)
    child.expect("Password")
    child.sendline(DEMO_PASSWORD)
    index = child.expect(["Logged in", "6-digit code"])
    assert index == 0
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
