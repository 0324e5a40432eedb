"""What every model shares: the base :class:`Model`, rights as a validated type (:data:`Rights`),
timestamps, numbers, the user as other objects embed it (:class:`UserRef`). The values themselves
(:class:`Right`, :func:`normalise_rights`, the enum helpers) are in ``_values``, which needs no
pydantic, and are re-exported here."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)

from cartes_cli.client.models._behaviour import PersonBehaviour
from cartes_cli.client.models._values import Right as Right
from cartes_cli.client.models._values import _known as _known
from cartes_cli.client.models._values import _lower_enum as _lower_enum
from cartes_cli.client.models._values import normalise_rights as normalise_rights

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


# --- users as other objects embed them ---------------------------------------------------------


class UserRef(PersonBehaviour, _Identified):
    """A user as other objects embed it (member, supervisor, requester)."""

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
