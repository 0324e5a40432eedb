"""The shapes the sandbox answers with, as pydantic models (the account ones: ``account_schemas``).

They document the routes in ``/openapi.json`` and let the tests check answers field by field
(``extra="forbid"``: an unexpected field is a failure). The handlers build plain dicts.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(alias="_id", description="uuid")]
Date = Annotated[str, Field(description="ISO 8601, UTC, 'Z' suffix")]
Right = Literal["COMMUNITY", "UPLOAD", "PROCESSING", "BROADCAST", "ANNEX"]


class Model(BaseModel):
    """A wire shape: unknown fields are errors; fields are filled by name or by alias."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# --- errors ----------------------------------------------------------------------------------


class ApiErrorBody(Model):
    error: str
    error_description: list[str]


class OidcErrorBody(Model):
    error: str
    error_description: str


# --- Entrepôt API ----------------------------------------------------------------------------


class CommunitySummary(Model):
    id: Id
    name: str
    technical_name: str
    description: str
    datastore: str | None = Field(None, description="datastore uuid; absent when there is none")
    supervisor: str = Field(description="supervisor's user uuid")
    public: bool
    creation: Date
    update: Date


class MemberOf(Model):
    rights: list[Right]
    community: CommunitySummary


class UserMe(Model):
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


class OrganizationRef(Model):
    id: Id
    name: str


class CatalogCommunity(Model):
    id: Id
    name: str
    technical_name: str
    description: str
    contact: str
    public: Literal[True]
    organization: OrganizationRef | None = None
    creation: Date
    update: Date


class DatastoreRef(Model):
    id: Id
    name: str
    technical_name: str
    active: bool


class SupervisorRef(Model):
    id: Id
    first_name: str
    last_name: str
    email: str


class CommunityDetail(Model):
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


class StorageRef(Model):
    id: Id
    name: str
    type: Literal["POSTGRESQL", "S3", "FILESYSTEM"]
    labels: list[str]


class StorageQuota(Model):
    storage: StorageRef
    use: int
    quota: int


class Quota(Model):
    use: int
    quota: int


class Storages(Model):
    data: list[StorageQuota]
    uploads: Quota
    annexes: Quota


class EndpointUrl(Model):
    type: str
    url: str


class EndpointRef(Model):
    id: Id
    name: str
    technical_name: str
    type: str
    open: bool
    urls: list[EndpointUrl]


class EndpointQuota(Model):
    endpoint: EndpointRef
    use: int
    quota: int


class CommunityRef(Model):
    id: Id
    name: str
    technical_name: str


class DatastoreDetail(Model):
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


class TokenResponse(Model):
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


class DeviceAuthorization(Model):
    """RFC 8628 §3.2 device authorization response."""

    device_code: str
    user_code: str = Field(description="8 consonants, as 'WDJB-MJHT'")
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: int


class Jwk(Model):
    kid: str
    kty: Literal["RSA"]
    alg: Literal["RS256"]
    use: Literal["sig"]
    n: str
    e: str


class Jwks(Model):
    keys: list[Jwk]


class UserInfo(Model):
    sub: str
    email_verified: bool
    name: str
    preferred_username: str
    given_name: str
    family_name: str
    email: str


class RealmInfo(Model):
    realm: str
    public_key: str
    token_service: str = Field(alias="token-service")
    account_service: str = Field(alias="account-service")
    tokens_not_before: int = Field(alias="tokens-not-before")


# --- sandbox control -------------------------------------------------------------------------


class Capabilities(Model):
    sandbox: Literal[True]
    version: str
    schema_version: int
    features: list[str]


class Health(Model):
    status: Literal["ok", "degraded"]
    problems: list[str] = Field(default_factory=list, description="what is wrong when degraded")


class SessionRefreshes(Model):
    user: str = Field(description="username of the session's account")
    client_id: str
    count: int
    times: list[Date] = Field(description="when each successful refresh grant was answered")


class Stats(Model):
    started: Date
    uptime_seconds: float
    token_grants: dict[str, int]
    token_errors: dict[str, int]
    refresh_reuse_detected: int
    requests: int
    api_requests: int
    api_errors: int
    faults_injected: dict[str, int] = Field(description="injected faults by kind (see /sandbox/faults)")
    active_sessions: int
    refresh_by_session: dict[str, SessionRefreshes] = Field(
        description="successful refresh grants per login session (session_state), since start or reset"
    )


class LogEntry(Model):
    seq: int = Field(description="answer order, strictly increasing, never reused")
    time: Date
    method: str
    path: str
    status: int = Field(description="what the client got; 0: the connection was dropped")
    duration_ms: float
    fault: str | None = Field(description="the injected fault, if any (see /sandbox/faults)")


FaultKind = Literal["500", "502", "503", "429", "drop", "slow", "after-500", "after-502", "after-drop"]
FaultScope = Literal["api", "token", "oidc"]


class FaultRecord(Model):
    seq: int = Field(description="1, 2, 3… over the server's life")
    request: int = Field(description="which request in scope met it, counted from the last (re)seed")
    kind: FaultKind
    method: str
    path: str
    status: int = Field(description="what the client got; 0: no answer (dropped connection)")
    log_seq: int = Field(description="the request's seq in /sandbox/log")
    time: Date


