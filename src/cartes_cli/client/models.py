"""Pydantic models of the Entrepôt API, tolerant of the variants the platform has sent over time.

Conventions: every model allows extra fields (kept, available through ``model_extra`` and in
``model_dump()``), ``_id`` is exposed as ``id`` (both names accepted), optional fields default to
``None``, dates are timezone-aware ``datetime`` (a naive one is taken as UTC).

Rights: a list (``["UPLOAD", …]``), a dict of booleans (``{"UPLOAD": true, …}``, older servers), a
comma-separated string, or null, all become one list in canonical order (``Right`` declaration
order: COMMUNITY, UPLOAD, PROCESSING, BROADCAST, ANNEX), without duplicates. **Unknown rights are
kept** as plain upper-case strings after the known ones, sorted alphabetically: a right that a newer
platform adds must not vanish from a display, nor be dropped when rights are read, changed and
written back. Known values are always ``Right`` members, so ``Right.UPLOAD in member.rights`` works.
"""

import enum
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    SecretStr,
    WithJsonSchema,
    field_validator,
    model_validator,
)

__all__ = [
    "AccountCreated",
    "AccountProfile",
    "Capabilities",
    "Captcha",
    "CatalogCommunity",
    "Community",
    "CommunitySummary",
    "Datastore",
    "DatastoreCommunity",
    "DatastoreRef",
    "DatastoreStorages",
    "Endpoint",
    "EndpointUrl",
    "EndpointUsage",
    "Feature",
    "JoinForm",
    "JoinFormConstraints",
    "JoinFormField",
    "Member",
    "Membership",
    "Model",
    "Organization",
    "OutboxMessage",
    "Request",
    "RequestStatus",
    "RequestType",
    "Right",
    "Rights",
    "Storage",
    "StorageUsage",
    "TotpSetup",
    "Usage",
    "User",
    "UserRef",
    "normalise_rights",
]


class Right(enum.StrEnum):
    """A member's right in a community. The supervisor always holds all five."""

    COMMUNITY = "COMMUNITY"
    """Manage the community and its members."""
    UPLOAD = "UPLOAD"
    PROCESSING = "PROCESSING"
    BROADCAST = "BROADCAST"
    ANNEX = "ANNEX"


_RIGHT_ORDER = {right.value: index for index, right in enumerate(Right)}


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on")
    return False


def normalise_rights(value: Any) -> list[Right | str]:
    """Any wire form of rights → canonical list (see the module docstring)."""
    if value is None:
        return []
    names: list[str]
    if isinstance(value, Mapping):
        names = [str(key) for key, granted in value.items() if _truthy(granted)]
    elif isinstance(value, str):
        names = value.replace(";", ",").split(",")
    elif isinstance(value, (list, tuple, set, frozenset)):
        names = []
        for item in value:
            if isinstance(item, Mapping):  # {"name": "UPLOAD"} – seen in some serialisers
                item = item.get("name") or item.get("right") or item.get("value")
            if not isinstance(item, str):
                raise ValueError(f"a right must be a string, not {type(item).__name__}")
            names.append(item)
    else:
        raise ValueError(f"rights must be a list or an object of booleans, not {type(value).__name__}")
    unique = {name.strip().upper() for name in names if name.strip()}
    ordered = sorted(unique, key=lambda n: (_RIGHT_ORDER.get(n, len(_RIGHT_ORDER)), n))
    return [Right(n) if n in _RIGHT_ORDER else n for n in ordered]


Rights = Annotated[
    list[Right | str],
    PlainValidator(normalise_rights),
    PlainSerializer(lambda rights: [str(r) for r in rights], return_type=list[str]),
    WithJsonSchema({"type": "array", "items": {"type": "string"}}),
]
"""A list of rights, normalised from every wire form."""


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


Timestamp = Annotated[datetime, AfterValidator(_aware)]
Number = int | float


