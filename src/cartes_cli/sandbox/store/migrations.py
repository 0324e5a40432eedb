"""The sandbox database's schema, as append-only migrations.

``MIGRATIONS[n]`` takes a database from version ``n`` to ``n + 1`` (``PRAGMA user_version``). Never
edit a released migration; add a new one.
"""

from __future__ import annotations


class SchemaError(RuntimeError):
    """The database cannot be used by this version of the sandbox."""


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

_V6 = """
-- The catalogue's order, covering: a page far down the catalogue is found in the index alone
-- (with OFFSET, SQLite otherwise read every skipped row and its joins: 13 ms a page at 5,000).
CREATE INDEX communities_catalogue ON communities (public, sort_key, technical_name);
"""

_V7 = """
-- A community's members are listed by folded last name, then first name: stored, as the
-- catalogue's sort_key is (sorting on fold() called every row of every page in Python: 2,000
-- members read 40 pages at a time cost 80,000 calls). Kept by every write of a name.
ALTER TABLE users ADD COLUMN sort_last TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN sort_first TEXT NOT NULL DEFAULT '';
UPDATE users SET sort_last = fold(last_name), sort_first = fold(first_name);
"""

_V8 = """
-- A page of a community's members is a range of one index: the members' sort keys (migration 7)
-- are copied into memberships and indexed after the community, in the listing's order. Before,
-- every page joined and sorted all the community's members: 11 ms for the first page of 5,000,
-- 27 for the last. The triggers keep the copy whatever statement writes: a new membership takes
-- its user's keys, a renamed user's memberships take the new ones.
ALTER TABLE memberships ADD COLUMN sort_last TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN sort_first TEXT NOT NULL DEFAULT '';
UPDATE memberships
SET sort_last = coalesce((SELECT sort_last FROM users WHERE id = memberships.user_id), ''),
    sort_first = coalesce((SELECT sort_first FROM users WHERE id = memberships.user_id), '');
CREATE INDEX memberships_order ON memberships (community_id, sort_last, sort_first, user_id);

CREATE TRIGGER memberships_take_sort_keys AFTER INSERT ON memberships
BEGIN
    UPDATE memberships
    SET sort_last = coalesce((SELECT sort_last FROM users WHERE id = NEW.user_id), ''),
        sort_first = coalesce((SELECT sort_first FROM users WHERE id = NEW.user_id), '')
    WHERE community_id = NEW.community_id AND user_id = NEW.user_id;
END;

CREATE TRIGGER users_sort_keys_to_memberships AFTER UPDATE OF sort_last, sort_first ON users
WHEN NEW.sort_last IS NOT OLD.sort_last OR NEW.sort_first IS NOT OLD.sort_first
BEGIN
    UPDATE memberships SET sort_last = NEW.sort_last, sort_first = NEW.sort_first
    WHERE user_id = NEW.id;
END;
"""

_V9 = """
-- Requests in one status, in creation (rowid) order: an index entry is (status, rowid), so the
-- pages of a listing by status (the incoming pending requests) are counted and picked in a range
-- of this index, bounded by the listing's snapshot (rowid <= until). With requests_status
-- (status, type) the rowids of a status are not in order: each page of 10,000 pending requests
-- sorted them all (2 to 5 ms) and counted them with no bound on the range (2.3 ms).
CREATE INDEX requests_status_seq ON requests (status);
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8, _V9)
SCHEMA_VERSION = len(MIGRATIONS)
