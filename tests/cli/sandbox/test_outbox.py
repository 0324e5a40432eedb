"""``cartes sandbox outbox``: the sandbox's e-mails, newest first, filtered and limited; in full
like a mail reader."""

from __future__ import annotations

from cartes_cli.cli.sandbox import sandbox_app
from cartes_cli.cli.sandbox.outbox import OutboxOptions, run
from tests.cli.harness import R1, TIMESTAMP
from tests.cli.sandbox.conftest import OUTBOX_URL


def mail(n: int, to: str = "ana@ign.fr", related: str | None = None) -> dict[str, object]:
    return {
        "id": f"m{n}",
        "to": [to],
        "subject": f"Subject {n}",
        "body": f"Body {n}",
        "related": related,
        "creation": TIMESTAMP,
    }


def test_newest_first_and_limited(sandbox_world) -> None:
    h = sandbox_world(json_fields=["id", "to"])
    route = h.mock.get(OUTBOX_URL).respond(200, json=[mail(1), mail(2), mail(3)])
    outcome = h.run(run, OutboxOptions(limit=2))
    assert outcome.code == 0, outcome.err
    assert [row["id"] for row in outcome.json()] == ["m3", "m2"]
    assert outcome.json()[0]["to"] == "ana@ign.fr"
    assert "Authorization" not in route.calls[0].request.headers  # the outbox needs no login


def test_the_address_and_the_request_filter(sandbox_world) -> None:
    h = sandbox_world(json_fields=["id"])
    h.mock.get(OUTBOX_URL).respond(
        200, json=[mail(1, related=R1), mail(2), mail(3, "bob@ign.fr", related=R1)]
    )
    outcome = h.invoke(sandbox_app, ["outbox", "--to", "Ana@ign.fr", "--request", f" {R1} "])
    assert outcome.code == 0, outcome.err
    assert [row["id"] for row in outcome.json()] == ["m1"]


def test_in_full_each_mail_has_its_headers(sandbox_world) -> None:
    h = sandbox_world()
    h.mock.get(OUTBOX_URL).respond(200, json=[mail(1)])
    outcome = h.run(run, OutboxOptions(full=True))
    assert outcome.code == 0, outcome.err
    assert outcome.lines[:5] == ["To: ana@ign.fr", "Subject: Subject 1", f"Date: {TIMESTAMP}", "", "Body 1"]


def test_an_empty_outbox_says_so(sandbox_world) -> None:
    h = sandbox_world(format="table")
    h.mock.get(OUTBOX_URL).respond(200, json=[])
    outcome = h.run(run, OutboxOptions())
    assert outcome.code == 0
    assert "The outbox is empty." in outcome.out + outcome.err
