"""What every model shares: the base :class:`Model`, rights and their wire forms, timestamps,
numbers, the user as other objects embed it (:class:`UserRef`), enum helpers.

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
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)


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


# --- users as other objects embed them ---------------------------------------------------------


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


def _lower_enum(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _known(enum_type: type[enum.StrEnum], value: Any) -> Any:
    """A known value as the enum member, anything else as given (lower-cased)."""
    value = _lower_enum(value)
    try:
        return enum_type(value)
    except ValueError:
        return value
