"""The values of the API models that need no pydantic: rights and their wire forms, the request
types and statuses, and how an enum-like wire value is read. The models (``_common``,
``requests``) re-export them; the records of :mod:`cartes_cli.client.records` read with them, so a
listing that parses no pydantic model imports no pydantic. Standard library only.

Rights: a list (``["UPLOAD", …]``), a dict of booleans (``{"UPLOAD": true, …}``, older servers), a
comma-separated string, or null, all become one list in canonical order (``Right`` declaration
order: COMMUNITY, UPLOAD, PROCESSING, BROADCAST, ANNEX), without duplicates. **Unknown rights are
kept** as plain upper-case strings after the known ones, sorted alphabetically.
"""

import enum
from collections.abc import Mapping
from typing import Any


class Right(enum.StrEnum):
    """A member's right in a community. The supervisor always holds all five."""

    COMMUNITY = "COMMUNITY"
    """Manage the community and its members."""
    UPLOAD = "UPLOAD"
    PROCESSING = "PROCESSING"
    BROADCAST = "BROADCAST"
    ANNEX = "ANNEX"


_RIGHT_ORDER = {right.value: index for index, right in enumerate(Right)}
_READ: dict[tuple[Any, ...], tuple[Right | str, ...]] = {}
"""Lists of rights already read, by their wire form: the members of a community hold a handful
of different ones, and a listing of thousands reads each of them again and again."""
_READ_KEPT = 256


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
    if type(value) is list and all(type(item) is str for item in value):
        key = tuple(value)
        known = _READ.get(key)
        if known is None:
            known = tuple(_normalise(value))
            if len(_READ) < _READ_KEPT:
                _READ[key] = known
        return list(known)  # a list of its own: the caller may change it
    return _normalise(value)


def _normalise(value: Any) -> list[Right | str]:
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
    rights = _members(Right)
    return [rights.get(n, n) for n in ordered]


def _lower_enum(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


_MEMBERS: dict[type[enum.StrEnum], dict[str, Any]] = {}


def _members(enum_type: type[enum.StrEnum]) -> dict[str, Any]:
    """The members of ``enum_type`` by value: calling the enum type to find one is slow, and a
    listing finds a type and a status for every request, rights for every member."""
    members = _MEMBERS.get(enum_type)
    if members is None:
        members = _MEMBERS[enum_type] = {member.value: member for member in enum_type}
    return members


def _known(enum_type: type[enum.StrEnum], value: Any) -> Any:
    """A known value as the enum member, anything else as given (lower-cased)."""
    value = _lower_enum(value)
    if type(value) is str:
        return _members(enum_type).get(value, value)
    try:
        return enum_type(value)
    except ValueError:
        return value


# --- requests ------------------------------------------------------------------------------------


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
