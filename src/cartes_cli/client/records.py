"""Typed records of what the read-only listings show, read without pydantic.

``workspace list``, ``workspace list --public`` and ``request list`` only read: the catalogue,
``/users/me`` and requests, printed as rows. Importing pydantic and building the API models costs
such a one-shot command about half of its start-up (``docs/design.md``, "Start-up of a networked
command"). These records carry the same fields, under the same names and with the same values, as
the models (:class:`~cartes_cli.client.models.CatalogCommunity`, ``User``, ``Membership``,
``CommunitySummary``, ``Request``, ``UserRef``…), so the commands' row functions take either.

Two readers, one answer:

- :meth:`Record.from_wire` reads the canonical wire form, the one the platform sends: strings,
  booleans, ``null``, RFC 3339 times, ``_id`` (or ``id``), rights in any of their forms (the
  models' own :func:`~cartes_cli.client.models._values.normalise_rights`). Anything else — a
  number where a string belongs, ``"true"`` for a boolean, a time without seconds, a required field
  missing — raises :class:`Unusual`;
- then the pydantic model reads it (:func:`cartes_cli.client._base.read_record`): its coercions
  and its errors (``InvalidResponse`` naming the field) stay the only ones, and the record is
  made from the model's canonical dump.

So a record never holds a value its model would not: ``tests/client/test_records.py`` checks,
over generated wire objects, that both readers agree field by field. Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from cartes_cli.client._wire import (
    Unusual,
    as_mapping,
    read_bool,
    read_choice,
    read_flag,
    read_id,
    read_number,
    read_object,
    read_rights,
    read_str,
    read_time,
)
from cartes_cli.client.models._behaviour import (
    CommunityBehaviour,
    LabelBehaviour,
    PersonBehaviour,
    RequestBehaviour,
    RightsBehaviour,
)
from cartes_cli.client.models._values import (
    RequestStatus,
    RequestType,
    Right,
)

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = [
    "CatalogRecord",
    "CommunityRecord",
    "CommunitySummaryRecord",
    "DatastoreRefRecord",
    "MemberRecord",
    "MembershipRecord",
    "OrganizationRecord",
    "Record",
    "RequestRecord",
    "Unusual",
    "UserRecord",
    "UserRefRecord",
]


_R = TypeVar("_R", bound="Record")


def _ref_or_id(data: Mapping[str, Any], key: str, record: type[_R]) -> _R | str | None:
    """An embedded object (``record``), its id alone, or null: the shapes a union of the model
    accepts without coercion."""
    value = data.get(key)
    if value is None or type(value) is str:
        return value
    if type(value) is dict:
        return record.from_wire(value)
    raise Unusual(key)


class Record:
    """What the records share: reading the wire form, or the model's dump."""

    __slots__ = ()
    MODEL: ClassVar[str]
    """The name of the pydantic model in :mod:`cartes_cli.client.models` that reads what this
    record's reader leaves aside."""

    @classmethod
    def from_wire(cls, data: object) -> Self:
        raise NotImplementedError

    @classmethod
    def model_class(cls) -> type[BaseModel]:
        from cartes_cli.client import models

        model: type[BaseModel] = getattr(models, cls.MODEL)
        return model

    @classmethod
    def from_model(cls, model: BaseModel) -> Self:
        """The record of a model the pydantic reader made: its JSON dump is canonical."""
        return cls.from_wire(model.model_dump(mode="json", by_alias=True))

    def fields(self) -> dict[str, Any]:
        """The record's fields by name (alphabetical order), a subclass's with its base's."""
        names = sorted({name for k in type(self).__mro__ for name in k.__dict__.get("__slots__", ())})
        return {name: getattr(self, name) for name in names}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and isinstance(other, Record) and self.fields() == other.fields()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={value!r}" for name, value in self.fields().items())
        return f"{type(self).__name__}({inner})"


# --- people ---------------------------------------------------------------------------------------


