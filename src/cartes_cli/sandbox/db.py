"""The sandbox's storage: one SQLite file, a versioned schema, and typed accessors.

One connection serves the whole server. It is used from the event loop only (every operation is
sub-millisecond), which also makes each state transition atomic: no other request runs between
two statements of a handler that does not ``await`` in between.

Schema changes are append-only migrations: ``MIGRATIONS[n]`` takes a database from version ``n`` to
``n + 1`` (``PRAGMA user_version``). Never edit a released migration; add a new one.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cartes_cli.sandbox.util import fold

RIGHTS: tuple[str, ...] = ("COMMUNITY", "UPLOAD", "PROCESSING", "BROADCAST", "ANNEX")
"""Every right, in the order the sandbox writes them."""
STORAGE_TYPES = ("POSTGRESQL", "S3", "FILESYSTEM")
GRANT_PASSWORD = "password"  # noqa: S105 - a grant type, not a password
GRANT_REFRESH = "refresh_token"
GRANT_CLIENT_CREDENTIALS = "client_credentials"
GRANT_AUTHORIZATION_CODE = "authorization_code"
GRANT_DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"
GRANT_TYPES = (
    GRANT_PASSWORD,
    GRANT_REFRESH,
    GRANT_CLIENT_CREDENTIALS,
    GRANT_AUTHORIZATION_CODE,
    GRANT_DEVICE_CODE,
)


class SchemaError(RuntimeError):
    """The database cannot be used by this version of the sandbox."""


# --- schema ----------------------------------------------------------------------------------

_V1 = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE organizations (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    created TEXT NOT NULL
);

-- Keycloak user and Entrepôt user in one row (same id, the token's "sub").
CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    username         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    email            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    first_name       TEXT NOT NULL DEFAULT '',
    last_name        TEXT NOT NULL DEFAULT '',
    password_hash    TEXT,                          -- NULL: no password login (service account)
    enabled          INTEGER NOT NULL DEFAULT 1,
    email_verified   INTEGER NOT NULL DEFAULT 1,
    required_actions TEXT NOT NULL DEFAULT '[]',    -- JSON list: VERIFY_EMAIL, UPDATE_PASSWORD…
    totp_secret      TEXT,                          -- base32 seed; NULL: no second factor
    administrator    INTEGER NOT NULL DEFAULT 0,    -- platform staff
    technical        INTEGER NOT NULL DEFAULT 0,
    documents_quota  INTEGER NOT NULL DEFAULT 1000000000,
    documents_use    INTEGER NOT NULL DEFAULT 0,
    keys_quota       INTEGER NOT NULL DEFAULT 50,
    keys_use         INTEGER NOT NULL DEFAULT 0,
    attributes       TEXT NOT NULL DEFAULT '{}',    -- Keycloak user attributes (phone, address…)
    password_changed TEXT,
    created          TEXT NOT NULL,
    updated          TEXT NOT NULL,
    last_login       TEXT
);

-- OAuth clients of the realm. Public clients have no secret; confidential ones keep a hash.
CREATE TABLE clients (
    client_id       TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    public          INTEGER NOT NULL,
    secret_hash     TEXT,
    grant_types     TEXT NOT NULL,                  -- JSON list of the grants this client may use
    redirect_uris   TEXT NOT NULL DEFAULT '[]',     -- JSON list (authorization-code flow)
    service_account TEXT REFERENCES users(id),      -- client_credentials acts as this user
    enabled         INTEGER NOT NULL DEFAULT 1,
    created         TEXT NOT NULL
);

CREATE TABLE communities (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    technical_name  TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description     TEXT NOT NULL DEFAULT '',
    contact         TEXT NOT NULL DEFAULT '',
    public          INTEGER NOT NULL DEFAULT 0,
    organization_id TEXT REFERENCES organizations(id),
    supervisor_id   TEXT NOT NULL REFERENCES users(id),
    sort_key        TEXT NOT NULL,                  -- fold(name): sorting and searching
    created         TEXT NOT NULL,
    updated         TEXT NOT NULL
);
CREATE INDEX communities_public_sort ON communities (public, sort_key);

CREATE TABLE memberships (
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    rights       TEXT NOT NULL,                     -- JSON list, in RIGHTS order
    created      TEXT NOT NULL,
    updated      TEXT NOT NULL,
    PRIMARY KEY (community_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE storages (
    id     TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    type   TEXT NOT NULL CHECK (type IN ('POSTGRESQL', 'S3', 'FILESYSTEM')),
    labels TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE endpoints (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    technical_name TEXT NOT NULL UNIQUE,
    type           TEXT NOT NULL,
    open           INTEGER NOT NULL,
    urls           TEXT NOT NULL DEFAULT '[]'       -- JSON list of {"type", "url"}
);

CREATE TABLE datastores (
    id             TEXT PRIMARY KEY,
    community_id   TEXT NOT NULL UNIQUE REFERENCES communities(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    technical_name TEXT NOT NULL,
    active         INTEGER NOT NULL DEFAULT 1,
    uploads_use    INTEGER NOT NULL DEFAULT 0,
    uploads_quota  INTEGER NOT NULL,
    annexes_use    INTEGER NOT NULL DEFAULT 0,
    annexes_quota  INTEGER NOT NULL,
    created        TEXT NOT NULL,
    updated        TEXT NOT NULL
);

CREATE TABLE datastore_storages (
    datastore_id TEXT NOT NULL REFERENCES datastores(id) ON DELETE CASCADE,
    storage_id   TEXT NOT NULL REFERENCES storages(id),
    use          INTEGER NOT NULL DEFAULT 0,
    quota        INTEGER NOT NULL,
    PRIMARY KEY (datastore_id, storage_id)
);

CREATE TABLE datastore_endpoints (
    datastore_id TEXT NOT NULL REFERENCES datastores(id) ON DELETE CASCADE,
    endpoint_id  TEXT NOT NULL REFERENCES endpoints(id),
    use          INTEGER NOT NULL DEFAULT 0,
    quota        INTEGER NOT NULL,
    PRIMARY KEY (datastore_id, endpoint_id)
);

-- Login sessions (Keycloak user sessions). Times are epoch seconds.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id    TEXT NOT NULL,
    created      REAL NOT NULL,
    expires      REAL NOT NULL,                     -- created + session_max_ttl
    last_refresh REAL,
    ended        REAL,
    end_reason   TEXT                               -- logout, revoked, refresh_token_reuse…
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Every refresh token issued, so that a reused one is detected (rotation).
CREATE TABLE refresh_tokens (
    jti        TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    issued     REAL NOT NULL,
    expires    REAL NOT NULL,
    used       REAL
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Access tokens revoked through the revocation endpoint (until they expire anyway).
CREATE TABLE revoked_tokens (
    jti     TEXT PRIMARY KEY,
    expires REAL NOT NULL
);

-- The realm's clients exist whatever the seed: they are configuration, not demo data.
INSERT INTO clients (client_id, name, public, grant_types, redirect_uris, created) VALUES
    ('gpf-warehouse', 'Entrepôt Géoplateforme (SDK, QGIS)', 1,
     '["password", "refresh_token"]', '[]', '2023-01-01T00:00:00Z'),
    ('cartes-gouv-public', 'cartes.gouv.fr', 1,
     '["password", "refresh_token"]', '["http://127.0.0.1/*", "http://localhost/*"]',
     '2023-01-01T00:00:00Z');
"""

