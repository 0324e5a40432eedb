"""The secret canary: no password, TOTP seed or token in any output, log or file.

A distinctive run of commands (login with a second factor, status, lists, a failed login with
--debug, logout), then every captured stdout/stderr, the sandbox's own log and every file under
the isolated home except the credential store are searched for the secrets.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import DEMO_PASSWORD, Cartes

pytestmark = pytest.mark.e2e

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")
CREDENTIAL_STORE = "credentials.json"


def test_no_secret_leaks_anywhere(cartes: Cartes) -> None:
    assert cartes.sandbox is not None
    user = cartes.sandbox.new_totp_user()
    steps = [
        cartes.login(user),
        cartes("--debug", "login", "status"),
        cartes("--debug", "workspace", "list", "--public", "--json"),
        cartes("--debug", "workspace", "list"),
        cartes(
            "--debug",
            "--env",
            "sandbox",
            "login",
            *(() if cartes.keyring else ("--insecure-storage",)),
            env={"CARTES_USERNAME": user.username, "CARTES_PASSWORD": DEMO_PASSWORD + "x"},
        ),
        cartes("--debug", "logout"),
    ]
    assert steps[0].returncode == 0, steps[0]
    assert "[debug]" in steps[2].stderr  # --debug really logged the HTTP exchanges
    texts = {f"{' '.join(r.args)} (stdout)": r.stdout for r in steps}
    texts.update({f"{' '.join(r.args)} (stderr)": r.stderr for r in steps})
    # The sandbox's start-up banner lists its public demo accounts (as the README does): skip it.
    texts["sandbox stderr"] = "".join(
        line for line in cartes.sandbox.stderr_lines if "demo" not in line.lower() or "eyJ" in line
    )
    for path in Path(cartes.home).rglob("*"):
        if path.is_file() and path.name != CREDENTIAL_STORE:
            texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    for where, text in texts.items():
        assert DEMO_PASSWORD not in text, f"password in {where}"
        assert user.seed not in text, f"TOTP seed in {where}"
        assert not JWT.search(text), f"token in {where}: {JWT.search(text)}"
        assert "Authorization: Bearer e" not in text


def test_show_token_is_the_only_way_to_see_a_token(cartes: Cartes) -> None:
    assert cartes.sandbox is not None
    assert cartes.login(cartes.sandbox.new_totp_user()).returncode == 0
    r = cartes("login", "status", "--json", "token")
    assert not JWT.search(r.stdout)
    r = cartes("login", "status", "--show-token", "--json", "token")
    assert JWT.search(r.stdout)
