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

from __future__ import annotations

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
    WithJsonSchema,
)

__all__ = [
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
    "Member",
    "Membership",
    "Model",
    "Organization",
    "Right",
    "Rights",
    "Storage",
    "StorageUsage",
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

    model_config = ConfigDict(extra="allow", populate_by_name=True)


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
