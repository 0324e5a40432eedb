"""Members and community settings (REAL routes): list, upsert, remove, edit, leave — and who may."""

from __future__ import annotations

import pytest

from cartes_cli.sandbox.routes.schemas import CommunityDetail, Member

from .conftest import Harness, demo_id
from .test_api import assert_api_error

DDT33 = demo_id("community", "ddt33")
MEMBERS = f"/api/communities/{DDT33}/users"
ALL_RIGHTS = ["COMMUNITY", "UPLOAD", "PROCESSING", "BROADCAST", "ANNEX"]
JULIEN = demo_id("user", "julien.lefebvre")
SOPHIE = demo_id("user", "sophie.martin")


def memberships(sb: Harness, username: str) -> dict[str, list[str]]:
    me = sb.get("/api/users/me", as_user=username).json()
    return {m["community"]["technical_name"]: m["rights"] for m in me["communities_member"]}


# --- listing ---------------------------------------------------------------------------------


def test_members_of_a_community(sb: Harness) -> None:
    response = sb.get(MEMBERS, as_user="julien.lefebvre", params={"limit": 50})
    assert response.status_code == 200
    members = [Member.model_validate(m) for m in response.json()]
    assert response.headers["content-range"] == f"0-{len(members) - 1}/{len(members)}"
    by_email = {m.user.email: m for m in members}
    assert by_email["julien.lefebvre@ddt-gironde.test"].rights == ALL_RIGHTS
    assert by_email["sophie.martin@cerema.test"].rights == ["UPLOAD", "PROCESSING", "BROADCAST"]
    assert "service-account-cartes-ci@clients.geoplateforme.test" in by_email
    names = [m.user.last_name.lower() for m in members]
    assert names == sorted(names)
    raw = response.json()[0]
    assert set(raw) == {"rights", "user", "creation", "update"}
    assert set(raw["user"]) == {"_id", "email", "first_name", "last_name"}


def test_members_filter_and_pages(sb: Harness) -> None:
    managers = sb.get(MEMBERS, as_user="julien.lefebvre", params={"rights": "COMMUNITY"}).json()
    assert [m["user"]["_id"] for m in managers] == [JULIEN]
    both = sb.get(MEMBERS, as_user="julien.lefebvre", params={"rights": "upload,BROADCAST"}).json()
    assert {m["user"]["_id"] for m in both} == {JULIEN, SOPHIE}
    total = len(sb.get(MEMBERS, as_user="julien.lefebvre", params={"limit": 50}).json())
    second = sb.get(MEMBERS, as_user="julien.lefebvre", params={"limit": 2, "page": 2})
    assert second.headers["content-range"] == f"2-{min(3, total - 1)}/{total}"
    assert_api_error(sb.get(MEMBERS, as_user="julien.lefebvre", params={"rights": "READ"}), 400)


def member_order(sb: Harness) -> list[str]:
    """DDT33's named members in the listing's order (a service account has no name: it comes first)."""
    members = sb.get(MEMBERS, as_user="julien.lefebvre", params={"limit": 50}).json()
    return [m["user"]["_id"] for m in members if m["user"]["last_name"]]


def assert_sort_keys_copied(sb: Harness) -> None:
    """Every membership holds its user's sort keys (the members' order is read from memberships)."""
    stale = sb.sandbox.store.db.all(
        "SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id "
        "WHERE m.sort_last != u.sort_last OR m.sort_first != u.sort_first"
    )
    assert [r["user_id"] for r in stale] == []


def test_members_follow_their_folded_names_when_renamed(sb: Harness) -> None:
    """The order is kept in stored sort keys: a rename moves the member; accents and case fold."""
    assert_sort_keys_copied(sb)  # the seed's memberships
    before = member_order(sb)
    assert before.index(SOPHIE) > 0
    sb.sandbox.store.users.update(SOPHIE, {"last_name": "Àaron"}, "2026-12-07T00:00:00Z")
    assert member_order(sb)[0] == SOPHIE  # "aaron": before every other name, the accent folded
    sb.sandbox.store.users.update(SOPHIE, {"last_name": "ZZZ", "first_name": "zed"}, "2026-12-07T00:00:00Z")
    assert member_order(sb)[-1] == SOPHIE
    assert [u for u in member_order(sb) if u != SOPHIE] == [u for u in before if u != SOPHIE]
    assert_sort_keys_copied(sb)


