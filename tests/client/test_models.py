"""Models accept every variant of the wire shapes listed in platform-api.md."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from cartes_cli.client.models import (
    CatalogCommunity,
    Community,
    CommunitySummary,
    Datastore,
    DatastoreRef,
    Member,
    Right,
    User,
    UserRef,
    normalise_rights,
)

ALL_RIGHTS = [Right.COMMUNITY, Right.UPLOAD, Right.PROCESSING, Right.BROADCAST, Right.ANNEX]

USERS_ME: dict[str, Any] = {
    "_id": "0b7a1c32-0000-4000-8000-000000000001",
    "email": "dave.lopper@ign.fr",
    "first_name": "Dave",
    "last_name": "Lopper",
    "creation": "2023-02-01T09:45:10.725069Z",
    "update": "2025-01-01T00:00:00Z",
    "last_login": "2025-03-24T17:02:32Z",
    "administrator": False,
    "technical": False,
    "documents_quota": 1000000000,
    "documents_use": 0,
    "keys_quota": 50,
    "keys_use": 2,
    "communities_member": [
        {
            "rights": ["ANNEX", "UPLOAD", "BROADCAST", "PROCESSING", "COMMUNITY"],
            "community": {
                "_id": "c0000000-0000-4000-8000-000000000001",
                "name": "Communauté des tutoriels",
                "technical_name": "tutoriels",
                "description": "…",
                "datastore": "d0000000-0000-4000-8000-000000000001",
                "supervisor": "0b7a1c32-0000-4000-8000-000000000001",
                "public": True,
                "creation": "2023-02-01T09:45:10Z",
                "update": "2024-02-01T09:45:10Z",
            },
        }
    ],
}

DATASTORE: dict[str, Any] = {
    "_id": "d1",
    "name": "Tutoriels",
    "technical_name": "tutoriels",
    "active": True,
    "community": {"_id": "c1", "name": "Communauté des tutoriels", "technical_name": "tutoriels"},
    "storages": {
        "data": [
            {"storage": {"_id": "s1", "name": "postgres", "type": "POSTGRESQL"}, "use": 10, "quota": 100},
            {"storage": {"_id": "s2", "name": "s3", "type": "S3"}, "use": 0, "quota": 1000},
        ],
        "uploads": {"use": 1, "quota": 50},
        "annexes": {"use": 2, "quota": 60},
    },
    "endpoints": [
        {
            "endpoint": {
                "_id": "e1",
                "name": "WMS-V",
                "technical_name": "wms-v",
                "type": "WMS-VECTOR",
                "open": True,
                "urls": [{"type": "WMS", "url": "https://data.geopf.fr/wms-v/ows"}],
            },
            "use": 3,
            "quota": 10,
        }
    ],
    "creation": "2023-02-01T09:45:10Z",
    "update": "2024-02-01T09:45:10+02:00",
}


# --- users/me -----------------------------------------------------------------------------


def test_users_me_documented_shape() -> None:
    user = User.model_validate(USERS_ME)
    assert user.id == USERS_ME["_id"]
    assert user.email == "dave.lopper@ign.fr"
    assert user.full_name == "Dave Lopper"
    assert user.display_name == "Dave Lopper"
    assert user.is_staff is False
    assert user.last_login == datetime(2025, 3, 24, 17, 2, 32, tzinfo=UTC)
    assert user.creation is not None
    assert user.creation.tzinfo is not None
    assert user.keys_use == 2
    [membership] = user.memberships
    assert membership.rights == ALL_RIGHTS  # canonical order, whatever the wire order
    assert membership.has(Right.COMMUNITY)
    assert membership.has("upload")
    community = membership.community
    assert isinstance(community, CommunitySummary)
    assert community.datastore_id == "d0000000-0000-4000-8000-000000000001"
    assert community.supervisor_id == USERS_ME["_id"]
    assert user.membership("tutoriels") is membership
    assert user.membership(community.id) is membership
    assert user.membership("other") is None


def test_users_me_old_server_last_call_and_dict_rights() -> None:
    body = dict(USERS_ME)
    del body["last_login"]
    body["last_call"] = "2024-12-31T23:59:59Z"
    body["administrator"] = True
    body["communities_member"] = [
        {
            "rights": {
                "COMMUNITY": False,
                "UPLOAD": True,
                "PROCESSING": True,
                "BROADCAST": False,
                "ANNEX": True,
            },
            "community": {"_id": "c1", "name": "Old", "technical_name": "old"},
        }
    ]
    user = User.model_validate(body)
    assert user.last_login == datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert user.is_staff is True
    assert user.memberships[0].rights == [Right.UPLOAD, Right.PROCESSING, Right.ANNEX]
    assert user.memberships[0].community.datastore_id is None


def test_users_me_minimal_and_unknown_fields() -> None:
    user = User.model_validate({"_id": "u1", "new_field": {"a": 1}})
    assert user.email is None
    assert user.communities_member == []
    assert user.last_login is None
    assert user.display_name == "u1"
    assert user.model_extra == {"new_field": {"a": 1}}


def test_id_populates_by_name_too() -> None:
    assert UserRef(id="x").id == "x"
    assert UserRef.model_validate({"_id": "y"}).id == "y"
    assert UserRef.model_validate({"id": "z"}).id == "z"


def test_missing_id_is_an_error() -> None:
    with pytest.raises(ValidationError):
        User.model_validate({"email": "a@b.c"})


def test_naive_dates_are_taken_as_utc() -> None:
    user = User.model_validate({"_id": "u", "creation": "2024-01-01T10:00:00"})
    assert user.creation == datetime(2024, 1, 1, 10, 0, tzinfo=UTC)


# --- rights -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        (None, []),
        ([], []),
        (["upload", "COMMUNITY", "UPLOAD"], [Right.COMMUNITY, Right.UPLOAD]),
        (
            {"ANNEX": True, "UPLOAD": "true", "BROADCAST": 0, "PROCESSING": "false"},
            [Right.UPLOAD, Right.ANNEX],
        ),
        ("UPLOAD, ANNEX", [Right.UPLOAD, Right.ANNEX]),
        ([{"name": "BROADCAST"}], [Right.BROADCAST]),
    ],
)
def test_rights_variants(wire: Any, expected: list[Right]) -> None:
    assert normalise_rights(wire) == expected
    assert all(isinstance(r, Right) for r in normalise_rights(wire))


def test_unknown_rights_are_kept_after_known_ones() -> None:
    rights = normalise_rights(["ZEBRA", "annex", "ALPHA", "COMMUNITY"])
    assert rights == [Right.COMMUNITY, Right.ANNEX, "ALPHA", "ZEBRA"]
    assert not isinstance(rights[2], Right)
    member = Member.model_validate({"rights": {"UPLOAD": True, "FUTURE_RIGHT": True}, "user": {"_id": "u"}})
    assert member.rights == [Right.UPLOAD, "FUTURE_RIGHT"]
    assert member.model_dump(mode="json")["rights"] == ["UPLOAD", "FUTURE_RIGHT"]


def test_rights_read_again_are_the_same_and_a_list_of_their_own() -> None:
    first = normalise_rights(["upload", "ZEBRA", "COMMUNITY"])
    first.append("CHANGED")  # the caller's list: what is kept for the next reading is not touched
    again = normalise_rights(["upload", "ZEBRA", "COMMUNITY"])
    assert again == [Right.COMMUNITY, Right.UPLOAD, "ZEBRA"]
    assert again is not first
    assert isinstance(again[0], Right)
    assert not isinstance(again[2], Right)


def test_rights_of_a_wrong_type_fail_validation() -> None:
    with pytest.raises(ValidationError):
        Member.model_validate({"rights": 42, "user": {"_id": "u"}})
    with pytest.raises(ValidationError):
        Member.model_validate({"rights": [1, 2], "user": {"_id": "u"}})


# --- communities --------------------------------------------------------------------------


def test_community_detail_with_objects() -> None:
    community = Community.model_validate(
        {
            "_id": "c1",
            "name": "Tutoriels",
            "technical_name": "tutoriels",
            "public": True,
            "datastore": {"_id": "d1", "active": True, "name": "Tutoriels"},
            "supervisor": {"_id": "u1", "first_name": "Dave", "last_name": "Lopper", "email": "d@ign.fr"},
            "contact": "contact@ign.fr",
        }
    )
    assert isinstance(community.datastore, DatastoreRef)
    assert community.datastore_id == "d1"
    assert isinstance(community.supervisor, UserRef)
    assert community.supervisor_id == "u1"
    assert community.supervisor.display_name == "Dave Lopper"


def test_community_detail_with_strings_or_nothing() -> None:
    community = Community.model_validate({"_id": "c1", "datastore": "d1", "supervisor": "u1"})
    assert community.datastore_id == "d1"
    assert community.supervisor_id == "u1"
    bare = Community.model_validate({"_id": "c2"})
    assert bare.datastore_id is None
    assert bare.supervisor_id is None
    assert bare.label == "c2"


def test_catalog_item() -> None:
    item = CatalogCommunity.model_validate(
        {
            "_id": "c1",
            "name": "Communauté",
            "technical_name": "communaute",
            "description": "d",
            "contact": "c@ign.fr",
            "public": True,
            "organization": {"_id": "o1", "name": "IGN"},
            "creation": "2024-01-01T00:00:00Z",
            "update": "2024-01-02T00:00:00Z",
        }
    )
    assert item.organization is not None
    assert item.organization.name == "IGN"
    assert CatalogCommunity.model_validate({"_id": "c2", "organization": {"name": "no id"}}).organization


def test_member_item() -> None:
    member = Member.model_validate(
        {
            "rights": ["UPLOAD"],
            "user": {"_id": "u1", "email": "a@b.c", "first_name": "A", "last_name": "B"},
            "creation": "2024-01-01T00:00:00Z",
        }
    )
    assert member.id == "u1"
    assert member.has(Right.UPLOAD)
    assert not member.has(Right.COMMUNITY)


# --- datastores ---------------------------------------------------------------------------


def test_datastore_wire_shape() -> None:
    store = Datastore.model_validate(DATASTORE)
    assert store.community_id == "c1"
    assert [d.storage.type for d in store.storages.data if d.storage] == ["POSTGRESQL", "S3"]
    assert store.storages.data[0].use == 10
    assert store.storages.uploads is not None
    assert store.storages.uploads.quota == 50
    assert store.storages.annexes is not None
    assert store.storages.annexes.use == 2
    [endpoint] = store.endpoints
    assert endpoint.endpoint is not None
    assert endpoint.endpoint.open is True
    assert endpoint.endpoint.urls[0].url == "https://data.geopf.fr/wms-v/ows"
    assert endpoint.quota == 10
    assert store.update is not None
    assert store.update.utcoffset() is not None


def test_datastore_minimal() -> None:
    store = Datastore.model_validate({"_id": "d1", "community": "c1"})
    assert store.community_id == "c1"
    assert store.storages.data == []
    assert store.endpoints == []


def test_dump_by_alias_round_trips() -> None:
    user = User.model_validate(USERS_ME)
    again = User.model_validate(user.model_dump(mode="json", by_alias=True))
    assert again == user
