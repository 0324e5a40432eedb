"""Postcode, phone number and photo."""

from __future__ import annotations

import base64
import binascii
import re

from cartes_cli.i18n import _
from cartes_cli.validators._problems import Problem, _p, _type_problem

PHOTO_MAX_BYTES = 1024 * 1024


_OVERSEAS_PREFIXES = frozenset({"971", "972", "973", "974", "975", "976", "977", "978"}) | frozenset(
    {"980", "984", "986", "987", "988"}
)


def check_postcode(postcode: str, *, field: str = "postcode") -> list[Problem]:
    """A French postcode: 5 digits and a plausible département."""
    if not isinstance(postcode, str):
        return _type_problem(field)
    value = postcode.strip()
    if not value:
        return [_p(field, "field.required", _("a postcode is required."))]
    if not (len(value) == 5 and value.isascii() and value.isdigit()):
        return [_p(field, "postcode.invalid", _("a French postcode has 5 digits (e.g. 75007)."))]
    department = int(value[:2])
    if 1 <= department <= 95:
        return []
    if value[:3] in _OVERSEAS_PREFIXES:
        return []
    prefix = value[:3] if value[:2] in ("97", "98") else value[:2]
    return [
        _p(
            field,
            "postcode.unknown_department",
            _("no French département starts with {prefix}.").format(prefix=prefix),
        )
    ]


_PHONE_SEPARATORS = re.compile(r"[\s.\-]")
_PHONE_NATIONAL_RE = re.compile(r"^0[1-9]\d{8}$")
_PHONE_INTERNATIONAL_RE = re.compile(r"^(?:\+33|0033)[1-9]\d{8}$")


def normalise_phone(phone: str) -> str | None:
    """A French number in E.164 (``06 12 34 56 78`` → ``+33612345678``); None if it is not one."""
    if not isinstance(phone, str):
        return None
    compact = _PHONE_SEPARATORS.sub("", phone.strip())
    if not compact.isascii():
        return None
    if _PHONE_NATIONAL_RE.match(compact):
        return "+33" + compact[1:]
    if _PHONE_INTERNATIONAL_RE.match(compact):
        return "+33" + compact[-9:]
    return None


def check_phone(phone: str, *, field: str = "phone") -> list[Problem]:
    if not isinstance(phone, str):
        return _type_problem(field)
    if not phone.strip():
        return [_p(field, "field.required", _("a phone number is required."))]
    if normalise_phone(phone) is None:
        return [
            _p(field, "phone.invalid", _("a French number is expected: 01 23 45 67 89, +33 1 23 45 67 89."))
        ]
    return []


_DATA_URL_RE = re.compile(
    r"^data:(?P<type>[\w.+-]+/[\w.+-]+);base64,(?P<data>.*)$", re.DOTALL | re.IGNORECASE
)
_IMAGE_MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}


def check_photo(photo: str, *, field: str = "photo") -> list[Problem]:
    """A ``data:image/png;base64,…`` or ``data:image/jpeg;base64,…`` URL of at most 1 MiB of image
    (the declared type must match the file's first bytes)."""
    if not isinstance(photo, str):
        return _type_problem(field)
    match = _DATA_URL_RE.match(photo.strip())
    if match is None:
        return [
            _p(
                field,
                "photo.invalid",
                _("must be a data URL (data:image/png;base64,… or data:image/jpeg;base64,…)."),
            )
        ]
    declared = match["type"].lower()
    if declared == "image/jpg":
        declared = "image/jpeg"
    if declared not in _IMAGE_MAGIC:
        return [
            _p(field, "photo.unsupported_type", _("PNG or JPEG only ({type} given).").format(type=declared))
        ]
    encoded = re.sub(r"\s", "", match["data"])
    if len(encoded) > (PHOTO_MAX_BYTES + 2) // 3 * 4 + 4:
        return [_p(field, "photo.too_large", _("at most {n} KiB.").format(n=PHOTO_MAX_BYTES // 1024))]
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return [_p(field, "photo.invalid", _("the base64 data is damaged."))]
    if len(data) > PHOTO_MAX_BYTES:
        return [
            _p(
                field,
                "photo.too_large",
                _("at most {n} KiB ({size} bytes).").format(n=PHOTO_MAX_BYTES // 1024, size=len(data)),
            )
        ]
    if not data.startswith(_IMAGE_MAGIC[declared]):
        return [
            _p(
                field,
                "photo.unsupported_type",
                _("the data is not a {type}.").format(type=declared.split("/")[1].upper()),
            )
        ]
    return []
