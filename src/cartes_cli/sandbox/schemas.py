"""The shapes the sandbox answers with, as pydantic models.

They document the routes in ``/openapi.json`` and let the tests check answers field by field
(``extra="forbid"``: an unexpected field is a failure). The handlers build plain dicts.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(alias="_id", description="uuid")]
Date = Annotated[str, Field(description="ISO 8601, UTC, 'Z' suffix")]
Right = Literal["COMMUNITY", "UPLOAD", "PROCESSING", "BROADCAST", "ANNEX"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# --- errors ----------------------------------------------------------------------------------


class ApiErrorBody(_Model):
    error: str
    error_description: list[str]


class OidcErrorBody(_Model):
    error: str
    error_description: str


# --- Entrepôt API ----------------------------------------------------------------------------


class CommunitySummary(_Model):
    id: Id
    name: str
    technical_name: str
    description: str
    datastore: str | None = Field(None, description="datastore uuid; absent when there is none")
    supervisor: str = Field(description="supervisor's user uuid")
    public: bool
    creation: Date
    update: Date


class MemberOf(_Model):
    rights: list[Right]
    community: CommunitySummary


class UserMe(_Model):
    id: Id
    email: str
    first_name: str
    last_name: str
    creation: Date
    update: Date
    last_login: Date | None
    administrator: bool
    technical: bool
    documents_quota: int
    documents_use: int
    keys_quota: int
    keys_use: int
    communities_member: list[MemberOf]


class OrganizationRef(_Model):
    id: Id
    name: str


class CatalogCommunity(_Model):
    id: Id
    name: str
    technical_name: str
    description: str
    contact: str
    public: Literal[True]
    organization: OrganizationRef | None = None
    creation: Date
    update: Date


class DatastoreRef(_Model):
    id: Id
    name: str
    technical_name: str
    active: bool


class SupervisorRef(_Model):
    id: Id
    first_name: str
    last_name: str
    email: str


class CommunityDetail(_Model):
    id: Id
    name: str
    technical_name: str
    description: str
    contact: str
    public: bool
    organization: OrganizationRef | None = None
    datastore: DatastoreRef | None = Field(None, description="absent when there is none")
    supervisor: SupervisorRef
    creation: Date
    update: Date


class StorageRef(_Model):
    id: Id
    name: str
    type: Literal["POSTGRESQL", "S3", "FILESYSTEM"]
    labels: list[str]


class StorageQuota(_Model):
    storage: StorageRef
    use: int
    quota: int


class Quota(_Model):
    use: int
    quota: int


class Storages(_Model):
    data: list[StorageQuota]
    uploads: Quota
    annexes: Quota


class EndpointUrl(_Model):
    type: str
    url: str


class EndpointRef(_Model):
    id: Id
    name: str
    technical_name: str
    type: str
    open: bool
    urls: list[EndpointUrl]


class EndpointQuota(_Model):
    endpoint: EndpointRef
    use: int
    quota: int


class CommunityRef(_Model):
    id: Id
    name: str
    technical_name: str


class DatastoreDetail(_Model):
    id: Id
    name: str
    technical_name: str
    active: bool
    community: CommunityRef
    storages: Storages
    endpoints: list[EndpointQuota]
    creation: Date
    update: Date


# --- Keycloak --------------------------------------------------------------------------------


class TokenResponse(_Model):
    """A token endpoint success. ``client_credentials`` answers have no refresh token (Keycloak's
    default), no session, and an ID token only when the ``openid`` scope was asked for."""

    access_token: str
    expires_in: int
    refresh_expires_in: int
    refresh_token: str | None = None
    token_type: Literal["Bearer"]
    id_token: str | None = None
    not_before_policy: int = Field(alias="not-before-policy")
    session_state: str | None = None
    scope: str


class DeviceAuthorization(_Model):
    """RFC 8628 §3.2 device authorization response."""

    device_code: str
    user_code: str = Field(description="8 consonants, as 'WDJB-MJHT'")
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: int


class Jwk(_Model):
    kid: str
    kty: Literal["RSA"]
    alg: Literal["RS256"]
    use: Literal["sig"]
    n: str
    e: str


class Jwks(_Model):
    keys: list[Jwk]


class UserInfo(_Model):
    sub: str
    email_verified: bool
    name: str
    preferred_username: str
    given_name: str
    family_name: str
    email: str


class RealmInfo(_Model):
    realm: str
    public_key: str
    token_service: str = Field(alias="token-service")
    account_service: str = Field(alias="account-service")
    tokens_not_before: int = Field(alias="tokens-not-before")


# --- sandbox control -------------------------------------------------------------------------


class Capabilities(_Model):
    sandbox: Literal[True]
    version: str
    schema_version: int
    features: list[str]


class Health(_Model):
    status: Literal["ok"]


class SessionRefreshes(_Model):
    user: str = Field(description="username of the session's account")
    client_id: str
    count: int
    times: list[Date] = Field(description="when each successful refresh grant was answered")


class Stats(_Model):
    started: Date
    uptime_seconds: float
    token_grants: dict[str, int]
    token_errors: dict[str, int]
    refresh_reuse_detected: int
    requests: int
    api_requests: int
    api_errors: int
    active_sessions: int
    refresh_by_session: dict[str, SessionRefreshes] = Field(
        description="successful refresh grants per login session (session_state), since start or reset"
    )


class LogEntry(_Model):
    seq: int = Field(description="answer order, strictly increasing, never reused")
    time: Date
    method: str
    path: str
    status: int
    duration_ms: float


# --- members, join forms, requests (Entrepôt API and sandbox API) ------------------------------


class UserRef(_Model):
    id: Id
    email: str
    first_name: str
    last_name: str


class Member(_Model):
    rights: list[Right]
    user: UserRef
    creation: Date
    update: Date


class MemberRights(_Model):
    rights: list[str] = Field(description="COMMUNITY, UPLOAD, PROCESSING, BROADCAST, ANNEX")


class CommunityPatch(_Model):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=2000)
    contact: str | None = Field(None, max_length=254)
    public: bool | None = None
    supervisor: str | None = Field(None, description="user uuid (supervisor or staff only)")


FieldType = Literal["string", "number", "integer", "boolean", "email"]


class JoinFormConstraints(_Model):
    required: bool | None = None
    minLength: int | None = Field(None, ge=0)
    maxLength: int | None = Field(None, ge=0)
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None


class JoinFormField(_Model):
    name: str
    title: str
    type: FieldType
    constraints: JoinFormConstraints = Field(default_factory=JoinFormConstraints)


class JoinForm(_Model):
    fields: list[JoinFormField]


class CommunityBrief(_Model):
    id: Id
    name: str
    technical_name: str


class RequestBody(_Model):
    id: Id
    type: Literal["join", "datastore"]
    status: Literal["pending", "accepted", "rejected", "cancelled"]
    requester: UserRef
    community: CommunityBrief | None
    message: str | None
    answers: dict[str, str | int | float | bool | None] | None
    name: str | None
    technical_name: str | None
    description: str | None
    offer: Literal["essential", "premium"] | None
    public: bool | None
    justification: str | None
    rights: list[Right] | None
    reason: str | None
    decided_by: UserRef | None
    creation: Date
    update: Date
    unchanged: bool | None = Field(
        default=None, description="Sandbox extension: true when a replayed decision changed nothing."
    )


class NewRequestType(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: Literal["join", "datastore"]


class NewJoinRequest(_Model):
    type: Literal["join"]
    community: str = Field(description="community uuid (or technical name)")
    message: str | None = Field(None, max_length=2000)
    answers: dict[str, str | int | float | bool | None] = Field(default_factory=dict)


class NewDatastoreRequest(_Model):
    type: Literal["datastore"]
    name: str = Field(min_length=10, max_length=100)
    technical_name: str | None = Field(None, description="derived from the name when absent")
    description: str | None = Field(None, max_length=2000)
    offer: Literal["essential", "premium"] = "essential"
    public: bool = False
    justification: str | None = Field(None, max_length=5000, description="at least 50 characters if public")


class AcceptBody(_Model):
    rights: list[str] | None = Field(
        None, description="join only; default UPLOAD, PROCESSING, BROADCAST, ANNEX"
    )


class RejectBody(_Model):
    reason: str | None = Field(None, max_length=2000)


class OutboxMail(_Model):
    id: Id
    to: str
    subject: str
    body: str
    related: str | None = Field(description="the request the e-mail is about")
    creation: Date


class JoinRequestFixture(_Model):
    community: str = Field(description="uuid or technical name")
    count: int = Field(ge=1, le=50_000)
    notify: bool = Field(False, description="also write the e-mails (slower)")


class JoinRequestFixtureResult(_Model):
    community: str
    users: list[str]
    requests: list[str]


class CommunityFixture(_Model):
    count: int = Field(ge=1, le=50_000)
    prefix: str = Field("Espace de test", max_length=60)


class CommunityFixtureResult(_Model):
    supervisor: str
    communities: list[str]
