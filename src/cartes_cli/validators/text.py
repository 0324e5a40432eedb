"""Free text (street, locality, company, position) and technical names (slugs, UUIDs)."""

from __future__ import annotations

import re

from cartes_cli.i18n import _
from cartes_cli.validators._problems import Problem, _p, _type_problem

STREET_MAX_LENGTH = 200
LOCALITY_MAX_LENGTH = 100
COMPANY_MAX_LENGTH = 200
POSITION_MAX_LENGTH = 100


def check_text(
    value: str | None, *, field: str, max_length: int, required: bool = True, label: str = "this field"
) -> list[Problem]:
    """Free text (street, locality, company, position): present if required, bounded, printable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        shown = _("this field") if label == "this field" else label
        return (
            [_p(field, "field.required", _("{label} is required.").format(label=shown))] if required else []
        )
    if not isinstance(value, str):
        return _type_problem(field)
    text = value.strip()
    if len(text) > max_length:
        return [
            _p(
                field,
                "field.too_long",
                _("at most {n} characters ({found}).").format(n=max_length, found=len(text)),
            )
        ]
    if not text.isprintable():
        return [_p(field, "field.invalid_characters", _("must not contain control characters."))]
    return []


# --- technical names ------------------------------------------------------------------------------


def shorten_slug(slug: str, limit: int = 30) -> str:
    """``slug`` (words joined by ``_``) cut to ``limit`` characters at the last word boundary that
    fits; inside the first word only when it alone is longer than ``limit``. Technical names
    derived from a display name use it, in the CLI and in the sandbox (30 characters)."""
    if len(slug) <= limit:
        return slug.strip("_")
    cut = slug[: limit + 1]  # one more: a word that ends exactly at the limit is kept whole
    if cut.endswith("_"):
        return cut.strip("_")
    boundary = cut.rfind("_")
    if boundary <= 0:
        return slug[:limit].strip("_")
    kept = cut[:boundary].strip("_")
    head, _sep, last = kept.rpartition("_")
    return head if len(last) == 1 and head else kept  # no elided article left hanging ("l", "d")


_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_uuid(text: object) -> bool:
    """An identifier of the platform (a UUID, either case, spaces around ignored): the CLI tells
    an id from a name with it, the sandbox an id it may look up."""
    return isinstance(text, str) and bool(_UUID.match(text.strip()))
