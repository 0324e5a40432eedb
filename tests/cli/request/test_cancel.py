"""``cartes request cancel ID``: the cancellation sent."""

from __future__ import annotations

from cartes_cli.cli.request.cancel import CancelOptions, run
from tests.cli.harness import API, R1, Harness, request


def test_cancel_posts_to_the_request(harness: Harness) -> None:
    harness.sandbox()
    route = harness.mock.post(f"{API}/requests/{R1}/cancel").respond(
        200, json=request(R1, status="cancelled")
    )
    outcome = harness.run(run, CancelOptions(f" {R1} "))
    assert (outcome.code, outcome.err) == (0, f"Request {R1} cancelled.\n")
    assert route.called


def test_a_decided_request_cannot_be_cancelled(harness: Harness) -> None:
    harness.sandbox()
    harness.mock.post(f"{API}/requests/{R1}/cancel").respond(409, json={"error": "conflict"})
    outcome = harness.run(run, CancelOptions(R1))
    assert outcome.code == 1
    assert outcome.err.startswith("Error: ")
