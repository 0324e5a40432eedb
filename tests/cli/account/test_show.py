"""``cartes account show``: /users/me and the account console together; the console's refusal is
not an error (the real Keycloak may refuse the CLI's token there), an unavailable platform is."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from cartes_cli.cli.account.show import ShowOptions, run
from cartes_cli.errors import ServerError
from tests.cli.account.conftest import ACCOUNT, API, cartes

ME = {
    "_id": "u-1",
    "email": "ana@example.fr",
    "first_name": "Ana",
    "last_name": "Martin",
    "administrator": False,
    "documents_quota": 1_000_000_000,
    "documents_use": 250_000_000,
    "keys_quota": 10,
    "keys_use": 2,
    "communities_member": [
        {"community": {"_id": "c-1", "name": "Forêts", "technical_name": "forets"}, "rights": ["COMMUNITY"]}
    ],
}
PROFILE = {
    "username": "ana.martin",
    "email": "ana@example.fr",
    "emailVerified": True,
    "firstName": "Ana",
    "lastName": "Martin",
    "totp": True,
    "attributes": {"phone": ["+33612345678"], "company_street": ["1 rue"], "company_locality": ["Paris"]},
}


def test_the_profile_and_the_user_are_merged(make_cli, platform: respx.MockRouter, logged_in) -> None:
    me = platform.get(API + "/users/me").mock(return_value=httpx.Response(200, json=ME))
    platform.get(ACCOUNT).mock(return_value=httpx.Response(200, json=PROFILE))
    cli = make_cli(json=True)
    run(cli.app, ShowOptions())
    data = json.loads(cli.out)
    assert me.calls[0].request.headers["Authorization"] == "Bearer test-token"
    assert data["username"] == "ana.martin"
    assert data["email_verified"] is True
    assert data["phone"] == "+33612345678"
    assert data["company_address"] == "1 rue Paris"
    assert data["totp"] is True
    assert data["communities"] == [
        {"id": "c-1", "technical_name": "forets", "name": "Forêts", "rights": ["COMMUNITY"]}
    ]
    assert (data["documents_use"], data["keys_quota"]) == (250_000_000, 10)


def test_piped_the_workspaces_and_quotas_read_as_text(make_cli, platform, logged_in) -> None:
    platform.get(API + "/users/me").mock(return_value=httpx.Response(200, json=ME))
    platform.get(ACCOUNT).mock(return_value=httpx.Response(200, json=PROFILE))
    cli = make_cli()
    run(cli.app, ShowOptions())
    lines = cli.out.splitlines()
    assert "communities\tforets (COMMUNITY)" in lines
    assert "documents\t250.0 MB / 1.0 GB" in lines
    assert "keys\t2 / 10" in lines


def test_a_refused_account_console_leaves_what_users_me_says(make_cli, platform, logged_in) -> None:
    platform.get(API + "/users/me").mock(return_value=httpx.Response(200, json=ME))
    platform.get(ACCOUNT).mock(return_value=httpx.Response(403, json={"error": "forbidden"}))
    cli = make_cli(json=True)
    run(cli.app, ShowOptions())
    data = json.loads(cli.out)
    assert data["username"] is None
    assert (data["email"], data["first_name"]) == ("ana@example.fr", "Ana")
    assert data["totp"] is None


def test_an_unavailable_account_console_is_an_error(make_cli, platform, logged_in, monkeypatch) -> None:
    monkeypatch.setattr("time.sleep", lambda seconds: None)  # no waiting between the retries
    platform.get(API + "/users/me").mock(return_value=httpx.Response(200, json=ME))
    platform.get(ACCOUNT).mock(return_value=httpx.Response(503, json={"error": "down"}))
    cli = make_cli()
    with pytest.raises(ServerError):
        run(cli.app, ShowOptions())
    assert cli.out == ""


def test_the_declaration_runs_the_story(platform, logged_in, capsys: pytest.CaptureFixture[str]) -> None:
    platform.get(API + "/users/me").mock(return_value=httpx.Response(200, json=ME))
    platform.get(ACCOUNT).mock(return_value=httpx.Response(200, json=PROFILE))
    assert cartes("--json", "username,keys", "account", "show") == 0
    assert json.loads(capsys.readouterr().out) == {"username": "ana.martin", "keys": "2 / 10"}
