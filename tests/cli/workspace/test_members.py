"""``cartes workspace members WS``: members with their rights, the supervisor first."""

from __future__ import annotations

from cartes_cli.cli.workspace import workspace_app
from tests.cli.harness import API, C1, C2, U1, U2, Harness, Together, catalog_item, community, member, user


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
    people = [member(f"00000000-0000-4000-8000-{i:012d}", f"membre.{i:04d}@ign.fr") for i in range(440)]
    together = Together(3)
    route = harness.pages(f"/communities/{C1}/users", people, on_page=together)
    outcome = harness.invoke(workspace_app, ["members", C1, "--concurrency", "3"])
    assert outcome.code == 0, outcome
    assert together.met
    assert [row[0] for row in outcome.rows] == [f"membre.{i:04d}@ign.fr" for i in range(440)]
    assert len(route.calls) == 5
    assert harness.app.client_options[-1]["max_connections"] >= 3


def test_a_members_concurrency_out_of_range_is_refused_before_any_request(harness: Harness) -> None:
    route = harness.mock.get(f"{API}/communities/{C1}").respond(200, json=community())
    outcome = harness.invoke(workspace_app, ["members", C1, "-c", "0"])
    assert outcome.code == 2
    assert "--concurrency must be between 1 and 64" in outcome.err
    assert not route.called


def test_a_workspace_named_by_a_non_member_is_read_from_the_catalogue_once(harness: Harness) -> None:
    """Staff naming a workspace they are not a member of: the catalogue is read the first time
    (only the detail names the supervisor), and the next command confirms the id it found with
    one request instead of reading the catalogue again."""
    harness.mock.get(f"{API}/users/me").respond(200, json=user())
    catalogue = harness.pages(
        "/catalogs/communities",
        [catalog_item(f"00000000-0000-4000-8000-{i:012d}", f"ws_{i}") for i in range(240)]
        + [catalog_item(C2, "ecrins")],
    )
    detail = harness.mock.get(f"{API}/communities/{C2}").respond(
        200, json=community(C2, "ecrins", supervisor=U2)
    )
    harness.listing(
        f"/communities/{C2}/users",
        [member(U1, "alain.martin@ign.fr", ["UPLOAD"]), member(U2, "yves.boss@ign.fr", ["COMMUNITY"])],
    )
    first = harness.invoke(workspace_app, ["members", "ECRINS"])
    assert first.code == 0, first
    assert [row[0] for row in first.rows] == ["yves.boss@ign.fr", "alain.martin@ign.fr"]  # supervisor first
    pages = len(catalogue.calls)
    assert pages == 3
    second = harness.invoke(workspace_app, ["members", "ecrins"])
    assert second.rows[len(first.rows) :] == first.rows  # the harness's output runs on
    assert len(catalogue.calls) == pages  # not read again
    assert detail.call_count == 2
