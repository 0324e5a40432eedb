"""The whole sign-up body (``POST /accounts``): every field checked, then the valid body
normalised for storage."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cartes_cli.i18n import _
from cartes_cli.validators._problems import Problem, _p, _type_problem
from cartes_cli.validators.contact import check_phone, check_photo, check_postcode, normalise_phone
from cartes_cli.validators.identity import check_email, check_name, check_username
from cartes_cli.validators.passwords import check_password
from cartes_cli.validators.registries import check_siret, check_tva, normalise_siret, normalise_tva
from cartes_cli.validators.text import (
    COMPANY_MAX_LENGTH,
    LOCALITY_MAX_LENGTH,
    POSITION_MAX_LENGTH,
    STREET_MAX_LENGTH,
    check_text,
)

REGISTRATION_FIELDS = frozenset(
    {
        "username",
        "password",
        "email",
        "first_name",
        "last_name",
        "phone",
        "photo",
        "address",
        "professional",
        "captcha",
    }
)
ADDRESS_FIELDS = ("street", "locality", "postcode")
PROFESSIONAL_FIELDS = ("siret", "tva", "company", "position", "street", "locality", "postcode")


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _unknown(data: Mapping[str, Any], known: Any, prefix: str = "") -> list[Problem]:
    return [
        _p(f"{prefix}{name}", "field.unknown", _("is not a field of this form."))
        for name in data
        if name not in known
    ]


def _check_address(block: Mapping[str, Any], prefix: str) -> list[Problem]:
    return [
        *check_text(
            block.get("street"), field=f"{prefix}street", max_length=STREET_MAX_LENGTH, label=_("the street")
        ),
        *check_text(
            block.get("locality"),
            field=f"{prefix}locality",
            max_length=LOCALITY_MAX_LENGTH,
            label=_("the locality"),
        ),
        *(
            check_postcode(block["postcode"], field=f"{prefix}postcode")
            if _present(block.get("postcode"))
            else [_p(f"{prefix}postcode", "field.required", _("the postcode is required."))]
        ),
    ]


def _check_professional(block: Mapping[str, Any]) -> list[Problem]:
    problems = _unknown(block, PROFESSIONAL_FIELDS, "professional.")
    has_siret, has_tva = _present(block.get("siret")), _present(block.get("tva"))
    if has_siret and has_tva:
        problems.append(
            _p(
                "professional",
                "professional.identifier_conflict",
                _("give a SIRET or a VAT number, not both."),
            )
        )
    elif not has_siret and not has_tva:
        problems.append(
            _p("professional", "professional.identifier_required", _("a SIRET or a VAT number is required."))
        )
    if has_siret:
        problems += check_siret(block["siret"], field="professional.siret")
    if has_tva:
        problems += check_tva(block["tva"], field="professional.tva")
    problems += check_text(
        block.get("company"),
        field="professional.company",
        max_length=COMPANY_MAX_LENGTH,
        label=_("the company"),
    )
    problems += check_text(
        block.get("position"),
        field="professional.position",
        max_length=POSITION_MAX_LENGTH,
        label=_("the position"),
    )
    problems += _check_address(block, "professional.")
    return problems


def check_registration(data: Mapping[str, Any], *, captcha: bool = True) -> list[Problem]:
    """Every problem of a ``POST /accounts`` body (the sign-up's five steps), field by field.

    ``captcha=False`` checks steps 1 to 4 only (before a captcha is fetched); the answer itself is
    the server's business. ``address`` and ``professional`` are optional blocks; when given, all
    their fields are required (one of ``siret`` and ``tva`` for the professional block).
    """
    if not isinstance(data, Mapping):
        return _type_problem("body", "a JSON object")
    problems = _unknown(data, REGISTRATION_FIELDS if captcha else REGISTRATION_FIELDS - {"captcha"})
    username, email = data.get("username"), data.get("email")
    problems += check_username(username) if username is not None else [_required("username")]
    problems += check_email(email) if email is not None else [_required("email")]
    password = data.get("password")
    if password is None:
        problems.append(_required("password"))
    else:
        problems += check_password(
            password,
            username=username if isinstance(username, str) else None,
            email=email if isinstance(email, str) else None,
        )
    for name in ("first_name", "last_name"):
        problems += check_name(data.get(name), field=name)
    if _present(data.get("phone")):
        problems += check_phone(data["phone"])
    if _present(data.get("photo")):
        problems += check_photo(data["photo"])
    for name in ("address", "professional"):
        block = data.get(name)
        if block is None or (isinstance(block, Mapping) and not any(_present(v) for v in block.values())):
            continue  # an optional step, skipped
        if not isinstance(block, Mapping):
            problems += _type_problem(name, "an object")
        elif name == "address":
            problems += _unknown(block, ADDRESS_FIELDS, "address.") + _check_address(block, "address.")
        else:
            problems += _check_professional(block)
    if captcha:
        problems += _check_captcha_block(data.get("captcha"))
    return problems


def _required(field: str) -> Problem:
    return _p(field, "field.required", _("is required."))


def _check_captcha_block(block: Any) -> list[Problem]:
    if block is None:
        return [_p("captcha", "field.required", _("answer the captcha."))]
    if not isinstance(block, Mapping):
        return _type_problem("captcha", "an object")
    problems = _unknown(block, ("_id", "answer"), "captcha.")
    for name in ("_id", "answer"):
        value = block.get(name)
        if not _present(value):
            problems.append(_p(f"captcha.{name}", "field.required", _("is required.")))
        elif not isinstance(value, str):
            problems += _type_problem(f"captcha.{name}")
        elif len(value) > 100:
            problems.append(
                _p(f"captcha.{name}", "field.too_long", _("at most {n} characters.").format(n=100))
            )
    return problems


def normalise_registration(data: Mapping[str, Any]) -> dict[str, Any]:
    """A *valid* registration body in the form it is stored: strings trimmed, the phone in E.164,
    SIRET and VAT numbers without separators, empty optional values and blocks dropped."""

    def clean(value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    result: dict[str, Any] = {}
    for name, value in data.items():
        if name in ("address", "professional", "captcha"):
            continue
        if name == "password":
            result[name] = value
        elif _present(value):
            result[name] = clean(value)
    if "phone" in result:
        result["phone"] = normalise_phone(result["phone"]) or result["phone"]
    for name in ("address", "professional"):
        block = data.get(name)
        if isinstance(block, Mapping) and any(_present(v) for v in block.values()):
            cleaned = {k: clean(v) for k, v in block.items() if _present(v)}
            if "siret" in cleaned:
                cleaned["siret"] = normalise_siret(cleaned["siret"])
            if "tva" in cleaned:
                cleaned["tva"] = normalise_tva(cleaned["tva"])
            result[name] = cleaned
    if "captcha" in data:
        result["captcha"] = data["captcha"]
    return result