class Model(BaseModel):
    """Base of every API model: extra fields allowed, fields populated by name or alias."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)


class _Identified(Model):
    id: str = Field(alias="_id")


# --- users --------------------------------------------------------------------------------


class UserRef(_Identified):
    """A user as other objects embed it (member, supervisor, requester)."""

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def display_name(self) -> str:
        return self.full_name or self.email or self.id


class Organization(Model):
    id: str | None = Field(default=None, alias="_id")
    name: str | None = None


class DatastoreRef(_Identified):
    """The datastore inside a community detail (``GET /communities/{c}``)."""

    name: str | None = None
    technical_name: str | None = None
    active: bool | None = None


class _CommunityBase(_Identified):
    name: str | None = None
    technical_name: str | None = None
    description: str | None = None
    contact: str | None = None
    public: bool | None = None
    datastore: DatastoreRef | str | None = None
    """A uuid in ``/users/me``, an object in ``/communities/{c}``, absent without a datastore."""
    supervisor: UserRef | str | None = None
    """A uuid in ``/users/me``, an object in ``/communities/{c}``."""
    creation: Timestamp | None = None
    update: Timestamp | None = None

    @property
    def datastore_id(self) -> str | None:
        if isinstance(self.datastore, DatastoreRef):
            return self.datastore.id
        return self.datastore

    @property
    def supervisor_id(self) -> str | None:
        if isinstance(self.supervisor, UserRef):
            return self.supervisor.id
        return self.supervisor

    @property
    def label(self) -> str:
        """What to show: name, else technical name, else id."""
        return self.name or self.technical_name or self.id


class CommunitySummary(_CommunityBase):
    """The community inside a ``/users/me`` membership."""


class Community(_CommunityBase):
    """``GET /communities/{c}``."""


class Membership(Model):
    """One entry of ``communities_member`` in ``/users/me``."""

    rights: Rights = Field(default_factory=list)
    community: CommunitySummary

    def has(self, right: Right | str) -> bool:
        return str(right).upper() in {str(r) for r in self.rights}


class User(_Identified):
    """``GET /users/me``."""

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    creation: Timestamp | None = None
    update: Timestamp | None = None
    last_login: Timestamp | None = Field(
        default=None, validation_alias=AliasChoices("last_login", "last_call")
    )
    """``last_login``; older servers called it ``last_call``."""
    administrator: bool = False
    technical: bool = False
    documents_quota: Number | None = None
    documents_use: Number | None = None
    keys_quota: Number | None = None
    keys_use: Number | None = None
    communities_member: list[Membership] = Field(default_factory=list)

    @property
    def is_staff(self) -> bool:
        """Platform staff (``administrator``): may create communities and datastores."""
        return self.administrator

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def display_name(self) -> str:
        return self.full_name or self.email or self.id

    @property
    def memberships(self) -> list[Membership]:
        return self.communities_member

    def membership(self, community: str) -> Membership | None:
        """The membership in a community given by id or technical name (exact), if any."""
        for m in self.communities_member:
            if community in (m.community.id, m.community.technical_name):
                return m
        return None


# --- catalogue and members ----------------------------------------------------------------


class CatalogCommunity(_Identified):
    """An item of ``GET /catalogs/communities`` (public communities)."""

    name: str | None = None
    technical_name: str | None = None
    description: str | None = None
    contact: str | None = None
    public: bool | None = None
    organization: Organization | None = None
    creation: Timestamp | None = None
    update: Timestamp | None = None

    @property
    def label(self) -> str:
        return self.name or self.technical_name or self.id


class Member(Model):
    """An item of ``GET /communities/{c}/users``."""

    rights: Rights = Field(default_factory=list)
    user: UserRef
    creation: Timestamp | None = None
    update: Timestamp | None = None

    @property
    def id(self) -> str:
        """The member's user id."""
        return self.user.id

    def has(self, right: Right | str) -> bool:
        return str(right).upper() in {str(r) for r in self.rights}


# --- datastores ---------------------------------------------------------------------------


class Usage(Model):
    use: Number | None = None
    quota: Number | None = None


class Storage(_Identified):
    name: str | None = None
    type: str | None = None


class StorageUsage(Usage):
    storage: Storage | None = None


class DatastoreStorages(Model):
    data: list[StorageUsage] = Field(default_factory=list)
    uploads: Usage | None = None
    annexes: Usage | None = None


class EndpointUrl(Model):
    type: str | None = None
    url: str


class Endpoint(_Identified):
    name: str | None = None
    technical_name: str | None = None
    type: str | None = None
    open: bool | None = None
    urls: list[EndpointUrl] = Field(default_factory=list)


class EndpointUsage(Usage):
    endpoint: Endpoint | None = None


class DatastoreCommunity(_Identified):
    name: str | None = None
    technical_name: str | None = None


