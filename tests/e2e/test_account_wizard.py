"""``cartes account`` at a real terminal (a pty): the sign-up wizard, then 2FA, typed as a person.

The sandbox runs with ``--scriptable-captchas``: the wizard then prints each captcha's answer
(the sandbox sent it), which the test reads from the screen and types, as a person reads the image.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

import pexpect
import pyotp
import pytest

from tests.conftest import Cartes, Sandbox, cartes_executable
from tests.e2e.test_account import (
    JWT,
    PASSWORD,
    accounts_sandbox,  # noqa: F401 - the module's sandbox fixture
    verification_code,
)

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")]


@pytest.fixture
def cli(tmp_path: Path, accounts_sandbox: Sandbox, keyring_available: bool) -> Cartes:  # noqa: F811
    return Cartes(tmp_path / "home", accounts_sandbox, keyring_available)


class Screen:
    """A pexpect child that keeps everything it printed (for the canary)."""

    def __init__(self, cli: Cartes, *args: str) -> None:
        env = dict(cli.env)
        env.pop("CI", None)
        env["TERM"] = "dumb"
        self.child = pexpect.spawn(
            cartes_executable(), list(args), env=env, encoding="utf-8", timeout=30, dimensions=(50, 120)
        )
        self.text = ""

    def expect(self, pattern: str) -> re.Match[str]:
        try:
            self.child.expect(pattern)
        finally:
            self.text += (self.child.before or "") + (
                self.child.after if isinstance(self.child.after, str) else ""
            )
        match = self.child.match
        assert isinstance(match, re.Match)
        return match

    def send(self, line: str) -> None:
        self.child.sendline(line)

    def finish(self) -> int:
        self.child.expect(pexpect.EOF)
        self.text += self.child.before or ""
        self.child.close()
        assert self.child.exitstatus is not None, self.text
        return self.child.exitstatus


def test_wizard_sign_up_then_2fa_at_a_terminal(cli: Cartes, accounts_sandbox: Sandbox) -> None:  # noqa: F811
    user, email = "wanda.wizard", "wanda.wizard@exemple.test"
    screen = Screen(cli, "--env", "sandbox", "account", "create", "--no-browser")

    # Step 1: the login. A weak password first: every missing criterion is listed.
    screen.expect(r"Step 1/5 · Profile")
    screen.expect("Username")
    screen.send("wa")  # too short: asked again
    screen.expect("at least 3 characters")
    screen.expect("Username")
    screen.send(user)
    screen.expect("E-mail address")
    screen.send(email)
    screen.expect("Password")
    screen.send("abcdefgh")
    screen.expect("does not meet the rule")
    screen.expect("at least 14 characters")
    screen.expect("at least 1 upper-case letter")
    screen.expect("at least 2 digits")
    screen.expect("at least 2 special characters")
    screen.expect("Password")
    screen.send(PASSWORD)
    screen.expect("Password again")
    screen.send(PASSWORD + "x")
    screen.expect("does not match")
    screen.expect("Password")
    screen.send(PASSWORD)
    screen.expect("Password again")
    screen.send(PASSWORD)

    # Step 2: identity, optional fields; a bad phone number is asked again.
    screen.expect(r"Step 2/5 · Identity")
    screen.expect("First name")
    screen.send("Wanda")
    screen.expect("Last name")
    screen.send("")
    screen.expect("Phone number")
    screen.send("12345")
    screen.expect("French number")
    screen.expect("Phone number")
    screen.send("06 12 34 56 78")
    screen.expect("Photo")
    screen.send("skip")

    # Step 3: the address, skipped.
    screen.expect(r"Step 3/5 · Address")
    screen.expect("Street")
    screen.send("")

    # Step 4: professional, with a SIRET whose check digit is wrong, then right.
    screen.expect(r"Step 4/5 · Professional")
    screen.expect(r"professional\? \[y/N\]")
    screen.send("y")
    screen.expect("SIRET")
    screen.send("732 829 320 00075")
    screen.expect("check digit is wrong")
    screen.expect("SIRET")
    screen.send("732 829 320 00074")
    for label, value in (
        ("Company or administration", "Géomatique Conseil"),
        ("Your position", "Cheffe de projet SIG"),
        ("Company street", "73 avenue de Paris"),
        ("Company postcode", "94160"),
        ("Company locality", "Saint-Mandé"),
    ):
        screen.expect(label)
        screen.send(value)

    # The summary, then step 5: a wrong answer gives a new captcha.
    screen.expect("Summary")
    screen.expect("Géomatique Conseil")
    screen.expect(r"Create this account\? \[Y/n\]")
    screen.send("")
    screen.expect(r"Step 5/5 · Captcha")
    first = screen.expect(r"the answer is (\w+)\.").group(1)
    assert re.search(r"[█▀▄]", screen.text), "the captcha was not drawn in the terminal"
    assert "cartes-captcha-" in screen.text  # its file, for an image viewer
    screen.expect("Characters in the image")
    screen.send("WRONG1" if first != "WRONG1" else "WRONG2")
    screen.expect("Wrong answer; here is a new captcha")
    second = screen.expect(r"the answer is (\w+)\.").group(1)
    screen.expect("Characters in the image")
    screen.send(second.lower())  # case does not matter

    # Created; the code from the e-mail (read in the sandbox's outbox) confirms it at once.
    screen.expect("created")
    screen.expect("cartes --env sandbox sandbox outbox")
    screen.expect("6-digit code from the e-mail")
    screen.send(verification_code(accounts_sandbox, email))
    screen.expect("confirmed")
    assert screen.finish() == 0, screen.text
    wizard_text = screen.text

    storage = () if cli.keyring else ("--insecure-storage",)
    r = cli("--env", "sandbox", "login", *storage, env={"CARTES_USERNAME": user, "CARTES_PASSWORD": PASSWORD})
    assert r.returncode == 0, r
    shown = json.loads(cli("account", "show", "--json", "first_name,phone,siret,company").stdout)
    assert shown == {
        "first_name": "Wanda",
        "phone": "+33612345678",
        "siret": "73282932000074",
        "company": "Géomatique Conseil",
    }

    # 2FA at the terminal: the QR code and the seed, a wrong code, the right one, keep the seed.
    screen = Screen(cli, "account", "2fa", "enable")
    seed = screen.expect(r"Seed: ((?:[A-Z2-7]{4} ?)+)").group(1).replace(" ", "")
    qr = [line for line in screen.text.splitlines() if line and set(line) <= {"█", "▀", "▄", " "}]
    assert len(qr) >= 15, screen.text
    assert max(len(line) for line in qr) <= 80
    screen.expect("First 6-digit code from the app")
    good = pyotp.TOTP(seed).now()
    screen.send("000000" if good != "000000" else "111111")
    screen.expect("Wrong code")
    screen.expect("First 6-digit code from the app")
    screen.send(pyotp.TOTP(seed).now())
    screen.expect("Two-factor authentication is on")
    screen.expect(r"Keep the seed .*\[y/N\]")
    screen.send("y")
    screen.expect("The seed is kept")
    assert screen.finish() == 0, screen.text
    enable_text = screen.text

    # Logging in again at the terminal: the stored seed answers the second factor.
    screen = Screen(cli, "--env", "sandbox", "login", "--username", user, *storage)
    screen.expect("Password")
    screen.send(PASSWORD)
    index = screen.child.expect(["Logged in", "6-digit code"])
    assert index == 0, "the stored seed should have answered the second factor"
    assert screen.finish() == 0
    login_text = screen.text

    # Without the seed (another profile), the login asks for the code.
    screen = Screen(cli, "--profile", "second", "--env", "sandbox", "login", "--username", user, *storage)
    screen.expect("Password")
    screen.send(PASSWORD)
    screen.expect("6-digit code")
    # The login just before used the current code, and a code works once: the app's next one
    # (the platform accepts the next window's code too).
    screen.send(pyotp.TOTP(seed).at(time.time() + 30))
    screen.expect("Logged in")
    assert screen.finish() == 0

    # The canary: the password never echoed; the seed only where 2fa enable shows it.
    for where, text in (
        ("wizard", wizard_text),
        ("enable", enable_text),
        ("login", login_text + screen.text),
    ):
        assert PASSWORD not in text, f"password on the {where} screen"
        assert not JWT.search(text), f"token on the {where} screen"
    assert seed not in wizard_text + login_text + screen.text
