"""The sandbox as the real platform behaves where cartes.gouv.fr has no API: join forms as public
annexes, a community's detail for its members only, and members who must be known to the Entrepôt
(their first GET /users/me) before they can be added."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from cartes_cli.sandbox.seed import DEMO_NEWCOMER
from cartes_cli.sandbox.store import Store
from cartes_cli.sandbox.store.migrations import MIGRATIONS, SCHEMA_VERSION
from cartes_cli.textsearch import fold

from .conftest import Harness, demo_id
from .test_api import assert_api_error

DDT33 = demo_id("community", "ddt33")
NEWCOMER = demo_id("user", DEMO_NEWCOMER)


def test_join_forms_are_public_annexes_beside_the_api_in_both_modes(
    make_harness: Callable[..., Harness],
) -> None:
    for requests_api in (True, False):
        sb = make_harness(requests_api=requests_api)
        response = sb.client.get("/annexes/ddt33/public/join.json")  # no token: public
        assert response.status_code == 200, response.text
        fields = response.json()["fields"]
        assert [f["name"] for f in fields] == ["service", "usage", "siret", "referent"]
        assert fields[0]["constraints"] == {"required": True, "minLength": 2, "maxLength": 120}
        # A community without a form, and an unknown one: 404, as a missing file.
        assert_api_error(sb.client.get("/annexes/tutoriels/public/join.json"), 404)
        assert_api_error(sb.client.get("/annexes/nope/public/join.json"), 404)


def test_real_platform_mode_refuses_a_community_detail_to_non_members(
    make_harness: Callable[..., Harness],
) -> None:
    real = make_harness(requests_api=False)
    assert_api_error(real.get(f"/api/communities/{DDT33}", as_user="elodie.chevalier"), 403)
    assert real.get(f"/api/communities/{DDT33}", as_user="sophie.martin").status_code == 200  # a member
    assert real.get(f"/api/communities/{DDT33}", as_user="claire.moreau").status_code == 200  # staff
    sandbox = make_harness()
    assert sandbox.get(f"/api/communities/{DDT33}", as_user="elodie.chevalier").status_code == 200


def test_a_user_is_added_only_after_their_first_users_me(make_harness: Callable[..., Harness]) -> None:
    sb = make_harness(requests_api=False)
    path = f"/api/communities/{DDT33}/users/{NEWCOMER}"
    refused = assert_api_error(sb.put(path, as_user="julien.lefebvre", json={"rights": ["UPLOAD"]}), 404)
    assert "users/me" in " ".join(refused.error_description)
    assert sb.sandbox.store.users.get(NEWCOMER).entrepot_since is None  # type: ignore[union-attr]
    assert sb.get("/api/users/me", as_user=DEMO_NEWCOMER).status_code == 200
    first = sb.sandbox.store.users.get(NEWCOMER).entrepot_since  # type: ignore[union-attr]
    assert first is not None
    response = sb.put(path, as_user="julien.lefebvre", json={"rights": ["UPLOAD"]})
    assert response.status_code == 200, response.text
    sb.clock.advance(60)
    sb.get("/api/users/me", as_user=DEMO_NEWCOMER)
    assert sb.sandbox.store.users.get(NEWCOMER).entrepot_since == first  # type: ignore[union-attr]  # the first call


def opened_at_version(path: Path, version: int, insert_user: str, *more_rows: str) -> Store:
    """A database made by the sandbox of schema ``version`` holding one user (and ``more_rows``,
    further INSERT statements), opened (so migrated) by this one."""
    conn = sqlite3.connect(path)
    conn.create_function("fold", 1, fold, deterministic=True)  # as the sandbox's connection has it
    conn.executescript("".join(MIGRATIONS[:version]) + f"\nPRAGMA user_version = {version};")
    for statement in (insert_user, *more_rows):
        conn.execute(statement)
    conn.commit()
    conn.close()
    return Store.open(path)


def test_migration_5_counts_existing_users_as_known(tmp_path: Path) -> None:
    store = opened_at_version(
        tmp_path / "old.db",
        3,
        "INSERT INTO users (id, username, email, created, updated) "
        "VALUES ('u-1', 'old.user', 'old@exemple.test', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')",
    )
    try:
        assert store.schema_version == SCHEMA_VERSION == 9
        assert store.users.get("u-1").entrepot_since == "2024-01-01T00:00:00Z"  # type: ignore[union-attr]
    finally:
        store.close()


def test_migration_7_gives_existing_users_their_sort_keys(tmp_path: Path) -> None:
    store = opened_at_version(
        tmp_path / "old.db",
        6,
        "INSERT INTO users (id, username, email, first_name, last_name, created, updated) "
        "VALUES ('u-1', 'old.user', 'old@exemple.test', 'Élise', 'Çaron', 'x', 'x')",
    )
    try:
        row = store.db.one("SELECT sort_first, sort_last FROM users WHERE id = 'u-1'")
        assert row is not None
        assert (row["sort_first"], row["sort_last"]) == ("elise", "caron")
    finally:
        store.close()


def test_migration_8_copies_the_members_sort_keys_and_keeps_them(tmp_path: Path) -> None:
    store = opened_at_version(
        tmp_path / "old.db",
        7,
        "INSERT INTO users (id, username, email, first_name, last_name, sort_first, sort_last, "
        "created, updated) "
        "VALUES ('u-1', 'old.user', 'old@exemple.test', 'Élise', 'Çaron', 'elise', 'caron', 'x', 'x')",
        "INSERT INTO communities (id, name, technical_name, supervisor_id, sort_key, created, updated) "
        "VALUES ('c-1', 'Old', 'old', 'u-1', 'old', 'x', 'x')",
        "INSERT INTO memberships (community_id, user_id, rights, created, updated) "
        "VALUES ('c-1', 'u-1', '[]', 'x', 'x')",
    )

    def keys() -> tuple[str, str]:
        row = store.db.one("SELECT sort_first, sort_last FROM memberships WHERE user_id = 'u-1'")
        assert row is not None
        return row["sort_first"], row["sort_last"]

    try:
        assert keys() == ("elise", "caron")
        # The migrated database keeps them too (the triggers come with the migration).
        store.users.update("u-1", {"last_name": "Ödon"}, "y")
        assert keys() == ("elise", "odon")
        plan = " ".join(
            str(r[3])
            for r in store.db.all(
                "EXPLAIN QUERY PLAN SELECT rowid FROM memberships WHERE community_id = 'c-1' "
                "ORDER BY sort_last, sort_first, user_id LIMIT 50 OFFSET 50"
            )
        )
        assert "memberships_order" in plan
        assert "TEMP B-TREE" not in plan  # a page is a range of the index, not a sort
    finally:
        store.close()


def test_migration_9_counts_and_picks_requests_by_status_in_an_index(tmp_path: Path) -> None:
    store = opened_at_version(
        tmp_path / "old.db",
        8,
        "INSERT INTO users (id, username, email, created, updated) "
        "VALUES ('u-1', 'old.user', 'old@exemple.test', 'x', 'x')",
        *(
            "INSERT INTO requests (id, type, status, requester_id, created, updated) "  # noqa: S608 - test rows
            f"VALUES ('r-{i}', 'datastore', '{status}', 'u-1', 'x', 'x')"
            for i, status in enumerate(["pending", "accepted", "pending", "rejected", "pending"])
        ),
    )

    def plan(sql: str) -> str:
        return " ".join(str(r[3]) for r in store.db.all(f"EXPLAIN QUERY PLAN {sql}", ("pending", 5)))

    try:
        where = "FROM requests r WHERE r.status IN (?) AND r.rowid <= ?"
        # The count and the page of the incoming listing: a range of the index, no row read, no sort.
        assert "COVERING INDEX requests_status_seq (status=? AND rowid<?)" in plan(f"SELECT count(*) {where}")
        page = plan(f"SELECT r.rowid {where} ORDER BY r.rowid LIMIT 50 OFFSET 50")
        assert "COVERING INDEX requests_status_seq" in page
        assert "TEMP B-TREE" not in page
        listed = store.requests.page(limit=2, offset=2, until=4, statuses=["pending"])
        assert (listed.total, listed.position, listed.seqs, listed.more) == (2, 2, [], False)
        first = store.requests.page(limit=1, until=5, statuses=["pending"])
        assert ([r.id for r in first.records], first.total, first.more) == (["r-0"], 3, True)
        after = store.requests.page(limit=1, after=first.seqs[0], until=5, statuses=["pending"])
        assert ([r.id for r in after.records], after.total, after.position) == (["r-2"], 3, 1)
    finally:
        store.close()


def test_the_demo_newcomer_is_the_only_unknown_seeded_user(sb: Harness) -> None:
    rows = sb.sandbox.store.db.all("SELECT username FROM users WHERE entrepot_since IS NULL")
    assert [r["username"] for r in rows] == [DEMO_NEWCOMER]
