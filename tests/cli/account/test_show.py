"""``cartes account show``: /users/me and the account console together; the console's refusal is
not an error (the real Keycloak may refuse the CLI's token there), an unavailable platform is."""

from __future__ import annotations

from cartes_cli.cli.account import account_app
from cartes_cli.cli.account.show import ShowOptions, run
from cartes_cli.errors import ServerError
from tests.cli.account.conftest import ACCOUNT, TOKEN
from tests.cli.harness import API, Harness

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


def account(h: Harness, status: int = 200, profile: object = PROFILE) -> Harness:
    """``/users/me`` answering :data:`ME`, the account console ``status`` (and ``profile``)."""
    h.mock.get(API + "/users/me").respond(200, json=ME)
    h.mock.get(ACCOUNT).respond(status, json=profile)
    return h


def test_the_profile_and_the_user_are_merged(account_world) -> None:
    h = account(account_world(token=TOKEN, json_fields=[]))
    outcome = h.run(run, ShowOptions())
    assert outcome.code == 0, outcome.err
    data = outcome.json()
    assert h.mock.calls[0].request.url == API + "/users/me"
    assert h.mock.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert data["username"] == "ana.martin"
    assert data["email_verified"] is True
    assert data["phone"] == "+33612345678"
    assert data["company_address"] == "1 rue Paris"
    assert data["totp"] is True
    assert data["communities"] == [
        {"id": "c-1", "technical_name": "forets", "name": "Forêts", "rights": ["COMMUNITY"]}
    ]
    assert (data["documents_use"], data["keys_quota"]) == (250_000_000, 10)


def test_piped_the_workspaces_and_quotas_read_as_text(account_world) -> None:
    h = account(account_world(token=TOKEN))
    outcome = h.run(run, ShowOptions())
    assert outcome.code == 0, outcome.err
    lines = outcome.lines
    assert "communities\tforets (COMMUNITY)" in lines
    assert "documents\t250.0 MB / 1.0 GB" in lines
    assert "keys\t2 / 10" in lines


def test_a_refused_account_console_leaves_what_users_me_says(account_world) -> None:
    h = account(account_world(token=TOKEN, json_fields=[]), 403, {"error": "forbidden"})
    outcome = h.run(run, ShowOptions())
    assert outcome.code == 0, outcome.err
    data = outcome.json()
    assert data["username"] is None
    assert (data["email"], data["first_name"]) == ("ana@example.fr", "Ana")
    assert data["totp"] is None


def test_an_unavailable_account_console_is_an_error(account_world) -> None:
    h = account(account_world(token=TOKEN), 503, {"error": "down"})  # the harness's client never waits
    outcome = h.run(run, ShowOptions())
    outcome.raised(ServerError)
    assert outcome.out == ""


def test_the_declaration_runs_the_story(account_world) -> None:
    h = account(account_world(token=TOKEN, json_fields=["username", "keys"]))  # --json username,keys
    outcome = h.invoke(account_app, ["show"])
    assert outcome.code == 0, outcome.err
    assert outcome.json() == {"username": "ana.martin", "keys": "2 / 10"}
