"""Reading the platform's canonical wire form by hand, for :mod:`cartes_cli.client.records`.

Each reader takes one field of a JSON object and returns it when it has the form the platform
sends (a string, a boolean, null, an RFC 3339 time, ``_id``, rights in any of their forms);
anything else raises :class:`Unusual`, and the record is then read by its pydantic model.
Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cartes_cli.client.models._values import RequestStatus, RequestType, Right, _known, normalise_rights

__all__ = [
    "Unusual",
    "as_mapping",
    "read_bool",
    "read_choice",
    "read_flag",
    "read_id",
    "read_number",
    "read_object",
    "read_rights",
    "read_str",
    "read_time",
]


class Unusual(Exception):
    """The wire form is not the canonical one: the pydantic model reads it instead."""


# RFC 3339 as the platform writes it; anything else (no seconds, a space, a week date…) goes to
# pydantic, whose parser and datetime.fromisoformat do not agree on every ISO 8601 form.
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})?")
_MISSING: Any = object()


def read_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or type(value) is str:
        return value
    raise Unusual(key)


def read_bool(data: Mapping[str, Any], key: str) -> bool | None:
    value = data.get(key)
    if value is None or type(value) is bool:
        return value
    raise Unusual(key)


def read_flag(data: Mapping[str, Any], key: str) -> bool:
    """A boolean that is never null (absent: False)."""
    value = data.get(key, False)
    if type(value) is bool:
        return value
    raise Unusual(key)


def read_number(data: Mapping[str, Any], key: str) -> int | float | None:
    value = data.get(key)
    if value is None or type(value) in (int, float):
        return value
    raise Unusual(key)


def read_time(data: Mapping[str, Any], key: str) -> datetime | None:
    value = data.get(key)
    if value is None:
        return None
    if type(value) is str and _TIME.fullmatch(value):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:  # 2025-02-30, 24:00…: pydantic says what is wrong
            raise Unusual(key) from None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    raise Unusual(key)


def read_id(data: Mapping[str, Any], *, required: bool = True) -> str | None:
    """``_id`` (the wire's name), else ``id``: the model's order (its alias first; an ``id`` beside
    an ``_id`` is then an extra field, which records do not keep)."""
    if "_id" in data:
        value = data["_id"]
    elif "id" in data:
        value = data["id"]
    elif required:
        raise Unusual("_id")
    else:
        return None
    if type(value) is str or (value is None and not required):
        return value
    raise Unusual("_id")


def read_rights(data: Mapping[str, Any], key: str = "rights") -> list[Right | str]:
    try:
        return normalise_rights(data.get(key))
    except ValueError:
        raise Unusual(key) from None


def read_choice(
    data: Mapping[str, Any], key: str, kind: type[RequestType] | type[RequestStatus], default: Any
) -> Any:
    value = data.get(key, _MISSING)
    if value is _MISSING:
        return default
    if type(value) is str:
        return _known(kind, value)
    raise Unusual(key)


def read_object(data: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    value = data.get(key)
    if value is None or type(value) is dict:
        return value
    raise Unusual(key)


def as_mapping(data: object) -> Mapping[str, Any]:
    if type(data) is not dict:
        raise Unusual("body")
    return data
