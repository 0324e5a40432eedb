"""Issue 13 end to end: scripts against the sandbox, and the same behaviour across commands.

The installed ``cartes`` against a real sandbox started with ``--scriptable-captchas``:

* a script signs up with no person reading the captcha (``cartes sandbox captcha``), which a
  sandbox without the switch and a real platform refuse (exit 2);
* repeated changes (leave, 2FA off, the same join twice) say "already" and exit 0;
* an unknown workspace is "not found" (exit 3) in every command;
* ``--json badfield`` says the field is unknown, as ``--json=badfield`` does;
* control characters in typed input are refused with one line, before any request;
* a long name gives a technical name cut at a word boundary;
* ``account create`` without a terminal lists everything missing at once;
* French output: the sandbox's messages (``Accept-Language``), statuses, sources, help.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.conftest import Cartes, Result, Sandbox, own_sandbox
from tests.e2e.conftest import log_seq

pytestmark = pytest.mark.e2e

PASSWORD = "Carte-Blanche-2026!"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


sandbox = own_sandbox("sandbox", "--scriptable-captchas")


def requests_since(sandbox: Sandbox, seq: int) -> list[tuple[str, str]]:
    r = httpx.get(sandbox.base_url + "/sandbox/log", params={"since": seq, "limit": 1000}, timeout=10)
    return [(e["method"], e["path"]) for e in r.json() if not e["path"].startswith("/sandbox/log")]


def one_line(result: Result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result
    return lines[0]


# --- captchas a script can answer ---------------------------------------------------------------


def test_a_script_signs_up_with_scriptable_captchas(
    tmp_path: Path, sandbox: Sandbox, keyring_available: bool
) -> None:
    cli = Cartes(tmp_path / "script", sandbox, keyring_available)
    r = cli("--env", "sandbox", "account", "captcha", "--no-browser")
    assert r.returncode == 0, r
    r = cli("--env", "sandbox", "sandbox", "captcha")
    assert r.returncode == 0, r
    answer = r.stdout.strip()
    assert len(answer) == 6, r
    assert answer.isalnum(), r
    r = cli(
        "--env", "sandbox", "account", "create",
        "--username", "script.robot", "--email", "script.robot@exemple.test",
        "--captcha-answer", answer,
        env={"CARTES_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert r.returncode == 0, r
    assert "script.robot" in r.stdout
    # An id given explicitly, and the JSON form.
    r = cli("--env", "sandbox", "account", "captcha", "--no-browser", "--json", "id")
    captcha_id = json.loads(r.stdout)["id"]
    r = cli("--env", "sandbox", "sandbox", "captcha", captcha_id, "--json")
    assert r.returncode == 0, r
    assert json.loads(r.stdout)["id"] == captcha_id
    assert cli("--env", "sandbox", "sandbox", "captcha", "made-up-id").returncode == 3


def test_captcha_answers_are_refused_without_the_switch_and_on_real_platforms(
    tmp_path: Path, demo_sandbox: Sandbox, keyring_available: bool
) -> None:
    cli = Cartes(tmp_path / "home", demo_sandbox, keyring_available)
    assert cli("--env", "sandbox", "account", "captcha", "--no-browser").returncode == 0
    r = cli("--env", "sandbox", "sandbox", "captcha")
    assert r.returncode == 2, r
    assert "--scriptable-captchas" in one_line(r)
    for env in ("prod", "qualif"):  # answered without asking the network
        r = cli("--env", env, "sandbox", "captcha", "some-id")
        assert r.returncode == 2, r
        assert f"{env} is not a sandbox" in one_line(r)


def test_the_captcha_alphabet_is_told(tmp_path: Path, demo_sandbox: Sandbox, keyring_available: bool) -> None:
    cli = Cartes(tmp_path / "home", demo_sandbox, keyring_available)
    r = cli("account", "create", "--help")
    assert "23456789ABCDEFGHJKLMNPQRSTUVWXYZ" in " ".join(r.stdout.split()), r.stdout
    r = cli("sandbox", "serve", "--help")
    assert "--scriptable-captchas" in r.stdout


# --- repeated changes say "already" and exit 0 --------------------------------------------------


def test_leaving_a_workspace_twice_is_not_an_error(producer: Cartes, sandbox: Sandbox) -> None:
    mine = {
        w["technical_name"]
        for w in json.loads(producer("workspace", "list", "--json", "technical_name").stdout)
    }
    public = json.loads(producer("workspace", "list", "--public", "--json", "technical_name").stdout)
    other = next(w["technical_name"] for w in public if w["technical_name"] not in mine)
    seq = log_seq(sandbox)
    r = producer("workspace", "leave", other, "--yes")
    assert r.returncode == 0, r
    assert "already" in r.stderr, r
    assert not [c for c in requests_since(sandbox, seq) if c[0] == "DELETE"]


def test_turning_2fa_off_when_it_is_off_is_not_an_error(producer: Cartes, sandbox: Sandbox) -> None:
    seq = log_seq(sandbox)
    r = producer("account", "2fa", "disable")  # no terminal, no code: none is needed
    assert r.returncode == 0, r
    assert "already off" in r.stderr, r
    assert not [c for c in requests_since(sandbox, seq) if c[1].endswith("/totp/disable")]


def test_the_same_join_twice_says_already_and_sends_nothing_new(admin: Cartes, sandbox: Sandbox) -> None:
    first = admin("workspace", "join", "agglo_pau", "--message", "Pour nos études.")
    assert first.returncode == 0, first
    request_id = first.stdout.strip()
    seq = log_seq(sandbox)
    again = admin("workspace", "join", "agglo_pau", "--message", "Pour nos études.")
    assert again.returncode == 0, again
    assert again.stdout.strip() == request_id
    assert "already asked to join agglo_pau" in again.stderr
    assert not [c for c in requests_since(sandbox, seq) if c[0] == "POST"]
    # Re-running the bare command is the same request too; another message would be lost: exit 1.
    assert admin("workspace", "join", "agglo_pau").returncode == 0
    other = admin("workspace", "join", "agglo_pau", "--message", "Autre chose.")
    assert other.returncode == 1, other
    assert f"cartes request cancel {request_id}" in other.stderr
    assert not [c for c in requests_since(sandbox, seq) if c[0] == "POST"]
    pending = json.loads(admin("request", "list", "--status", "pending", "--json", "workspace").stdout)
    assert [p["workspace"] for p in pending].count("agglo_pau") == 1


# --- an unknown workspace: exit 3 everywhere ----------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("workspace", "show", "zzzz_nowhere"),
        ("workspace", "show", UNKNOWN_ID),
        ("workspace", "members", "zzzz_nowhere"),
        ("workspace", "update", "zzzz_nowhere", "--description", "Nouvelle description."),
        ("workspace", "leave", "zzzz_nowhere", "--yes"),
        ("workspace", "join", "zzzz_nowhere"),
        ("workspace", "member", "add", "zzzz_nowhere", UNKNOWN_ID),
        ("workspace", "supervisor", "zzzz_nowhere", "someone@exemple.test", "--yes"),
        ("request", "list", "--incoming", "--workspace", "zzzz nowhere"),
        ("request", "approve", "--all", "--workspace", "zzzz nowhere", "--yes"),
    ],
    ids=lambda a: " ".join(a[:3]),
)
def test_an_unknown_workspace_is_not_found_in_every_command(
    admin: Cartes, sandbox: Sandbox, args: tuple[str, ...]
) -> None:
    seq = log_seq(sandbox)
    r = admin(*args)
    assert r.returncode == 3, r
    assert "not found" in one_line(r).lower(), r
    assert not [c for c in requests_since(sandbox, seq) if c[0] in ("POST", "PUT", "PATCH", "DELETE")]


# --- --json with a space -------------------------------------------------------------------------


def test_json_badfield_with_a_space_says_the_field_is_unknown(admin: Cartes) -> None:
    for args in (
        ("workspace", "list", "--json", "badfield"),
        ("workspace", "list", "--json=badfield"),
        ("workspace", "show", "tutoriels", "--json", "badfield"),
        ("workspace", "show", "--json", "badfield", "tutoriels"),
    ):
        r = admin(*args)
        assert r.returncode == 2, (args, r)
        assert "badfield" in one_line(r), (args, r)
        assert "unknown field" in r.stderr.lower(), (args, r)
    # A word the command takes as its argument stays its argument.
    r = admin("workspace", "show", "--json", "tutoriels")
    assert r.returncode == 0, r
    assert json.loads(r.stdout)["technical_name"] == "tutoriels"


# --- control characters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (("workspace", "create", "Observatoire \x1b[31mrouge"), {}),
        (("workspace", "create", "Observatoire des eaux", "--description", "ligne\x1b]0;titre\x07"), {}),
        (("workspace", "join", "agglo_pau", "--message", "Bonjour\rBcc: x@y.z"), {}),
        (("workspace", "join", "agglo_pau", "--answer", "role=chef\x00"), {}),
        (("workspace", "update", "ddt33", "--name", "DDT \u202egironde"), {}),
        (("--profile", "ci\x1b", "workspace", "list"), {}),
        (("login", "status"), {"CARTES_PROFILE": "ci\x1b[2J"}),
        (("account", "create", "--username", "bob\x1b"), {}),
    ],
    ids=["name", "description", "message", "answer", "bidi", "profile", "profile-env", "username"],
)
def test_control_characters_are_refused_before_any_request(
    admin: Cartes, sandbox: Sandbox, args: tuple[str, ...], env: dict[str, str]
) -> None:
    args = tuple(a.replace("\x00", "\x01") for a in args)  # NUL cannot pass through exec
    seq = log_seq(sandbox)
    r = admin(*args, env=env)
    assert r.returncode == 2, r
    assert "control character" in one_line(r), r
    assert "\x1b" not in r.stderr
    assert requests_since(sandbox, seq) == []


def test_a_multiline_message_keeps_its_line_breaks(producer: Cartes) -> None:
    r = producer("workspace", "join", "pn_vanoise", "--message", "Bonjour,\n\tpour nos études.")
    assert r.returncode == 0, r
    r = producer("request", "show", r.stdout.strip(), "--json", "message")
    assert json.loads(r.stdout)["message"] == "Bonjour,\n\tpour nos études."


# --- technical names ------------------------------------------------------------------------------


def test_a_long_name_gives_a_technical_name_cut_at_a_word_boundary(producer: Cartes) -> None:
    r = producer("workspace", "create", "Observatoire régional des mobilités douces")
    assert r.returncode == 0, r
    r = producer("request", "show", r.stdout.strip(), "--json", "technical_name")
    assert json.loads(r.stdout)["technical_name"] == "observatoire_regional_des"


# --- account create without a terminal ------------------------------------------------------------


def test_account_create_lists_everything_missing_at_once(
    tmp_path: Path, sandbox: Sandbox, keyring_available: bool
) -> None:
    cli = Cartes(tmp_path / "home", sandbox, keyring_available)
    seq = log_seq(sandbox)
    r = cli("--env", "sandbox", "--no-input", "account", "create", "--username", "bob.martin")
    assert r.returncode == 2, r
    lines = r.stderr.strip().splitlines()
    assert any(line.startswith("  - password: missing") for line in lines), r
    assert any(line.startswith("  - --email:") for line in lines), r
    assert any(line.startswith("  - --captcha-answer: missing") for line in lines), r
    assert not [c for c in requests_since(sandbox, seq) if c[0] == "POST"]


# --- French ---------------------------------------------------------------------------------------


def test_the_sandbox_answers_in_the_persons_language(admin: Cartes) -> None:
    french = admin("workspace", "show", UNKNOWN_ID, env={"CARTES_LANG": "fr"})
    assert french.returncode == 3
    assert "Communauté introuvable" in french.stderr, french
    english = admin("workspace", "show", UNKNOWN_ID, env={"CARTES_LANG": "en"})
    assert "Community not found" in english.stderr, english


def test_french_tables_and_help_have_no_english_left(admin: Cartes) -> None:
    fr = {"CARTES_LANG": "fr", "COLUMNS": "160"}
    admin("workspace", "join", "cerema_geo", "--message", "Bonjour.")
    r = admin("--format", "table", "request", "list", env=fr)
    assert r.returncode == 0, r
    assert "en attente" in r.stdout, r.stdout
    assert "adhésion" in r.stdout, r.stdout
    assert "pending" not in r.stdout
    assert " join " not in r.stdout
    # Scripts still read the platform's values.
    assert "\tpending\t" in admin("request", "list", env=fr).stdout
    r = admin("--format", "table", "login", "status", env=fr)
    assert "fichier" in r.stdout or "trousseau" in r.stdout, r.stdout
    assert " file " not in r.stdout
    r = admin("help", "workspace", "join", env=fr)
    assert "Demander à rejoindre un espace de travail" in r.stdout, r.stdout
    assert "Ask to join" not in r.stdout
