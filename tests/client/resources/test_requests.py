"""``client.requests`` (the request workflow and its decisions) against a respx-mocked platform:
paths, bodies, query parameters, idempotency, cursor pages and error mapping."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
import respx

from cartes_cli.client import GeoplateformeClient
from cartes_cli.client.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    UsageError,
)
from cartes_cli.client.models import Request, RequestStatus, RequestType, Right
from cartes_cli.client.resources.requests import decision_unchanged
from tests.client.fakes import API, C1, C2, R1, U1, body, request_json


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


def test_without_a_server_clock_unchanged_is_decided_with_the_callers_start(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    """``since`` (the caller's time before deciding) answers when the server gives no ``Date``:
    a request last updated before it (2 s of skew allowed) was already decided."""
    route = mock.post(f"{API}/requests/{R1}/reject")
    update = datetime.fromisoformat("2025-03-01T10:00:00+00:00").timestamp()
    route.respond(200, json=request_json(status="rejected"))
    assert client.requests.reject(R1, since=update + 60).unchanged is True
    assert client.requests.reject(R1, since=update + 1).unchanged is False  # within the skew
    assert client.requests.reject(R1).unchanged is None
    # The server's clock wins over the caller's when it can tell.
    route.respond(
        200,
        json=request_json(status="rejected", update="2025-03-02T08:00:00Z"),
        headers={"Date": http_date("2025-03-02T08:00:01")},
    )
    assert client.requests.reject(R1, since=update + 10**6).unchanged is False
    # A request not in the decided state: only the caller's clock can say.
    route.respond(
        200, json=request_json(status="pending"), headers={"Date": http_date("2025-03-02T08:00:01")}
    )
    assert client.requests.reject(R1, since=update + 60).unchanged is True
    assert client.requests.reject(R1).unchanged is None


def test_decision_unchanged_without_an_update_time() -> None:
    response = httpx.Response(200, request=httpx.Request("POST", f"{API}/requests/{R1}/accept"))
    request = Request.model_validate(request_json(status="accepted", update=None))
    assert decision_unchanged(request, response, RequestStatus.ACCEPTED) is None
    assert decision_unchanged(request, response, RequestStatus.ACCEPTED, since=0.0) is False


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
