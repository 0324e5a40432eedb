"""``cartes workspace leave WS``: the DELETE sent; leaving twice and the supervisor's case."""

from __future__ import annotations

from cartes_cli.cli.workspace import workspace_app
from cartes_cli.cli.workspace.leave import LeaveOptions, run
from tests.cli.harness import API, C1, ME, U2, Harness, community, membership

LEAVE_URL = f"{API}/users/me/communities/{C1}"


def test_a_member_leaves_with_yes(harness: Harness) -> None:
    harness.mock.get(f"{API}/communities/{C1}").respond(200, json=community(supervisor=U2))
    harness.me(memberships=[membership(supervisor=U2)])
    delete = harness.mock.delete(LEAVE_URL).respond(204)
    outcome = harness.invoke(workspace_app, ["leave", C1, "-y"])
    assert (outcome.code, outcome.err) == (0, "You left tutoriels.\n")
    assert delete.called


def test_leaving_twice_is_not_an_error(harness: Harness) -> None:
    harness.mock.get(f"{API}/communities/{C1}").respond(200, json=community(supervisor=U2))
    harness.me()
    delete = harness.mock.delete(LEAVE_URL).respond(204)
    outcome = harness.run(run, LeaveOptions(C1, yes=True))
    assert (outcome.code, outcome.err) == (
        0,
        "You are already out of tutoriels (not a member); nothing changed.\n",
    )
    assert not delete.called


def test_the_supervisor_must_hand_over_first(harness: Harness) -> None:
    harness.mock.get(f"{API}/communities/{C1}").respond(200, json=community(supervisor=ME))
    harness.me(memberships=[membership(["COMMUNITY"])])
    delete = harness.mock.delete(LEAVE_URL).respond(204)
    outcome = harness.run(run, LeaveOptions(C1, yes=True))
    assert outcome.code == 2
    assert "hand supervision to another member before leaving" in outcome.err
    assert not delete.called


def test_an_unknown_workspace_is_not_found_and_nothing_changed(harness: Harness) -> None:
    harness.me()
    harness.listing("/catalogs/communities", [])
    outcome = harness.run(run, LeaveOptions("nowhere", yes=True))
    assert outcome.code == 3
    assert "no workspace 'nowhere'" in outcome.err
    assert "nothing was changed" in outcome.err
