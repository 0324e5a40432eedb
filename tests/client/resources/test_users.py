"""``client.users`` against a respx-mocked platform."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx

from cartes_cli import __version__
from cartes_cli.client import GeoplateformeClient
from cartes_cli.client.models import Right
from cartes_cli.client.retry import RetryPolicy
from cartes_cli.platforms import Platform

API = "https://data.test/api"
PLATFORM = Platform(name="test", api_url=API, issuer="https://sso.test/realms/geoplateforme")
ACCESS = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLW9uZQ"
NO_RETRY = RetryPolicy.never()


def no_sleep(seconds: float) -> None:
    """Retries in these tests do not wait."""


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


@pytest.fixture
def client() -> Iterator[GeoplateformeClient]:
    with GeoplateformeClient(PLATFORM, sleep=no_sleep) as c:
        yield c


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
