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

_V2 = """
-- Browser (authorization code + PKCE) and device logins, service accounts, brokered identities,
-- and the sandbox-only request workflow with its outbox.

ALTER TABLE clients ADD COLUMN pkce_method TEXT;    -- 'S256': PKCE required for the code flow

UPDATE clients
SET grant_types = '["password", "refresh_token", "authorization_code", '
                  || '"urn:ietf:params:oauth:grant-type:device_code"]',
    redirect_uris = '["http://127.0.0.1/*", "http://localhost/*", "http://[::1]/*"]',
    pkce_method = 'S256'
WHERE client_id = 'cartes-gouv-public';

INSERT INTO clients (client_id, name, public, grant_types, redirect_uris, pkce_method, created) VALUES
    ('cartes-cli', 'cartes (ligne de commande)', 1,
     '["authorization_code", "urn:ietf:params:oauth:grant-type:device_code", "refresh_token", "password"]',
     '["http://127.0.0.1/*", "http://localhost/*", "http://[::1]/*"]', 'S256', '2026-01-01T00:00:00Z');

-- A person's identity at a brokered provider (FranceConnect, ProConnect) linked to a user
-- (Keycloak's FEDERATED_IDENTITY).
CREATE TABLE federated_identities (
    provider TEXT NOT NULL,
    subject  TEXT NOT NULL,                         -- the provider's "sub"
    user_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created  TEXT NOT NULL,
    PRIMARY KEY (provider, subject),
    UNIQUE (provider, user_id)
);

-- What a community asks of people who want to join (GET /communities/{c}/join_form).
CREATE TABLE join_forms (
    community_id TEXT PRIMARY KEY REFERENCES communities(id) ON DELETE CASCADE,
    fields       TEXT NOT NULL,                     -- JSON list of {name, title, type, constraints}
    updated      TEXT NOT NULL
);

-- Join and datastore requests. Creation order is the rowid order.
CREATE TABLE requests (
    id             TEXT PRIMARY KEY,
    type           TEXT NOT NULL CHECK (type IN ('join', 'datastore')),
    status         TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'cancelled')),
    requester_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    community_id   TEXT REFERENCES communities(id) ON DELETE SET NULL,
    message        TEXT,
    answers        TEXT,                            -- JSON object (join)
    name           TEXT,                            -- datastore requests from here on
    technical_name TEXT,
    description    TEXT,
    offer          TEXT,
    public         INTEGER,
    justification  TEXT,
    rights         TEXT,                            -- JSON list, once a join is accepted
    reason         TEXT,                            -- why it was rejected
    decided_by     TEXT REFERENCES users(id) ON DELETE SET NULL,
    created        TEXT NOT NULL,
    updated        TEXT NOT NULL
);
CREATE INDEX requests_status ON requests (status, type);
CREATE INDEX requests_community ON requests (community_id, status);
CREATE INDEX requests_requester ON requests (requester_id);
CREATE UNIQUE INDEX requests_one_pending_join ON requests (requester_id, community_id)
    WHERE type = 'join' AND status = 'pending';
CREATE UNIQUE INDEX requests_pending_technical_name ON requests (technical_name COLLATE NOCASE)
    WHERE type = 'datastore' AND status = 'pending';

-- Every e-mail the platform would have sent.
CREATE TABLE outbox (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    id      TEXT NOT NULL UNIQUE,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body    TEXT NOT NULL,
    related TEXT,                                   -- the request it is about
    created TEXT NOT NULL
);
CREATE INDEX outbox_related ON outbox (related);
CREATE INDEX outbox_to ON outbox (to_addr COLLATE NOCASE);
"""

_V3 = """
-- Accounts: sign-up with e-mail verification, password renewal and history, TOTP set-up.

ALTER TABLE users ADD COLUMN previous_password_hash TEXT;  -- the password before the current one
ALTER TABLE users ADD COLUMN totp_pending TEXT;            -- base32 seed being set up, not active yet

-- password_changed (ISO date) now drives the yearly renewal. Until this version it was only ever
-- the creation date: forget it, so that existing accounts do not all expire at once. NULL means
-- "age unknown": such a password never expires.
UPDATE users SET password_changed = NULL;

-- Apart from users: photos are large and seldom read.
CREATE TABLE user_photos (
    user_id  TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    data_url TEXT NOT NULL,                         -- data:image/png;base64,… (≤ 1 MiB decoded)
    updated  TEXT NOT NULL
);

-- The pending e-mail verification code of an account (one at a time). Times are epoch seconds.
CREATE TABLE email_verifications (
    user_id   TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    email     TEXT NOT NULL COLLATE NOCASE,         -- the address the code was sent to
    code_hash TEXT NOT NULL,
    created   REAL NOT NULL,
    expires   REAL NOT NULL,
    failures  INTEGER NOT NULL DEFAULT 0
);
"""

