"""``cartes workspace create NAME``: the datastore request sent, or on the real platform the web
page to fill in (and the e-mail for a public workspace)."""

from __future__ import annotations

from cartes_cli.cli.workspace import workspace_app
from cartes_cli.cli.workspace.create import CreateOptions, run
from tests.cli.harness import API, R2, Harness, request, sent_json

JUSTIFICATION = "Ces données servent à tous les services de la région, qui les consultent chaque jour."


def test_a_private_workspace_is_asked_for_with_a_derived_technical_name(harness: Harness) -> None:
    harness.sandbox()
    post = harness.mock.post(f"{API}/requests").respond(
        201, json=request(R2, type="datastore", name="Cartes de la région", community=None)
    )
    outcome = harness.invoke(workspace_app, ["create", "Cartes de la région", "-d", "Nos cartes"])
    assert outcome.code == 0
    body = sent_json(post)
    assert body["type"] == "datastore"
    assert body["name"] == "Cartes de la région"
    assert body["technical_name"] == "cartes_de_la_region"
    assert body["offer"] == "essential"
    assert body["public"] is False
    assert outcome.out == f"{R2}\n"
    assert outcome.err.splitlines()[0] == "Technical name: cartes_de_la_region"
    assert "Request sent for the private workspace Cartes de la région" in outcome.err


def test_a_public_workspace_needs_a_justification_before_any_request(harness: Harness) -> None:
    outcome = harness.run(run, CreateOptions("Cartes de la région", public=True))
    assert outcome.code == 2
    assert "justification" in outcome.err
    assert not harness.mock.calls


def test_open_mail_goes_with_public(harness: Harness) -> None:
    outcome = harness.run(run, CreateOptions("Cartes de la région", open_mail=True))
    assert (outcome.code, outcome.err) == (
        2,
        "Error: --open-mail goes with --public: a private workspace is asked for on the web page only.\n",
    )


def test_on_the_real_platform_the_page_and_what_to_type_there() -> None:
    with Harness(json_fields=["page", "form", "sent"]) as h:
        h.real_platform()
        post = h.mock.post(f"{API}/requests").respond(201, json=request())
        outcome = h.run(run, CreateOptions("Cartes de la région", description="Nos cartes"))
    assert outcome.code == 0
    data = outcome.json()
    assert data["page"].startswith("https://")
    assert data["form"] == {
        "name": "Cartes de la région",
        "technical_name": "cartes_de_la_region",
        "offer": "essential",
        "information": "Nos cartes",
    }
    assert data["sent"] is False
    assert not post.called


def test_on_the_real_platform_a_public_one_adds_the_e_mail_to_the_support() -> None:
    with Harness(json_fields=["to", "page"]) as h:
        h.real_platform()
        h.me()
        outcome = h.run(run, CreateOptions("Cartes de la région", public=True, justification=JUSTIFICATION))
    assert outcome.code == 0
    assert "@" in outcome.json()["to"]
    assert "a public workspace also needs the argued e-mail below" in outcome.err
