"""``client.users`` against a respx-mocked platform."""

from __future__ import annotations

import respx

from cartes_cli import __version__
from cartes_cli.client import GeoplateformeClient
from cartes_cli.client.models import Right
from tests.client.fakes import API


def test_users_me(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.get(API + "/users/me").respond(
        200,
        json={
            "_id": "u1",
            "email": "a@b.c",
            "administrator": True,
            "last_call": "2024-01-01T00:00:00Z",
            "communities_member": [
                {"rights": {"COMMUNITY": True}, "community": {"_id": "c1", "datastore": "d1"}}
            ],
        },
    )
    me = client.users.me()
    assert me.id == "u1"
    assert me.is_staff
    assert me.memberships[0].rights == [Right.COMMUNITY]
    request = route.calls.last.request
    assert request.url == f"{API}/users/me"
    assert request.headers["user-agent"] == f"cartes/{__version__}"
    assert request.headers["accept"] == "application/json"