_V4 = """
-- The realm's clients as the real Géoplateforme registers them (docs/design.md, "The real OIDC
-- clients"), so that every test meets the refusals production gives:
-- * gpf-warehouse is confidential (IGN's SDK and user guide send its secret; here the sandbox's
--   demo secret, platforms.SANDBOX_WAREHOUSE_SECRET), with the Swagger UI's page as its only
--   redirect; a redirect pattern starting with '/' is a path on this server's own origin;
-- * cartes-gouv-public is the documentation site's keycloak-js client: the code flow only, its
--   own pages as redirects; no direct grant, no device grant, no loopback;
-- * cartes-cli is the public client we would ask IGN to register for cartes: loopback redirects
--   and the device grant, no password grant (passwords go through gpf-warehouse, as on prod).
UPDATE clients
SET public = 0,
    secret_hash = 'sha256$86608bbac1ff37610bbcb6845b732f98b3ee41f988d8e3c2319efbeb15934890',
    grant_types = '["password", "refresh_token", "authorization_code"]',
    redirect_uris = '["/swagger-ui/oauth2-redirect.html"]',
    pkce_method = NULL
WHERE client_id = 'gpf-warehouse';

UPDATE clients
SET grant_types = '["authorization_code", "refresh_token"]',
    redirect_uris = '["https://cartes.gouv.fr/*"]',
    pkce_method = 'S256'
WHERE client_id = 'cartes-gouv-public';

UPDATE clients
SET grant_types = '["authorization_code", "urn:ietf:params:oauth:grant-type:device_code", "refresh_token"]'
WHERE client_id = 'cartes-cli';
"""

