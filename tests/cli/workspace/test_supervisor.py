"""``cartes workspace supervisor WS USER``: who may hand supervision over, and to whom."""

from __future__ import annotations

import respx

from cartes_cli.cli.workspace.supervisor import SupervisorOptions, run
from tests.cli.harness import API, C1, ME, U1, U2, Harness, community, member, sent_json


def _platform(h: Harness, supervisor: str, *, administrator: bool = False) -> respx.Route:
    h.mock.get(f"{API}/communities/{C1}").respond(200, json=community(supervisor=supervisor))
    h.me(administrator=administrator)
    h.listing(f"/communities/{C1}/users", [member(ME, "me@ign.fr", ["COMMUNITY"]), member(U1, "dave@ign.fr")])
    return h.mock.patch(f"{API}/communities/{C1}").respond(200, json=community(supervisor=U1))


def test_the_supervisor_hands_over_and_is_told_how_to_leave(harness: Harness) -> None:
    patch = _platform(harness, ME)
    outcome = harness.run(run, SupervisorOptions(C1, "dave@ign.fr", yes=True))
    assert outcome.code == 0
    assert sent_json(patch) == {"supervisor": U1}
    assert outcome.err.splitlines() == [
        "dave@ign.fr now supervises tutoriels. The former supervisor stays a member with every right.",
        "To leave the workspace: cartes workspace leave tutoriels",
    ]


def test_a_member_who_is_neither_supervisor_nor_staff_is_refused(harness: Harness) -> None:
    patch = _platform(harness, U2)
    outcome = harness.run(run, SupervisorOptions(C1, U1, yes=True))
    assert outcome.code == 5
    assert "Only the supervisor of tutoriels or platform staff" in outcome.err
    assert not patch.called


def test_staff_hand_over_without_the_hint_to_leave(harness: Harness) -> None:
    patch = _platform(harness, U2, administrator=True)
    outcome = harness.run(run, SupervisorOptions(C1, U1, yes=True))
    assert outcome.code == 0
    assert patch.called
    assert "To leave" not in outcome.err


def test_the_current_supervisor_again_changes_nothing(harness: Harness) -> None:
    patch = _platform(harness, U1, administrator=True)
    outcome = harness.run(run, SupervisorOptions(C1, "dave@ign.fr"))
    assert (outcome.code, outcome.err) == (0, "dave@ign.fr already supervises tutoriels; nothing changed.\n")
    assert not patch.called


def test_a_user_that_is_neither_an_id_nor_an_address_is_refused_first(harness: Harness) -> None:
    outcome = harness.run(run, SupervisorOptions(C1, "dave"))
    assert (outcome.code, outcome.err) == (
        2,
        "Error: USER: give the member's id (a UUID) or e-mail address.\n",
    )
    assert not harness.mock.calls
