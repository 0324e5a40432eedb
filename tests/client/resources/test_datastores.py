"""``client.datastores`` against a respx-mocked platform."""

from __future__ import annotations

import respx

from cartes_cli.client import GeoplateformeClient
from tests.client.fakes import API


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
