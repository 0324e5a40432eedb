"""Issue 13: forms that help, hints that work as printed, explicit profile switches, platforms
known by their issuer, and a password asked again at the terminal.

Every test runs the installed ``cartes`` against a real sandbox; the hints are run exactly as
printed (the command is cut out of the message and split as a shell would).
"""

from __future__ import annotations

import io
import json
import re
import shlex
import sys
from pathlib import Path
from typing import Any

import httpx
import pexpect
import pytest

from tests.conftest import (
    ADMIN,
    DEMO_PASSWORD,
    STAFF,
    Cartes,
    Result,
    Sandbox,
    own_sandbox,
)
from tests.e2e.conftest import PRODUCER, logged_in

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")]

PASSWORD_ENV = {"CARTES_PASSWORD": DEMO_PASSWORD}

FORM = [
    {
        "name": "effectif",
        "title": "Effectif",
        "type": "integer",
        "constraints": {"required": True, "minimum": 1, "maximum": 7},
    },
    {"name": "charte", "title": "Accepte la charte", "type": "boolean", "constraints": {"required": True}},
    {
        "name": "domaine",
        "title": "Domaine",
        "type": "string",
        "constraints": {"enum": ["eau", "forêt", "littoral"]},
    },
    {"name": "referent", "title": "E-mail du référent", "type": "email", "constraints": {}},
]


sandbox = own_sandbox("sandbox")


def form_community(sandbox: Sandbox) -> str:
    """A new public community whose join form has bounds, a yes/no, choices and an e-mail."""
    r = httpx.post(
        sandbox.base_url + "/sandbox/fixtures/communities",
        json={"count": 1, "prefix": "Espace avec formulaire", "join_form": FORM},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["communities"][0])


def storage(cli: Cartes) -> tuple[str, ...]:
    return () if cli.keyring else ("--insecure-storage",)


def printed_command(text: str, start: str = "cartes ") -> list[str]:
    """The first cartes command in a message, split as a shell would (without ``cartes``)."""
    match = re.search(r"'(cartes [^']+)'", text) or re.search(r"(cartes [^\n]+)", text)
    assert match, text
    words = shlex.split(match.group(1))
    assert words[0] == "cartes", words
    return words[1:]


def run_printed(cli: Cartes, text: str, **kwargs: Any) -> Result:
    """Run the hint as printed (a login gets --insecure-storage where this machine has no keyring,
    as the keyring error's own hint says)."""
    words = printed_command(text)
    if "login" in words and "switch" not in words:
        words += storage(cli)
    return cli(*words, **kwargs)


# --- 1. forms that help -------------------------------------------------------------------------


def answer_form(child: pexpect.spawn) -> None:
    """Each prompt shows what it accepts; a refused answer is asked again with the reason."""
    child.expect_exact("Effectif (1–7): ")
    child.sendline("9")
    child.expect_exact("Must be at most 7; try again.")
    child.expect_exact("Effectif (1–7): ")
    child.sendline("3")
    child.expect_exact("Accepte la charte [yes/no]: ")
    child.sendline("peut-être")
    child.expect_exact("Must be true or false; try again.")
    child.sendline("oui")
    child.expect_exact("Domaine [eau/forêt/littoral] (optional): ")
    child.sendline("mer")
    child.expect_exact("Must be one of: eau, forêt, littoral; try again.")
    child.sendline("Forêt")
    child.expect_exact("E-mail du référent (optional): ")
    child.sendline("")  # optional: Enter skips it


def test_join_form_shows_choices_and_bounds_and_asks_again(
    tmp_path: Path, sandbox: Sandbox, keyring_available: bool
) -> None:
    community = form_community(sandbox)
    cli = logged_in(tmp_path, sandbox, keyring_available, PRODUCER)
    child = cli.spawn("workspace", "join", community)
    answer_form(child)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    request_id = (child.before or "").strip().splitlines()[-1].strip()
    r = cli("request", "show", request_id, "--json", "answers")
    assert r.returncode == 0, r
    assert json.loads(r.stdout)["answers"] == {"effectif": 3, "charte": True, "domaine": "forêt"}


