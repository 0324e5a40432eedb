"""``cartes account password``: three lines on stdin (checked before any request) or hidden
prompts; the passwords go in the body, never in a message."""

from __future__ import annotations

import httpx
import pytest
import respx
import typer

from cartes_cli.cli.account.password import PasswordOptions, run
from cartes_cli.errors import UsageError
from tests.cli.account.conftest import ACCOUNT, posts, problems, real_platform, sent

OLD = "Ancien-Mot-2025!!"
NEW = "Carte-Blanche-2026!"


def test_three_lines_on_stdin_change_the_password(make_cli, platform: respx.MockRouter, logged_in) -> None:
    route = platform.post(ACCOUNT + "/credentials/password").mock(return_value=httpx.Response(204))
    cli = make_cli(stdin=f"{OLD}\n{NEW}\n{NEW}\n")
    run(cli.app, PasswordOptions(stdin=True))
    assert sent(route) == {"currentPassword": OLD, "newPassword": NEW, "confirmation": NEW}
    assert route.calls[0].request.headers["Authorization"] == "Bearer test-token"
    assert "Password changed." in cli.err
    assert OLD not in cli.err
    assert NEW not in cli.err


def test_a_missing_line_is_a_usage_error(make_cli, platform) -> None:
    with pytest.raises(UsageError, match=r"--stdin: three lines were expected"):
        run(make_cli(stdin=f"{OLD}\n{NEW}\n").app, PasswordOptions(stdin=True))
    assert platform.calls.call_count == 0


def test_a_weak_or_mismatched_new_password_is_refused_first(make_cli, platform) -> None:
    cli = make_cli(stdin=f"{OLD}\nshort\nother\n")
    with pytest.raises(typer.Exit) as caught:
        run(cli.app, PasswordOptions(stdin=True))
    assert caught.value.exit_code == 2
    assert cli.err.splitlines()[0] == "Error: the new password does not meet the rule:"
    assert "  - password confirmation: " in cli.err
    assert "short" not in cli.err
    assert platform.calls.call_count == 0


def test_the_platform_refusal_names_its_fields(make_cli, platform, logged_in) -> None:
    platform.post(ACCOUNT + "/credentials/password").mock(
        return_value=problems(("currentPassword", "password.invalid", "is wrong."))
    )
    cli = make_cli(stdin=f"{OLD}\n{NEW}\n{NEW}\n")
    with pytest.raises(typer.Exit):
        run(cli.app, PasswordOptions(stdin=True))
    assert cli.err.splitlines() == [
        "Error: the platform refused the new password:",
        "  - current password: is wrong.",
    ]


def test_on_a_terminal_the_passwords_are_asked_hidden(make_cli, platform, logged_in, hidden_answers) -> None:
    hidden_answers += [OLD, "weak", NEW, NEW]
    route = platform.post(ACCOUNT + "/credentials/password").mock(return_value=httpx.Response(204))
    cli = make_cli(tty=True)
    run(cli.app, PasswordOptions())
    assert sent(route) == {"currentPassword": OLD, "newPassword": NEW, "confirmation": NEW}
    assert "Password rule: " in cli.err
    assert "This password does not meet the rule:" in cli.err


def test_off_a_terminal_without_stdin_nothing_is_sent(make_cli, platform) -> None:
    with pytest.raises(UsageError, match=r"Not on a terminal: give the passwords on standard input"):
        run(make_cli().app, PasswordOptions())
    assert posts(platform) == []


def test_cartes_password_left_behind_is_pointed_out(make_cli, platform, logged_in, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_PASSWORD", OLD)
    platform.post(ACCOUNT + "/credentials/password").mock(return_value=httpx.Response(204))
    cli = make_cli(stdin=f"{OLD}\n{NEW}\n{NEW}\n")
    run(cli.app, PasswordOptions(stdin=True))
    assert "CARTES_PASSWORD still holds the old password: update it." in cli.err


def test_the_real_platform_opens_its_login_page(make_cli, platform) -> None:
    real_platform(platform)
    cli = make_cli()
    run(cli.app, PasswordOptions(no_browser=True))
    assert cli.out.strip().endswith("&kc_action=UPDATE_PASSWORD")
    assert posts(platform) == []
