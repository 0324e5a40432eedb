"""Storage, schema versions, credentials and the demo seed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from cartes_cli.sandbox.config import DB_FILENAME, SandboxConfig, SandboxConfigError
from cartes_cli.sandbox.domain.credentials import (
    hash_password,
    password_problems,
    verify_password,
    verify_totp,
)
from cartes_cli.sandbox.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET, UnknownSeed, apply_seed, demo_id
from cartes_cli.sandbox.store import Store
from cartes_cli.sandbox.store.migrations import SCHEMA_VERSION, SchemaError
from cartes_cli.sandbox.store.records import RIGHTS
from cartes_cli.sandbox.util import TECHNICAL_NAME_RE


def _dump(store: Store) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(store.path)
    try:
        return {
            table: sorted(tuple(row) for row in conn.execute(f"SELECT * FROM {table}"))  # noqa: S608
            for table in (
                "users",
                "organizations",
                "communities",
                "memberships",
                "datastores",
                "datastore_storages",
                "datastore_endpoints",
                "storages",
                "endpoints",
                "clients",
                "federated_identities",
                "join_forms",
                "requests",
                "outbox",
            )
        }
    finally:
        conn.close()


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = Store.open(tmp_path_factory.mktemp("seed") / DB_FILENAME)
    assert apply_seed(store, "demo") is True
    yield store
    store.close()


def test_demo_seed_is_deterministic(demo_store: Store, tmp_path: Path) -> None:
    again = Store.open(tmp_path / DB_FILENAME)
    try:
        apply_seed(again, "demo")
        assert _dump(again) == _dump(demo_store)
    finally:
        again.close()


def test_demo_seed_is_applied_once(tmp_path: Path) -> None:
    store = Store.open(tmp_path / DB_FILENAME)
    try:
        assert apply_seed(store, "demo") is True
        counts = store.meta.counts()
        assert apply_seed(store, "demo") is False
        assert store.meta.counts() == counts
        assert store.meta.get("seed") == "demo"
    finally:
        store.close()


def test_unknown_seed(tmp_path: Path) -> None:
    store = Store.open(tmp_path / DB_FILENAME)
    try:
        with pytest.raises(UnknownSeed, match="demo"):
            apply_seed(store, "nope")
        assert store.meta.is_empty()
    finally:
        store.close()
    with pytest.raises(SandboxConfigError, match="Unknown seed 'nope'"):
        SandboxConfig(seed="nope").validate()


def test_demo_accounts(demo_store: Store) -> None:
    users = {u: demo_store.users.by_login(u) for u in ("claire.moreau", "julien.lefebvre", "amelie.rousseau")}
    claire, julien, amelie = users["claire.moreau"], users["julien.lefebvre"], users["amelie.rousseau"]
    assert claire is not None
    assert claire.administrator
    assert claire.email == "claire.moreau@ign.test"
    assert julien is not None
    assert julien.email == "julien.lefebvre@ddt-gironde.test"
    assert amelie is not None
    assert amelie.totp_secret == DEMO_TOTP_SECRET
    assert amelie.email == "amelie.rousseau@ecrins-parcnational.test"
    assert amelie.first_name == "Amélie"

    conn = sqlite3.connect(demo_store.path)
    rows = conn.execute(
        "SELECT username, email, password_hash, enabled, email_verified FROM users WHERE technical = 0"
    ).fetchall()
    technical = conn.execute("SELECT username, password_hash FROM users WHERE technical = 1").fetchall()
    conn.close()
    assert technical == [("service-account-cartes-ci", None)]
    assert 10 <= len(rows) <= 14
    assert all(email.endswith(".test") for _, email, *_ in rows)
    assert all(verify_password(DEMO_PASSWORD, password_hash) for _, _, password_hash, *_ in rows)
    assert sum(1 for row in rows if not row[3]) == 1  # one disabled account
    assert sum(1 for row in rows if not row[4]) == 1  # one e-mail not verified
    # One password over a year old (paul.mercier); the others' age is unknown: they never expire.
    conn = sqlite3.connect(demo_store.path)
    changed = conn.execute("SELECT username FROM users WHERE password_changed IS NOT NULL").fetchall()
    conn.close()
    assert changed == [("paul.mercier",)]
    assert password_problems(DEMO_PASSWORD) == []


def test_demo_communities(demo_store: Store) -> None:
    conn = sqlite3.connect(demo_store.path)
    conn.row_factory = sqlite3.Row
    try:
        communities = conn.execute("SELECT * FROM communities").fetchall()
        public = [c for c in communities if c["public"]]
        assert len(public) == 30
        assert len(communities) - len(public) == 4
        for c in communities:
            assert TECHNICAL_NAME_RE.match(c["technical_name"]), c["technical_name"]
            assert "@" in c["contact"]
            assert c["organization_id"]
            assert c["description"]
            rights = conn.execute(
                "SELECT rights FROM memberships WHERE community_id = ? AND user_id = ?",
                (c["id"], c["supervisor_id"]),
            ).fetchone()
            assert rights is not None
            assert rights[0] == '["COMMUNITY", "UPLOAD", "PROCESSING", "BROADCAST", "ANNEX"]'
        without = conn.execute(
            "SELECT count(*) FROM communities c WHERE NOT EXISTS "
            "(SELECT 1 FROM datastores d WHERE d.community_id = c.id)"
        ).fetchone()[0]
        assert 2 <= without <= 6
        # Some producers manage a community they do not supervise.
        delegated = conn.execute(
            "SELECT count(*) FROM memberships m JOIN communities c ON c.id = m.community_id "
            "WHERE m.user_id != c.supervisor_id AND m.rights LIKE '%COMMUNITY%'"
        ).fetchone()[0]
        assert delegated >= 2
    finally:
        conn.close()
    ddt33 = demo_store.communities.get(demo_id("community", "ddt33"))
    assert ddt33 is not None
    assert ddt33.name == "DDT de la Gironde"
    assert ddt33.supervisor_id == demo_id("user", "julien.lefebvre")
    membership = demo_store.communities.membership(
        demo_id("community", "pn_ecrins"), demo_id("user", "amelie.rousseau")
    )
    assert membership is not None
    assert membership.rights == ("UPLOAD", "PROCESSING")


def test_rights_are_stored_in_canonical_order() -> None:
    store = Store.open(":memory:")
    try:
        store.users.insert(
            id="u",
            username="u",
            email="u@x.test",
            first_name="U",
            last_name="U",
            password_hash=None,
            created="x",
        )
        store.communities.insert(id="c", name="C", technical_name="c", supervisor_id="u", created="x")
        store.communities.put_membership("c", "u", ["ANNEX", "UPLOAD", "UPLOAD"], "y")
        membership = store.communities.membership("c", "u")
        assert membership is not None
        assert membership.rights == ("UPLOAD", "ANNEX")
        with pytest.raises(ValueError, match="READ"):
            store.communities.put_membership("c", "u", ["READ"], "y")
    finally:
        store.close()
    assert RIGHTS[0] == "COMMUNITY"


def test_schema_version_and_newer_database(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    store = Store.open(path)
    assert store.schema_version == SCHEMA_VERSION
    store.close()
    assert path.stat().st_mode & 0o777 == 0o600
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaError, match="knows up to"):
        Store.open(path)


def test_credentials() -> None:
    encoded = hash_password("Un-Mot-De-Passe-42!!")
    assert encoded.startswith("pbkdf2_sha256$")
    assert verify_password("Un-Mot-De-Passe-42!!", encoded)
    assert not verify_password("un-mot-de-passe-42!!", encoded)
    assert not verify_password("anything", None)
    assert not verify_password("anything", "garbage")
    assert hash_password("same") != hash_password("same")  # salted
    assert password_problems("short") != []
    assert password_problems("Abcdefghijkl12x") == ["at least 2 special characters (0 found)."]


def test_totp_window() -> None:
    import pyotp

    totp = pyotp.TOTP(DEMO_TOTP_SECRET)
    now = 1_800_000_000.0
    assert verify_totp(DEMO_TOTP_SECRET, totp.at(now), at=now)
    assert verify_totp(DEMO_TOTP_SECRET, totp.at(now + 30), at=now)
    assert not verify_totp(DEMO_TOTP_SECRET, totp.at(now - 60), at=now)
    assert not verify_totp(DEMO_TOTP_SECRET, "", at=now)
    assert not verify_totp(DEMO_TOTP_SECRET, "abcdef", at=now)


def test_a_version_1_database_is_migrated(tmp_path: Path) -> None:
    """A sandbox created by the previous release keeps its data and gains the new tables."""
    from cartes_cli.sandbox.store.migrations import MIGRATIONS

    path = tmp_path / DB_FILENAME
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    conn.execute(
        "INSERT INTO users (id, username, email, created, updated) "
        "VALUES ('u', 'old', 'old@x.test', 'x', 'x')"
    )
    conn.commit()
    conn.close()
    store = Store.open(path)
    try:
        assert store.schema_version == SCHEMA_VERSION
        assert store.users.get("u") is not None
        web = store.clients.get("cartes-gouv-public")
        assert web is not None
        assert web.pkce_method == "S256"
        assert "authorization_code" in web.grant_types
        assert store.clients.get("cartes-cli") is not None
        assert store.meta.counts()["requests"] == 0
    finally:
        store.close()


def test_demo_workflow_data(demo_store: Store) -> None:
    counts = demo_store.meta.counts()
    assert counts["requests"] == 14
    assert counts["federated_identities"] == 3
    assert counts["outbox"] == 2 * 14 + 4  # receipts and notices, plus one per decision (not cancels)
    pending = demo_store.requests.page(limit=50, statuses=["pending"])
    assert pending.total == 9
    assert all(r.status == "pending" for r in pending.records)
    ddt33 = demo_id("community", "ddt33")
    joins = demo_store.requests.page(limit=50, community_id=ddt33, statuses=["pending"])
    assert joins.total == 4
    assert {r.requester.email.split("@")[0] for r in joins.records} == {
        "mathieu.garnier",
        "camille.dubois",
        "lucie.fontaine",
        "nicolas.bernard",
    }
    form = demo_store.communities.join_form(ddt33)
    assert form is not None
    assert [f["name"] for f in form] == ["service", "usage", "siret", "referent"]
    assert demo_store.users.federated_user("proconnect", "pc-julien-lefebvre") == demo_id(
        "user", "julien.lefebvre"
    )
    # The seeded answers satisfy the seeded forms.
    from cartes_cli.sandbox.domain.requests import validate_answers

    for record in demo_store.requests.page(limit=50, type="join").records:
        assert record.community is not None
        assert (
            validate_answers(
                demo_store.communities.join_form(record.community.id) or [], record.answers or {}
            )
            == []
        )


def test_a_version_2_database_is_migrated(tmp_path: Path) -> None:
    """Schema 3 (accounts): every existing password's age is forgotten (it was only ever the
    creation date), so that nothing expires at once; the new tables exist."""
    from cartes_cli.sandbox.store.migrations import MIGRATIONS

    path = tmp_path / DB_FILENAME
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + MIGRATIONS[1] + "\nPRAGMA user_version = 2;")
    conn.execute(
        "INSERT INTO users (id, username, email, password_changed, created, updated) "
        "VALUES ('u', 'old', 'old@x.test', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z', 'x')"
    )
    conn.commit()
    conn.close()
    store = Store.open(path)
    try:
        assert store.schema_version == SCHEMA_VERSION
        warehouse = store.clients.get("gpf-warehouse")
        assert warehouse is not None
        assert not warehouse.public  # confidential, as on the real platform (migration 4)
        assert warehouse.secret_hash
        user = store.users.get("u")
        assert user is not None
        assert (user.password_changed, user.previous_password_hash, user.totp_pending) == (None, None, None)
        assert user.entrepot_since == "2020-01-01T00:00:00Z"  # schema 4: existing users are known
        assert store.users.photo("u") is None
        assert store.users.verification("u") is None
        assert store.meta.counts()["email_verifications"] == 0
    finally:
        store.close()


def test_config_validation_of_the_new_settings() -> None:
    for name in ("captcha_ttl", "verification_ttl", "password_max_age_days"):
        with pytest.raises(SandboxConfigError):
            SandboxConfig(**{name: 0}).validate()  # type: ignore[arg-type]
    assert SandboxConfig().scriptable_captchas is False
    assert SandboxConfig().accounts_api is True
    for name in ("device_interval", "device_expires_in", "code_ttl", "login_ttl"):
        with pytest.raises(SandboxConfigError):
            SandboxConfig(**{name: 0}).validate()  # type: ignore[arg-type]
    SandboxConfig(device_interval=1, device_expires_in=30, requests_api=False).validate()


def test_a_kept_count_follows_every_change(tmp_path: Path) -> None:
    """Database.count keeps a listing's total between its pages, never past a change: a write of
    this connection (a cascade included), a rolled-back one, or another connection's commit."""
    store = Store.open(tmp_path / DB_FILENAME)
    try:
        db = store.db
        count = "SELECT count(*) FROM requests WHERE status = ?"

        def add_user(user_id: str) -> None:
            store.users.insert(
                id=user_id, username=user_id, email=f"{user_id}@x.test", first_name="", last_name="",
                password_hash=None, created="x",
            )  # fmt: skip

        def add_request(request_id: str, user_id: str) -> None:
            store.requests.insert(id=request_id, type="datastore", requester_id=user_id, created="x")

        add_user("u-1")
        add_user("u-2")
        add_request("r-1", "u-1")
        assert db.count(count, ["pending"]) == 1
        add_request("r-2", "u-2")
        assert db.count(count, ["pending"]) == 2
        assert store.requests.transition("r-1", to="accepted", when="y")
        assert db.count(count, ["pending"]) == 1
        assert db.count(count, ["accepted"]) == 1
        db.exec("DELETE FROM users WHERE id = 'u-2'")  # its request goes with it (ON DELETE CASCADE)
        assert db.count(count, ["pending"]) == 0
        db.exec("BEGIN")
        add_request("r-3", "u-1")
        assert db.count(count, ["pending"]) == 1  # the transaction's own write…
        db.exec("ROLLBACK")
        assert db.count(count, ["pending"]) == 0  # …not kept past its rollback
        other = sqlite3.connect(store.path)
        other.execute(
            "INSERT INTO requests (id, type, status, requester_id, created, updated) "
            "VALUES ('r-4', 'datastore', 'pending', 'u-1', 'x', 'x')"
        )
        other.commit()
        other.close()
        assert db.count(count, ["pending"]) == 1
    finally:
        store.close()
