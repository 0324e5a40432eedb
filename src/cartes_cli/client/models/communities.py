"""Communities: as ``/users/me`` and ``GET /communities/{c}`` give them, the public catalogue,
members, and the join form a community asks joiners to fill."""

from typing import Any

from pydantic import AliasChoices, Field, field_validator, model_validator

from cartes_cli.client.models._behaviour import CommunityBehaviour, LabelBehaviour, RightsBehaviour
from cartes_cli.client.models._common import (
    Model,
    Number,
    Rights,
    Timestamp,
    UserRef,
    _Identified,
    _lower_enum,
)


class Organization(Model):
    id: str | None = Field(default=None, alias="_id")
    name: str | None = None


class DatastoreRef(_Identified):
    """The datastore inside a community detail (``GET /communities/{c}``)."""

    name: str | None = None
    technical_name: str | None = None
    active: bool | None = None


class _CommunityBase(CommunityBehaviour, _Identified):
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


class CommunitySummary(_CommunityBase):
    """The community inside a ``/users/me`` membership."""


class Community(_CommunityBase):
    """``GET /communities/{c}``."""


# --- catalogue and members ----------------------------------------------------------------


class CatalogCommunity(LabelBehaviour, _Identified):
    """An item of ``GET /catalogs/communities`` (public communities)."""

    name: str | None = None
    technical_name: str | None = None
    description: str | None = None
    contact: str | None = None
    public: bool | None = None
    organization: Organization | None = None
    creation: Timestamp | None = None
    update: Timestamp | None = None


class Member(RightsBehaviour, Model):
    """An item of ``GET /communities/{c}/users``."""

    rights: Rights = Field(default_factory=list)
    user: UserRef
    creation: Timestamp | None = None
    update: Timestamp | None = None

    @property
    def id(self) -> str:
        """The member's user id."""
        return self.user.id


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