_V5 = """
-- The Entrepôt creates its user at their first GET /users/me; before that a Keycloak account is
-- unknown to the API (a member cannot be added). When that first call happened; NULL: never.
ALTER TABLE users ADD COLUMN entrepot_since TEXT;

-- Every account of an existing database was usable before this rule: known from its creation.
UPDATE users SET entrepot_since = created;
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4, _V5)
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
    password_changed: str | None = None
    """When the password was last set (ISO); None: unknown, the password never expires."""
    previous_password_hash: str | None = None
    totp_pending: str | None = None
    """A TOTP seed being set up (not yet confirmed with a code)."""
    entrepot_since: str | None = None
    """When the user first called ``GET /users/me`` (which creates the Entrepôt user); None:
    never, and the API does not know them yet."""

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
            password_changed=row["password_changed"],
            previous_password_hash=row["previous_password_hash"],
            totp_pending=row["totp_pending"],
            entrepot_since=row["entrepot_since"],
        )


@dataclass(frozen=True, slots=True)
class Verification:
    """A pending e-mail verification code (only its hash)."""

    user_id: str
    email: str
    code_hash: str
    created: float
    expires: float
    failures: int


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
    pkce_method: str | None = None
    """``S256``: the authorization-code flow requires PKCE with this method."""

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
            pkce_method=row["pkce_method"],
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


REQUEST_TYPES = ("join", "datastore")
REQUEST_STATUSES = ("pending", "accepted", "rejected", "cancelled")


@dataclass(frozen=True, slots=True)
class UserRef:
    id: str
    email: str
    first_name: str
    last_name: str


@dataclass(frozen=True, slots=True)
class CommunityRef:
    id: str
    name: str
    technical_name: str
    contact: str
    supervisor_id: str


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """A join or datastore request, with its requester, community and decider resolved."""

    id: str
    type: str
    status: str
    requester: UserRef
    community: CommunityRef | None
    message: str | None
    answers: dict[str, Any] | None
    name: str | None
    technical_name: str | None
    description: str | None
    offer: str | None
    public: bool | None
    justification: str | None
    rights: tuple[str, ...] | None
    reason: str | None
    decided_by: UserRef | None
    created: str
    updated: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> RequestRecord:
        community = None
        if row["c_id"] is not None:
            community = CommunityRef(
                id=row["c_id"],
                name=row["c_name"],
                technical_name=row["c_technical_name"],
                contact=row["c_contact"],
                supervisor_id=row["c_supervisor_id"],
            )
        decided_by = None
        if row["d_id"] is not None:
            decided_by = UserRef(row["d_id"], row["d_email"], row["d_first_name"], row["d_last_name"])
        rights = _loads(row["rights"], None)
        return cls(
            id=row["id"],
            type=row["type"],
            status=row["status"],
            requester=UserRef(row["u_id"], row["u_email"], row["u_first_name"], row["u_last_name"]),
            community=community,
            message=row["message"],
            answers=_loads(row["answers"], None),
            name=row["name"],
            technical_name=row["technical_name"],
            description=row["description"],
            offer=row["offer"],
            public=None if row["public"] is None else bool(row["public"]),
            justification=row["justification"],
            rights=None if rights is None else tuple(rights),
            reason=row["reason"],
            decided_by=decided_by,
            created=row["created"],
            updated=row["updated"],
        )


@dataclass(frozen=True, slots=True)
class RequestPage:
    """A page of :meth:`Store.request_page`: the records, their sequence numbers (keyset), the
    matching total, how many came before the page, and whether more follow."""

    records: list[RequestRecord]
    seqs: list[int]
    total: int
    position: int
    more: bool


@dataclass(frozen=True, slots=True)
class Mail:
    id: str
    to: str
    subject: str
    body: str
    related: str | None
    created: str
    seq: int = 0


@dataclass(frozen=True, slots=True)
class Member:
    user: UserRef
    rights: tuple[str, ...]
    created: str
    updated: str


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
            conn.create_function("fold", 1, fold, deterministic=True)
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
        for table in (
            "users",
            "communities",
            "memberships",
            "datastores",
            "sessions",
            "requests",
            "outbox",
            "federated_identities",
            "email_verifications",
        ):
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
        password_changed: str | None = None,
        entrepot_user: bool = True,
    ) -> None:
        """``password_changed`` None: the password's age is unknown and it never expires.
        ``entrepot_user`` False: the user has never called ``GET /users/me`` (the API does not
        know them yet); otherwise they count as known since ``created``."""
        self._exec(
            """INSERT INTO users (id, username, email, first_name, last_name, password_hash, enabled,
                   email_verified, required_actions, totp_secret, administrator, technical,
                   documents_quota, documents_use, keys_quota, keys_use, attributes,
                   password_changed, created, updated, last_login, entrepot_since)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
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
                password_changed,
                created,
                updated or created,
                last_login,
                created if entrepot_user else None,
            ),
        )

    def user(self, user_id: str) -> User | None:
        row = self._one("SELECT * FROM users WHERE id = ?", (user_id,))
        return None if row is None else User.from_row(row)

    def user_by_login(self, login: str) -> User | None:
        """By username or e-mail, case-insensitively (as Keycloak's direct grant)."""
        row = self._one("SELECT * FROM users WHERE username = ? OR email = ?", (login, login))
        return None if row is None else User.from_row(row)

    def set_entrepot_since(self, user_id: str, when: str) -> None:
        """Record the user's first ``GET /users/me`` (later calls change nothing)."""
        self._exec(
            "UPDATE users SET entrepot_since = ? WHERE id = ? AND entrepot_since IS NULL", (when, user_id)
        )

    def set_last_login(self, user_id: str, when: str) -> None:
        self._exec("UPDATE users SET last_login = ? WHERE id = ?", (when, user_id))

    def user_by_email(self, email: str) -> User | None:
        row = self._one("SELECT * FROM users WHERE email = ?", (email,))
        return None if row is None else User.from_row(row)

    _USER_COLUMNS = frozenset(
        {
            "email",
            "first_name",
            "last_name",
            "password_hash",
            "previous_password_hash",
            "password_changed",
            "email_verified",
            "required_actions",
            "totp_secret",
            "totp_pending",
            "attributes",
        }
    )

    def update_user(self, user_id: str, changes: dict[str, Any], when: str) -> None:
        """Set some of the account's columns (``_USER_COLUMNS``) and its ``updated`` date."""
        unknown = set(changes) - self._USER_COLUMNS
        if unknown:
            raise ValueError(f"not updatable: {', '.join(sorted(unknown))}")
        values: dict[str, Any] = dict(changes)
        if "required_actions" in values:
            values["required_actions"] = json.dumps(list(values["required_actions"]))
        if "attributes" in values:
            values["attributes"] = json.dumps(values["attributes"], ensure_ascii=False)
        if "email_verified" in values:
            values["email_verified"] = int(bool(values["email_verified"]))
        assignments = "".join(f"{name} = ?, " for name in values)
        self._exec(
            f"UPDATE users SET {assignments}updated = ? WHERE id = ?",  # noqa: S608 - fixed column names
            [*values.values(), when, user_id],
        )

    def user_photo(self, user_id: str) -> str | None:
        row = self._one("SELECT data_url FROM user_photos WHERE user_id = ?", (user_id,))
        return None if row is None else str(row["data_url"])

    def set_user_photo(self, user_id: str, data_url: str | None, when: str) -> None:
        """Store (or, with None, remove) the account's photo."""
        if data_url is None:
            self._exec("DELETE FROM user_photos WHERE user_id = ?", (user_id,))
            return
        self._exec(
            """INSERT INTO user_photos (user_id, data_url, updated) VALUES (?, ?, ?)
               ON CONFLICT (user_id)
               DO UPDATE SET data_url = excluded.data_url, updated = excluded.updated""",
            (user_id, data_url, when),
        )

    # e-mail verification codes

    def set_verification(
        self, *, user_id: str, email: str, code_hash: str, created: float, expires: float
    ) -> None:
        """The account's (new) pending code; any previous one stops working."""
        self._exec(
            """INSERT INTO email_verifications (user_id, email, code_hash, created, expires, failures)
               VALUES (?, ?, ?, ?, ?, 0)
               ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, code_hash = excluded.code_hash,
                   created = excluded.created, expires = excluded.expires, failures = 0""",
            (user_id, email, code_hash, created, expires),
        )

    def verification(self, user_id: str) -> Verification | None:
        row = self._one("SELECT * FROM email_verifications WHERE user_id = ?", (user_id,))
        if row is None:
            return None
        return Verification(
            user_id=row["user_id"],
            email=row["email"],
            code_hash=row["code_hash"],
            created=row["created"],
            expires=row["expires"],
            failures=row["failures"],
        )

    def count_verification_failure(self, user_id: str) -> int:
        """One more wrong code; the number of failures so far."""
        self._exec("UPDATE email_verifications SET failures = failures + 1 WHERE user_id = ?", (user_id,))
        found = self.verification(user_id)
        return found.failures if found else 0

    def delete_verification(self, user_id: str) -> None:
        self._exec("DELETE FROM email_verifications WHERE user_id = ?", (user_id,))

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
        pkce_method: str | None = None,
    ) -> None:
        """A public client (no ``secret_hash``) or a confidential one."""
        self._exec(
            """INSERT INTO clients (client_id, name, public, secret_hash, grant_types, redirect_uris,
                   service_account, pkce_method, created)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                client_id,
                name,
                int(secret_hash is None),
                secret_hash,
                json.dumps(list(grant_types)),
                json.dumps(list(redirect_uris)),
                service_account,
                pkce_method,
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

    def first_storage_id(self, storage_type: str) -> str | None:
        row = self._one("SELECT id FROM storages WHERE type = ? ORDER BY name LIMIT 1", (storage_type,))
        return None if row is None else str(row["id"])

    def endpoint_id(self, technical_name: str) -> str | None:
        row = self._one("SELECT id FROM endpoints WHERE technical_name = ?", (technical_name,))
        return None if row is None else str(row["id"])

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

    # brokered identities

    def federated_user(self, provider: str, subject: str) -> str | None:
        """The user linked to ``subject`` at ``provider``, if any."""
        row = self._one(
            "SELECT user_id FROM federated_identities WHERE provider = ? AND subject = ?", (provider, subject)
        )
        return None if row is None else str(row["user_id"])

    def link_identity(self, provider: str, subject: str, user_id: str, when: str) -> None:
        self._exec(
            "INSERT INTO federated_identities (provider, subject, user_id, created) VALUES (?, ?, ?, ?)",
            (provider, subject, user_id, when),
        )

    def username_taken(self, username: str) -> bool:
        return self._one("SELECT 1 FROM users WHERE username = ?", (username,)) is not None

    def email_taken(self, email: str) -> bool:
        return self._one("SELECT 1 FROM users WHERE email = ?", (email,)) is not None

    # communities: lookups, edits, members

    def community_by_technical_name(self, technical_name: str) -> Community | None:
        row = self._one(_COMMUNITY_SELECT + " WHERE c.technical_name = ?", (technical_name,))
        return None if row is None else Community.from_row(row)

    def technical_name_taken(self, technical_name: str) -> bool:
        """Used by a community, or claimed by a pending datastore request (case-insensitive)."""
        return (
            self._one("SELECT 1 FROM communities WHERE technical_name = ?", (technical_name,)) is not None
            or self._one(
                "SELECT 1 FROM requests WHERE type = 'datastore' AND status = 'pending' "
                "AND technical_name = ? COLLATE NOCASE",
                (technical_name,),
            )
            is not None
        )

    def update_community(self, community_id: str, changes: dict[str, Any], when: str) -> None:
        """Apply ``changes`` (name, description, contact, public, supervisor_id) to a community."""
        allowed = ("name", "description", "contact", "public", "supervisor_id")
        columns = {k: v for k, v in changes.items() if k in allowed}
        if "name" in columns:
            columns["sort_key"] = fold(str(columns["name"]))
        if "public" in columns:
            columns["public"] = int(bool(columns["public"]))
        assignments = ", ".join(f"{name} = ?" for name in columns)
        sets = f"{assignments}, updated = ?" if assignments else "updated = ?"
        self._exec(
            f"UPDATE communities SET {sets} WHERE id = ?",  # noqa: S608 - fixed column names
            [*columns.values(), when, community_id],
        )

    def members(
        self, community_id: str, *, offset: int, limit: int, rights: Sequence[str] = ()
    ) -> tuple[list[Member], int]:
        """One page of a community's members (sorted by last name), optionally holding all ``rights``."""
        where = "WHERE m.community_id = ?"
        params: list[Any] = [community_id]
        for right in rights:
            where += " AND instr(m.rights, ?) > 0"
            params.append(json.dumps(right))
        total_row = self._one(f"SELECT count(*) FROM memberships m {where}", params)  # noqa: S608
        rows = self._all(
            f"""SELECT m.rights, m.created, m.updated, u.id, u.email, u.first_name, u.last_name
                FROM memberships m JOIN users u ON u.id = m.user_id
                {where}
                ORDER BY fold(u.last_name), fold(u.first_name), u.id
                LIMIT ? OFFSET ?""",  # noqa: S608 - fixed SQL fragments
            [*params, limit, offset],
        )
        members = [
            Member(
                user=UserRef(r["id"], r["email"], r["first_name"], r["last_name"]),
                rights=tuple(_loads(r["rights"], [])),
                created=r["created"],
                updated=r["updated"],
            )
            for r in rows
        ]
        return members, int(total_row[0]) if total_row else 0

    def delete_membership(self, community_id: str, user_id: str) -> bool:
        return (
            self._exec(
                "DELETE FROM memberships WHERE community_id = ? AND user_id = ?", (community_id, user_id)
            )
            > 0
        )

    # join forms

    def join_form(self, community_id: str) -> list[dict[str, Any]] | None:
        row = self._one("SELECT fields FROM join_forms WHERE community_id = ?", (community_id,))
        return None if row is None else list(_loads(row["fields"], []))

    def set_join_form(self, community_id: str, fields: Sequence[dict[str, Any]], when: str) -> None:
        self._exec(
            """INSERT INTO join_forms (community_id, fields, updated) VALUES (?, ?, ?)
               ON CONFLICT (community_id)
               DO UPDATE SET fields = excluded.fields, updated = excluded.updated""",
            (community_id, json.dumps(list(fields), ensure_ascii=False), when),
        )

    # requests

    def insert_request(
        self,
        *,
        id: str,
        type: str,
        requester_id: str,
        created: str,
        status: str = "pending",
        community_id: str | None = None,
        message: str | None = None,
        answers: dict[str, Any] | None = None,
        name: str | None = None,
        technical_name: str | None = None,
        description: str | None = None,
        offer: str | None = None,
        public: bool | None = None,
        justification: str | None = None,
        rights: Sequence[str] | None = None,
        reason: str | None = None,
        decided_by: str | None = None,
        updated: str | None = None,
    ) -> None:
        """Insert a request; a duplicate pending join or technical name raises sqlite3.IntegrityError."""
        self._exec(
            """INSERT INTO requests (id, type, status, requester_id, community_id, message, answers, name,
                   technical_name, description, offer, public, justification, rights, reason, decided_by,
                   created, updated)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                id,
                type,
                status,
                requester_id,
                community_id,
                message,
                None if answers is None else json.dumps(answers, ensure_ascii=False),
                name,
                technical_name,
                description,
                offer,
                None if public is None else int(public),
                justification,
                None if rights is None else json.dumps(canonical_rights(rights)),
                reason,
                decided_by,
                created,
                updated or created,
            ),
        )

    def insert_pending_joins(self, rows: Sequence[tuple[str, str, str, str | None, str]]) -> None:
        """Many pending join requests at once: ``(id, requester_id, community_id, message, created)``."""
        self._conn.executemany(
            """INSERT INTO requests (id, type, status, requester_id, community_id, message, answers,
                   created, updated)
               VALUES (?, 'join', 'pending', ?, ?, ?, '{}', ?, ?)""",
            [(i, u, c, m, when, when) for i, u, c, m, when in rows],
        )

    def request(self, request_id: str) -> RequestRecord | None:
        row = self._one(_REQUEST_SELECT + " WHERE r.id = ?", (request_id,))
        return None if row is None else RequestRecord.from_row(row)

    def request_page(
        self,
        *,
        offset: int = 0,
        limit: int,
        after: int | None = None,
        until: int | None = None,
        requester_id: str | None = None,
        community_id: str | None = None,
        managed_by: str | None = None,
        statuses: Sequence[str] = (),
        type: str | None = None,
    ) -> RequestPage:
        """One page of requests, oldest first (``rowid`` order), by offset or by keyset.
        ``managed_by``: only requests to the communities where that user holds the COMMUNITY right.

        ``after``/``until`` bound the sequence numbers (``after < seq <= until``): a listing that
        continues after its last row is not shifted by rows that leave the filter meanwhile (a
        decided request is no longer pending), and rows created after ``until`` stay out of it.
        ``total`` counts the matching rows up to ``until``; ``position`` those at or before
        ``after`` (what came before this page); ``more``: rows follow this page up to ``until``.
        """
        clauses: list[str] = []
        params: list[Any] = []
        if requester_id is not None:
            clauses.append("r.requester_id = ?")
            params.append(requester_id)
        if community_id is not None:
            clauses.append("r.community_id = ?")
            params.append(community_id)
        if managed_by is not None:
            clauses.append(
                "r.community_id IN (SELECT community_id FROM memberships "
                "WHERE user_id = ? AND instr(rights, '\"COMMUNITY\"') > 0)"
            )
            params.append(managed_by)
        if statuses:
            clauses.append(f"r.status IN ({', '.join('?' * len(statuses))})")
            params.extend(statuses)
        if type is not None:
            clauses.append("r.type = ?")
            params.append(type)
        if until is not None:
            clauses.append("r.rowid <= ?")
            params.append(until)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        counted = self._one(
            f"SELECT count(*), coalesce(sum(r.rowid <= ?), 0) FROM requests r {where}",  # noqa: S608
            [after if after is not None else 0, *params],
        )
        total, position = (int(counted[0]), int(counted[1])) if counted else (0, 0)
        if after is not None:
            where = ("WHERE " + " AND ".join([*clauses, "r.rowid > ?"])) if clauses else "WHERE r.rowid > ?"
            params.append(after)
            offset = 0
        rows = self._all(
            f"{_REQUEST_SELECT_WITH_SEQ} {where} ORDER BY r.rowid LIMIT ? OFFSET ?",
            [*params, limit + 1, offset],
        )
        more = len(rows) > limit
        rows = rows[:limit]
        return RequestPage(
            records=[RequestRecord.from_row(r) for r in rows],
            seqs=[int(r["seq"]) for r in rows],
            total=total,
            position=position if after is not None else offset,
            more=more,
        )

    def last_request_seq(self) -> int:
        """The newest request's sequence number (0 when there is none): the bound of a snapshot."""
        row = self._one("SELECT coalesce(max(rowid), 0) FROM requests")
        return int(row[0]) if row else 0

    def manages_any(self, user_id: str) -> bool:
        """Holds the COMMUNITY right somewhere."""
        row = self._one(
            "SELECT 1 FROM memberships WHERE user_id = ? AND instr(rights, '\"COMMUNITY\"') > 0 LIMIT 1",
            (user_id,),
        )
        return row is not None

    def has_pending_join(self, requester_id: str, community_id: str) -> bool:
        return (
            self._one(
                "SELECT 1 FROM requests WHERE type = 'join' AND status = 'pending' "
                "AND requester_id = ? AND community_id = ?",
                (requester_id, community_id),
            )
            is not None
        )

    def transition_request(
        self,
        request_id: str,
        *,
        to: str,
        when: str,
        decided_by: str | None = None,
        rights: Sequence[str] | None = None,
        reason: str | None = None,
        community_id: str | None = None,
    ) -> bool:
        """Move a *pending* request to ``to``; False if it was not pending any more (nothing changed)."""
        return (
            self._exec(
                """UPDATE requests SET status = ?, updated = ?, decided_by = ?, rights = ?, reason = ?,
                       community_id = coalesce(?, community_id)
                   WHERE id = ? AND status = 'pending'""",
                (
                    to,
                    when,
                    decided_by,
                    None if rights is None else json.dumps(canonical_rights(rights)),
                    reason,
                    community_id,
                    request_id,
                ),
            )
            == 1
        )

    # outbox

    def add_mail(self, mail: Mail) -> None:
        self._exec(
            "INSERT INTO outbox (id, to_addr, subject, body, related, created) VALUES (?, ?, ?, ?, ?, ?)",
            (mail.id, mail.to, mail.subject, mail.body, mail.related, mail.created),
        )

    def mails(self, *, limit: int, to: str | None = None, related: str | None = None) -> list[Mail]:
        """The most recent ``limit`` e-mails matching the filters, oldest first."""
        clauses: list[str] = []
        params: list[Any] = []
        if to:
            clauses.append("to_addr = ? COLLATE NOCASE")
            params.append(to)
        if related:
            clauses.append("related = ?")
            params.append(related)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._all(
            f"SELECT * FROM (SELECT * FROM outbox {where} ORDER BY seq DESC LIMIT ?) ORDER BY seq",  # noqa: S608
            [*params, limit],
        )
        return [
            Mail(
                id=r["id"],
                to=r["to_addr"],
                subject=r["subject"],
                body=r["body"],
                related=r["related"],
                created=r["created"],
                seq=r["seq"],
            )
            for r in rows
        ]

    def clear_outbox(self) -> int:
        return self._exec("DELETE FROM outbox")

    # bulk fixtures

    def insert_fixture_users(
        self, rows: Sequence[tuple[str, str, str, str, str, str]], password_hash: str
    ) -> None:
        """Many plain users at once: ``(id, username, email, first_name, last_name, created)``.
        They count as known to the Entrepôt (people who asked to join have used it)."""
        self._conn.executemany(
            """INSERT INTO users (id, username, email, first_name, last_name, password_hash, created, updated,
                   entrepot_since)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [(i, u, e, f, last, password_hash, when, when, when) for i, u, e, f, last, when in rows],
        )

    def insert_fixture_communities(
        self, rows: Sequence[tuple[str, str, str, str, str]], supervisor_id: str, when: str
    ) -> None:
        """Many public communities at once: ``(id, name, technical_name, description, contact)``."""
        self._conn.executemany(
            """INSERT INTO communities (id, name, technical_name, description, contact, public,
                   supervisor_id, sort_key, created, updated)
               VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?)""",
            [(i, n, t, d, c, supervisor_id, fold(n), when, when) for i, n, t, d, c in rows],
        )
        rights = json.dumps(list(RIGHTS))
        self._conn.executemany(
            "INSERT INTO memberships (community_id, user_id, rights, created, updated) "
            "VALUES (?, ?, ?, ?, ?)",
            [(row[0], supervisor_id, rights, when, when) for row in rows],
        )


_REQUEST_SELECT = """
SELECT r.*,
       u.id AS u_id, u.email AS u_email, u.first_name AS u_first_name, u.last_name AS u_last_name,
       c.id AS c_id, c.name AS c_name, c.technical_name AS c_technical_name, c.contact AS c_contact,
       c.supervisor_id AS c_supervisor_id,
       d.id AS d_id, d.email AS d_email, d.first_name AS d_first_name, d.last_name AS d_last_name
FROM requests r
JOIN users u ON u.id = r.requester_id
LEFT JOIN communities c ON c.id = r.community_id
LEFT JOIN users d ON d.id = r.decided_by
"""
_REQUEST_SELECT_WITH_SEQ = _REQUEST_SELECT.replace("SELECT r.*,", "SELECT r.rowid AS seq, r.*,", 1)
