"""``client.communities`` (members, updates, join forms, leaving, finding a workspace by what a
person types) against a respx-mocked platform: paths, bodies and error mapping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx

from cartes_cli.client import GeoplateformeClient
from cartes_cli.client.errors import (
    AmbiguousReference,
    NotFound,
    PermissionDenied,
    ServerError,
    UsageError,
)
from cartes_cli.client.models import Right
from tests.client.fakes import API, C1, C2, ROOT, U1, body

Resolve = Callable[..., Any]


@pytest.fixture(params=["models", "records"])
def resolve(request: pytest.FixtureRequest, client: GeoplateformeClient) -> Resolve:
    """Finding a workspace, read as models (``client.communities.resolve``) or as records
    (``client.records.resolve``, for the read-only listings): the same requests, the same
    answers, the same errors."""
    resource = client.communities if request.param == "models" else client.records
    return resource.resolve


def test_put_member(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.put(f"{API}/communities/{C1}/users/{U1}").respond(
        200, json={"rights": ["UPLOAD", "COMMUNITY"], "user": {"_id": U1, "email": "dave@ign.fr"}}
    )
    member = client.communities.put_member(C1, U1, ["upload", Right.COMMUNITY])
    assert body(route) == {"rights": ["COMMUNITY", "UPLOAD"]}
    assert member.id == U1
    assert member.user.email == "dave@ign.fr"
    assert member.rights == [Right.COMMUNITY, Right.UPLOAD]


@pytest.mark.parametrize(
    "answer",
    [httpx.Response(204), httpx.Response(200, json={"_id": C1, "name": "x"}), httpx.Response(200, json=[])],
)
def test_put_member_other_answer_shapes(
    mock: respx.MockRouter, client: GeoplateformeClient, answer: httpx.Response
) -> None:
    mock.put(f"{API}/communities/{C1}/users/{U1}").mock(return_value=answer)
    member = client.communities.put_member(C1, U1, ["processing"])
    assert member.id == U1
    assert member.rights == [Right.PROCESSING]


def test_put_member_refuses_unknown_rights_before_sending(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    route = mock.put(url__regex=".*").respond(200)
    with pytest.raises(UsageError, match="Unknown right 'admin'"):
        client.communities.put_member(C1, U1, ["admin"])
    assert not route.called


def test_put_member_of_unknown_user(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.put(f"{API}/communities/{C1}/users/{U1}").respond(
        404, json={"error": "not_found", "error_description": ["User not found"]}
    )
    with pytest.raises(NotFound, match="User not found"):
        client.communities.put_member(C1, U1, ["upload"])


def test_remove_member_and_supervisor(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.delete(f"{API}/communities/{C1}/users/{U1}").respond(204)
    client.communities.remove_member(C1, U1)
    assert route.called
    route.respond(400, json={"error": "bad_request", "error_description": "The supervisor cannot be removed"})
    with pytest.raises(Exception, match="supervisor cannot be removed"):
        client.communities.remove_member(C1, U1)


def test_update(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.patch(f"{API}/communities/{C1}").respond(
        200, json={"_id": C1, "name": "Nouveau", "public": True}
    )
    community = client.communities.update(C1, name="Nouveau", public=True)
    assert body(route) == {"name": "Nouveau", "public": True}
    assert community.name == "Nouveau"
    with pytest.raises(UsageError, match="Nothing to update"):
        client.communities.update(C1)
    route.respond(403, json={"error": "forbidden", "error_description": ["COMMUNITY right needed"]})
    with pytest.raises(PermissionDenied):
        client.communities.update(C1, description="d")


def test_join_form(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.get(f"{API}/communities/{C1}/join_form").respond(
        200,
        json={
            "fields": [
                {"name": "siret", "title": "SIRET", "constraints": {"required": True, "minLength": 14}}
            ]
        },
    )
    form = client.communities.join_form(C1)
    assert form.fields[0].constraints.min_length == 14
    assert form.fields[0].required
    route.respond(404, json={"error": "not_found"})
    assert client.communities.join_form(C1).is_empty


def test_public_join_form_is_read_from_the_annexes_beside_the_api(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    assert client.annexes_url == ROOT + "/annexes"  # https://data.geopf.fr/api → …/annexes
    route = mock.get(f"{ROOT}/annexes/ddt33/public/join.json").respond(
        200,
        json={
            "description": "Dites-nous qui vous êtes.",
            "fields": [
                {"name": "pass", "title": "Code", "type": "password", "constraints": {"required": True}}
            ],
        },
    )
    form = client.communities.public_join_form("ddt33")
    assert form.description == "Dites-nous qui vous êtes."
    assert form.fields[0].type == "password"
    assert "authorization" not in route.calls.last.request.headers  # a public file
    for status in (404, 403):  # no form published (a storage answers 403 for a missing key)
        route.respond(status, text="<Error>NoSuchKey</Error>")
        assert client.communities.public_join_form("ddt33").is_empty
    route.respond(200, text="<html>not a form</html>")
    assert client.communities.public_join_form("ddt33").is_empty
    route.respond(503, json={"error": "unavailable"})
    with pytest.raises(ServerError):
        client.communities.public_join_form("ddt33")


def test_find_public_never_asks_for_a_community_detail(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    items = [
        {"_id": C1, "name": "DDT de la Gironde", "technical_name": "ddt33", "contact": "sig@x.test"},
        {"_id": C2, "name": "Même nom", "technical_name": "a"},
        {"_id": U1, "name": "Même nom", "technical_name": "b"},
    ]
    mock.get(f"{API}/catalogs/communities").respond(200, json=items, headers={"Content-Range": "0-2/3"})
    detail = mock.get(f"{API}/communities/{C1}").respond(403, json={"error": "forbidden"})
    for ref in (C1, C1.upper(), "DDT33", "ddt de la gironde"):
        assert client.communities.find_public(ref).id == C1
    assert not detail.called
    with pytest.raises(AmbiguousReference):
        client.communities.find_public("même nom")
    with pytest.raises(NotFound):
        client.communities.find_public("nope")


def test_leave(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.delete(f"{API}/users/me/communities/{C1}").respond(204)
    client.communities.leave(C1)
    assert route.called


def me(*communities: dict[str, Any]) -> dict[str, Any]:
    return {"_id": U1, "communities_member": [{"rights": ["UPLOAD"], "community": c} for c in communities]}


def catalog(*items: dict[str, Any]) -> httpx.Response:
    return httpx.Response(
        200, json=list(items), headers={"Content-Range": f"0-{len(items) - 1}/{len(items)}"}
    )


def test_resolve_by_id(mock: respx.MockRouter, client: GeoplateformeClient, resolve: Resolve) -> None:
    route = mock.get(f"{API}/communities/{C1}").respond(200, json={"_id": C1, "name": "Tutoriels"})
    me_route = mock.get(f"{API}/users/me").respond(200, json=me())
    found = resolve(C1.upper())
    assert found.name == "Tutoriels"
    assert type(found).__name__ in ("Community", "CommunityRecord")
    assert route.called
    assert not me_route.called


def test_resolve_from_memberships_first(
    mock: respx.MockRouter, client: GeoplateformeClient, resolve: Resolve
) -> None:
    mock.get(f"{API}/users/me").respond(
        200, json=me({"_id": C1, "name": "Tutoriels", "technical_name": "tutoriels", "datastore": "d1"})
    )
    cat = mock.get(f"{API}/catalogs/communities").respond(200, json=[])
    found = resolve("TUTORIELS")
    assert found.id == C1
    assert found.datastore_id == "d1"
    assert resolve(" tutoriels ").id == C1
    assert not cat.called


def test_resolve_by_exact_name_in_the_catalogue(
    mock: respx.MockRouter, client: GeoplateformeClient, resolve: Resolve
) -> None:
    mock.get(f"{API}/users/me").respond(200, json=me())
    mock.get(f"{API}/catalogs/communities").mock(
        return_value=catalog(
            {"_id": C1, "name": "Données Écrins", "technical_name": "ecrins"},
            {"_id": C2, "name": "Données Écrins 2", "technical_name": "ecrins2"},
        )
    )
    assert resolve("données écrins").id == C1
    assert resolve("ECRINS2").id == C2
    with pytest.raises(NotFound, match="No workspace matches 'Données'"):
        resolve("Données")  # exact names only


def test_a_lookup_in_the_catalogue_builds_only_the_matching_items(
    mock: respx.MockRouter, client: GeoplateformeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding one workspace by name reads the whole catalogue but validates only what matches:
    an odd item elsewhere (here a number as a name) neither costs a model nor stops the lookup;
    a matching item that the model refuses is still the platform's error."""
    from cartes_cli.client.models import CatalogCommunity
    from cartes_cli.errors import InvalidResponse

    built: list[object] = []
    validate = CatalogCommunity.model_validate

    def counting(data: object, **kwargs: Any) -> CatalogCommunity:
        built.append(data)
        return validate(data, **kwargs)

    monkeypatch.setattr(CatalogCommunity, "model_validate", counting)
    mock.get(f"{API}/users/me").respond(200, json=me())
    items = [catalog_item(i) for i in range(40)] + [{"_id": "odd", "name": 42, "technical_name": None}]
    items.append({"_id": C2, "name": "Cible", "technical_name": "cible", "public": "not a bool"})
    items.append({"_id": C1, "name": "Écrins", "technical_name": "ecrins", "public": True})
    mock.get(f"{API}/catalogs/communities").mock(return_value=catalog(*items))
    assert client.communities.resolve("ÉCRINS").id == C1
    assert client.communities.find_public(C1.upper()).technical_name == "ecrins"
    assert [b["_id"] for b in built if isinstance(b, dict)] == [C1, C1]
    with pytest.raises(InvalidResponse):
        client.communities.resolve("cible")  # the match itself is malformed


