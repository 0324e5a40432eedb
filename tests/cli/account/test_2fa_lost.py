"""``cartes account 2fa lost``: the e-mail to the support, in French, with the account's name and
address; sent on the sandbox with --send; checked before anything."""

from __future__ import annotations

import json
from urllib.parse import unquote

import httpx
import pytest
import respx
import typer

from cartes_cli.cli.account.twofa.lost import LOST_SUBJECT, LostOptions, run
from cartes_cli.errors import UsageError
from cartes_cli.platforms import SUPPORT_ADDRESS
from tests.cli.account.conftest import capabilities, cartes, posts, sent

SUPPORT = "https://gpf.test/sandbox/support"


def test_the_draft_is_printed_with_the_account(make_cli, platform: respx.MockRouter) -> None:
    cli = make_cli()
    run(cli.app, LostOptions(username="ana.martin", email="ana@example.fr"))
    lines = cli.out.splitlines()
    assert lines[:3] == [f"To: {SUPPORT_ADDRESS}", f"Subject: {LOST_SUBJECT}", ""]
    assert "  Nom d'utilisateur : ana.martin" in lines
    assert "  Adresse e-mail du compte : ana@example.fr" in lines
    assert "Send this e-mail to the Géoplateforme's support from the account's address:" in cli.err
    assert platform.calls.call_count == 0  # no login, no request


def test_json_gives_a_mailto_link_with_the_same_draft(make_cli, platform) -> None:
    cli = make_cli(json=True)
    run(cli.app, LostOptions(username="ana.martin", email="ana@example.fr"))
    draft = json.loads(cli.out)
    assert draft["to"] == SUPPORT_ADDRESS
    assert draft["mailto"].startswith(f"mailto:{SUPPORT_ADDRESS}?subject=")
    assert unquote(draft["mailto"].split("&body=")[1]) == draft["body"]


def test_the_username_defaults_to_cartes_username(make_cli, platform, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_USERNAME", "from.env")
    cli = make_cli()
    run(cli.app, LostOptions(email="ana@example.fr"))
    assert "  Nom d'utilisateur : from.env" in cli.out.splitlines()


def test_bad_values_are_listed_and_nothing_is_printed(make_cli, platform) -> None:
    cli = make_cli()
    with pytest.raises(typer.Exit) as caught:
        run(cli.app, LostOptions(username="bad\x1bname", email="nope"))
    assert caught.value.exit_code == 2
    lines = cli.err.splitlines()
    assert lines[:2] == ["Error: the input is not valid:", "  - --username: is not a username."]
    assert lines[2].startswith("  - --email: ")
    assert len(lines) == 3
    assert cli.out == ""


def test_missing_values_off_a_terminal_are_a_usage_error(make_cli, platform) -> None:
    with pytest.raises(UsageError, match=r"Give the account's --username and --email"):
        run(make_cli().app, LostOptions(username="ana"))


def test_send_posts_it_to_the_sandbox_support(make_cli, platform: respx.MockRouter) -> None:
    route = platform.post(SUPPORT).mock(return_value=httpx.Response(201, json={"_id": "m-1"}))
    cli = make_cli()
    run(cli.app, LostOptions(username="ana.martin", email="ana@example.fr", send=True))
    body = sent(route)
    assert body["subject"] == LOST_SUBJECT
    assert "ana.martin" in str(body["body"])
    assert f"Sent to {SUPPORT_ADDRESS}; see it with 'cartes sandbox outbox'." in cli.err
    assert "The e-mail sent:" in cli.err


def test_send_on_the_real_platform_is_refused(platform: respx.MockRouter, capsys) -> None:
    platform.get("https://gpf.test/sandbox/capabilities").mock(return_value=capabilities([]))
    code = cartes("account", "2fa", "lost", "-u", "ana", "--email", "ana@example.fr", "--send")
    assert code == 2
    assert "--send works on the sandbox only" in capsys.readouterr().err
    assert posts(platform) == []
