"""``cartes account 2fa lost``: the e-mail to the support, in French, with the account's name and
address; sent on the sandbox with --send; checked before anything."""

from __future__ import annotations

from urllib.parse import unquote

from cartes_cli.cli.account import account_app
from cartes_cli.cli.account.twofa.lost import LOST_SUBJECT, LostOptions, run
from cartes_cli.errors import UsageError
from cartes_cli.platforms import SUPPORT_ADDRESS
from tests.cli.harness import ROOT, sent_json

SUPPORT = ROOT + "/sandbox/support"


def test_the_draft_is_printed_with_the_account(account_world) -> None:
    h = account_world()
    outcome = h.run(run, LostOptions(username="ana.martin", email="ana@example.fr"))
    assert outcome.code == 0, outcome.err
    lines = outcome.lines
    assert lines[:3] == [f"To: {SUPPORT_ADDRESS}", f"Subject: {LOST_SUBJECT}", ""]
    assert "  Nom d'utilisateur : ana.martin" in lines
    assert "  Adresse e-mail du compte : ana@example.fr" in lines
    assert "Send this e-mail to the Géoplateforme's support from the account's address:" in outcome.err
    assert h.mock.calls.call_count == 0  # no login, no request


def test_json_gives_a_mailto_link_with_the_same_draft(account_world) -> None:
    h = account_world(json_fields=[])
    outcome = h.run(run, LostOptions(username="ana.martin", email="ana@example.fr"))
    assert outcome.code == 0, outcome.err
    draft = outcome.json()
    assert draft["to"] == SUPPORT_ADDRESS
    assert draft["mailto"].startswith(f"mailto:{SUPPORT_ADDRESS}?subject=")
    assert unquote(draft["mailto"].split("&body=")[1]) == draft["body"]


def test_the_username_defaults_to_cartes_username(account_world, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_USERNAME", "from.env")
    outcome = account_world().run(run, LostOptions(email="ana@example.fr"))
    assert outcome.code == 0, outcome.err
    assert "  Nom d'utilisateur : from.env" in outcome.lines


def test_bad_values_are_listed_and_nothing_is_printed(account_world) -> None:
    outcome = account_world().run(run, LostOptions(username="bad\x1bname", email="nope"))
    assert (outcome.code, outcome.error) == (2, None)  # typer.Exit: the list is the message
    lines = outcome.err.splitlines()
    assert lines[:2] == ["Error: the input is not valid:", "  - --username: is not a username."]
    assert lines[2].startswith("  - --email: ")
    assert len(lines) == 3
    assert outcome.out == ""


def test_missing_values_off_a_terminal_are_a_usage_error(account_world) -> None:
    outcome = account_world().run(run, LostOptions(username="ana"))
    outcome.raised(UsageError, r"Give the account's --username and --email")


def test_send_posts_it_to_the_sandbox_support(account_world) -> None:
    h = account_world()
    route = h.mock.post(SUPPORT).respond(201, json={"_id": "m-1"})
    outcome = h.run(run, LostOptions(username="ana.martin", email="ana@example.fr", send=True))
    assert outcome.code == 0, outcome.err
    body = sent_json(route)
    assert body["subject"] == LOST_SUBJECT
    assert "ana.martin" in str(body["body"])
    assert f"Sent to {SUPPORT_ADDRESS}; see it with 'cartes sandbox outbox'." in outcome.err
    assert "The e-mail sent:" in outcome.err


def test_send_on_the_real_platform_is_refused(account_world) -> None:
    h = account_world()
    h.capabilities([])
    outcome = h.invoke(account_app, ["2fa", "lost", "-u", "ana", "--email", "ana@example.fr", "--send"])
    assert outcome.code == 2
    assert "--send works on the sandbox only" in outcome.err
    assert h.requests("POST") == []
