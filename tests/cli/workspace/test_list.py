"""``cartes workspace list``: my workspaces (sorted, filtered) or the public catalogue."""

from __future__ import annotations

import pytest

from cartes_cli.cli.options import DEFAULT_CONCURRENCY
from cartes_cli.cli.workspace import workspace_app
from cartes_cli.cli.workspace.list import ListOptions, run
from cartes_cli.client.pagination import PAGE_LIMIT
from tests.cli.harness import C1, C2, ME, Harness, Together, catalog_item, membership


def test_mine_sorted_by_title_with_my_rights_and_whether_i_supervise(harness: Harness) -> None:
    harness.me(
        memberships=[
            membership(
                ["UPLOAD", "COMMUNITY"], community_id=C2, technical_name="zeta", name="Zeta", supervisor=ME
            ),
            membership(
                ["UPLOAD"], community_id=C1, technical_name="alpha", name="Alpha", supervisor="someone"
            ),
        ]
    )
    outcome = harness.run(run, ListOptions())
    assert outcome.code == 0
    assert outcome.rows == [
        ["alpha", "Alpha", "UPLOAD", "true", "false"],
        ["zeta", "Zeta", "COMMUNITY,UPLOAD", "true", "true"],
    ]
    assert outcome.err == ""  # the count is for a person's table only


def test_search_keeps_matching_workspaces_accents_ignored(harness: Harness) -> None:
    harness.me(
        memberships=[
            membership(community_id=C1, technical_name="routes", name="Réseau routier"),
            membership(community_id=C2, technical_name="eau", name="Hydrographie"),
        ]
    )
    outcome = harness.run(run, ListOptions(search="reseau"))
    assert [row[0] for row in outcome.rows] == ["routes"]


def test_public_catalogue_in_a_table_with_its_count() -> None:
    with Harness(format="table") as h:
        h.listing("/catalogs/communities", [catalog_item(), catalog_item(C2, "bdtopo")])
        outcome = h.invoke(workspace_app, ["list", "--public"])
    assert outcome.code == 0
    assert "tutoriels" in outcome.out
    assert "bdtopo" in outcome.out
    assert "IGN" in outcome.out
    assert outcome.err == "2 workspace(s).\n"


def test_public_search_filters_the_catalogue_here_not_on_the_server(harness: Harness) -> None:
    route = harness.listing(
        "/catalogs/communities", [catalog_item(), catalog_item(C2, "bdtopo", name="BD TOPO")]
    )
    outcome = harness.invoke(workspace_app, ["list", "--public", "-s", "topo"])
    assert [row[0] for row in outcome.rows] == ["bdtopo"]
    assert "search" not in route.calls.last.request.url.params


def test_an_empty_search_is_refused_before_any_request(harness: Harness) -> None:
    route = harness.me()
    outcome = harness.run(run, ListOptions(search="  "))
    assert (outcome.code, outcome.err) == (2, "Error: --search needs some text.\n")
    assert not route.called


def test_no_workspace_yet_says_where_to_look() -> None:
    with Harness(format="table") as h:
        h.me()
        outcome = h.run(run, ListOptions())
    assert (outcome.code, outcome.out) == (0, "")
    assert "see 'cartes workspace list --public'" in outcome.err


def catalogue(count: int) -> list[dict[str, object]]:
    return [
        catalog_item(f"00000000-0000-4000-8000-{i:012d}", f"espace_{i:04d}", name=f"Espace {i:04d}")
        for i in range(count)
    ]


def test_the_catalogue_is_read_several_pages_at_once_and_printed_in_order(harness: Harness) -> None:
    together = Together(4)
    route = harness.pages("/catalogs/communities", catalogue(520), on_page=together)
    outcome = harness.invoke(workspace_app, ["list", "--public", "--concurrency", "4"])
    assert outcome.code == 0, outcome
    assert together.met  # pages 2 to 5 were all requested before any was answered
    assert [row[0] for row in outcome.rows] == [f"espace_{i:04d}" for i in range(520)]
    assert sorted(int(c.request.url.params["page"]) for c in route.calls) == [1, 2, 3, 4, 5, 6]


def test_the_catalogue_reads_as_many_pages_at_once_as_bulk_runs_by_default(harness: Harness) -> None:
    together = Together(DEFAULT_CONCURRENCY)
    items = catalogue(PAGE_LIMIT * (DEFAULT_CONCURRENCY + 2))
    harness.pages("/catalogs/communities", items, on_page=together)
    outcome = harness.invoke(workspace_app, ["list", "--public"])
    assert outcome.code == 0, outcome
    assert together.met


def test_the_connection_pool_holds_every_page_in_flight(harness: Harness) -> None:
    harness.pages("/catalogs/communities", catalogue(3))
    outcome = harness.invoke(workspace_app, ["list", "--public", "-c", "40"])
    assert outcome.code == 0, outcome
    assert harness.app.client_options[-1]["max_connections"] >= 40


@pytest.mark.parametrize("value", ["0", "-1", "65"])
def test_a_concurrency_out_of_range_is_refused_before_any_request(harness: Harness, value: str) -> None:
    route = harness.pages("/catalogs/communities", catalogue(3))
    outcome = harness.invoke(workspace_app, ["list", "--public", "--concurrency", value])
    assert outcome.code == 2
    assert "--concurrency must be between 1 and 64" in outcome.err
    assert not route.called
