"""``cartes workspace show WS``: the community's detail, my rights, its datastore's quotas."""

from __future__ import annotations

from cartes_cli.cli.workspace.show import ShowOptions, run
from tests.cli.harness import API, C1, D1, ME, Harness, catalog_item, community, datastore, membership

SUPERVISOR = {"_id": ME, "email": "me@ign.fr", "first_name": "Marie", "last_name": "Curie"}


def test_by_technical_name_with_the_detail_my_rights_and_the_datastore() -> None:
    with Harness(json_fields=[]) as h:
        h.me(memberships=[membership(["UPLOAD", "COMMUNITY"])])  # the summary names the supervisor by id
        detail = h.mock.get(f"{API}/communities/{C1}").respond(200, json=community(supervisor=SUPERVISOR))
        h.mock.get(f"{API}/datastores/{D1}").respond(200, json=datastore())
        outcome = h.run(run, ShowOptions("tutoriels"))
    assert outcome.code == 0
    assert detail.called
    shown = outcome.json()
    assert shown["technical_name"] == "tutoriels"
    assert shown["supervisor"] == "Marie Curie <me@ign.fr>"
    assert shown["my_rights"] == ["COMMUNITY", "UPLOAD"]
    assert shown["datastore"] == "tutoriels_ds"
    assert shown["datastore_active"] is True
    assert shown["storage"] == "1.0 MB / 10.0 MB"
    assert shown["uploads"] == "2.0 KB / 1.0 MB"
    assert shown["services"] == ["WMS-V (1/5)"]


def test_a_datastore_the_caller_may_not_read_shows_its_id_only() -> None:
    with Harness(json_fields=["datastore", "storage", "my_rights"]) as h:
        h.me()
        h.mock.get(f"{API}/communities/{C1}").respond(200, json=community(supervisor=SUPERVISOR))
        h.mock.get(f"{API}/datastores/{D1}").respond(403, json={"error": "forbidden"})
        outcome = h.run(run, ShowOptions(C1))
    assert outcome.code == 0
    assert outcome.json() == {"datastore": D1, "storage": None, "my_rights": []}


def test_a_non_member_refused_the_detail_gets_the_catalogue_item() -> None:
    with Harness(json_fields=["technical_name", "supervisor", "datastore"]) as h:
        h.me()
        h.listing("/catalogs/communities", [catalog_item()])
        detail = h.mock.get(f"{API}/communities/{C1}").respond(403, json={"error": "forbidden"})
        datastore_read = h.mock.get(f"{API}/datastores/{D1}").respond(200, json=datastore())
        outcome = h.run(run, ShowOptions("Tutoriels de la Géoplateforme"))
    assert outcome.code == 0
    assert detail.called
    assert not datastore_read.called
    assert outcome.json() == {"technical_name": "tutoriels", "supervisor": None, "datastore": None}


def test_an_unknown_workspace_is_not_found(harness: Harness) -> None:
    harness.me()
    harness.listing("/catalogs/communities", [])
    outcome = harness.run(run, ShowOptions("nowhere"))
    assert outcome.code == 3
    assert outcome.err.startswith("Error: Not found: No workspace matches 'nowhere' (by id, technical name")
