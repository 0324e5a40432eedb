"""``cartes workspace form WS``: the join form's fields, from the request API or, on the real
platform, from the annexe cartes.gouv.fr reads."""

from __future__ import annotations

from cartes_cli.cli.workspace.form import FormOptions, run
from tests.cli.harness import API, C1, ROOT, Harness, catalog_item, community, join_form

ORG = {
    "name": "organisation",
    "title": "Your organisation",
    "type": "string",
    "constraints": {"required": True},
}
ROLE = {
    "name": "role",
    "title": "Your role",
    "type": "string",
    "constraints": {"enum": ["producer", "reader"]},
}


def test_with_the_request_api_the_form_comes_from_the_community(harness: Harness) -> None:
    harness.sandbox()
    harness.mock.get(f"{API}/communities/{C1}").respond(200, json=community())
    harness.mock.get(f"{API}/communities/{C1}/join_form").respond(200, json=join_form(ORG, ROLE))
    outcome = harness.run(run, FormOptions(C1))
    assert outcome.code == 0
    assert [row[:4] for row in outcome.rows] == [
        ["organisation", "Your organisation", "string", "true"],
        ["role", "Your role", "string", "false"],
    ]
    assert "producer" in outcome.rows[1][4]


def test_on_the_real_platform_the_public_annexe_is_read_without_credentials(harness: Harness) -> None:
    harness.real_platform()
    harness.listing("/catalogs/communities", [catalog_item()])
    annexe = harness.mock.get(f"{ROOT}/annexes/tutoriels/public/join.json").respond(200, json=join_form(ORG))
    outcome = harness.run(run, FormOptions("tutoriels"))
    assert outcome.code == 0
    assert "authorization" not in annexe.calls.last.request.headers
    assert [row[0] for row in outcome.rows] == ["organisation"]


def test_a_form_that_asks_nothing_says_how_to_join() -> None:
    with Harness(format="table") as h:
        h.sandbox()
        h.mock.get(f"{API}/communities/{C1}").respond(200, json=community())
        h.mock.get(f"{API}/communities/{C1}/join_form").respond(200, json=join_form(description="Bienvenue"))
        outcome = h.run(run, FormOptions(C1))
    assert outcome.out == ""
    assert (
        outcome.err
        == "Bienvenue\ntutoriels asks for nothing: join it with 'cartes workspace join tutoriels'.\n"
    )