def test_without_request_api_the_same_prompts_and_a_refused_answer_is_asked_again(
    tmp_path: Path, real_sandbox: Sandbox, keyring_available: bool
) -> None:
    community = form_community(real_sandbox)
    cli = logged_in(tmp_path, real_sandbox, keyring_available, PRODUCER)
    child = cli.spawn("workspace", "join", community, "--answer", "effectif=12", "--answer", "charte=non")
    seen = io.StringIO()
    child.logfile_read = seen
    # The --answer out of bounds is not a failure after everything was typed: it is asked again.
    child.expect_exact("--answer effectif: must be at most 7.")
    child.expect_exact("Effectif (1–7): ")
    child.sendline("2")
    child.expect_exact("Domaine [eau/forêt/littoral] (optional): ")  # charte=non was kept
    child.sendline("eau")
    child.expect_exact("E-mail du référent (optional): ")
    child.sendline("pas une adresse")
    child.expect_exact("Must be an e-mail address; try again.")
    child.sendline("")
    child.expect("Nothing was sent")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    transcript = seen.getvalue()
    assert "effectif : 2" in transcript
    assert "charte :" in transcript
    assert "domaine : eau" in transcript


def test_an_unknown_answer_is_refused_before_anything_is_asked(
    tmp_path: Path, sandbox: Sandbox, keyring_available: bool
) -> None:
    community = form_community(sandbox)
    cli = logged_in(tmp_path, sandbox, keyring_available, PRODUCER)
    child = cli.spawn("workspace", "join", community, "--answer", "couleur=bleu")
    index = child.expect(["is not a field of this form", "Effectif"])
    assert index == 0
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2


def test_workspace_form_for_scripts(tmp_path: Path, sandbox: Sandbox, keyring_available: bool) -> None:
    community = form_community(sandbox)
    cli = logged_in(tmp_path, sandbox, keyring_available, PRODUCER)
    r = cli("workspace", "form", community, "--json")
    assert r.returncode == 0, r
    fields = {f["name"]: f for f in json.loads(r.stdout)}
    assert list(fields) == ["effectif", "charte", "domaine", "referent"]
    assert (fields["effectif"]["minimum"], fields["effectif"]["maximum"]) == (1, 7)
    assert fields["effectif"]["required"] is True
    assert fields["domaine"]["choices"] == ["eau", "forêt", "littoral"]
    assert fields["charte"]["type"] == "boolean"
    r = cli("workspace", "form", "ddt33", "--json", "name,required,pattern")
    assert r.returncode == 0, r
    assert {"name": "siret", "required": False, "pattern": "^[0-9]{14}$"} in json.loads(r.stdout)
    r = cli("workspace", "form", "tutoriels", "--format", "table")
    assert r.returncode == 0, r
    assert "asks for nothing" in r.stderr
    r = cli("workspace", "form", "no-such-workspace")
    assert r.returncode == 3, r


# --- 2. hints that work as printed ----------------------------------------------------------------


def test_not_logged_in_hint_with_api_url_logs_in_to_the_same_platform(
    tmp_path: Path, sandbox: Sandbox, keyring_available: bool
) -> None:
    cli = Cartes(tmp_path / "home", None, keyring_available)  # no sandbox record: only --api-url
    r = cli("--api-url", sandbox.api_url, "workspace", "list")
    assert r.returncode == 4, r
    assert f"'cartes --api-url {sandbox.api_url} login'" in r.stderr, r.stderr
    r = run_printed(cli, r.stderr, env={"CARTES_USERNAME": PRODUCER, **PASSWORD_ENV})
    assert r.returncode == 0, r
    r = cli("--api-url", sandbox.api_url, "workspace", "list", "--json", "technical_name")
    assert r.returncode == 0, r


def test_unknown_profile_hint_creates_that_profile_on_the_same_platform(
    tmp_path: Path, sandbox: Sandbox, keyring_available: bool
) -> None:
    cli = logged_in(tmp_path, sandbox, keyring_available, PRODUCER)
    r = cli("--env", "sandbox", "--profile", "julien", "workspace", "list")
    assert r.returncode == 2, r
    assert "'cartes --env sandbox login --profile julien'" in r.stderr, r.stderr
    r = run_printed(cli, r.stderr, env={"CARTES_USERNAME": ADMIN, **PASSWORD_ENV})
    assert r.returncode == 0, r
    r = cli("--profile", "julien", "workspace", "list", "--json", "technical_name")
    assert r.returncode == 0, r
    assert "ddt33" in r.stdout


def test_profile_switch_hint_after_a_login_works_as_printed(
    tmp_path: Path, sandbox: Sandbox, keyring_available: bool
) -> None:
    cli = logged_in(tmp_path, sandbox, keyring_available, PRODUCER)
    r = cli.login(ADMIN, profile="julien")
    assert r.returncode == 0, r
    assert "The active profile is still default (elodie.chevalier)" in r.stderr, r.stderr
    r = run_printed(cli, r.stderr.split("The active profile is still", 1)[1])
    assert r.returncode == 0, r
    r = cli("login", "status", "--json", "profile,active")
    assert {"profile": "julien", "active": True} in json.loads(r.stdout)


