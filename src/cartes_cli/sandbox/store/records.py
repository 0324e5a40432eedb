"""The sandbox's records: what the repositories read and write, as frozen dataclasses."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

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


def json_column(text: str | None, default: Any) -> Any:
    """A JSON column's value; ``default`` for NULL or an empty text."""
    if not text:
        return default
    if text == "{}":  # most requests' answers: json.loads costs more than the rest of the row
        return {}
    return json.loads(text)


_RIGHTS_READ: dict[str, tuple[str, ...]] = {}


def rights_column(text: str | None) -> tuple[str, ...] | None:
    """A rights column (a JSON array of names) as a tuple; None for NULL or an empty text. The
    same few texts come back on every row of a page of members or requests: each is parsed once
    (a tuple of strings can be shared)."""
    if not text:
        return None
    rights = _RIGHTS_READ.get(text)
    if rights is None:
        rights = tuple(str(name) for name in json.loads(text))
        if len(_RIGHTS_READ) < 512:
            _RIGHTS_READ[text] = rights
    return rights


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
            required_actions=tuple(json_column(row["required_actions"], [])),
            totp_secret=row["totp_secret"],
            administrator=bool(row["administrator"]),
            technical=bool(row["technical"]),
            documents_quota=row["documents_quota"],
            documents_use=row["documents_use"],
            keys_quota=row["keys_quota"],
            keys_use=row["keys_use"],
            attributes=json_column(row["attributes"], {}),
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
            grant_types=tuple(json_column(row["grant_types"], [])),
            redirect_uris=tuple(json_column(row["redirect_uris"], [])),
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
            rights=rights_column(row["rights"]) or (),
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
        return cls(
            id=row["id"],
            type=row["type"],
            status=row["status"],
            requester=UserRef(row["u_id"], row["u_email"], row["u_first_name"], row["u_last_name"]),
            community=community,
            message=row["message"],
            answers=json_column(row["answers"], None),
            name=row["name"],
            technical_name=row["technical_name"],
            description=row["description"],
            offer=row["offer"],
            public=None if row["public"] is None else bool(row["public"]),
            justification=row["justification"],
            rights=rights_column(row["rights"]),
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
