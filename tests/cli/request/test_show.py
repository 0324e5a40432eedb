"""``cartes request show ID``: one request, in full."""

from __future__ import annotations

from cartes_cli.cli.request import request_app
from cartes_cli.cli.request.show import ShowOptions, run
from tests.cli.harness import API, R1, Harness, request


def test_one_request_in_full() -> None:
    with Harness(json_fields=[]) as h:
        h.sandbox()
        route = h.mock.get(f"{API}/requests/{R1}").respond(
            200, json=request(R1, answers={"organisation": "IGN"})
        )
        outcome = h.invoke(request_app, ["show", R1.upper()])
    assert outcome.code == 0
    assert route.called  # the id, lower-cased
    data = outcome.json()
    assert data["id"] == R1
    assert data["requester"] == "dave@ign.fr"
    assert data["requester_name"] == "Dave Lopper"
    assert data["workspace"] == "tutoriels"
    assert data["answers"] == {"organisation": "IGN"}


def test_not_a_request_id(harness: Harness) -> None:
    outcome = harness.run(run, ShowOptions("tutoriels"))
    assert outcome.code == 2
    assert "'tutoriels' is not a request id" in outcome.err
    assert not harness.mock.calls


def test_an_unknown_request_is_exit_3(harness: Harness) -> None:
    harness.sandbox()
    harness.mock.get(f"{API}/requests/{R1}").respond(404, json={"error": "not_found"})
    outcome = harness.run(run, ShowOptions(R1))
    assert outcome.code == 3