accounts_sandbox = own_sandbox("accounts_sandbox", "--scriptable-captchas")


def test_sign_up_hint_and_the_code_e_mail_work_as_printed(
    tmp_path: Path, accounts_sandbox: Sandbox, keyring_available: bool
) -> None:
    sandbox = accounts_sandbox
    cli = Cartes(tmp_path / "home", None, keyring_available)
    captcha = sandbox.get("/api/accounts/captcha")
    assert isinstance(captcha, dict)
    user, email = "ines.hint", "ines.hint@exemple.test"
    r = cli(
        "--api-url", sandbox.api_url, "account", "create",
        "--username", user, "--email", email, "--first-name", "Inès", "--last-name", "Indice",
        "--captcha-id", str(captcha["_id"]), "--captcha-answer", str(captcha["answer"]),
        env=PASSWORD_ENV,
    )  # fmt: skip
    assert r.returncode == 0, r
    hint = next(line for line in r.stderr.splitlines() if "account verify" in line)
    assert f"cartes --api-url {sandbox.api_url} account verify --email {email} --code CODE" in hint, hint
    # The e-mail prints its own command: it names the sandbox and the address, and works as
    # printed from another configuration altogether.
    mails = sandbox.get(f"/sandbox/outbox?to={email}")
    assert isinstance(mails, list)
    assert mails
    line = next(x for x in mails[-1]["body"].splitlines() if "cartes " in x)
    assert f"--api-url {sandbox.api_url}" in line, line
    assert f"--email {email}" in line, line
    elsewhere = Cartes(tmp_path / "elsewhere", None, keyring_available)
    r = elsewhere(*printed_command(line))
    assert r.returncode == 0, r
    assert "confirmed" in r.stderr
    login_hint = r.stderr.split("confirmed", 1)[1]
    assert f"'cartes --api-url {sandbox.api_url} login'" in login_hint, login_hint
    r = run_printed(elsewhere, login_hint, env={"CARTES_USERNAME": user, **PASSWORD_ENV})
    assert r.returncode == 0, r


# --- 3. profiles ------------------------------------------------------------------------------------


def test_a_login_with_profile_does_not_switch_unless_asked(
    tmp_path: Path, sandbox: Sandbox, keyring_available: bool
) -> None:
    cli = Cartes(tmp_path / "home", sandbox, keyring_available)
    r = cli.login(PRODUCER, profile="elodie")  # the first profile becomes the active one
    assert r.returncode == 0, r
    r = cli.login(STAFF, profile="claire")
    assert r.returncode == 0, r
    assert "The active profile is still elodie (elodie.chevalier)" in r.stderr
    r = cli("login", "status", "--json", "profile,active")
    assert {"profile": "elodie", "active": True} in json.loads(r.stdout)
    r = cli("workspace", "list", "--json", "technical_name")  # still Élodie's workspaces
    assert r.returncode == 0, r
    r = cli.login(STAFF, profile="claire", extra=("--activate",))
    assert r.returncode == 0, r
    assert "claire is now the active profile (it was elodie)" in r.stderr
    r = cli("login", "status", "--json", "profile,active")
    assert {"profile": "claire", "active": True} in json.loads(r.stdout)


# --- 4. a platform is its issuer ---------------------------------------------------------------------


def test_a_login_by_name_serves_the_url_and_the_other_way_round(
    tmp_path: Path, sandbox: Sandbox, keyring_available: bool
) -> None:
    by_name = logged_in(tmp_path, sandbox, keyring_available, PRODUCER, "by-name")
    r = by_name("--api-url", sandbox.api_url, "workspace", "list", "--json", "technical_name")
    assert r.returncode == 0, r
    by_url = Cartes(tmp_path / "by-url", sandbox, keyring_available)
    r = by_url(
        "--api-url", sandbox.api_url, "login", *storage(by_url),
        env={"CARTES_USERNAME": PRODUCER, **PASSWORD_ENV},
    )  # fmt: skip
    assert r.returncode == 0, r
    r = by_url("--env", "sandbox", "workspace", "list", "--json", "technical_name")
    assert r.returncode == 0, r
    # Another platform is still another platform.
    r = by_url("--env", "qualif", "workspace", "list")
    assert r.returncode == 4, r


