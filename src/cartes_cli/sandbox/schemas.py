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
    access_token: str
    expires_in: int
    refresh_expires_in: int
    refresh_token: str
    token_type: Literal["Bearer"]
    id_token: str
    not_before_policy: int = Field(alias="not-before-policy")
    session_state: str
    scope: str


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


class LogEntry(_Model):
    time: Date
    method: str
    path: str
    status: int
    duration_ms: float