class FaultState(Model):
    rate: float = Field(description="probability of a fault per request in scope; 0: off")
    seed: int = Field(description="seed of the generator: same seed, same request order, same faults")
    kinds: list[FaultKind]
    scope: list[FaultScope]
    retry_after: int = Field(description="Retry-After of injected 429 answers, in seconds")
    delay: float = Field(description="how long a 'slow' fault holds a request, in seconds")
    considered: int = Field(description="requests in scope since the generator was (re)seeded")
    injected: int = Field(description="faults injected since start")
    by_kind: dict[str, int]
    records: list[FaultRecord] = Field(description="the most recent faults (or those after `since`)")


class FaultSettingsIn(Model):
    """Partial: absent fields are left alone. A ``seed`` (even the current one) restarts the
    sequence of draws."""

    rate: float | None = Field(None, ge=0, le=1)
    seed: int | None = Field(None, ge=0, lt=2**63)
    kinds: list[str] | None = Field(
        None, description="kinds or groups: all, before, after, errors, drops", min_length=1
    )
    scope: list[FaultScope] | None = Field(None, min_length=1)
    retry_after: int | None = Field(None, ge=0, le=3600)
    delay: float | None = Field(None, gt=0, le=3600)


# --- members, join forms, requests (Entrepôt API and sandbox API) ------------------------------


class UserRef(Model):
    id: Id
    email: str
    first_name: str
    last_name: str


class Member(Model):
    rights: list[Right]
    user: UserRef
    creation: Date
    update: Date


class MemberRights(Model):
    rights: list[str] = Field(description="COMMUNITY, UPLOAD, PROCESSING, BROADCAST, ANNEX")


class CommunityPatch(Model):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=2000)
    contact: str | None = Field(None, max_length=254)
    public: bool | None = None
    supervisor: str | None = Field(None, description="user uuid (supervisor or staff only)")


FieldType = Literal["string", "number", "integer", "boolean", "email"]


class JoinFormConstraints(Model):
    required: bool | None = None
    minLength: int | None = Field(None, ge=0)
    maxLength: int | None = Field(None, ge=0)
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    enum: list[str | float | bool] | None = Field(
        None, min_length=1, description="the only answers allowed (as JSON Schema's enum)"
    )


class JoinFormField(Model):
    name: str
    title: str
    type: FieldType
    constraints: JoinFormConstraints = Field(default_factory=JoinFormConstraints)


class JoinForm(Model):
    fields: list[JoinFormField]


class CommunityBrief(Model):
    id: Id
    name: str
    technical_name: str


class RequestBody(Model):
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


class NewJoinRequest(Model):
    type: Literal["join"]
    community: str = Field(description="community uuid (or technical name)")
    message: str | None = Field(None, max_length=2000)
    answers: dict[str, str | int | float | bool | None] = Field(default_factory=dict)


class NewDatastoreRequest(Model):
    type: Literal["datastore"]
    name: str = Field(min_length=10, max_length=100)
    technical_name: str | None = Field(None, description="derived from the name when absent")
    description: str | None = Field(None, max_length=2000)
    offer: Literal["essential", "premium"] = "essential"
    public: bool = False
    justification: str | None = Field(None, max_length=5000, description="at least 50 characters if public")


class AcceptBody(Model):
    rights: list[str] | None = Field(
        None, description="join only; default UPLOAD, PROCESSING, BROADCAST, ANNEX"
    )


class RejectBody(Model):
    reason: str | None = Field(None, max_length=2000)


class OutboxMail(Model):
    id: Id
    to: str
    subject: str
    body: str
    related: str | None = Field(description="the request the e-mail is about")
    creation: Date


class SupportMessage(Model):
    """``POST /sandbox/support``: an e-mail to the Géoplateforme's support (sandbox only)."""

    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=10_000)


# --- Keycloak admin REST (sandbox subset) ---------------------------------------------------------


class AdminUser(Model):
    """Keycloak's ``UserRepresentation``, the fields the sandbox keeps."""

    id: str
    username: str
    email: str
    firstName: str
    lastName: str
    enabled: bool
    emailVerified: bool
    totp: bool
    createdTimestamp: int | None = None


class AdminCredential(Model):
    """Keycloak's ``CredentialRepresentation`` without its secret parts."""

    id: str
    type: Literal["password", "otp"]
    userLabel: str | None = None
    createdDate: int | None = None


class JoinRequestFixture(Model):
    community: str = Field(description="uuid or technical name")
    count: int = Field(ge=1, le=50_000)
    notify: bool = Field(False, description="also write the e-mails (slower)")


class JoinRequestFixtureResult(Model):
    community: str
    users: list[str]
    requests: list[str]


class CommunityFixture(Model):
    count: int = Field(ge=1, le=50_000)
    prefix: str = Field("Espace de test", max_length=60)
    contact: str | None = Field(
        None, max_length=200, description="the communities' contact (default: their supervisor's e-mail)"
    )
    join_form: list[JoinFormField] | None = Field(
        None, description="a join form for each of the communities (default: none)"
    )


class CommunityFixtureResult(Model):
    supervisor: str
    communities: list[str]


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s JSON schema with its ``$defs`` inlined, to document a request body in
    ``openapi_extra`` (where ``#/$defs/…`` references would not resolve)."""
    schema = model.model_json_schema(by_alias=True)
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(definitions[ref.rsplit("/", 1)[-1]])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved
