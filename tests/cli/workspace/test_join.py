"""``cartes workspace join WS``: the request sent (message, form answers), a pending one, the
answers typed kept on failure, and the e-mail written on the real platform."""

from __future__ import annotations

from cartes_cli.cli.workspace import workspace_app
from cartes_cli.cli.workspace.join import JoinOptions, run
from tests.cli.harness import (
    API,
    C1,
    R1,
    ROOT,
    Harness,
    catalog_item,
    community,
    join_form,
    membership,
    request,
    sent_json,
)

ORG = {
    "name": "organisation",
    "title": "Your organisation",
    "type": "string",
    "constraints": {"required": True},
}


def _sandbox(h: Harness, *, pending: list[dict[str, object]] | None = None, fields: tuple = ()) -> None:
    h.sandbox()
    h.mock.get(f"{API}/communities/{C1}").respond(200, json=community())
    h.listing("/users/me/requests", pending or [], status="pending", type="join")
    h.mock.get(f"{API}/communities/{C1}/join_form").respond(200, json=join_form(*fields))


def test_the_request_carries_the_message_and_the_answers_and_its_id_is_printed(harness: Harness) -> None:
    _sandbox(harness, fields=(ORG,))
    post = harness.mock.post(f"{API}/requests").respond(201, json=request(R1))
    outcome = harness.invoke(workspace_app, ["join", C1, "-m", " Bonjour ", "--answer", "organisation= IGN "])
    assert outcome.code == 0
    assert sent_json(post) == {
        "type": "join",
        "community": C1,
        "message": "Bonjour",
        "answers": {"organisation": "IGN"},
    }
    assert outcome.out == f"{R1}\n"
    assert outcome.err.startswith(f"Request sent to join tutoriels (request {R1})")


def test_the_same_request_while_one_is_pending_sends_nothing(harness: Harness) -> None:
    _sandbox(harness, pending=[request(R1, message="Bonjour")])
    post = harness.mock.post(f"{API}/requests").respond(201, json=request(R1))
    outcome = harness.run(run, JoinOptions(C1, message="Bonjour"))
    assert (outcome.code, outcome.out) == (0, f"{R1}\n")
    assert "nothing new was sent" in outcome.err
    assert not post.called


def test_another_message_while_one_is_pending_says_how_to_ask_again(harness: Harness) -> None:
    _sandbox(harness, pending=[request(R1, message="Bonjour")])
    outcome = harness.run(run, JoinOptions(C1, message="Autre chose"))
    assert outcome.code == 1
    assert f"cancel it first: cartes request cancel {R1}" in outcome.err


def test_answers_typed_at_the_prompt_are_not_lost_when_the_request_fails() -> None:
    with Harness(tty=True, answers=["IGN"], width=300) as h:
        _sandbox(h, fields=(ORG,))
        h.mock.post(f"{API}/requests").respond(400, json={"error": "bad_request", "error_description": "No."})
        outcome = h.run(run, JoinOptions(C1))
    assert outcome.code == 2
    assert outcome.err.startswith("Your organisation: ")  # the prompt
    assert outcome.err.endswith("Error: The platform rejected the request: No.\n")
    assert (
        "The answers you typed are not lost; to send them again: "
        f"cartes workspace join {C1} --answer organisation=IGN"
    ) in outcome.err


def test_a_malformed_answer_is_refused_before_any_request(harness: Harness) -> None:
    outcome = harness.run(run, JoinOptions(C1, answers=("organisation",)))
    assert (outcome.code, outcome.err) == (2, "Error: --answer 'organisation': expected field=value.\n")
    assert not harness.mock.calls


def test_open_mail_is_refused_where_the_platform_takes_the_request(harness: Harness) -> None:
    harness.sandbox()
    outcome = harness.run(run, JoinOptions(C1, open_mail=True))
    assert outcome.code == 2
    assert "--open-mail is for platforms without a request API" in outcome.err


def test_on_the_real_platform_the_e_mail_to_the_contact_is_written_and_nothing_sent() -> None:
    with Harness(json_fields=["to", "subject", "sent"]) as h:
        h.real_platform()
        h.me()
        h.listing("/catalogs/communities", [catalog_item(contact="admin@tutoriels.fr")])
        h.mock.get(f"{ROOT}/annexes/tutoriels/public/join.json").respond(200, json=join_form())
        post = h.mock.post(f"{API}/requests").respond(201, json=request())
        outcome = h.run(run, JoinOptions("tutoriels", message="Bonjour"))
    assert outcome.code == 0
    data = outcome.json()
    assert data["to"] == "admin@tutoriels.fr"
    assert "Tutoriels" in data["subject"]
    assert data["sent"] is False
    assert not post.called


def test_on_the_real_platform_a_member_has_nothing_to_ask(harness: Harness) -> None:
    harness.real_platform()
    harness.me(memberships=[membership(["UPLOAD", "ANNEX"])])
    outcome = harness.run(run, JoinOptions("tutoriels"))
    assert outcome.code == 2
    assert "You are already a member of tutoriels (rights: UPLOAD, ANNEX)" in outcome.err
