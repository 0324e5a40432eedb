"""``cartes account update``: only the fields given are sent, each checked first; the real
platform gets its account page; a new e-mail address becomes the one to confirm."""

from __future__ import annotations

import httpx

from cartes_cli.cli.account import account_app, cache
from cartes_cli.cli.account.update import UpdateOptions, run
from cartes_cli.errors import UsageError
from tests.cli.account.conftest import ACCOUNT, TOKEN
from tests.cli.harness import API, ISSUER, sent_json

BEFORE = {"username": "ana", "email": "ana@example.fr", "attributes": {"street": ["1 rue"], "photo": ["x"]}}
AFTER = {
    "username": "ana",
    "email": "ana@example.fr",
    "emailVerified": True,
    "firstName": "Anne",
    "attributes": {"street": ["1 rue"], "phone": ["+33612345678"]},
}


def test_only_the_fields_given_are_sent(account_world) -> None:
    h = account_world(token=TOKEN)
    h.mock.get(ACCOUNT).mock(side_effect=[httpx.Response(200, json=BEFORE), httpx.Response(200, json=AFTER)])
    update = h.mock.post(ACCOUNT).respond(204)
    outcome = h.run(run, UpdateOptions(changes={"first_name": "Anne", "phone": "06 12 34 56 78"}))
    assert outcome.code == 0, outcome.err
    assert sent_json(update) == {
        "firstName": "Anne",
        "attributes": {"street": ["1 rue"], "phone": ["+33612345678"]},
    }
    assert "Profile updated." in outcome.err
    lines = outcome.lines
    assert "first_name\tAnne" in lines
    assert "phone\t+33612345678" in lines
    assert not any(line.startswith("communities") for line in lines)  # the profile's columns only


def test_nothing_to_update_is_a_usage_error(account_world) -> None:
    h = account_world()
    h.run(run, UpdateOptions()).raised(UsageError, r"Nothing to update: give --first-name")
    assert h.mock.calls.call_count == 0


def test_a_required_field_cannot_be_emptied(account_world) -> None:
    h = account_world()
    h.run(run, UpdateOptions(changes={"last_name": ""})).raised(UsageError, r"--last-name cannot be empty\.")
    assert h.mock.calls.call_count == 0


def test_every_problem_is_listed_before_any_request(account_world) -> None:
    h = account_world()
    outcome = h.run(run, UpdateOptions(changes={"postcode": "7500", "email": "nope"}))
    assert (outcome.code, outcome.error) == (2, None)  # typer.Exit: the list is the message
    lines = outcome.err.splitlines()
    assert lines[0] == "Error: the input is not valid:"
    assert lines[1].startswith("  - --postcode: ")
    assert lines[2].startswith("  - --email: ")
    assert h.mock.calls.call_count == 0


def test_a_new_address_becomes_the_one_to_confirm(account_world) -> None:
    h = account_world(token=TOKEN)
    h.mock.post(ACCOUNT).respond(204)
    h.mock.get(ACCOUNT).respond(200, json={**AFTER, "email": "new@example.fr", "emailVerified": False})
    outcome = h.run(run, UpdateOptions(changes={"email": "new@example.fr"}))
    assert outcome.code == 0, outcome.err
    assert "cartes account verify --email new@example.fr" in outcome.err
    assert cache.load_json(cache.SIGNUP) == {"email": "new@example.fr", "api_url": API}


def test_the_real_platform_opens_its_account_page(account_world) -> None:
    h = account_world()
    h.real_platform()
    outcome = h.run(run, UpdateOptions(changes={"first_name": "Anne"}, no_browser=True))
    assert outcome.code == 0, outcome.err
    assert outcome.out.startswith(ISSUER + "/protocol/openid-connect/auth?")
    assert outcome.out.strip().endswith("&kc_action=UPDATE_PROFILE")
    assert "nothing was sent" in outcome.err
    assert h.requests("POST") == []


def test_the_declaration_keeps_an_empty_phone_to_remove_it(account_world) -> None:
    h = account_world(token=TOKEN)
    h.mock.get(ACCOUNT).respond(200, json=BEFORE)
    update = h.mock.post(ACCOUNT).respond(204)
    outcome = h.invoke(account_app, ["update", "--phone", " ", "--locality", " Lyon "])
    assert outcome.code == 0, outcome.err
    assert sent_json(update) == {"attributes": {"street": ["1 rue"], "phone": [], "locality": ["Lyon"]}}
    assert "Profile updated." in outcome.err