class UserRefRecord(PersonBehaviour, Record):
    """A user as other objects embed it (requester, supervisor, decider): ``UserRef``."""

    MODEL: ClassVar[str] = "UserRef"
    __slots__ = ("email", "first_name", "id", "last_name")

    def __init__(
        self,
        id: str,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> None:
        self.id = id
        self.email = email
        self.first_name = first_name
        self.last_name = last_name

    @classmethod
    def from_wire(cls, data: object) -> Self:
        d = as_mapping(data)
        return cls(
            id=read_id(d) or "",
            email=read_str(d, "email"),
            first_name=read_str(d, "first_name"),
            last_name=read_str(d, "last_name"),
        )


# --- communities ---------------------------------------------------------------------------------


class OrganizationRecord(Record):
    MODEL: ClassVar[str] = "Organization"
    __slots__ = ("id", "name")

    def __init__(
        self,
        id: str | None = None,
        name: str | None = None,
    ) -> None:
        self.id = id
        self.name = name

    @classmethod
    def from_wire(cls, data: object) -> Self:
        d = as_mapping(data)
        return cls(id=read_id(d, required=False), name=read_str(d, "name"))


class CatalogRecord(LabelBehaviour, Record):
    """An item of ``GET /catalogs/communities``: ``CatalogCommunity``."""

    MODEL: ClassVar[str] = "CatalogCommunity"
    __slots__ = (
        "contact",
        "creation",
        "description",
        "id",
        "name",
        "organization",
        "public",
        "technical_name",
        "update",
    )

    def __init__(
        self,
        id: str,
        name: str | None = None,
        technical_name: str | None = None,
        description: str | None = None,
        contact: str | None = None,
        public: bool | None = None,
        organization: OrganizationRecord | None = None,
        creation: datetime | None = None,
        update: datetime | None = None,
    ) -> None:
        self.id = id
        self.name = name
        self.technical_name = technical_name
        self.description = description
        self.contact = contact
        self.public = public
        self.organization = organization
        self.creation = creation
        self.update = update

    @classmethod
    def from_wire(cls, data: object) -> Self:
        d = as_mapping(data)
        org = read_object(d, "organization")
        return cls(
            id=read_id(d) or "",
            name=read_str(d, "name"),
            technical_name=read_str(d, "technical_name"),
            description=read_str(d, "description"),
            contact=read_str(d, "contact"),
            public=read_bool(d, "public"),
            organization=OrganizationRecord.from_wire(org) if org is not None else None,
            creation=read_time(d, "creation"),
            update=read_time(d, "update"),
        )


class DatastoreRefRecord(Record):
    MODEL: ClassVar[str] = "DatastoreRef"
    __slots__ = ("active", "id", "name", "technical_name")

    def __init__(
        self,
        id: str,
        name: str | None = None,
        technical_name: str | None = None,
        active: bool | None = None,
    ) -> None:
        self.id = id
        self.name = name
        self.technical_name = technical_name
        self.active = active

    @classmethod
    def from_wire(cls, data: object) -> Self:
        d = as_mapping(data)
        return cls(
            id=read_id(d) or "",
            name=read_str(d, "name"),
            technical_name=read_str(d, "technical_name"),
            active=read_bool(d, "active"),
        )


class CommunitySummaryRecord(CommunityBehaviour, Record):
    """The community inside a membership or a request: ``CommunitySummary``."""

    MODEL: ClassVar[str] = "CommunitySummary"
    __slots__ = (
        "contact",
        "creation",
        "datastore",
        "description",
        "id",
        "name",
        "public",
        "supervisor",
        "technical_name",
        "update",
    )

    def __init__(
        self,
        id: str,
        name: str | None = None,
        technical_name: str | None = None,
        description: str | None = None,
        contact: str | None = None,
        public: bool | None = None,
        datastore: DatastoreRefRecord | str | None = None,
        supervisor: UserRefRecord | str | None = None,
        creation: datetime | None = None,
        update: datetime | None = None,
    ) -> None:
        self.id = id
        self.name = name
        self.technical_name = technical_name
        self.description = description
        self.contact = contact
        self.public = public
        self.datastore = datastore
        self.supervisor = supervisor
        self.creation = creation
        self.update = update

    @classmethod
    def from_wire(cls, data: object) -> Self:
        d = as_mapping(data)
        return cls(
            id=read_id(d) or "",
            name=read_str(d, "name"),
            technical_name=read_str(d, "technical_name"),
            description=read_str(d, "description"),
            contact=read_str(d, "contact"),
            public=read_bool(d, "public"),
            datastore=_ref_or_id(d, "datastore", DatastoreRefRecord),
            supervisor=_ref_or_id(d, "supervisor", UserRefRecord),
            creation=read_time(d, "creation"),
            update=read_time(d, "update"),
        )


class CommunityRecord(CommunitySummaryRecord):
    """``GET /communities/{c}``: ``Community``, the same fields as a membership's community
    (its datastore and supervisor as objects rather than ids). What the workspace lookup
    returns (:mod:`cartes_cli.client.resolution`)."""

    MODEL: ClassVar[str] = "Community"
    __slots__ = ()

    @classmethod
    def known_as(cls, item: CommunitySummaryRecord | CatalogRecord) -> Self:
        """A membership's community or a catalogue item as a community: what was known, no
        request (a catalogue item names no datastore or supervisor; its organization is left)."""
        if isinstance(item, CommunitySummaryRecord):
            return cls(**item.fields())
        return cls(
            id=item.id,
            name=item.name,
            technical_name=item.technical_name,
            description=item.description,
            contact=item.contact,
            public=item.public,
            creation=item.creation,
            update=item.update,
        )


# --- the caller ------------------------------------------------------------------------------------


class MembershipRecord(RightsBehaviour, Record):
    MODEL: ClassVar[str] = "Membership"
    __slots__ = ("community", "rights")

    def __init__(
        self,
        community: CommunitySummaryRecord,
        rights: list[Right | str] | None = None,
    ) -> None:
        self.community = community
        self.rights = rights if rights is not None else []

    @classmethod
    def from_wire(cls, data: object) -> Self:
        d = as_mapping(data)
        community = d.get("community")
        if type(community) is not dict:
            raise Unusual("community")
        return cls(community=CommunitySummaryRecord.from_wire(community), rights=read_rights(d))


class MemberRecord(RightsBehaviour, Record):
    """An item of ``GET /communities/{c}/users``: ``Member``."""

    MODEL: ClassVar[str] = "Member"
    __slots__ = ("creation", "rights", "update", "user")

    def __init__(
        self,
        user: UserRefRecord,
        rights: list[Right | str] | None = None,
        creation: datetime | None = None,
        update: datetime | None = None,
    ) -> None:
        self.user = user
        self.rights = rights if rights is not None else []
        self.creation = creation
        self.update = update

    @property
    def id(self) -> str:
        """The member's user id."""
        return self.user.id

    @classmethod
    def from_wire(cls, data: object) -> Self:
        d = as_mapping(data)
        user = d.get("user")
        if type(user) is not dict:
            raise Unusual("user")
        return cls(
            user=UserRefRecord.from_wire(user),
            rights=read_rights(d),
            creation=read_time(d, "creation"),
            update=read_time(d, "update"),
        )


class UserRecord(PersonBehaviour, Record):
    """``GET /users/me``: ``User``."""

    MODEL: ClassVar[str] = "User"
    __slots__ = (
        "administrator",
        "communities_member",
        "creation",
        "documents_quota",
        "documents_use",
        "email",
        "first_name",
        "id",
        "keys_quota",
        "keys_use",
        "last_login",
        "last_name",
        "technical",
        "update",
    )

    def __init__(
        self,
        id: str,
        email: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        creation: datetime | None = None,
        update: datetime | None = None,
        last_login: datetime | None = None,
        administrator: bool = False,
        technical: bool = False,
        documents_quota: int | float | None = None,
        documents_use: int | float | None = None,
        keys_quota: int | float | None = None,
        keys_use: int | float | None = None,
        communities_member: list[MembershipRecord] | None = None,
    ) -> None:
        self.id = id
        self.email = email
        self.first_name = first_name
        self.last_name = last_name
        self.creation = creation
        self.update = update
        self.last_login = last_login
        self.administrator = administrator
        self.technical = technical
        self.documents_quota = documents_quota
        self.documents_use = documents_use
        self.keys_quota = keys_quota
        self.keys_use = keys_use
        self.communities_member = communities_member if communities_member is not None else []

    @classmethod
    def from_wire(cls, data: object) -> Self:
        d = as_mapping(data)
        members = d.get("communities_member", [])
        if type(members) is not list:
            raise Unusual("communities_member")
        return cls(
            id=read_id(d) or "",
            email=read_str(d, "email"),
            first_name=read_str(d, "first_name"),
            last_name=read_str(d, "last_name"),
            creation=read_time(d, "creation"),
            update=read_time(d, "update"),
            # the model's aliases in its order: last_login, else last_call (older servers)
            last_login=read_time(d, "last_login" if "last_login" in d else "last_call"),
            administrator=read_flag(d, "administrator"),
            technical=read_flag(d, "technical"),
            documents_quota=read_number(d, "documents_quota"),
            documents_use=read_number(d, "documents_use"),
            keys_quota=read_number(d, "keys_quota"),
            keys_use=read_number(d, "keys_use"),
            communities_member=[MembershipRecord.from_wire(m) for m in members],
        )

    @property
    def is_staff(self) -> bool:
        return self.administrator

    @property
    def memberships(self) -> list[MembershipRecord]:
        return self.communities_member

    def membership(self, community: str) -> MembershipRecord | None:
        for m in self.communities_member:
            if community in (m.community.id, m.community.technical_name):
                return m
        return None


# --- requests ---------------------------------------------------------------------------------------


class RequestRecord(RequestBehaviour, Record):
    """A join or creation request: ``Request``."""

    MODEL: ClassVar[str] = "Request"
    __slots__ = (
        "answers",
        "community",
        "creation",
        "decided_by",
        "description",
        "id",
        "justification",
        "message",
        "name",
        "offer",
        "public",
        "reason",
        "requester",
        "rights",
        "status",
        "technical_name",
        "type",
        "unchanged",
        "update",
    )

    def __init__(
        self,
        id: str,
        type: RequestType | str,
        status: RequestStatus | str = RequestStatus.PENDING,
        requester: UserRefRecord | None = None,
        community: CommunitySummaryRecord | str | None = None,
        message: str | None = None,
        answers: dict[str, Any] | None = None,
        name: str | None = None,
        technical_name: str | None = None,
        description: str | None = None,
        offer: str | None = None,
        public: bool | None = None,
        justification: str | None = None,
        rights: list[Right | str] | None = None,
        reason: str | None = None,
        decided_by: UserRefRecord | str | None = None,
        creation: datetime | None = None,
        update: datetime | None = None,
        unchanged: bool | None = None,
    ) -> None:
        self.id = id
        self.type = type
        self.status = status
        self.requester = requester
        self.community = community
        self.message = message
        self.answers = answers
        self.name = name
        self.technical_name = technical_name
        self.description = description
        self.offer = offer
        self.public = public
        self.justification = justification
        self.rights = rights if rights is not None else []
        self.reason = reason
        self.decided_by = decided_by
        self.creation = creation
        self.update = update
        self.unchanged = unchanged

    @classmethod
    def from_wire(cls, data: object) -> Self:
        d = as_mapping(data)
        if "type" not in d:
            raise Unusual("type")
        requester = read_object(d, "requester")
        answers = read_object(d, "answers")
        return cls(
            id=read_id(d) or "",
            type=read_choice(d, "type", RequestType, None),
            status=read_choice(d, "status", RequestStatus, RequestStatus.PENDING),
            requester=UserRefRecord.from_wire(requester) if requester is not None else None,
            community=_ref_or_id(d, "community", CommunitySummaryRecord),
            message=read_str(d, "message"),
            answers=dict(answers) if answers is not None else None,
            name=read_str(d, "name"),
            technical_name=read_str(d, "technical_name"),
            description=read_str(d, "description"),
            offer=read_str(d, "offer"),
            public=read_bool(d, "public"),
            justification=read_str(d, "justification"),
            rights=read_rights(d),
            reason=read_str(d, "reason"),
            decided_by=_ref_or_id(d, "decided_by", UserRefRecord),
            creation=read_time(d, "creation"),
            update=read_time(d, "update"),
            unchanged=read_bool(d, "unchanged"),
        )