def test_a_member_renamed_through_their_account_moves(sb: Harness) -> None:
    """The account's own profile update (the path a real rename takes) moves the member too."""
    account = "/realms/geoplateforme/account"
    assert member_order(sb)[0] != SOPHIE
    assert sb.post(account, as_user="sophie.martin", json={"lastName": "Abadie"}).status_code == 204
    assert member_order(sb)[0] == SOPHIE
    assert_sort_keys_copied(sb)


def test_a_membership_made_after_a_rename_sorts_by_the_new_name(sb: Harness) -> None:
    """A membership created after its user was renamed takes the user's current sort keys, not
    the ones they had when the account was made."""
    paul = sb.add_user("paul.simple", first_name="Paul", last_name="Zyx")
    sb.sandbox.store.users.update(paul, {"last_name": "Aaa"}, "2026-12-07T00:00:00Z")
    response = sb.put(f"{MEMBERS}/{paul}", as_user="julien.lefebvre", json={"rights": ["UPLOAD"]})
    assert response.status_code == 200, response.text
    assert member_order(sb)[0] == paul
    # Replacing the rights (the upsert's update) keeps the keys.
    sb.put(f"{MEMBERS}/{paul}", as_user="julien.lefebvre", json={"rights": ["ANNEX"]})
    assert member_order(sb)[0] == paul
    assert_sort_keys_copied(sb)


def test_member_pages_with_a_rights_filter_count_only_the_matching(sb: Harness) -> None:
    for name in ("Anne", "Zoé", "Marc"):
        user = sb.add_user(f"annex.{name.lower()}", first_name=name, last_name=f"Annexe {name}")
        sb.sandbox.store.communities.put_membership(DDT33, user, ["ANNEX"], "2026-12-07T00:00:00Z")
    everyone = sb.get(MEMBERS, as_user="julien.lefebvre", params={"limit": 50}).json()
    holders = [m["user"]["_id"] for m in everyone if "ANNEX" in m["rights"]]
    assert 2 < len(holders) < len(everyone)
    pages = [
        sb.get(MEMBERS, as_user="julien.lefebvre", params={"rights": "ANNEX", "limit": 2, "page": page})
        for page in range(1, (len(holders) + 1) // 2 + 1)
    ]
    assert pages[0].headers["content-range"] == f"0-1/{len(holders)}"
    assert [m["user"]["_id"] for p in pages for m in p.json()] == holders  # the same order, filtered


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("claire.moreau", 200),  # staff, not a member
        ("julien.lefebvre", 200),  # supervisor
        ("sophie.martin", 403),  # member without COMMUNITY
        ("lucie.fontaine", 403),  # manager of other communities
        ("plain", 403),
        (None, 401),
    ],
)
def test_who_may_list_members(sb: Harness, who: str | None, status: int) -> None:
    if who == "plain":
        sb.add_user("plain")
    response = sb.get(MEMBERS, as_user=who)
    assert response.status_code == status, response.text


def test_delegated_manager_may_list(sb: Harness) -> None:
    aura = demo_id("community", "region_aura")
    assert sb.get(f"/api/communities/{aura}/users", as_user="sophie.martin").status_code == 200


def test_unknown_community(sb: Harness) -> None:
    assert_api_error(
        sb.get(f"/api/communities/{demo_id('community', 'nope')}/users", as_user="claire.moreau"), 404
    )
    assert_api_error(sb.get("/api/communities/ddt33/users", as_user="claire.moreau"), 404)  # ids only (REAL)


# --- adding, changing, removing --------------------------------------------------------------


def test_put_adds_then_replaces_rights(sb: Harness) -> None:
    paul = sb.add_user("paul.simple")
    response = sb.put(
        f"{MEMBERS}/{paul}", as_user="julien.lefebvre", json={"rights": ["upload", "ANNEX", "UPLOAD"]}
    )
    assert response.status_code == 200, response.text
    member = Member.model_validate(response.json())
    assert (member.user.id, member.rights) == (paul, ["UPLOAD", "ANNEX"])
    assert memberships(sb, "paul.simple") == {"ddt33": ["UPLOAD", "ANNEX"]}
    again = sb.put(f"{MEMBERS}/{paul}", as_user="claire.moreau", json={"rights": ["PROCESSING"]})
    assert again.json()["rights"] == ["PROCESSING"]
    assert again.json()["creation"] == response.json()["creation"]
    assert (
        sb.get(MEMBERS, as_user="julien.lefebvre", params={"rights": "PROCESSING", "limit": 50}).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"rights": ["READ"]}, 400),
        ({"rights": "UPLOAD"}, 400),
        ({}, 400),
        ({"rights": ["UPLOAD"], "extra": 1}, 400),
    ],
)
def test_put_bad_bodies(sb: Harness, body: dict[str, object], status: int) -> None:
    paul = sb.add_user("paul.simple")
    assert_api_error(sb.put(f"{MEMBERS}/{paul}", as_user="julien.lefebvre", json=body), status)


