"""Member management, community resolution, the request workflow, capabilities and the outbox,
against a respx-mocked platform: paths, bodies, query parameters and error mapping."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
import respx

from cartes_cli.client import GeoplateformeClient
from cartes_cli.client.errors import (
    AmbiguousReference,
    Conflict,
    InvalidResponse,
    NotFound,
    PermissionDenied,
    ServerError,
    TransportError,
    UsageError,
)
from cartes_cli.client.models import Feature, Request, RequestStatus, RequestType, Right
from cartes_cli.client.retry import RetryPolicy
from cartes_cli.platforms import Platform

ROOT = "https://data.test"
API = ROOT + "/api"
PLATFORM = Platform(name="test", api_url=API, issuer="https://sso.test/realms/geoplateforme")
C1 = "11111111-1111-4111-8111-111111111111"
C2 = "22222222-2222-4222-8222-222222222222"
U1 = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
R1 = "ffffffff-0000-4000-8000-000000000001"


def body(route: respx.Route) -> Any:
    return json.loads(route.calls.last.request.content)


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


@pytest.fixture
def client() -> Iterator[GeoplateformeClient]:
    with GeoplateformeClient(PLATFORM, sleep=lambda s: None) as c:
        yield c


def request_json(**changes: Any) -> dict[str, Any]:
    return {
        "_id": R1,
        "type": "join",
        "status": "pending",
        "requester": {"_id": U1, "email": "dave@ign.fr", "first_name": "Dave", "last_name": "Lopper"},
        "community": {"_id": C1, "name": "Tutoriels", "technical_name": "tutoriels"},
        "message": "Bonjour",
        "rights": [],
        "creation": "2025-03-01T10:00:00Z",
        "update": "2025-03-01T10:00:00Z",
        **changes,
    }


# --- members ------------------------------------------------------------------------------


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


# --- resolve ------------------------------------------------------------------------------


def me(*communities: dict[str, Any]) -> dict[str, Any]:
    return {"_id": U1, "communities_member": [{"rights": ["UPLOAD"], "community": c} for c in communities]}


def catalog(*items: dict[str, Any]) -> httpx.Response:
    return httpx.Response(
        200, json=list(items), headers={"Content-Range": f"0-{len(items) - 1}/{len(items)}"}
    )


def test_resolve_by_id(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.get(f"{API}/communities/{C1}").respond(200, json={"_id": C1, "name": "Tutoriels"})
    me_route = mock.get(f"{API}/users/me").respond(200, json=me())
    assert client.communities.resolve(C1.upper()).name == "Tutoriels"
    assert route.called
    assert not me_route.called


def test_resolve_from_memberships_first(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.get(f"{API}/users/me").respond(
        200, json=me({"_id": C1, "name": "Tutoriels", "technical_name": "tutoriels", "datastore": "d1"})
    )
    cat = mock.get(f"{API}/catalogs/communities").respond(200, json=[])
    found = client.communities.resolve("TUTORIELS")
    assert found.id == C1
    assert found.datastore_id == "d1"
    assert client.communities.resolve(" tutoriels ").id == C1
    assert not cat.called


def test_resolve_by_exact_name_in_the_catalogue(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.get(f"{API}/users/me").respond(200, json=me())
    mock.get(f"{API}/catalogs/communities").mock(
        return_value=catalog(
            {"_id": C1, "name": "Données Écrins", "technical_name": "ecrins"},
            {"_id": C2, "name": "Données Écrins 2", "technical_name": "ecrins2"},
        )
    )
    assert client.communities.resolve("données écrins").id == C1
    assert client.communities.resolve("ECRINS2").id == C2
    with pytest.raises(NotFound, match="No workspace matches 'Données'"):
        client.communities.resolve("Données")  # exact names only


def test_technical_name_wins_over_a_name(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.get(f"{API}/users/me").respond(
        200,
        json=me(
            {"_id": C1, "name": "paris", "technical_name": "t1"},
            {"_id": C2, "name": "P", "technical_name": "paris"},
        ),
    )
    assert client.communities.resolve("paris").id == C2


def test_ambiguous_name(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.get(f"{API}/users/me").respond(200, json=me())
    mock.get(f"{API}/catalogs/communities").mock(
        return_value=catalog(
            {"_id": C1, "name": "Cadastre", "technical_name": "cadastre_a"},
            {"_id": C2, "name": "cadastre", "technical_name": "cadastre_b"},
        )
    )
    with pytest.raises(AmbiguousReference) as info:
        client.communities.resolve("Cadastre")
    assert isinstance(info.value, UsageError)
    assert info.value.candidates == [f"Cadastre (cadastre_a, {C1})", f"cadastre (cadastre_b, {C2})"]
    assert "technical name or the id" in str(info.value)


def test_resolve_unknown_id_and_empty(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.get(f"{API}/communities/{C1}").respond(404, json={"error": "not_found"})
    with pytest.raises(NotFound):
        client.communities.resolve(C1)
    with pytest.raises(UsageError):
        client.communities.resolve("  ")


# --- requests -----------------------------------------------------------------------------


def test_create_join(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.post(f"{API}/requests").respond(201, json=request_json())
    request = client.requests.create_join(
        C1, message=" Bonjour ", answers={"siret": "12345678901234", "agents": 3}
    )
    assert body(route) == {
        "type": "join",
        "community": C1,
        "message": "Bonjour",
        "answers": {"siret": "12345678901234", "agents": 3},
    }
    assert request.type is RequestType.JOIN
    assert request.status is RequestStatus.PENDING
    assert request.community_id == C1
    assert request.subject == "Tutoriels"
    assert request.requester is not None
    assert request.requester.display_name == "Dave Lopper"
    client.requests.create_join(C1)
    assert body(route) == {"type": "join", "community": C1}


def test_create_join_conflict_is_not_retried(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.post(f"{API}/requests").respond(
        409, json={"error": "conflict", "error_description": ["A pending request already exists"]}
    )
    with pytest.raises(Conflict, match="pending request already exists"):
        client.requests.create_join(C1)
    assert route.call_count == 1


def test_create_datastore(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.post(f"{API}/requests").respond(
        201, json=request_json(type="datastore", community=None, name="Cadastre d'Évry", offer="premium")
    )
    request = client.requests.create_datastore("Cadastre d'Évry", technical_name="evry", offer="Premium")
    assert body(route) == {
        "type": "datastore",
        "name": "Cadastre d'Évry",
        "technical_name": "evry",
        "offer": "premium",
        "public": False,
    }
    assert request.community_id is None
    assert request.subject == "Cadastre d'Évry"


def test_create_datastore_is_checked_before_sending(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    route = mock.post(f"{API}/requests").respond(201, json=request_json())
    with pytest.raises(UsageError, match="justification"):
        client.requests.create_datastore("Cadastre d'Évry", public=True, justification="trop court")
    assert not route.called


def test_mine_and_incoming_filters(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mine = mock.get(f"{API}/users/me/requests").respond(
        200, json=[request_json()], headers={"Content-Range": "0-0/1"}
    )
    incoming = mock.get(f"{API}/requests").respond(
        200, json=[request_json()], headers={"Content-Range": "0-0/1"}
    )
    assert [r.id for r in client.requests.mine(status="Pending", type=RequestType.JOIN)] == [R1]
    params = mine.calls.last.request.url.params
    assert (params["status"], params["type"], params["page"]) == ("pending", "join", "1")
    list(client.requests.mine())
    assert "status" not in mine.calls.last.request.url.params
    list(client.requests.incoming(status=RequestStatus.ACCEPTED, type="datastore", community=C1))
    params = incoming.calls.last.request.url.params
    assert (params["status"], params["type"], params["community"]) == ("accepted", "datastore", C1)
    with pytest.raises(
        UsageError, match="Unknown status 'done'; choose one of: pending, accepted, rejected, cancelled"
    ):
        client.requests.mine(status="done")
    with pytest.raises(UsageError, match="Unknown request type"):
        client.requests.incoming(type="member")


def test_incoming_forbidden(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.get(f"{API}/requests").respond(403, json={"error": "forbidden", "error_description": ["Staff only"]})
    with pytest.raises(PermissionDenied):
        list(client.requests.incoming())


def test_get_and_cancel(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.get(f"{API}/requests/{R1}").respond(200, json=request_json())
    cancel = mock.post(f"{API}/requests/{R1}/cancel").respond(200, json=request_json(status="cancelled"))
    assert client.requests.get(R1).is_pending
    cancelled = client.requests.cancel(R1)
    assert cancelled.status is RequestStatus.CANCELLED
    assert body(cancel) == {}


def test_accept_with_rights_and_reject_with_reason(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    accept = mock.post(f"{API}/requests/{R1}/accept").respond(
        200, json=request_json(status="accepted", rights=["UPLOAD"])
    )
    reject = mock.post(f"{API}/requests/{R1}/reject").respond(
        200, json=request_json(status="rejected", reason="Non")
    )
    accepted = client.requests.accept(R1, rights=["upload"])
    assert body(accept) == {"rights": ["UPLOAD"]}
    assert accepted.rights == [Right.UPLOAD]
    client.requests.accept(R1)
    assert body(accept) == {}
    rejected = client.requests.reject(R1, reason=" Non ")
    assert body(reject) == {"reason": "Non"}
    assert rejected.reason == "Non"
    client.requests.reject(R1)
    assert body(reject) == {}
    with pytest.raises(UsageError):
        client.requests.accept(R1, rights=["root"])


def test_accepting_a_rejected_request_is_a_conflict(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    route = mock.post(f"{API}/requests/{R1}/accept").respond(
        409, json={"error": "conflict", "error_description": "already rejected"}
    )
    with pytest.raises(Conflict):
        client.requests.accept(R1)
    assert route.call_count == 1  # a 409 is not transient


def http_date(text: str) -> str:
    return format_datetime(datetime.fromisoformat(text).replace(tzinfo=UTC), usegmt=True)


def test_unchanged_is_inferred_from_the_server_clock(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    route = mock.post(f"{API}/requests/{R1}/accept")
    # Decided now: the update is as recent as the answer.
    route.respond(
        200,
        json=request_json(status="accepted", update="2025-03-02T08:00:00Z"),
        headers={"Date": http_date("2025-03-02T08:00:01")},
    )
    assert client.requests.accept(R1).unchanged is False
    # Decided yesterday: accepting again changed nothing.
    route.respond(
        200,
        json=request_json(status="accepted", update="2025-03-01T08:00:00Z"),
        headers={"Date": http_date("2025-03-02T08:00:01")},
    )
    assert client.requests.accept(R1).unchanged is True
    # No Date header: unknown.
    route.respond(200, json=request_json(status="accepted"))
    assert client.requests.accept(R1).unchanged is None
    # The server says so itself.
    route.respond(200, json=request_json(status="accepted", unchanged=True))
    assert client.requests.accept(R1).unchanged is True


def test_decision_with_an_empty_answer_reads_the_request_back(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    mock.post(f"{API}/requests/{R1}/reject").respond(204)
    mock.get(f"{API}/requests/{R1}").respond(200, json=request_json(status="rejected"))
    assert client.requests.reject(R1).status is RequestStatus.REJECTED


def test_decisions_are_retried_as_idempotent(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.post(f"{API}/requests/{R1}/accept").mock(
        side_effect=[
            httpx.Response(503),
            httpx.ReadTimeout("slow"),
            httpx.Response(200, json=request_json(status="accepted")),
        ]
    )
    assert client.requests.accept(R1).status is RequestStatus.ACCEPTED
    assert route.call_count == 3


def test_request_ids_are_one_segment(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.get(url__regex=".*").respond(404, json={"error": "not_found"})
    with pytest.raises(NotFound):
        client.requests.get("../users/me")
    assert route.calls.last.request.url.raw_path == b"/api/requests/..%2Fusers%2Fme"


def test_unknown_type_and_status_are_kept() -> None:
    request = Request.model_validate(
        request_json(type="transfer", status="ON_HOLD", community=C2, decided_by=U1)
    )
    assert request.type == "transfer"
    assert request.status == "on_hold"
    assert request.community_id == C2
    assert request.subject == C2
    assert request.decided_by_id == U1
    assert not request.is_pending
    assert request.model_dump(mode="json", by_alias=True)["_id"] == R1


# --- capabilities and outbox --------------------------------------------------------------


def test_capabilities_of_a_sandbox_are_cached(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.get(f"{ROOT}/sandbox/capabilities").respond(
        200, json={"sandbox": True, "version": "0.3", "schema_version": 2, "features": ["requests", "Outbox"]}
    )
    caps = client.capabilities()
    assert caps.sandbox
    assert caps.requests
    assert caps.outbox
    assert not caps.accounts
    assert caps.has("requests")
    assert caps.supports(Feature.OUTBOX)
    assert client.capabilities() is caps
    assert route.call_count == 1
    assert "authorization" not in route.calls.last.request.headers
    client.capabilities(refresh=True)
    assert route.call_count == 2


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(404, json={"error": "not_found"}),
        httpx.Response(403, text="Forbidden"),
        httpx.Response(200, text="<html>portail</html>", headers={"content-type": "text/html"}),
        httpx.Response(200, json=["not", "an", "object"]),
        httpx.Response(200, json={"features": 42}),
        httpx.Response(302, headers={"Location": "https://cartes.gouv.fr/"}),
    ],
)
def test_real_platform_has_no_capabilities(
    mock: respx.MockRouter, client: GeoplateformeClient, answer: httpx.Response
) -> None:
    mock.get(f"{ROOT}/sandbox/capabilities").mock(return_value=answer)
    caps = client.capabilities()
    assert not caps.sandbox
    assert caps.features == []
    assert not caps.has("requests")


def test_capabilities_server_failure_raises(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.get(f"{ROOT}/sandbox/capabilities").respond(503)
    with pytest.raises(ServerError):
        client.capabilities()
    assert route.call_count == 4  # retried first
    route.mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(TransportError):
        client.capabilities()


def test_feature_names_ignore_case_and_separators(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    mock.get(f"{ROOT}/sandbox/capabilities").respond(
        200, json={"sandbox": True, "features": ["join-forms", "Web_Login", "client-credentials"]}
    )
    caps = client.capabilities()
    assert caps.join_forms
    assert caps.has("join_forms")
    assert caps.has(Feature.JOIN_FORMS)
    assert caps.supports(Feature.WEB_LOGIN)
    assert caps.has("CLIENT_CREDENTIALS")
    assert caps.features == ["client-credentials", "join-forms", "web-login"]


def test_capabilities_other_shapes(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.get(f"{ROOT}/sandbox/capabilities").respond(
        200, json={"sandbox": True, "features": {"requests": True, "accounts": False}}
    )
    assert client.capabilities().features == ["requests"]


def test_root_url_without_api_suffix() -> None:
    custom = Platform(name="custom", api_url="https://gw.test/entrepot", issuer="https://sso.test/realms/g")
    with GeoplateformeClient(custom) as c:
        assert c.root_url == "https://gw.test/entrepot"
    with GeoplateformeClient(PLATFORM) as c:
        assert c.root_url == ROOT


def test_outbox(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.get(f"{ROOT}/sandbox/outbox").respond(
        200,
        json=[
            {
                "_id": "m1",
                "to": "Dave@IGN.fr",
                "subject": "Demande reçue",
                "body": "…",
                "related": {"request": R1},
                "creation": "2025-03-01T10:00:00Z",
            },
            {
                "_id": "m2",
                "to": ["eve@ign.fr", "dave@ign.fr"],
                "subject": "Décision",
                "body": "…",
                "related": R1,
            },
        ],
    )
    messages = client.sandbox.outbox()
    assert [m.id for m in messages] == ["m1", "m2"]
    assert messages[0].to == ["Dave@IGN.fr"]
    assert messages[0].related == {"request": R1}
    assert [m.id for m in client.sandbox.outbox(to="dave@ign.fr")] == ["m1", "m2"]
    assert [m.id for m in client.sandbox.outbox(to="eve@ign.fr")] == ["m2"]
    assert "authorization" not in route.calls.last.request.headers
    route.respond(200, json={"messages": [{"_id": "m3"}]})
    assert client.sandbox.outbox()[0].to == []
    route.respond(200, json={"oops": 1})
    with pytest.raises(InvalidResponse):
        client.sandbox.outbox()


def test_sandbox_routes_carry_no_credentials(mock: respx.MockRouter) -> None:
    from cartes_cli.auth.httpx_auth import BearerAuth
    from cartes_cli.auth.session import TokenManager

    caps = mock.get(f"{ROOT}/sandbox/capabilities").respond(200, json={"sandbox": True})
    me_route = mock.get(f"{API}/users/me").respond(200, json={"_id": U1})
    with GeoplateformeClient(
        PLATFORM, auth=BearerAuth(TokenManager.static("tok")), retry=RetryPolicy.never()
    ) as c:
        c.capabilities()
        c.users.me()
    assert "authorization" not in caps.calls.last.request.headers
    assert me_route.calls.last.request.headers["authorization"] == "Bearer tok"


def test_decisions_carry_one_idempotency_key_across_retries_and_a_replay_is_ours(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    # The first answer is lost after the change (502); the retry, with the same key, gets that
    # first answer replayed, minutes later: it was this call that accepted, not "unchanged".
    route = mock.post(f"{API}/requests/{R1}/accept")
    route.side_effect = [
        httpx.Response(502, text="<html>Bad Gateway</html>"),
        httpx.Response(
            200,
            json=request_json(status="accepted", update="2025-03-02T08:00:00Z"),
            headers={"Date": http_date("2025-03-02T08:10:00"), "Idempotent-Replayed": "true"},
        ),
    ]
    result = client.requests.accept(R1)
    assert result.unchanged is False
    keys = [call.request.headers.get("Idempotency-Key") for call in route.calls]
    assert len(keys) == 2
    assert keys[0]
    assert keys[0] == keys[1]
    # Another decision gets another key.
    route.side_effect = None
    route.respond(200, json=request_json(status="accepted"))
    client.requests.accept(R1)
    assert route.calls[-1].request.headers["Idempotency-Key"] != keys[0]


def _request_page(start: int, count: int) -> list[dict[str, Any]]:
    return [request_json(_id=f"ffffffff-0000-4000-8000-{i:012d}") for i in range(start, start + count)]


def test_incoming_snapshot_follows_the_cursor_links(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    def page(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        if cursor is None:
            assert request.url.params["status"] == "pending"
            assert request.url.params["community"] == C1
            link = f'<{API}/requests?status=pending&community={C1}&limit=50&cursor=c2>; rel="next"'
            return httpx.Response(
                200, json=_request_page(0, 50), headers={"Content-Range": "0-49/120", "Link": link}
            )
        if cursor == "c2":  # a relative link is resolved against the request's URL
            link = f'</api/requests?status=pending&community={C1}&limit=50&cursor=c3>; rel="next"'
            return httpx.Response(
                200, json=_request_page(50, 50), headers={"Content-Range": "0-49/70", "Link": link}
            )
        return httpx.Response(200, json=_request_page(100, 20), headers={"Content-Range": "0-19/20"})

    route = mock.get(f"{API}/requests").mock(side_effect=page)
    snapshot = client.requests.incoming_snapshot(status="pending", community=C1)
    assert snapshot.total == 120
    assert snapshot.linked
    assert route.call_count == 1  # only the first page so far
    ids = [r.id for r in snapshot]
    assert ids == [f"ffffffff-0000-4000-8000-{i:012d}" for i in range(120)]
    assert route.call_count == 3


def test_a_next_link_to_another_origin_is_not_followed(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    """Following it would send the bearer token to that other host."""
    mock.get(f"{API}/requests").respond(
        200,
        json=_request_page(0, 2),
        headers={
            "Content-Range": "0-1/4",
            "Link": '<https://elsewhere.test/api/requests?cursor=x>; rel="next"',
        },
    )
    elsewhere = mock.get("https://elsewhere.test/api/requests")
    snapshot = client.requests.incoming_snapshot()
    assert not snapshot.linked  # the caller reads the listing by offset instead
    assert len(list(snapshot)) == 2
    assert not elsewhere.called


def test_cookies_are_neither_kept_nor_sent(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    """The API authenticates each call with its token: a cookie set on the way carries no state
    from one call to the next."""
    route = mock.get(f"{API}/requests/{R1}").respond(
        200, json=request_json(), headers={"Set-Cookie": "BIGipServer=abc; Path=/"}
    )
    client.requests.get(R1)
    client.requests.get(R1)
    assert "cookie" not in route.calls.last.request.headers
    client._http.cookies.set("forced", "1")  # nothing can be put in the jar either
    client.requests.get(R1)
    assert "cookie" not in route.calls.last.request.headers
