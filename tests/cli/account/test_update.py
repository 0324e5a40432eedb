"""``cartes account update``: only the fields given are sent, each checked first; the real
platform gets its account page; a new e-mail address becomes the one to confirm."""

from __future__ import annotations

import httpx
import pytest
import respx
import typer

from cartes_cli.cli.account import cache
from cartes_cli.cli.account.update import UpdateOptions, run
from cartes_cli.errors import UsageError
from tests.cli.account.conftest import ACCOUNT, API, ISSUER, cartes, posts, real_platform, sent

BEFORE = {"username": "ana", "email": "ana@example.fr", "attributes": {"street": ["1 rue"], "photo": ["x"]}}
AFTER = {
    "username": "ana",
    "email": "ana@example.fr",
    "emailVerified": True,
    "firstName": "Anne",
    "attributes": {"street": ["1 rue"], "phone": ["+33612345678"]},
}


def test_only_the_fields_given_are_sent(make_cli, platform: respx.MockRouter, logged_in) -> None:
    platform.get(ACCOUNT).mock(
        side_effect=[httpx.Response(200, json=BEFORE), httpx.Response(200, json=AFTER)]
    )
    update = platform.post(ACCOUNT).mock(return_value=httpx.Response(204))
    cli = make_cli()
    run(cli.app, UpdateOptions(changes={"first_name": "Anne", "phone": "06 12 34 56 78"}))
    assert sent(update) == {
        "firstName": "Anne",
        "attributes": {"street": ["1 rue"], "phone": ["+33612345678"]},
    }
    assert "Profile updated." in cli.err
    lines = cli.out.splitlines()
    assert "first_name\tAnne" in lines
    assert "phone\t+33612345678" in lines
    assert not any(line.startswith("communities") for line in lines)  # the profile's columns only


def test_nothing_to_update_is_a_usage_error(make_cli, platform) -> None:
    with pytest.raises(UsageError, match=r"Nothing to update: give --first-name"):
        run(make_cli().app, UpdateOptions())
    assert platform.calls.call_count == 0


def test_a_required_field_cannot_be_emptied(make_cli, platform) -> None:
    with pytest.raises(UsageError, match=r"--last-name cannot be empty\."):
        run(make_cli().app, UpdateOptions(changes={"last_name": ""}))
    assert platform.calls.call_count == 0


def test_every_problem_is_listed_before_any_request(make_cli, platform) -> None:
    cli = make_cli()
    with pytest.raises(typer.Exit) as caught:
        run(cli.app, UpdateOptions(changes={"postcode": "7500", "email": "nope"}))
    assert caught.value.exit_code == 2
    lines = cli.err.splitlines()
    assert lines[0] == "Error: the input is not valid:"
    assert lines[1].startswith("  - --postcode: ")
    assert lines[2].startswith("  - --email: ")
    assert platform.calls.call_count == 0


def test_a_new_address_becomes_the_one_to_confirm(make_cli, platform, logged_in) -> None:
    platform.post(ACCOUNT).mock(return_value=httpx.Response(204))
    platform.get(ACCOUNT).mock(
        return_value=httpx.Response(200, json={**AFTER, "email": "new@example.fr", "emailVerified": False})
    )
    cli = make_cli()
    run(cli.app, UpdateOptions(changes={"email": "new@example.fr"}))
    assert "cartes account verify --email new@example.fr" in cli.err
    assert cache.load_json(cache.SIGNUP) == {"email": "new@example.fr", "api_url": API}


def test_the_real_platform_opens_its_account_page(make_cli, platform) -> None:
    real_platform(platform)
    cli = make_cli()
    run(cli.app, UpdateOptions(changes={"first_name": "Anne"}, no_browser=True))
    assert cli.out.startswith(ISSUER + "/protocol/openid-connect/auth?")
    assert cli.out.strip().endswith("&kc_action=UPDATE_PROFILE")
    assert "nothing was sent" in cli.err
    assert posts(platform) == []


def test_the_declaration_keeps_an_empty_phone_to_remove_it(
    platform, logged_in, capsys: pytest.CaptureFixture[str]
) -> None:
    platform.get(ACCOUNT).mock(return_value=httpx.Response(200, json=BEFORE))
    update = platform.post(ACCOUNT).mock(return_value=httpx.Response(204))
    assert cartes("account", "update", "--phone", " ", "--locality", " Lyon ") == 0
    assert sent(update) == {"attributes": {"street": ["1 rue"], "phone": [], "locality": ["Lyon"]}}
    assert "Profile updated." in capsys.readouterr().err