def test_a_lookup_in_the_catalogue_as_records_reads_only_the_matching_items(
    mock: respx.MockRouter, client: GeoplateformeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The records' lookup, as the models': the other items are looked at, never read, and a
    matching item the model refuses is still the platform's error. What it returns is a
    ``CommunityRecord``, and pydantic is not needed on the way."""
    from cartes_cli.client.records import CatalogRecord, CommunityRecord
    from cartes_cli.errors import InvalidResponse

    read: list[object] = []
    from_wire = CatalogRecord.from_wire.__func__  # type: ignore[attr-defined]

    def counting(cls: type[CatalogRecord], data: object) -> CatalogRecord:
        read.append(data)
        return from_wire(cls, data)  # type: ignore[no-any-return]

    monkeypatch.setattr(CatalogRecord, "from_wire", classmethod(counting))
    mock.get(f"{API}/users/me").respond(200, json=me())
    items = [catalog_item(i) for i in range(40)] + [{"_id": "odd", "name": 42, "technical_name": None}]
    items.append({"_id": C2, "name": "Cible", "technical_name": "cible", "public": "not a bool"})
    items.append({"_id": C1, "name": "Écrins", "technical_name": "ecrins", "public": True})
    mock.get(f"{API}/catalogs/communities").mock(return_value=catalog(*items))
    found = client.records.resolve("ÉCRINS")
    assert type(found) is CommunityRecord
    assert (found.id, found.technical_name, found.public, found.supervisor_id) == (C1, "ecrins", True, None)
    assert [r["_id"] for r in read if isinstance(r, dict)] == [C1]
    with pytest.raises(InvalidResponse):
        client.records.resolve("cible")  # the match itself is malformed


def test_a_workspace_found_by_technical_name_is_known_next_time(
    mock: respx.MockRouter, client: GeoplateformeClient, resolve: Resolve
) -> None:
    mock.get(f"{API}/users/me").respond(200, json=me())
    cat = mock.get(f"{API}/catalogs/communities").mock(
        return_value=catalog(
            {"_id": C1, "name": "Écrins", "technical_name": "ecrins"},
            {"_id": C2, "name": "Autre", "technical_name": "autre"},
        )
    )
    detail = mock.get(f"{API}/communities/{C1}").respond(
        200, json={"_id": C1, "name": "Écrins", "technical_name": "ecrins", "supervisor": {"_id": U1}}
    )
    known: dict[str, str] = {}
    assert resolve("Écrins", known=known).id == C1  # by name: not recorded
    assert known == {}
    assert resolve(" ECRINS ", known=known).id == C1
    assert known == {"ecrins": C1}
    scans = cat.call_count
    found = resolve("ecrins", known=known)
    assert (found.id, found.supervisor_id) == (C1, U1)  # the detail, confirmed
    assert cat.call_count == scans
    assert detail.call_count == 1


def test_a_known_workspace_is_confirmed_while_the_memberships_are_read(
    mock: respx.MockRouter, client: GeoplateformeClient, resolve: Resolve
) -> None:
    """The confirmation is asked before /users/me has answered: /users/me answers only once the
    confirmation has arrived (one after the other, it would wait for ever: here 5 s, then fail)."""
    import threading

    asked = threading.Event()

    def confirm(request: httpx.Request) -> httpx.Response:
        asked.set()
        return httpx.Response(200, json={"_id": C1, "name": "Écrins", "technical_name": "ecrins"})

    def memberships(request: httpx.Request) -> httpx.Response:
        assert asked.wait(5), "the confirmation was not asked while /users/me was"
        return httpx.Response(200, json=me())

    mock.get(f"{API}/users/me").mock(side_effect=memberships)
    mock.get(f"{API}/communities/{C1}").mock(side_effect=confirm)
    assert resolve("ecrins", known={"ecrins": C1}).id == C1


def test_a_known_name_that_is_one_of_the_users_own_leaves_the_cache(
    mock: respx.MockRouter, client: GeoplateformeClient, resolve: Resolve
) -> None:
    mock.get(f"{API}/users/me").respond(
        200, json=me({"_id": C2, "name": "Écrins", "technical_name": "ecrins"})
    )
    mock.get(f"{API}/communities/{C1}").respond(
        200, json={"_id": C1, "name": "Écrins", "technical_name": "ecrins"}
    )
    known = {"ecrins": C1, "autre": C2}
    assert resolve("ecrins", known=known).id == C2  # the user's own comes first
    assert known == {"autre": C2}  # no confirmation asked for it next time


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(404, json={"error": "not_found"}),
        httpx.Response(403, json={"error": "forbidden"}),
        httpx.Response(200, json={"_id": C2, "name": "Renamed", "technical_name": "other"}),
    ],
)
def test_a_known_workspace_that_is_gone_refused_or_renamed_is_looked_up_again(
    mock: respx.MockRouter, client: GeoplateformeClient, resolve: Resolve, answer: httpx.Response
) -> None:
    mock.get(f"{API}/users/me").respond(200, json=me())
    mock.get(f"{API}/communities/{C2}").mock(return_value=answer)
    cat = mock.get(f"{API}/catalogs/communities").mock(
        return_value=catalog({"_id": C1, "name": "Écrins", "technical_name": "ecrins"})
    )
    known = {"ecrins": C2, "other": C1}
    assert resolve("ecrins", known=known).id == C1
    assert cat.called
    assert known == {"ecrins": C1, "other": C1}
    with pytest.raises(NotFound):
        resolve("nope", known={"nope": "not-an-id"})


def test_technical_name_wins_over_a_name(
    mock: respx.MockRouter, client: GeoplateformeClient, resolve: Resolve
) -> None:
    mock.get(f"{API}/users/me").respond(
        200,
        json=me(
            {"_id": C1, "name": "paris", "technical_name": "t1"},
            {"_id": C2, "name": "P", "technical_name": "paris"},
        ),
    )
    assert resolve("paris").id == C2


def test_ambiguous_name(mock: respx.MockRouter, client: GeoplateformeClient, resolve: Resolve) -> None:
    mock.get(f"{API}/users/me").respond(200, json=me())
    mock.get(f"{API}/catalogs/communities").mock(
        return_value=catalog(
            {"_id": C1, "name": "Cadastre", "technical_name": "cadastre_a"},
            {"_id": C2, "name": "cadastre", "technical_name": "cadastre_b"},
        )
    )
    with pytest.raises(AmbiguousReference) as info:
        resolve("Cadastre")
    assert isinstance(info.value, UsageError)
    assert info.value.candidates == [f"Cadastre (cadastre_a, {C1})", f"cadastre (cadastre_b, {C2})"]
    assert "technical name or the id" in str(info.value)


def test_resolve_unknown_id_and_empty(
    mock: respx.MockRouter, client: GeoplateformeClient, resolve: Resolve
) -> None:
    mock.get(f"{API}/communities/{C1}").respond(404, json={"error": "not_found"})
    with pytest.raises(NotFound):
        resolve(C1)
    with pytest.raises(UsageError):
        resolve("  ")


def catalog_item(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "_id": f"id-{i}",
        "name": f"Communauté {i}",
        "technical_name": f"tech_{i}",
        "public": True,
        **extra,
    }


def paged(items: list[dict[str, Any]], *, header: bool = True) -> Any:
    """A respx side effect serving ``items`` with page/limit and Content-Range."""

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        limit = int(request.url.params.get("limit", "10"))
        start = (page - 1) * limit
        chunk = items[start : start + limit]
        headers = {}
        if header:
            last = start + len(chunk) - 1
            headers["Content-Range"] = f"{start}-{last}/{len(items)}" if chunk else f"*/{len(items)}"
        return httpx.Response(200, json=chunk, headers=headers)

    return handler


def test_ids_are_one_path_segment(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.get(url__regex=r".*").respond(404, json={"error": "not_found"})
    with pytest.raises(NotFound):
        client.communities.get("../administrator/x?y")
    assert route.calls.last.request.url.raw_path == b"/api/communities/..%2Fadministrator%2Fx%3Fy"
    for bad in ("", "..", "."):
        with pytest.raises(UsageError):
            client.communities.get(bad)


def test_catalog_all_pages_in_order(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    items = [catalog_item(i) for i in range(137)]
    route = mock.get(API + "/catalogs/communities").mock(side_effect=paged(items))
    result = list(client.communities.catalog(limit=10, concurrency=4))
    assert [c.id for c in result] == [f"id-{i}" for i in range(137)]
    assert route.call_count == 14
    pages = sorted(int(call.request.url.params["page"]) for call in route.calls)
    assert pages == list(range(1, 15))
    assert {call.request.url.params["limit"] for call in route.calls} == {"10"}


def test_catalog_without_content_range(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    items = [catalog_item(i) for i in range(25)]
    route = mock.get(API + "/catalogs/communities").mock(side_effect=paged(items, header=False))
    assert len(list(client.communities.catalog(limit=10))) == 25
    assert route.call_count == 3


def test_catalog_search_is_client_side_and_accent_insensitive(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    items = [
        catalog_item(1, name="Communauté d'Évry", description="Données"),
        catalog_item(2, name="Paris", technical_name="paris_evry_sud"),
        catalog_item(3, name="Lyon", description="Réseau ÉVRY-Courcouronnes"),
        catalog_item(4, name="Marseille"),
    ]
    route = mock.get(API + "/catalogs/communities").mock(side_effect=paged(items))
    found = [c.id for c in client.communities.catalog(search="  evry ")]
    assert found == ["id-1", "id-2", "id-3"]
    assert "name" not in route.calls.last.request.url.params
    assert "search" not in route.calls.last.request.url.params
    assert [c.id for c in client.communities.catalog(search="EVRY données")] == ["id-1"]


def test_members_with_rights_filter(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.get(API + "/communities/c1/users").respond(
        200,
        json=[{"rights": ["UPLOAD", "COMMUNITY"], "user": {"_id": "u1"}}],
        headers={"Content-Range": "0-0/1"},
    )
    [member] = client.communities.members("c1", rights=[Right.COMMUNITY, Right.UPLOAD])
    assert member.id == "u1"
    assert route.calls.last.request.url.params["rights"] == "COMMUNITY,UPLOAD"
