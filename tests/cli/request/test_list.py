"""``cartes request list``: my requests, or ``--incoming`` those I can decide, with filters."""

from __future__ import annotations

from cartes_cli.cli.request import request_app
from cartes_cli.cli.request.list import ListOptions, run
from tests.cli.harness import API, C1, R1, R2, Harness, Together, request


def test_my_requests_with_the_filters_sent(harness: Harness) -> None:
    harness.sandbox()
    route = harness.listing("/users/me/requests", [request(R1), request(R2, status="accepted")])
    outcome = harness.invoke(request_app, ["list", "--status", "Accepted", "--type", "join"])
    assert outcome.code == 0
    params = route.calls.last.request.url.params
    assert (params["status"], params["type"]) == ("accepted", "join")
    assert [row[:5] for row in outcome.rows] == [
        [R1, "join", "pending", "dave@ign.fr", "tutoriels"],
        [R2, "join", "accepted", "dave@ign.fr", "tutoriels"],
    ]


def test_incoming_defaults_to_pending_and_resolves_the_workspace(harness: Harness) -> None:
    harness.sandbox()
    harness.me()
    harness.mock.get(f"{API}/communities/{C1}").respond(200, json={"_id": C1, "technical_name": "tutoriels"})
    route = harness.listing("/requests", [request(R1)])
    outcome = harness.run(run, ListOptions(incoming=True, workspace=C1))
    assert outcome.code == 0
    params = route.calls.last.request.url.params
    assert (params["status"], params["community"]) == ("pending", C1)
    assert outcome.rows[0][0] == R1


def test_a_person_reads_types_and_statuses_in_words() -> None:
    with Harness(format="table", width=160) as h:
        h.sandbox()
        h.listing(
            "/users/me/requests", [request(R1, type="datastore", name="Cartes de la région", community=None)]
        )
        outcome = h.run(run, ListOptions())
    assert "new workspace" in outcome.out
    assert "Cartes de la région" in outcome.out


def test_a_wrong_status_is_refused_before_any_request(harness: Harness) -> None:
    outcome = harness.run(run, ListOptions(status="done"))
    assert outcome.code == 2
    assert outcome.err == (
        "Error: Invalid value 'done' for --status; choose one of: pending, accepted, rejected, cancelled.\n"
    )
    assert not harness.mock.calls


def test_workspace_goes_with_incoming(harness: Harness) -> None:
    outcome = harness.run(run, ListOptions(workspace="tutoriels"))
    assert (outcome.code, outcome.err) == (2, "Error: --workspace goes with --incoming.\n")


def test_without_a_request_api_the_way_on_the_real_platform_is_said(harness: Harness) -> None:
    harness.real_platform()
    outcome = harness.run(run, ListOptions())
    assert outcome.code == 2
    assert "requests arrive by e-mail" in outcome.err


def many_requests(count: int) -> list[dict[str, object]]:
    return [request(f"00000000-0000-4000-8000-{i:012d}") for i in range(count)]


def test_incoming_requests_over_several_pages_are_read_at_once_in_order(harness: Harness) -> None:
    harness.sandbox()
    together = Together(5)
    route = harness.pages("/requests", many_requests(601), on_page=together)
    outcome = harness.invoke(request_app, ["list", "--incoming", "--concurrency", "5"])
    assert outcome.code == 0, outcome
    assert together.met
    assert [row[0] for row in outcome.rows] == [f"00000000-0000-4000-8000-{i:012d}" for i in range(601)]
    assert sorted(int(c.request.url.params["page"]) for c in route.calls) == list(range(1, 8))
    assert {c.request.url.params["status"] for c in route.calls} == {"pending"}  # filters on every page


def test_my_requests_take_the_concurrency_too(harness: Harness) -> None:
    harness.sandbox()
    together = Together(2)
    harness.pages("/users/me/requests", many_requests(240), on_page=together)
    outcome = harness.invoke(request_app, ["list", "-c", "2"])
    assert outcome.code == 0, outcome
    assert together.met
    assert len(outcome.rows) == 240


def test_a_listing_concurrency_out_of_range_is_refused_before_any_request(harness: Harness) -> None:
    route = harness.sandbox()
    outcome = harness.invoke(request_app, ["list", "--incoming", "--concurrency", "100"])
    assert outcome.code == 2
    assert "--concurrency must be between 1 and 64" in outcome.err
    assert not route.called
