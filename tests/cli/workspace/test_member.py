"""``cartes workspace member add|set|remove``: the PUT and DELETE sent, and what is refused."""

from __future__ import annotations

from cartes_cli.cli.workspace import workspace_app
from cartes_cli.cli.workspace.member import MemberOptions, run_add, run_remove, run_set
from tests.cli.harness import API, C1, ME, U1, U2, Harness, community, member, sent_json

MEMBER_URL = f"{API}/communities/{C1}/users/{U1}"


def _community(h: Harness, members: list[dict[str, object]]) -> None:
    h.mock.get(f"{API}/communities/{C1}").respond(200, json=community(supervisor=ME))
    h.listing(f"/communities/{C1}/users", members)


def test_add_grants_the_default_rights(harness: Harness) -> None:
    _community(harness, [])
    put = harness.mock.put(MEMBER_URL).respond(200, json=member(U1, "dave@ign.fr", ["UPLOAD"]))
    outcome = harness.invoke(workspace_app, ["member", "add", C1, U1])
    assert outcome.code == 0
    assert sorted(sent_json(put)["rights"]) == ["ANNEX", "BROADCAST", "PROCESSING", "UPLOAD"]
    assert outcome.err == "Added dave@ign.fr to tutoriels with UPLOAD,PROCESSING,BROADCAST,ANNEX.\n"


def test_add_someone_already_a_member_is_a_conflict_and_sends_nothing(harness: Harness) -> None:
    _community(harness, [member(U1)])
    put = harness.mock.put(MEMBER_URL).respond(200, json=member())
    outcome = harness.run(run_add, MemberOptions(C1, U1, rights="COMMUNITY"))
    assert outcome.code == 1
    assert "use 'cartes workspace member set'" in outcome.err
    assert not put.called


def test_add_wants_a_user_id_before_any_request(harness: Harness) -> None:
    outcome = harness.run(run_add, MemberOptions(C1, "dave@ign.fr"))
    assert outcome.code == 2
    assert "give the user's id (a UUID)" in outcome.err
    assert not harness.mock.calls


def test_set_replaces_the_rights_of_a_member_named_by_e_mail(harness: Harness) -> None:
    _community(harness, [member(U1, "dave@ign.fr", ["UPLOAD"])])
    put = harness.mock.put(MEMBER_URL).respond(200, json=member(U1, "dave@ign.fr", ["COMMUNITY"]))
    outcome = harness.run(run_set, MemberOptions(C1, "DAVE@ign.fr", rights="community"))
    assert outcome.code == 0
    assert sent_json(put) == {"rights": ["COMMUNITY"]}
    assert outcome.err == "dave@ign.fr now has COMMUNITY in tutoriels.\n"


def test_set_a_stranger_is_not_found(harness: Harness) -> None:
    _community(harness, [member(U2, "other@ign.fr")])
    outcome = harness.run(run_set, MemberOptions(C1, U1, rights="UPLOAD"))
    assert (outcome.code, outcome.err) == (3, f"Error: Not found: {U1} is not a member of tutoriels.\n")


def test_remove_with_yes_sends_the_delete(harness: Harness) -> None:
    _community(harness, [member(U1, "dave@ign.fr")])
    delete = harness.mock.delete(MEMBER_URL).respond(204)
    outcome = harness.invoke(workspace_app, ["member", "remove", C1, "dave@ign.fr", "--yes"])
    assert outcome.code == 0
    assert delete.called
    assert outcome.err == "Removed dave@ign.fr from tutoriels.\n"


def test_remove_off_a_terminal_without_yes_changes_nothing(harness: Harness) -> None:
    _community(harness, [member(U1, "dave@ign.fr")])
    delete = harness.mock.delete(MEMBER_URL).respond(204)
    outcome = harness.run(run_remove, MemberOptions(C1, U1))
    assert (outcome.code, outcome.err) == (2, "Error: Add --yes to confirm when not running on a terminal.\n")
    assert not delete.called


def test_remove_asks_at_a_terminal_and_a_no_cancels() -> None:
    with Harness(tty=True, answers=["n"]) as h:
        _community(h, [member(U1, "dave@ign.fr")])
        delete = h.mock.delete(MEMBER_URL).respond(204)
        outcome = h.run(run_remove, MemberOptions(C1, U1))
    assert outcome.code == 2
    assert "Remove dave@ign.fr from tutoriels? [y/N]: " in outcome.err
    assert "Cancelled; nothing was changed." in outcome.err
    assert not delete.called


def test_the_supervisor_cannot_be_removed(harness: Harness) -> None:
    _community(harness, [member(ME, "me@ign.fr", ["COMMUNITY"])])
    outcome = harness.run(run_remove, MemberOptions(C1, ME, yes=True))
    assert (outcome.code, outcome.err) == (
        2,
        "Error: me@ign.fr supervises tutoriels and cannot be removed.\n",
    )
