"""``cartes workspace update WS``: the PATCH sent, the checks before it, the confirmation of a
change of visibility."""

from __future__ import annotations

import respx

from cartes_cli.cli.workspace import workspace_app
from cartes_cli.cli.workspace.update import UpdateOptions, run
from tests.cli.harness import API, C1, D1, ME, Harness, community, datastore, sent_json

SUPERVISOR = {"_id": ME, "email": "me@ign.fr", "first_name": "Marie", "last_name": "Curie"}


def _platform(h: Harness, **changed: object) -> respx.Route:
    h.mock.get(f"{API}/communities/{C1}").respond(200, json=community(public=False))
    h.me()
    h.mock.get(f"{API}/datastores/{D1}").respond(200, json=datastore())
    return h.mock.patch(f"{API}/communities/{C1}").respond(
        200, json=community(public=False, supervisor=SUPERVISOR, **changed)
    )


def test_only_the_fields_given_are_sent_trimmed_and_the_result_shown(harness: Harness) -> None:
    patch = _platform(harness, name="Tutoriels pour tous", contact="new@ign.fr")
    outcome = harness.invoke(
        workspace_app, ["update", C1, "--name", "  Tutoriels   pour tous ", "--contact", " new@ign.fr "]
    )
    assert outcome.code == 0
    assert sent_json(patch) == {"name": "Tutoriels pour tous", "contact": "new@ign.fr"}
    assert outcome.err == "Updated tutoriels.\n"
    assert "Tutoriels pour tous" in outcome.out
    assert "new@ign.fr" in outcome.out


def test_every_problem_in_one_line_before_any_request(harness: Harness) -> None:
    outcome = harness.run(run, UpdateOptions(C1, name="short", contact="not-an-address"))
    assert outcome.code == 2
    assert outcome.err == (
        "Error: Invalid update: --name must have at least 10 characters (it has 5); "
        "--contact is not an e-mail address (name@example.fr).\n"
    )
    assert not harness.mock.calls


def test_nothing_to_change_is_a_usage_error(harness: Harness) -> None:
    outcome = harness.run(run, UpdateOptions(C1))
    assert outcome.code == 2
    assert "Nothing to change" in outcome.err


def test_going_public_wants_yes_off_a_terminal(harness: Harness) -> None:
    patch = _platform(harness)
    outcome = harness.run(run, UpdateOptions(C1, public=True))
    assert outcome.code == 2
    assert not patch.called
    outcome = harness.run(run, UpdateOptions(C1, public=True, yes=True))
    assert outcome.code == 0
    assert sent_json(patch) == {"public": True}