MIGRATIONS: tuple[str, ...] = (_V1,)
SCHEMA_VERSION = len(MIGRATIONS)


# --- records ---------------------------------------------------------------------------------


def _loads(text: str | None, default: Any) -> Any:
    return json.loads(text) if text else default


@dataclass(frozen=True, slots=True)
class User:
    id: str
    username: str
    email: str
    first_name: str
    last_name: str
    password_hash: str | None
    enabled: bool
    email_verified: bool
    required_actions: tuple[str, ...]
    totp_secret: str | None
    administrator: bool
    technical: bool
    documents_quota: int
    documents_use: int
    keys_quota: int
    keys_use: int
    attributes: dict[str, Any]
    created: str
    updated: str
    last_login: str | None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def pending_actions(self) -> tuple[str, ...]:
        """Keycloak required actions that block a direct-grant login."""
        actions = list(self.required_actions)
        if not self.email_verified and "VERIFY_EMAIL" not in actions:
            actions.append("VERIFY_EMAIL")
        return tuple(actions)

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> User:
        return cls(
            id=row["id"],
            username=row["username"],
            email=row["email"],
            first_name=row["first_name"],
            last_name=row["last_name"],
            password_hash=row["password_hash"],
            enabled=bool(row["enabled"]),
            email_verified=bool(row["email_verified"]),
            required_actions=tuple(_loads(row["required_actions"], [])),
            totp_secret=row["totp_secret"],
            administrator=bool(row["administrator"]),
            technical=bool(row["technical"]),
            documents_quota=row["documents_quota"],
            documents_use=row["documents_use"],
            keys_quota=row["keys_quota"],
            keys_use=row["keys_use"],
            attributes=_loads(row["attributes"], {}),
            created=row["created"],
            updated=row["updated"],
            last_login=row["last_login"],
        )


