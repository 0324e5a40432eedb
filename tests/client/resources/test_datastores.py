"""``client.datastores`` against a respx-mocked platform."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx

from cartes_cli.client import GeoplateformeClient
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


def test_community_and_datastore(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.get(API + "/communities/c1").respond(
        200, json={"_id": "c1", "datastore": {"_id": "d1", "active": True}, "supervisor": {"_id": "u1"}}
    )
    mock.get(API + "/datastores/d1").respond(
        200, json={"_id": "d1", "community": {"_id": "c1"}, "storages": {"data": [], "uploads": {"use": 1}}}
    )
    community = client.communities.get("c1")
    assert community.datastore_id == "d1"
    assert community.supervisor_id == "u1"
    store = client.datastores.get(community.datastore_id)
    assert store.community_id == "c1"