class Datastore(_Identified):
    """``GET /datastores/{d}``: storage, quotas and broadcast endpoints of a community."""

    name: str | None = None
    technical_name: str | None = None
    active: bool | None = None
    community: DatastoreCommunity | str | None = None
    storages: DatastoreStorages = Field(default_factory=DatastoreStorages)
    endpoints: list[EndpointUsage] = Field(default_factory=list)
    creation: Timestamp | None = None
    update: Timestamp | None = None

    @property
    def community_id(self) -> str | None:
        if isinstance(self.community, DatastoreCommunity):
            return self.community.id
        return self.community


# --- requests (SANDBOX: the real platform runs this workflow by e-mail) ---------------------


class RequestType(enum.StrEnum):
    JOIN = "join"
    """Join an existing community."""
    DATASTORE = "datastore"
    """Create a new community with its datastore (private or public)."""


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


def _lower_enum(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _known(enum_type: type[enum.StrEnum], value: Any) -> Any:
    """A known value as the enum member, anything else as given (lower-cased)."""
    value = _lower_enum(value)
    try:
        return enum_type(value)
    except ValueError:
        return value


class Request(_Identified):
    """A request (``POST /requests``, ``GET /requests/{r}``…). Unknown types and statuses from a
    newer server are kept as plain strings."""

    type: RequestType | str
    status: RequestStatus | str = RequestStatus.PENDING
    requester: UserRef | None = None
    community: CommunitySummary | str | None = None
    """The community to join, or the one created by an accepted datastore request; an id in some
    answers, null for a datastore request not yet accepted."""
    message: str | None = None
    answers: dict[str, Any] | None = None
    name: str | None = None
    technical_name: str | None = None
    description: str | None = None
    offer: str | None = None
    public: bool | None = None
    justification: str | None = None
    rights: Rights = Field(default_factory=list)
    """Rights granted on acceptance (join requests)."""
    reason: str | None = None
    """Why it was rejected, if said."""
    decided_by: UserRef | str | None = None
    creation: Timestamp | None = None
    update: Timestamp | None = None
    unchanged: bool | None = None
    """After ``accept``/``reject``/``cancel``: True when the request had already been decided that
    way (the call changed nothing), False when this call decided it, None when unknown. Read from
    the answer when the server says so, otherwise inferred by the client (see ``RequestsResource``)."""

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> Any:
        return _known(RequestType, value)

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        return _known(RequestStatus, value)

    @property
    def is_pending(self) -> bool:
        return self.status == RequestStatus.PENDING

    @property
    def community_id(self) -> str | None:
        if isinstance(self.community, CommunitySummary):
            return self.community.id
        return self.community

    @property
    def decided_by_id(self) -> str | None:
        if isinstance(self.decided_by, UserRef):
            return self.decided_by.id
        return self.decided_by

    @property
    def subject(self) -> str:
        """What the request is about: the community's name (join) or the requested name."""
        if isinstance(self.community, CommunitySummary):
            return self.community.label
        return self.name or self.technical_name or self.community or ""


# --- join forms ---------------------------------------------------------------------------


class JoinFormConstraints(Model):
    """JSON-Schema-like constraints of one field (camelCase on the wire, snake_case accepted)."""

    required: bool = False
    min_length: int | None = Field(default=None, validation_alias=AliasChoices("minLength", "min_length"))
    max_length: int | None = Field(default=None, validation_alias=AliasChoices("maxLength", "max_length"))
    minimum: Number | None = None
    maximum: Number | None = None
    pattern: str | None = None
    enum: list[str | Number | bool] | None = Field(
        default=None, validation_alias=AliasChoices("enum", "choices")
    )
    """The only answers allowed (JSON Schema's ``enum``; ``choices`` accepted)."""


class JoinFormField(Model):
    name: str
    title: str | None = None
    description: str | None = None
    type: str = "string"
    """``string``, ``number``, ``integer``, ``boolean``, ``email`` or ``password``; others, and
    ``password``, are checked as strings."""
    constraints: JoinFormConstraints = Field(default_factory=JoinFormConstraints)

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> Any:
        return "string" if value is None else _lower_enum(value)

    @field_validator("constraints", mode="before")
    @classmethod
    def _constraints(cls, value: Any) -> Any:
        return {} if value is None else value

    @model_validator(mode="before")
    @classmethod
    def _field_level_enum(cls, data: Any) -> Any:
        """``enum``/``choices`` given beside ``constraints`` (where JSON Schema puts ``enum``)."""
        if isinstance(data, dict):
            choices = data.get("enum", data.get("choices"))
            if isinstance(choices, list):
                constraints = dict(data.get("constraints") or {})
                constraints.setdefault("enum", choices)
                data = {**data, "constraints": constraints}
        return data

    @property
    def label(self) -> str:
        return self.title or self.name

    @property
    def required(self) -> bool:
        return self.constraints.required


class JoinForm(Model):
    """The fields a community asks joiners to fill (``GET /communities/{c}/join_form``, or on the
    real platform ``{annexes}/{technical_name}/public/join.json``)."""

    description: str | None = None
    fields: list[JoinFormField] = Field(default_factory=list)

    @field_validator("fields", mode="before")
    @classmethod
    def _fields(cls, value: Any) -> Any:
        return [] if value is None else value

    @property
    def is_empty(self) -> bool:
        return not self.fields

    def field(self, name: str) -> JoinFormField | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


# --- what the platform offers -------------------------------------------------------------


class Feature(enum.StrEnum):
    """What a platform may offer beyond the Entrepôt API (listed in ``/sandbox/capabilities``).
    Names are compared with ``_`` and ``-`` taken as the same, case ignored."""

    REQUESTS = "requests"
    JOIN_FORMS = "join-forms"
    ACCOUNTS = "accounts"
    OUTBOX = "outbox"
    WEB_LOGIN = "web-login"
    DEVICE = "device"
    CLIENT_CREDENTIALS = "client-credentials"
    SUPPORT_MAIL = "support-mail"
    """``POST /sandbox/support``: an e-mail to the support, kept in the outbox."""
    ADMIN_CREDENTIALS = "admin-credentials"
    """Keycloak's admin REST for credentials (``/admin/realms/{realm}/users/…``), open to staff."""
    SCRIPTABLE_CAPTCHAS = "scriptable-captchas"
    """``GET /sandbox/captchas/{id}``: a captcha's answer (a sandbox run with --scriptable-captchas)."""


def _feature_name(value: object) -> str:
    return str(value).strip().lower().replace("_", "-")


class Capabilities(Model):
    """``GET {base}/sandbox/capabilities``. The real Géoplateforme has no such route: it is then
    :meth:`real_platform` (``sandbox`` false, no features)."""

    sandbox: bool = False
    version: str | None = None
    schema_version: int | None = None
    features: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _shapes(cls, data: Any) -> Any:
        """``features`` as a list, a comma-separated string or an object of booleans."""
        if not isinstance(data, dict):
            return data
        features = data.get("features")
        if isinstance(features, dict):
            features = [k for k, v in features.items() if v is True]
        elif isinstance(features, str):
            features = features.split(",")
        elif features is None:
            features = []
        if isinstance(features, list):
            features = sorted({_feature_name(f) for f in features if str(f).strip()})
        return {**data, "features": features}

    @classmethod
    def real_platform(cls) -> "Capabilities":
        return cls(sandbox=False, features=[])

    def supports(self, feature: Feature | str) -> bool:
        return _feature_name(feature) in self.features

    def has(self, feature: Feature | str) -> bool:
        """Alias of :meth:`supports`."""
        return self.supports(feature)

    @property
    def requests(self) -> bool:
        return self.supports(Feature.REQUESTS)

    @property
    def accounts(self) -> bool:
        return self.supports(Feature.ACCOUNTS)

    @property
    def outbox(self) -> bool:
        return self.supports(Feature.OUTBOX)

    @property
    def join_forms(self) -> bool:
        return self.supports(Feature.JOIN_FORMS)


class OutboxMessage(_Identified):
    """An e-mail the sandbox would have sent (``GET /sandbox/outbox``)."""

    to: list[str] = Field(default_factory=list)
    subject: str = ""
    body: str = ""
    related: Any = None
    """What the message is about (a request id, an object…), as the sandbox gives it."""
    creation: Timestamp | None = None

    @field_validator("to", mode="before")
    @classmethod
    def _to(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


# --- accounts (SANDBOX sign-up; the Keycloak account REST of the caller) -------------------


def _decode_data_url(value: str) -> tuple[str, bytes]:
    """``data:<type>;base64,<data>`` → (media type, bytes); raises ValueError otherwise."""
    import base64
    import binascii

    text = value.strip()
    if not text.startswith("data:") or "," not in text:
        raise ValueError("the image is not a data: URL")
    header, _, payload = text[5:].partition(",")
    parts = header.split(";")
    media_type = parts[0].strip().lower() or "application/octet-stream"
    if "base64" not in [p.strip().lower() for p in parts[1:]]:
        from urllib.parse import unquote_to_bytes

        return media_type, unquote_to_bytes(payload)
    try:
        return media_type, base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("the image data is not valid base64") from exc


class Captcha(_Identified):
    """``GET /accounts/captcha``: the image (decoded from its data URL), the address of the audio
    version, how long it stays valid. ``answer`` comes only from a sandbox started with
    ``--scriptable-captchas`` (scripts, tests, demos)."""

    image: bytes = b""
    image_type: str = "image/png"
    audio_url: str | None = None
    expires_in: int | None = None
    answer: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _data_url(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("image"), str):
            media_type, raw = _decode_data_url(data["image"])
            return {**data, "image": raw, "image_type": data.get("image_type") or media_type}
        return data

    @property
    def image_extension(self) -> str:
        subtype = self.image_type.split("/")[-1].lower()
        return {"jpeg": "jpg", "svg+xml": "svg"}.get(subtype, subtype or "png")


class AccountCreated(_Identified):
    """``POST /accounts`` (201) and ``POST /accounts/verify`` (200): the account and its status
    (``pending_verification``, then ``active``)."""

    username: str | None = None
    email: str | None = None
    status: str | None = None

    @property
    def active(self) -> bool:
        return (self.status or "").lower() == "active"


def _first(values: Any) -> str | None:
    if isinstance(values, list):
        for value in values:
            if value not in (None, ""):
                return str(value)
        return None
    if values in (None, ""):
        return None
    return str(values)


class AccountProfile(Model):
    """``GET {issuer}/account``: Keycloak's account representation (camelCase on the wire, each
    attribute a list of strings). Attribute helpers give the first value."""

    id: str | None = None
    username: str | None = None
    email: str | None = None
    first_name: str | None = Field(default=None, validation_alias=AliasChoices("firstName", "first_name"))
    last_name: str | None = Field(default=None, validation_alias=AliasChoices("lastName", "last_name"))
    email_verified: bool | None = Field(
        default=None, validation_alias=AliasChoices("emailVerified", "email_verified")
    )
    totp: bool | None = None
    """Whether a second factor is configured, when the server says so (the sandbox does)."""
    attributes: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("attributes", mode="before")
    @classmethod
    def _attributes(cls, value: Any) -> Any:
        if value is None:
            return {}
        if isinstance(value, dict):
            out: dict[str, list[str]] = {}
            for key, item in value.items():
                if item is None:
                    out[str(key)] = []
                elif isinstance(item, list):
                    out[str(key)] = [str(v) for v in item if v is not None]
                else:
                    out[str(key)] = [str(item)]
            return out
        return value

    def attribute(self, name: str) -> str | None:
        """The first value of an attribute, or None."""
        return _first(self.attributes.get(name))

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @property
    def phone(self) -> str | None:
        return self.attribute("phone")

    @property
    def street(self) -> str | None:
        return self.attribute("street")

    @property
    def locality(self) -> str | None:
        return self.attribute("locality")

    @property
    def postcode(self) -> str | None:
        return self.attribute("postcode")

    @property
    def siret(self) -> str | None:
        return self.attribute("siret")

    @property
    def tva(self) -> str | None:
        return self.attribute("tva")

    @property
    def company(self) -> str | None:
        return self.attribute("company")

    @property
    def position(self) -> str | None:
        return self.attribute("position")

    @property
    def professional(self) -> bool:
        return bool(self.siret or self.tva or self.company)


class TotpSetup(Model):
    """``POST {issuer}/account/totp``: the seed of a pending second factor and its ``otpauth://``
    URI (both secret: they are the second factor until it is confirmed with a first code)."""

    secret: SecretStr
    otpauth_uri: SecretStr | None = None

    def grouped_secret(self, size: int = 4) -> str:
        """The seed in groups of ``size`` characters, as authenticator apps show it."""
        raw = self.secret.get_secret_value().replace(" ", "")
        return " ".join(raw[i : i + size] for i in range(0, len(raw), size))


# --- Keycloak admin REST (staff) --------------------------------------------------------------


class AdminUser(Model):
    """Keycloak's ``UserRepresentation`` (``GET /admin/realms/{realm}/users``)."""

    id: str
    username: str = ""
    email: str | None = None
    first_name: str | None = Field(None, alias="firstName")
    last_name: str | None = Field(None, alias="lastName")
    enabled: bool = True
    totp: bool | None = None


class Credential(Model):
    """Keycloak's ``CredentialRepresentation``, without secrets (``type``: ``password``, ``otp``…)."""

    id: str
    type: str
    user_label: str | None = Field(None, alias="userLabel")