@dataclass(frozen=True, slots=True)
class Client:
    client_id: str
    name: str
    public: bool
    secret_hash: str | None
    grant_types: tuple[str, ...]
    redirect_uris: tuple[str, ...]
    service_account: str | None
    enabled: bool

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Client:
        return cls(
            client_id=row["client_id"],
            name=row["name"],
            public=bool(row["public"]),
            secret_hash=row["secret_hash"],
            grant_types=tuple(_loads(row["grant_types"], [])),
            redirect_uris=tuple(_loads(row["redirect_uris"], [])),
            service_account=row["service_account"],
            enabled=bool(row["enabled"]),
        )


@dataclass(frozen=True, slots=True)
class Community:
    id: str
    name: str
    technical_name: str
    description: str
    contact: str
    public: bool
    organization_id: str | None
    organization_name: str | None
    supervisor_id: str
    datastore_id: str | None
    created: str
    updated: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Community:
        return cls(
            id=row["id"],
            name=row["name"],
            technical_name=row["technical_name"],
            description=row["description"],
            contact=row["contact"],
            public=bool(row["public"]),
            organization_id=row["organization_id"],
            organization_name=row["organization_name"],
            supervisor_id=row["supervisor_id"],
            datastore_id=row["datastore_id"],
            created=row["created"],
            updated=row["updated"],
        )


@dataclass(frozen=True, slots=True)
class Membership:
    community_id: str
    user_id: str
    rights: tuple[str, ...]
    created: str
    updated: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Membership:
        return cls(
            community_id=row["community_id"],
            user_id=row["user_id"],
            rights=tuple(_loads(row["rights"], [])),
            created=row["created"],
            updated=row["updated"],
        )


@dataclass(frozen=True, slots=True)
class StorageUse:
    id: str
    name: str
    type: str
    labels: tuple[str, ...]
    use: int
    quota: int


@dataclass(frozen=True, slots=True)
class EndpointUse:
    id: str
    name: str
    technical_name: str
    type: str
    open: bool
    urls: tuple[dict[str, str], ...]
    use: int
    quota: int


@dataclass(frozen=True, slots=True)
class Datastore:
    id: str
    community_id: str
    name: str
    technical_name: str
    active: bool
    uploads_use: int
    uploads_quota: int
    annexes_use: int
    annexes_quota: int
    created: str
    updated: str
    storages: tuple[StorageUse, ...] = field(default=())
    endpoints: tuple[EndpointUse, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    user_id: str
    client_id: str
    created: float
    expires: float
    last_refresh: float | None
    ended: float | None
    end_reason: str | None

    def active(self, now: float) -> bool:
        return self.ended is None and now < self.expires

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Session:
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            client_id=row["client_id"],
            created=row["created"],
            expires=row["expires"],
            last_refresh=row["last_refresh"],
            ended=row["ended"],
            end_reason=row["end_reason"],
        )


@dataclass(frozen=True, slots=True)
class RefreshRecord:
    jti: str
    session_id: str
    issued: float
    expires: float
    used: float | None


