"""Bulk data for benchmarks and tests (``POST /sandbox/fixtures/…``): many users with pending join
requests, or many public communities, each set in one transaction."""

from __future__ import annotations

import random
from typing import Any

from cartes_cli.i18n import _
from cartes_cli.sandbox.domain import mail
from cartes_cli.sandbox.domain.communities import resolve_community
from cartes_cli.sandbox.domain.context import Sandbox
from cartes_cli.sandbox.domain.credentials import hash_password
from cartes_cli.sandbox.errors import ApiProblem
from cartes_cli.sandbox.util import iso, new_id

FIXTURE_PASSWORD = "Carto-Demo-2026!"  # noqa: S105 - the demo password, for fixture users too
_FIRST_NAMES = (
    "Alice", "Bruno", "Chloé", "David", "Émilie", "François", "Gaëlle", "Hervé", "Isabelle", "Jérôme",
    "Karine", "Louis", "Manon", "Noé", "Océane", "Pierre", "Quentin", "Rose", "Sébastien", "Théo",
)  # fmt: skip


def join_request_fixtures(
    sandbox: Sandbox, community_ref: str, count: int, *, notify: bool, api_url: str | None
) -> tuple[str, list[str], list[str]]:
    """``count`` new users, each with a pending join request to the community (by uuid or
    technical name); ``notify``: with their e-mails. The community's id, the users', the requests'."""
    store = sandbox.store
    community = resolve_community(store, community_ref)
    if community is None:
        raise ApiProblem(404, _("Community not found."))
    batch = new_id()[:6]
    when = iso(sandbox.now())
    password_hash = hash_password(FIXTURE_PASSWORD)
    users, requests = [], []
    for i in range(1, count + 1):
        username = f"fixture.{batch}.{i:05d}"
        first = _FIRST_NAMES[i % len(_FIRST_NAMES)]
        users.append((new_id(), username, f"{username}@fixtures.test", first, f"Essai {batch}-{i:05d}", when))
    with store.transaction():
        store.users.insert_fixtures(users, password_hash)
        requests = [
            (new_id(), u[0], community.id, f"Demande générée n° {i}", when) for i, u in enumerate(users, 1)
        ]
        store.requests.insert_pending_joins(requests)
        if notify:
            for request_id, *_rest in requests:
                record = store.requests.get(request_id)
                assert record is not None
                for message in mail.received(store, record, when, api_url=api_url):
                    store.outbox.add(message)
    return community.id, [u[0] for u in users], [r[0] for r in requests]


def community_fixtures(
    sandbox: Sandbox,
    count: int,
    *,
    prefix: str,
    contact: str | None,
    join_form: list[dict[str, Any]] | None,
) -> tuple[str, list[str]]:
    """``count`` public communities supervised by a new fixture user (their contact: ``contact``,
    or that user's address), each with ``join_form`` if given. The supervisor's id, the communities'."""
    store = sandbox.store
    batch = new_id()[:6]
    when = iso(sandbox.now())
    rng = random.Random(batch)
    owner = (
        new_id(),
        f"fixture.owner.{batch}",
        f"fixture.owner.{batch}@fixtures.test",
        "Propriétaire",
        batch,
        when,
    )
    rows = []
    for i in range(1, count + 1):
        topic = rng.choice(("urbanisme", "risques", "biodiversité", "mobilités", "eau", "forêt", "littoral"))
        rows.append(
            (
                new_id(),
                f"{prefix} {i:05d}",
                f"fx_{batch}_{i:05d}",
                f"Espace généré pour les essais de catalogue ({topic}).",
                owner[2] if contact is None else contact,
            )
        )
    with store.transaction():
        store.users.insert_fixtures([owner], hash_password(FIXTURE_PASSWORD))
        store.communities.insert_fixtures(rows, owner[0], when)
        if join_form:
            for row in rows:
                store.communities.set_join_form(row[0], join_form, when)
    return owner[0], [r[0] for r in rows]