def test_put_needs_an_existing_user_and_the_right(sb: Harness) -> None:
    paul = sb.add_user("paul.simple")
    body = {"rights": ["UPLOAD"]}
    assert_api_error(
        sb.put(f"{MEMBERS}/{demo_id('user', 'ghost')}", as_user="julien.lefebvre", json=body), 404
    )
    assert_api_error(sb.put(f"{MEMBERS}/not-a-uuid", as_user="julien.lefebvre", json=body), 404)
    assert_api_error(sb.put(f"{MEMBERS}/{paul}", as_user="sophie.martin", json=body), 403)
    assert_api_error(sb.put(f"{MEMBERS}/{paul}", as_user="lucie.fontaine", json=body), 403)
    assert_api_error(sb.put(f"{MEMBERS}/{paul}", json=body), 401)
    bad = sb.put(
        f"{MEMBERS}/{paul}",
        as_user="julien.lefebvre",
        content=b"nope",
        headers={"Content-Type": "application/json"},
    )
    assert_api_error(bad, 400)


def test_the_supervisors_rights_cannot_be_reduced(sb: Harness) -> None:
    response = sb.put(f"{MEMBERS}/{JULIEN}", as_user="claire.moreau", json={"rights": ["UPLOAD"]})
    body = assert_api_error(response, 409)
    assert "supervisor" in body.error_description[0]
    same = sb.put(f"{MEMBERS}/{JULIEN}", as_user="julien.lefebvre", json={"rights": ALL_RIGHTS})
    assert same.status_code == 200


def test_delete_member(sb: Harness) -> None:
    assert "ddt33" in memberships(sb, "sophie.martin")
    assert sb.delete(f"{MEMBERS}/{SOPHIE}", as_user="julien.lefebvre").status_code == 204
    assert "ddt33" not in memberships(sb, "sophie.martin")
    assert_api_error(sb.delete(f"{MEMBERS}/{SOPHIE}", as_user="julien.lefebvre"), 404)
    assert_api_error(sb.delete(f"{MEMBERS}/{JULIEN}", as_user="claire.moreau"), 409)
    antoine = demo_id("user", "antoine.petit")
    assert_api_error(sb.delete(f"{MEMBERS}/{antoine}", as_user="lucie.fontaine"), 403)
    assert_api_error(sb.delete(f"{MEMBERS}/{antoine}", as_user="antoine.petit"), 403)  # no COMMUNITY
    assert sb.delete(f"{MEMBERS}/{antoine}", as_user="claire.moreau").status_code == 204


# --- editing the community -------------------------------------------------------------------


def test_patch_community(sb: Harness) -> None:
    url = f"/api/communities/{DDT33}"
    response = sb.patch(
        url,
        as_user="julien.lefebvre",
        json={
            "description": "Nouvelle description.",
            "contact": "geomatique@ddt-gironde.test",
            "public": False,
        },
    )
    assert response.status_code == 200, response.text
    detail = CommunityDetail.model_validate(response.json())
    assert (detail.description, detail.contact, detail.public) == (
        "Nouvelle description.",
        "geomatique@ddt-gironde.test",
        False,
    )
    assert detail.update > detail.creation
    catalogue = sb.get(
        "/api/catalogs/communities", as_user="julien.lefebvre", params={"name": "gironde"}
    ).json()
    assert all(c["technical_name"] != "ddt33" for c in catalogue)
    renamed = sb.patch(url, as_user="claire.moreau", json={"name": "  DDT 33  ", "public": True}).json()
    assert renamed["name"] == "DDT 33"
    catalogue = sb.get(
        "/api/catalogs/communities", as_user="julien.lefebvre", params={"name": "ddt 33"}
    ).json()
    assert [c["technical_name"] for c in catalogue] == ["ddt33"]


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("sophie.martin", {"description": "x"}, 403),
        ("lucie.fontaine", {"description": "x"}, 403),
        ("julien.lefebvre", {"contact": "not an address"}, 400),
        ("julien.lefebvre", {"name": ""}, 400),
        ("julien.lefebvre", {"technical_name": "other"}, 400),
        ("julien.lefebvre", {"public": "maybe"}, 400),
    ],
)
def test_patch_refusals(sb: Harness, who: str, body: dict[str, object], status: int) -> None:
    assert_api_error(sb.patch(f"/api/communities/{DDT33}", as_user=who, json=body), status)


