"""``cartes workspace members WS``: members with their rights, the supervisor first."""

from __future__ import annotations

from cartes_cli.cli.workspace import workspace_app
from tests.cli.harness import API, C1, U1, U2, Harness, Together, community, member


def test_the_supervisor_first_then_by_e_mail(harness: Harness) -> None:
    harness.mock.get(f"{API}/communities/{C1}").respond(200, json=community(supervisor=U2))
    harness.listing(
        f"/communities/{C1}/users",
        [
            member(U1, "zoe.martin@ign.fr", ["UPLOAD"]),
            member("cccccccc-cccc-4ccc-8ccc-cccccccccccc", "alain.durand@ign.fr", ["BROADCAST"]),
            member(U2, "yves.boss@ign.fr", ["COMMUNITY", "UPLOAD"]),
        ],
    )
    outcome = harness.invoke(workspace_app, ["members", C1])
    assert outcome.code == 0
    assert [(row[0], row[2]) for row in outcome.rows] == [
        ("yves.boss@ign.fr", "COMMUNITY,UPLOAD"),
        ("alain.durand@ign.fr", "BROADCAST"),
        ("zoe.martin@ign.fr", "UPLOAD"),
    ]
    assert outcome.rows[0][1] == "Yves Boss"


def test_without_the_community_right_the_refusal_is_exit_5(harness: Harness) -> None:
    harness.mock.get(f"{API}/communities/{C1}").respond(200, json=community())
    harness.mock.get(f"{API}/communities/{C1}/users").respond(403, json={"error": "forbidden"})
    outcome = harness.invoke(workspace_app, ["members", C1])
    assert outcome.code == 5
    assert outcome.err.startswith("Error: ")


def test_members_over_several_pages_are_read_at_once_and_all_kept(harness: Harness) -> None:
    harness.mock.get(f"{API}/communities/{C1}").respond(200, json=community(supervisor=U2))
    people = [member(f"00000000-0000-4000-8000-{i:012d}", f"membre.{i:04d}@ign.fr") for i in range(220)]
    together = Together(3)
    route = harness.pages(f"/communities/{C1}/users", people, on_page=together)
    outcome = harness.invoke(workspace_app, ["members", C1, "--concurrency", "3"])
    assert outcome.code == 0, outcome
    assert together.met
    assert [row[0] for row in outcome.rows] == [f"membre.{i:04d}@ign.fr" for i in range(220)]
    assert len(route.calls) == 5
    assert harness.app.client_options[-1]["max_connections"] >= 3


def test_a_members_concurrency_out_of_range_is_refused_before_any_request(harness: Harness) -> None:
    route = harness.mock.get(f"{API}/communities/{C1}").respond(200, json=community())
    outcome = harness.invoke(workspace_app, ["members", C1, "-c", "0"])
    assert outcome.code == 2
    assert "--concurrency must be between 1 and 64" in outcome.err
    assert not route.called
