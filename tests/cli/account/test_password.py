"""``cartes account password``: three lines on stdin (checked before any request) or hidden
prompts; the passwords go in the body, never in a message."""

from __future__ import annotations

from cartes_cli.cli.account.password import PasswordOptions, run
from cartes_cli.errors import UsageError
from tests.cli.account.conftest import ACCOUNT, TOKEN
from tests.cli.harness import problems, sent_json

OLD = "Ancien-Mot-2025!!"
NEW = "Carte-Blanche-2026!"


def test_three_lines_on_stdin_change_the_password(account_world) -> None:
    h = account_world(token=TOKEN, answers=[OLD, NEW, NEW])
    route = h.mock.post(ACCOUNT + "/credentials/password").respond(204)
    outcome = h.run(run, PasswordOptions(stdin=True))
    assert outcome.code == 0, outcome.err
    assert sent_json(route) == {"currentPassword": OLD, "newPassword": NEW, "confirmation": NEW}
    assert route.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "Password changed." in outcome.err
    assert OLD not in outcome.err
    assert NEW not in outcome.err


def test_a_missing_line_is_a_usage_error(account_world) -> None:
    h = account_world(answers=[OLD, NEW])
    h.run(run, PasswordOptions(stdin=True)).raised(UsageError, r"--stdin: three lines were expected")
    assert h.mock.calls.call_count == 0


def test_a_weak_or_mismatched_new_password_is_refused_first(account_world) -> None:
    h = account_world(answers=[OLD, "short", "other"])
    outcome = h.run(run, PasswordOptions(stdin=True))
    assert (outcome.code, outcome.error) == (2, None)  # typer.Exit: the list is the message
    assert outcome.err.splitlines()[0] == "Error: the new password does not meet the rule:"
    assert "  - password confirmation: " in outcome.err
    assert "short" not in outcome.err
    assert h.mock.calls.call_count == 0


def test_the_platform_refusal_names_its_fields(account_world) -> None:
    h = account_world(token=TOKEN, answers=[OLD, NEW, NEW])
    h.mock.post(ACCOUNT + "/credentials/password").mock(
        return_value=problems(("currentPassword", "password.invalid", "is wrong."))
    )
    outcome = h.run(run, PasswordOptions(stdin=True))
    assert (outcome.code, outcome.error) == (2, None)  # typer.Exit: the list is the message
    assert outcome.err.splitlines() == [
        "Error: the platform refused the new password:",
        "  - current password: is wrong.",
    ]


def test_on_a_terminal_the_passwords_are_asked_hidden(account_world, hidden_answers) -> None:
    hidden_answers += [OLD, "weak", NEW, NEW]
    h = account_world(token=TOKEN, tty=True)
    route = h.mock.post(ACCOUNT + "/credentials/password").respond(204)
    outcome = h.run(run, PasswordOptions())
    assert outcome.code == 0, outcome.err
    assert sent_json(route) == {"currentPassword": OLD, "newPassword": NEW, "confirmation": NEW}
    assert "Password rule: " in outcome.err
    assert "This password does not meet the rule:" in outcome.err


def test_off_a_terminal_without_stdin_nothing_is_sent(account_world) -> None:
    h = account_world()
    outcome = h.run(run, PasswordOptions())
    outcome.raised(UsageError, r"Not on a terminal: give the passwords on standard input")
    assert h.requests("POST") == []


def test_cartes_password_left_behind_is_pointed_out(account_world, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_PASSWORD", OLD)
    h = account_world(token=TOKEN, answers=[OLD, NEW, NEW])
    h.mock.post(ACCOUNT + "/credentials/password").respond(204)
    outcome = h.run(run, PasswordOptions(stdin=True))
    assert outcome.code == 0, outcome.err
    assert "CARTES_PASSWORD still holds the old password: update it." in outcome.err


def test_the_real_platform_opens_its_login_page(account_world) -> None:
    h = account_world()
    h.real_platform()
    outcome = h.run(run, PasswordOptions(no_browser=True))
    assert outcome.code == 0, outcome.err
    assert outcome.out.strip().endswith("&kc_action=UPDATE_PASSWORD")
    assert h.requests("POST") == []