def test_handing_supervision_over(sb: Harness) -> None:
    url = f"/api/communities/{DDT33}"
    # A delegated manager (COMMUNITY right, not the supervisor) may not.
    aura = demo_id("community", "region_aura")
    assert_api_error(
        sb.patch(f"/api/communities/{aura}", as_user="sophie.martin", json={"supervisor": SOPHIE}), 403
    )
    assert_api_error(
        sb.patch(url, as_user="julien.lefebvre", json={"supervisor": demo_id("user", "ghost")}), 400
    )
    response = sb.patch(url, as_user="julien.lefebvre", json={"supervisor": SOPHIE})
    assert response.status_code == 200
    assert response.json()["supervisor"]["_id"] == SOPHIE
    assert memberships(sb, "sophie.martin")["ddt33"] == ALL_RIGHTS
    assert memberships(sb, "julien.lefebvre")["ddt33"] == ALL_RIGHTS
    # Now Julien may leave, and Sophie may not.
    assert sb.delete(f"/api/users/me/communities/{DDT33}", as_user="julien.lefebvre").status_code == 204
    assert_api_error(sb.delete(f"/api/users/me/communities/{DDT33}", as_user="sophie.martin"), 409)


def test_the_new_supervisor_must_be_a_member(sb: Harness) -> None:
    url = f"/api/communities/{DDT33}"
    outsider = sb.add_user("paul.simple")
    body = assert_api_error(sb.patch(url, as_user="julien.lefebvre", json={"supervisor": outsider}), 400)
    assert "member" in body.error_description[0]
    assert sb.get(url, as_user="julien.lefebvre").json()["supervisor"]["_id"] == JULIEN
    assert "ddt33" not in memberships(sb, "paul.simple")  # not added on the way


def test_patch_is_all_or_nothing(sb: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"/api/communities/{DDT33}"
    outsider = sb.add_user("paul.simple")
    before = sb.get(url, as_user="julien.lefebvre").json()
    # A bad field anywhere in the body: nothing of it applies, the valid fields included.
    for body in (
        {"description": "Changée ?", "supervisor": outsider},  # not a member
        {"description": "Changée ?", "contact": "pas une adresse"},
        {"name": "Nouveau nom de la DDT", "supervisor": demo_id("user", "ghost")},
        {"description": "Changée ?", "colour": "blue"},
    ):
        assert_api_error(sb.patch(url, as_user="julien.lefebvre", json=body), 400)
    assert sb.get(url, as_user="julien.lefebvre").json() == before
    # A failure between the two writes of a hand-over (the membership, then the community)
    # leaves both as they were: one transaction.
    store = sb.sandbox.store

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store.communities, "update", broken)
    try:
        response = sb.patch(url, as_user="julien.lefebvre", json={"supervisor": SOPHIE})
        assert response.status_code == 500
    except RuntimeError:
        pass  # the in-process transport may hand the app's error over
    monkeypatch.undo()
    assert sb.get(url, as_user="julien.lefebvre").json()["supervisor"]["_id"] == JULIEN
    assert memberships(sb, "sophie.martin")["ddt33"] == ["UPLOAD", "PROCESSING", "BROADCAST"]
    assert "ddt33" not in memberships(sb, "paul.simple")


def test_patch_unknown_community_and_document(sb: Harness) -> None:
    assert_api_error(
        sb.patch(
            f"/api/communities/{demo_id('community', 'nope')}", as_user="claire.moreau", json={"public": True}
        ),
        404,
    )
    assert_api_error(sb.patch("/api/communities/ddt33", as_user="claire.moreau", json={"public": True}), 404)
    operation = sb.get("/openapi.json").json()["paths"]["/api/communities/{community_id}"]["patch"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["properties"]) == {"name", "description", "contact", "public", "supervisor"}
    assert schema.get("additionalProperties") is False


# --- leaving ---------------------------------------------------------------------------------


def test_leave(sb: Harness) -> None:
    url = f"/api/users/me/communities/{DDT33}"
    assert sb.delete(url, as_user="sophie.martin").status_code == 204
    assert "ddt33" not in memberships(sb, "sophie.martin")
    assert_api_error(sb.delete(url, as_user="sophie.martin"), 404)
    body = assert_api_error(sb.delete(url, as_user="julien.lefebvre"), 409)
    assert "supervise" in body.error_description[0]
    assert_api_error(
        sb.delete(f"/api/users/me/communities/{demo_id('community', 'nope')}", as_user="sophie.martin"), 404
    )
    assert_api_error(sb.delete(url), 401)