def canonical_rights(rights: Sequence[str]) -> list[str]:
    """Known rights, deduplicated, in RIGHTS order (unknown ones raise ValueError)."""
    unknown = sorted(set(rights) - set(RIGHTS))
    if unknown:
        raise ValueError(f"Unknown right(s): {', '.join(unknown)}")
    return [r for r in RIGHTS if r in rights]


# --- the store -------------------------------------------------------------------------------

_COMMUNITY_SELECT = """
SELECT c.*, o.name AS organization_name, d.id AS datastore_id
FROM communities c
LEFT JOIN organizations o ON o.id = c.organization_id
LEFT JOIN datastores d ON d.community_id = c.id
"""


class Store:
    """Typed access to the sandbox database. Not thread-safe: use it from one thread at a time."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self._conn = conn
        self.path = path

    # life cycle

    @classmethod
    def open(cls, path: Path | str) -> Store:
        """Open (creating if needed) and migrate the database at ``path`` (``":memory:"`` works)."""
        target = str(path)
        if target != ":memory:" and not os.path.exists(target):
            # Password hashes live here: private from the start (SQLite gives its -wal and
            # -shm files the same mode).
            os.close(os.open(target, os.O_RDWR | os.O_CREAT, 0o600))
        # check_same_thread=False: test clients drive the app from another thread; the server
        # itself only ever uses the connection from its event loop.
        conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False, timeout=5.0)
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 5000")
            if target != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            store = cls(conn, target)
            store.migrate()
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        self._conn.close()

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        current = self.schema_version
        if current > SCHEMA_VERSION:
            raise SchemaError(
                f"The sandbox database {self.path} has schema version {current}; this cartes only "
                f"knows up to {SCHEMA_VERSION}. Upgrade cartes or use another --data directory."
            )
        for version in range(current, SCHEMA_VERSION):
            script = MIGRATIONS[version]
            try:
                self._conn.executescript(
                    f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version + 1};\nCOMMIT;"
                )
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes; nested use joins the outer transaction."""
        if self._conn.in_transaction:
            yield
            return
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._conn.execute(sql, params).fetchone()
        return row

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return list(self._conn.execute(sql, params).fetchall())

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._conn.execute(sql, params).rowcount

    # meta

    def get_meta(self, key: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row["value"])

    def set_meta(self, key: str, value: str) -> None:
        self._exec(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def is_empty(self) -> bool:
        """No user and no community: nothing but the realm's configuration."""
        return (
            self._one("SELECT 1 FROM users LIMIT 1") is None
            and self._one("SELECT 1 FROM communities LIMIT 1") is None
        )

    def counts(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for table in ("users", "communities", "memberships", "datastores", "sessions"):
            row = self._one(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
            result[table] = int(row[0]) if row else 0
        return result

    # organizations

    def insert_organization(self, id: str, name: str, created: str) -> None:
        self._exec("INSERT INTO organizations (id, name, created) VALUES (?, ?, ?)", (id, name, created))

    # users

    def insert_user(
        self,
        *,
        id: str,
        username: str,
        email: str,
        first_name: str,
        last_name: str,
        password_hash: str | None,
        created: str,
        enabled: bool = True,
        email_verified: bool = True,
        required_actions: Sequence[str] = (),
        totp_secret: str | None = None,
        administrator: bool = False,
        technical: bool = False,
        documents_quota: int = 1_000_000_000,
        documents_use: int = 0,
        keys_quota: int = 50,
        keys_use: int = 0,
        attributes: dict[str, Any] | None = None,
        updated: str | None = None,
        last_login: str | None = None,
    ) -> None:
        self._exec(
            """INSERT INTO users (id, username, email, first_name, last_name, password_hash, enabled,
                   email_verified, required_actions, totp_secret, administrator, technical,
                   documents_quota, documents_use, keys_quota, keys_use, attributes,
                   password_changed, created, updated, last_login)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                id,
                username,
                email,
                first_name,
                last_name,
                password_hash,
                int(enabled),
                int(email_verified),
                json.dumps(list(required_actions)),
                totp_secret,
                int(administrator),
                int(technical),
                documents_quota,
                documents_use,
                keys_quota,
                keys_use,
                json.dumps(attributes or {}, ensure_ascii=False),
                created,
                created,
                updated or created,
                last_login,
            ),
        )

    def user(self, user_id: str) -> User | None:
        row = self._one("SELECT * FROM users WHERE id = ?", (user_id,))
        return None if row is None else User.from_row(row)

    def user_by_login(self, login: str) -> User | None:
        """By username or e-mail, case-insensitively (as Keycloak's direct grant)."""
        row = self._one("SELECT * FROM users WHERE username = ? OR email = ?", (login, login))
        return None if row is None else User.from_row(row)

    def set_last_login(self, user_id: str, when: str) -> None:
        self._exec("UPDATE users SET last_login = ? WHERE id = ?", (when, user_id))

    # clients

    def insert_client(
        self,
        *,
        client_id: str,
        name: str,
        grant_types: Sequence[str],
        created: str,
        secret_hash: str | None = None,
        redirect_uris: Sequence[str] = (),
        service_account: str | None = None,
    ) -> None:
        """A public client (no ``secret_hash``) or a confidential one."""
        self._exec(
            """INSERT INTO clients (client_id, name, public, secret_hash, grant_types, redirect_uris,
                   service_account, created)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                client_id,
                name,
                int(secret_hash is None),
                secret_hash,
                json.dumps(list(grant_types)),
                json.dumps(list(redirect_uris)),
                service_account,
                created,
            ),
        )

    def client(self, client_id: str) -> Client | None:
        row = self._one("SELECT * FROM clients WHERE client_id = ?", (client_id,))
        return None if row is None else Client.from_row(row)

    def clients(self) -> list[Client]:
        return [Client.from_row(r) for r in self._all("SELECT * FROM clients ORDER BY client_id")]

    # communities and members

    def insert_community(
        self,
        *,
        id: str,
        name: str,
        technical_name: str,
        supervisor_id: str,
        created: str,
        description: str = "",
        contact: str = "",
        public: bool = False,
        organization_id: str | None = None,
        updated: str | None = None,
    ) -> None:
        """Insert a community and make its supervisor a member with every right."""
        with self.transaction():
            self._exec(
                """INSERT INTO communities (id, name, technical_name, description, contact, public,
                       organization_id, supervisor_id, sort_key, created, updated)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    id,
                    name,
                    technical_name,
                    description,
                    contact,
                    int(public),
                    organization_id,
                    supervisor_id,
                    fold(name),
                    created,
                    updated or created,
                ),
            )
            self.put_membership(id, supervisor_id, RIGHTS, created)

    def community(self, community_id: str) -> Community | None:
        row = self._one(_COMMUNITY_SELECT + " WHERE c.id = ?", (community_id,))
        return None if row is None else Community.from_row(row)

    def public_communities(
        self, *, offset: int, limit: int, search: str | None = None
    ) -> tuple[list[Community], int]:
        """One page of the public catalogue, sorted by name (accents and case ignored)."""
        where = "WHERE c.public = 1"
        params: list[Any] = []
        if search:
            where += " AND (instr(c.sort_key, ?) > 0 OR instr(lower(c.technical_name), ?) > 0)"
            params += [fold(search), search.lower()]
        total_row = self._one(f"SELECT count(*) FROM communities c {where}", params)  # noqa: S608
        total = int(total_row[0]) if total_row else 0
        rows = self._all(
            f"{_COMMUNITY_SELECT} {where} ORDER BY c.sort_key, c.technical_name LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [Community.from_row(r) for r in rows], total

    def put_membership(self, community_id: str, user_id: str, rights: Sequence[str], when: str) -> None:
        """Add a member or replace their rights (``PUT /communities/{c}/users/{u}``)."""
        self._exec(
            """INSERT INTO memberships (community_id, user_id, rights, created, updated)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (community_id, user_id)
               DO UPDATE SET rights = excluded.rights, updated = excluded.updated""",
            (community_id, user_id, json.dumps(canonical_rights(rights)), when, when),
        )

    def membership(self, community_id: str, user_id: str) -> Membership | None:
        row = self._one(
            "SELECT * FROM memberships WHERE community_id = ? AND user_id = ?", (community_id, user_id)
        )
        return None if row is None else Membership.from_row(row)

    def memberships_of(self, user_id: str) -> list[tuple[Membership, Community]]:
        """The user's communities, sorted by name."""
        rows = self._all(
            """SELECT m.community_id AS m_community_id, m.user_id AS m_user_id, m.rights AS m_rights,
                      m.created AS m_created, m.updated AS m_updated, c.*,
                      o.name AS organization_name, d.id AS datastore_id
               FROM memberships m
               JOIN communities c ON c.id = m.community_id
               LEFT JOIN organizations o ON o.id = c.organization_id
               LEFT JOIN datastores d ON d.community_id = c.id
               WHERE m.user_id = ?
               ORDER BY c.sort_key, c.technical_name""",
            (user_id,),
        )
        return [
            (
                Membership(
                    community_id=r["m_community_id"],
                    user_id=r["m_user_id"],
                    rights=tuple(_loads(r["m_rights"], [])),
                    created=r["m_created"],
                    updated=r["m_updated"],
                ),
                Community.from_row(r),
            )
            for r in rows
        ]

    # storages, endpoints, datastores

    def insert_storage(self, *, id: str, name: str, type: str, labels: Sequence[str] = ()) -> None:
        self._exec(
            "INSERT INTO storages (id, name, type, labels) VALUES (?, ?, ?, ?)",
            (id, name, type, json.dumps(list(labels))),
        )

    def insert_endpoint(
        self,
        *,
        id: str,
        name: str,
        technical_name: str,
        type: str,
        open: bool,
        urls: Sequence[dict[str, str]],
    ) -> None:
        self._exec(
            "INSERT INTO endpoints (id, name, technical_name, type, open, urls) VALUES (?, ?, ?, ?, ?, ?)",
            (id, name, technical_name, type, int(open), json.dumps(list(urls))),
        )

    def insert_datastore(
        self,
        *,
        id: str,
        community_id: str,
        name: str,
        technical_name: str,
        created: str,
        uploads_quota: int,
        annexes_quota: int,
        uploads_use: int = 0,
        annexes_use: int = 0,
        active: bool = True,
        updated: str | None = None,
    ) -> None:
        self._exec(
            """INSERT INTO datastores (id, community_id, name, technical_name, active, uploads_use,
                   uploads_quota, annexes_use, annexes_quota, created, updated)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                id,
                community_id,
                name,
                technical_name,
                int(active),
                uploads_use,
                uploads_quota,
                annexes_use,
                annexes_quota,
                created,
                updated or created,
            ),
        )

    def add_datastore_storage(self, datastore_id: str, storage_id: str, *, use: int, quota: int) -> None:
        self._exec(
            "INSERT INTO datastore_storages (datastore_id, storage_id, use, quota) VALUES (?, ?, ?, ?)",
            (datastore_id, storage_id, use, quota),
        )

    def add_datastore_endpoint(self, datastore_id: str, endpoint_id: str, *, use: int, quota: int) -> None:
        self._exec(
            "INSERT INTO datastore_endpoints (datastore_id, endpoint_id, use, quota) VALUES (?, ?, ?, ?)",
            (datastore_id, endpoint_id, use, quota),
        )

    def datastore(self, datastore_id: str) -> Datastore | None:
        row = self._one("SELECT * FROM datastores WHERE id = ?", (datastore_id,))
        if row is None:
            return None
        storages = tuple(
            StorageUse(
                id=r["id"],
                name=r["name"],
                type=r["type"],
                labels=tuple(_loads(r["labels"], [])),
                use=r["use"],
                quota=r["quota"],
            )
            for r in self._all(
                """SELECT s.*, ds.use, ds.quota FROM datastore_storages ds
                   JOIN storages s ON s.id = ds.storage_id
                   WHERE ds.datastore_id = ?
                   ORDER BY CASE s.type WHEN 'POSTGRESQL' THEN 0 WHEN 'S3' THEN 1 ELSE 2 END, s.name""",
                (datastore_id,),
            )
        )
        endpoints = tuple(
            EndpointUse(
                id=r["id"],
                name=r["name"],
                technical_name=r["technical_name"],
                type=r["type"],
                open=bool(r["open"]),
                urls=tuple(_loads(r["urls"], [])),
                use=r["use"],
                quota=r["quota"],
            )
            for r in self._all(
                """SELECT e.*, de.use, de.quota FROM datastore_endpoints de
                   JOIN endpoints e ON e.id = de.endpoint_id
                   WHERE de.datastore_id = ? ORDER BY de.rowid""",
                (datastore_id,),
            )
        )
        return Datastore(
            id=row["id"],
            community_id=row["community_id"],
            name=row["name"],
            technical_name=row["technical_name"],
            active=bool(row["active"]),
            uploads_use=row["uploads_use"],
            uploads_quota=row["uploads_quota"],
            annexes_use=row["annexes_use"],
            annexes_quota=row["annexes_quota"],
            created=row["created"],
            updated=row["updated"],
            storages=storages,
            endpoints=endpoints,
        )

    # sessions and tokens

    def create_session(
        self, *, id: str, user_id: str, client_id: str, created: float, expires: float
    ) -> None:
        self._exec(
            "INSERT INTO sessions (id, user_id, client_id, created, expires) VALUES (?, ?, ?, ?, ?)",
            (id, user_id, client_id, created, expires),
        )

    def session(self, session_id: str) -> Session | None:
        row = self._one("SELECT * FROM sessions WHERE id = ?", (session_id,))
        return None if row is None else Session.from_row(row)

    def touch_session(self, session_id: str, when: float) -> None:
        self._exec("UPDATE sessions SET last_refresh = ? WHERE id = ?", (when, session_id))

    def end_session(self, session_id: str, *, when: float, reason: str) -> bool:
        """End an active session; False if it was already over (or unknown)."""
        return (
            self._exec(
                "UPDATE sessions SET ended = ?, end_reason = ? WHERE id = ? AND ended IS NULL",
                (when, reason, session_id),
            )
            > 0
        )

    def active_session_count(self, now: float) -> int:
        row = self._one("SELECT count(*) FROM sessions WHERE ended IS NULL AND expires > ?", (now,))
        return int(row[0]) if row else 0

    def add_refresh_token(self, *, jti: str, session_id: str, issued: float, expires: float) -> None:
        self._exec(
            "INSERT INTO refresh_tokens (jti, session_id, issued, expires) VALUES (?, ?, ?, ?)",
            (jti, session_id, issued, expires),
        )

    def refresh_token(self, jti: str) -> RefreshRecord | None:
        row = self._one("SELECT * FROM refresh_tokens WHERE jti = ?", (jti,))
        if row is None:
            return None
        return RefreshRecord(
            jti=row["jti"],
            session_id=row["session_id"],
            issued=row["issued"],
            expires=row["expires"],
            used=row["used"],
        )

    def use_refresh_token(self, jti: str, when: float) -> bool:
        """Mark a refresh token used; False if it already was."""
        return (
            self._exec("UPDATE refresh_tokens SET used = ? WHERE jti = ? AND used IS NULL", (when, jti)) > 0
        )

    def revoke_access_token(self, jti: str, expires: float) -> None:
        self._exec("INSERT OR IGNORE INTO revoked_tokens (jti, expires) VALUES (?, ?)", (jti, expires))

    def is_access_token_revoked(self, jti: str) -> bool:
        return self._one("SELECT 1 FROM revoked_tokens WHERE jti = ?", (jti,)) is not None

    def purge_expired(self, now: float, *, grace: float = 86400.0) -> None:
        """Forget tokens and sessions that ended more than ``grace`` seconds ago."""
        cutoff = now - grace
        with self.transaction():
            self._exec("DELETE FROM revoked_tokens WHERE expires < ?", (cutoff,))
            self._exec(
                "DELETE FROM sessions WHERE expires < ? OR (ended IS NOT NULL AND ended < ?)",
                (cutoff, cutoff),
            )
            self._exec("DELETE FROM refresh_tokens WHERE expires < ?", (cutoff,))
