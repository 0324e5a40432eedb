"""``cartes request approve|reject``: the decisions sent, the lines printed, the dry run's plan,
the checks made before any request, and approving by adding members on the real platform."""

from __future__ import annotations

import httpx

from cartes_cli.cli.request import request_app
from cartes_cli.cli.request.decide import DecideOptions, run
from cartes_cli.client.drafts import member_link
from tests.cli.harness import API, C1, R1, R2, R3, U1, U2, Harness, member, request, sent_json

DAVE = "dave@ign.fr → tutoriels"


def test_approve_ids_sends_one_accept_each_and_prints_a_line_each(harness: Harness) -> None:
    harness.sandbox()
    first = harness.mock.post(f"{API}/requests/{R1}/accept").respond(
        200, json=request(R1, status="accepted", unchanged=False)
    )
    second = harness.mock.post(f"{API}/requests/{R2}/accept").respond(
        200, json=request(R2, status="accepted", unchanged=False)
    )
    outcome = harness.invoke(request_app, ["approve", R1, R2, R1, "--yes"])
    assert outcome.code == 0
    assert (first.call_count, second.call_count) == (1, 1)  # a repeated id is decided once
    assert sent_json(first) == {}  # no --rights: the platform's default
    assert sorted(outcome.lines) == sorted([f"accepted\t{R1}\t{DAVE}", f"accepted\t{R2}\t{DAVE}"])
    assert harness.app.client_options[-1]["max_connections"] == 16


def test_approve_with_rights_sends_them(harness: Harness) -> None:
    harness.sandbox()
    route = harness.mock.post(f"{API}/requests/{R1}/accept").respond(
        200, json=request(R1, status="accepted", unchanged=False)
    )
    outcome = harness.run(run, DecideOptions("approve", ids=(R1,), rights="community,upload"))
    assert outcome.code == 0
    assert sent_json(route) == {"rights": ["COMMUNITY", "UPLOAD"]}


def test_reject_with_a_reason_and_an_already_rejected_one_unchanged(harness: Harness) -> None:
    harness.sandbox()
    route = harness.mock.post(f"{API}/requests/{R1}/reject").respond(
        200, json=request(R1, status="rejected", unchanged=True)
    )
    outcome = harness.run(run, DecideOptions("reject", ids=(R1,), reason=" Hors sujet "))
    assert outcome.code == 0
    assert sent_json(route) == {"reason": "Hors sujet"}
    assert outcome.lines == [f"unchanged\t{R1}\t{DAVE}"]


def test_a_failed_decision_is_exit_1_and_the_others_are_made(harness: Harness) -> None:
    harness.sandbox()
    harness.mock.post(f"{API}/requests/{R1}/accept").respond(
        200, json=request(R1, status="accepted", unchanged=False)
    )
    harness.mock.post(f"{API}/requests/{R2}/accept").respond(404, json={"error": "not_found"})
    harness.mock.get(f"{API}/requests/{R2}").respond(404, json={"error": "not_found"})
    outcome = harness.run(run, DecideOptions("approve", ids=(R1, R2), yes=True))
    assert outcome.code == 1
    assert outcome.lines == [f"accepted\t{R1}\t{DAVE}"]
    assert R2 in outcome.err


def test_dry_run_on_all_prints_the_plan_and_sends_no_decision(harness: Harness) -> None:
    harness.sandbox()
    listing = harness.listing(
        "/requests", [request(R1), request(R3, requester={"_id": U2, "email": "eve@ign.fr"})]
    )
    decide = harness.mock.post(url__regex=rf"{API}/requests/.*/accept").respond(200, json=request())
    outcome = harness.invoke(request_app, ["approve", "--all", "--type", "join", "--dry-run"])
    assert outcome.code == 0
    params = listing.calls.last.request.url.params
    assert (params["status"], params["type"]) == ("pending", "join")
    assert outcome.rows == [[R1, "approve", DAVE], [R3, "approve", "eve@ign.fr → tutoriels"]]
    assert outcome.err == "Dry run: 2 item(s) would be processed; nothing was changed.\n"
    assert not decide.called


def test_several_items_off_a_terminal_want_yes(harness: Harness) -> None:
    harness.sandbox()
    decide = harness.mock.post(url__regex=rf"{API}/requests/.*/reject").respond(200, json=request())
    outcome = harness.run(run, DecideOptions("reject", ids=(R1, R2)))
    assert outcome.code == 2
    assert "2 items would be changed: add --yes" in outcome.err
    assert not decide.called


def test_the_options_are_checked_before_any_request(harness: Harness) -> None:
    cases = [
        (
            DecideOptions("reject", ids=(R1,), users=(U1,), workspace="tutoriels"),
            "--user goes with 'request approve'.",
        ),
        (DecideOptions("approve", users=(U1,)), "--user needs --workspace."),
        (DecideOptions("approve", ids=(R1,), all=True), "--all selects the requests itself"),
        (DecideOptions("approve"), "Say which requests"),
        (DecideOptions("approve", ids=(R1,), workspace="tutoriels"), "--workspace and --type filter --all."),
        (DecideOptions("approve", ids=(R1,), concurrency=0), "--concurrency must be between 1 and"),
        (DecideOptions("reject", ids=(R1,), reason=" "), "--reason needs some text."),
        (DecideOptions("approve", ids=("R1",)), "'R1' is not a request id"),
        (
            DecideOptions("reject", ids=(member_link(C1, U1),)),
            "Links from request e-mails can only be approved",
        ),
    ]
    for options, message in cases:
        outcome = harness.run(run, options)
        assert outcome.code == 2, options
        assert message in outcome.err, (options, outcome.err)
        harness.stderr.seek(0)
        harness.stderr.truncate()
    assert not harness.mock.calls


def test_on_the_real_platform_users_are_added_and_members_left_as_they_are(harness: Harness) -> None:
    harness.mock.get(f"{API}/communities/{C1}").respond(200, json={"_id": C1, "technical_name": "tutoriels"})
    harness.listing(f"/communities/{C1}/users", [member(U2, "eve@ign.fr", ["COMMUNITY"])])
    put = harness.mock.put(f"{API}/communities/{C1}/users/{U1}").respond(200, json=member(U1))
    other = harness.mock.put(f"{API}/communities/{C1}/users/{U2}").mock(return_value=httpx.Response(500))
    outcome = harness.invoke(
        request_app, ["approve", "--workspace", C1, "--user", U1, "--user", U2.upper(), "--yes"]
    )
    assert outcome.code == 0
    assert sorted(sent_json(put)["rights"]) == ["ANNEX", "BROADCAST", "PROCESSING", "UPLOAD"]
    assert not other.called
    assert sorted(outcome.lines) == sorted(
        [
            f"added\t{C1}/{U1}\t{U1} → tutoriels",
            f"unchanged\t{C1}/{U2}\t{U2} → tutoriels\talready a member with COMMUNITY",
        ]
    )