def test_env_sandbox_finds_a_running_sandbox_whatever_cartes_home_says(
    tmp_path: Path, sandbox: Sandbox, keyring_available: bool
) -> None:
    # The module's sandbox was started with its own CARTES_HOME; its per-user record is in the
    # user's state directory (here XDG_STATE_HOME of that home): a client with another
    # CARTES_HOME and no record of its own finds it there.
    cli = Cartes(tmp_path / "other-home", None, keyring_available)
    user_state = str(sandbox.home / "xdg-state")
    r = cli("--env", "sandbox", "workspace", "list", "--public", "--json", "technical_name")
    assert r.returncode == 1, r
    assert "No local sandbox is running" in r.stderr
    cli.env["XDG_STATE_HOME"] = user_state
    r = cli(
        "--env", "sandbox", "login", *storage(cli), env={"CARTES_USERNAME": PRODUCER, **PASSWORD_ENV}
    )  # fmt: skip
    assert r.returncode == 0, r
    assert sandbox.api_url in r.stderr
    r = cli("--env", "sandbox", "workspace", "list", "--json", "technical_name")
    assert r.returncode == 0, r


# --- 5. the password asked again, the code offered once ---------------------------------------------


def test_a_mistyped_password_is_asked_again(
    tmp_path: Path, sandbox: Sandbox, keyring_available: bool
) -> None:
    cli = Cartes(tmp_path / "home", sandbox, keyring_available)
    child = cli.spawn("--env", "sandbox", "login", "--username", PRODUCER, storage=True, width=160)
    child.expect("Password")
    child.sendline("not-the-password")
    child.expect_exact("Wrong password, or the account has two-factor authentication")
    child.expect_exact("6-digit code (Enter: password again): ")
    child.sendline("")
    child.expect("Password")
    child.sendline("still-wrong")
    child.expect_exact("Wrong password; try again.")  # the code is offered once only
    child.expect("Password")
    child.sendline(DEMO_PASSWORD)
    child.expect("Logged in to sandbox")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    r = cli("login", "status", "--json", "user,state")
    assert {"user": PRODUCER, "state": "ok"} in json.loads(r.stdout)


def test_the_code_offered_after_a_refusal_logs_in_and_is_remembered(
    tmp_path: Path, sandbox: Sandbox, keyring_available: bool
) -> None:
    user = sandbox.new_totp_user()
    cli = Cartes(tmp_path / "home", sandbox, keyring_available)
    child = cli.spawn("--env", "sandbox", "login", "--username", user.username, storage=True, width=160)
    child.expect("Password")
    child.sendline(DEMO_PASSWORD)
    child.expect_exact("6-digit code (Enter: password again): ")
    child.sendline(user.code())
    child.expect("Logged in to sandbox")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    # Known now: the next login asks for the code with the password, and a wrong password or
    # code is asked again (both). The code sent with a wrong password is not used up.
    code = user.code()
    child = cli.spawn("--env", "sandbox", "login", "--username", user.username, storage=True, width=160)
    child.expect("Password")
    child.sendline("not-the-password")
    child.expect_exact("6-digit code: ")
    child.sendline(code)
    child.expect_exact("The password or the code is wrong; try again.")
    child.expect("Password")
    child.sendline(DEMO_PASSWORD)
    child.expect_exact("6-digit code: ")
    child.sendline(code)
    child.expect("Logged in to sandbox")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_the_request_e_mails_print_commands_that_work_as_printed(
    tmp_path: Path, sandbox: Sandbox, keyring_available: bool
) -> None:
    producer = logged_in(tmp_path, sandbox, keyring_available, PRODUCER, "producer")
    r = producer(
        "workspace", "join", "ddt33",
        "--answer", "service=Parc national des Écrins",
        "--answer", "usage=Croiser nos inventaires avec les zonages de la DDT",
    )  # fmt: skip
    assert r.returncode == 0, r
    request_id = r.stdout.strip()
    mails = httpx.get(sandbox.base_url + "/sandbox/outbox", params={"related": request_id}, timeout=10).json()
    mails = mails.get("messages", mails) if isinstance(mails, dict) else mails
    notice = next(m for m in mails if m["to"] == "sig@ddt-gironde.test")
    line = next(x for x in notice["body"].splitlines() if "request approve" in x)
    # The supervisor logged in with --env sandbox; the e-mail names the sandbox by its URL: the
    # same platform (the same issuer), so the stored login serves it.
    admin = logged_in(tmp_path, sandbox, keyring_available, ADMIN, "admin")
    r = admin(*printed_command(line.split(":", 1)[1]))
    assert r.returncode == 0, r
    assert r.stdout.startswith("accepted\t" + request_id)
