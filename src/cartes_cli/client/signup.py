"""The sign-up body (``POST /accounts``) from the flat fields a person fills in: standard library
only, so that the CLI's checks before any request use it without loading httpx or pydantic.
``client.accounts.register`` sends it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ADDRESS_FIELDS", "PROFESSIONAL_FIELDS", "registration_body"]

ADDRESS_FIELDS = ("street", "locality", "postcode")
"""The personal address, flat (``street``…) and nested under ``address`` in the sign-up body."""
PROFESSIONAL_FIELDS = ("siret", "tva", "company", "position", "street", "locality", "postcode")
"""The professional block, flat as ``siret``, ``tva``, ``company``, ``position``, ``company_street``,
``company_locality``, ``company_postcode``; nested under ``professional`` in the sign-up body."""


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def registration_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The ``POST /accounts`` body from flat fields (the CLI's option names, ``_`` or ``-``).

    ``street``/``locality``/``postcode`` go under ``address``; ``siret``/``tva``/``company``/
    ``position`` and ``company_street``/``company_locality``/``company_postcode`` under
    ``professional``. Nested ``address``/``professional`` objects are accepted as they are.
    Values are trimmed (not the password) and empty ones left out, and so are empty blocks.
    ``captcha_id``/``captcha_answer`` become ``captcha``. Nothing is validated here (see
    :mod:`cartes_cli.validators`).
    """
    flat = {str(k).replace("-", "_"): _clean(v) for k, v in fields.items()}
    raw_password = fields.get("password")
    if isinstance(raw_password, str) and raw_password:
        flat["password"] = raw_password  # a password is sent exactly as typed, spaces included
    body: dict[str, Any] = {}
    for key in ("username", "password", "email", "first_name", "last_name", "phone", "photo"):
        if flat.get(key) is not None:
            body[key] = flat[key]
    address: dict[str, Any] = {}
    nested = flat.get("address")
    if isinstance(nested, Mapping):
        address.update({k: _clean(v) for k, v in nested.items() if _clean(v) is not None})
    for key in ADDRESS_FIELDS:
        if flat.get(key) is not None:
            address[key] = flat[key]
    if address:
        body["address"] = address
    professional: dict[str, Any] = {}
    nested = flat.get("professional")
    if isinstance(nested, Mapping):
        professional.update({k: _clean(v) for k, v in nested.items() if _clean(v) is not None})
    for key in ("siret", "tva", "company", "position"):
        if flat.get(key) is not None:
            professional[key] = flat[key]
    for key in ("street", "locality", "postcode"):
        if flat.get(f"company_{key}") is not None:
            professional[key] = flat[f"company_{key}"]
    if professional:
        body["professional"] = professional
    captcha = flat.get("captcha")
    if isinstance(captcha, Mapping):
        body["captcha"] = dict(captcha)
    elif flat.get("captcha_id") is not None or flat.get("captcha_answer") is not None:
        body["captcha"] = {"_id": flat.get("captcha_id"), "answer": flat.get("captcha_answer")}
    return body
