"""The shared account rules (``cartes_cli.validators``), table-driven from ``validation_cases``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from cartes_cli import validators as v
from cartes_cli.validators import Problem

from .validation_cases import (
    FIELD_CASES,
    FIELD_LOCATIONS,
    REGISTRATION_CASES,
    full_registration,
    registration_with,
)

CHECKS: dict[str, Callable[..., list[Problem]]] = {
    "password": v.check_password,
    "username": v.check_username,
    "email": v.check_email,
    "postcode": v.check_postcode,
    "siren": v.check_siren,
    "siret": v.check_siret,
    "tva": v.check_tva,
    "phone": v.check_phone,
    "name": v.check_name,
    "photo": v.check_photo,
}


def _id(case: tuple[Any, ...]) -> str:
    kind, value = case[0], str(case[1])
    return f"{kind}:{value[:40]}"


@pytest.mark.parametrize(("kind", "value", "codes"), FIELD_CASES, ids=[_id(c) for c in FIELD_CASES])
def test_field_cases(kind: str, value: str, codes: list[str]) -> None:
    problems = CHECKS[kind](value)
    assert [p.code for p in problems] == codes, problems
    assert all(p.field == kind for p in problems)
    assert all(p.code in v.CODES for p in problems)
    assert all(p.message and p.message[-1] == "." for p in problems)


@pytest.mark.parametrize(
    ("kind", "value", "codes"),
    [c for c in FIELD_CASES if c[0] in FIELD_LOCATIONS],
    ids=[_id(c) for c in FIELD_CASES if c[0] in FIELD_LOCATIONS],
)
def test_field_cases_inside_a_registration(kind: str, value: str, codes: list[str]) -> None:
    problems = v.check_registration(registration_with(kind, value), captcha=False)
    assert [(p.field, p.code) for p in problems] == [(FIELD_LOCATIONS[kind], code) for code in codes]


@pytest.mark.parametrize(
    ("name", "body", "expected"), REGISTRATION_CASES, ids=[c[0] for c in REGISTRATION_CASES]
)
def test_registration_cases(name: str, body: dict[str, Any], expected: set[tuple[str, str]]) -> None:
    problems = v.check_registration(body, captcha=False)
    assert {(p.field, p.code) for p in problems} == expected
    assert len(problems) == len(expected)
    assert all(p.code in v.CODES for p in problems)


def test_password_reports_every_criterion_with_counts() -> None:
    problems = v.check_password("Ab1!")
    assert [str(p) for p in problems] == [
        "password: at least 14 characters (4 found).",
        "password: at least 2 digits (1 found).",
        "password: at least 2 special characters (1 found).",
    ]
    assert [p.message for p in v.check_password("abcdefghijklmnop")][:1] == [
        "at least 1 upper-case letter (0 found)."
    ]


def test_password_must_not_contain_username_or_email() -> None:
    assert [p.code for p in v.check_password("Jdupont-2026-Carto", username="JDupont")] == [
        "password.contains_username"
    ]
    assert [p.code for p in v.check_password("Carto-2026-x@ign.fr", email="x@ign.fr")] == [
        "password.contains_email"
    ]
    # Too short a name is not looked for: "jd" is in many good passwords.
    assert v.check_password("Jdupont-2026-Carto", username="jd") == []
    assert v.check_password("Carto-Demo-2026!", username=None, email="not an address") == []


def test_password_confirmation() -> None:
    assert v.check_password_confirmation("Carto-Demo-2026!", "Carto-Demo-2026!") == []
    [problem] = v.check_password_confirmation("Carto-Demo-2026!", "carto-demo-2026!")
    assert (problem.field, problem.code) == ("password_confirmation", "password.confirmation_mismatch")
    assert v.check_password_confirmation("x", "")[0].code == "field.required"


def test_password_rule_text() -> None:
    english = v.password_rule_text()
    assert all(part in english for part in ("14 characters", "1 upper-case", "2 digits", "2 special"))
    assert "14 caractères" in v.password_rule_text("fr_FR")


@pytest.mark.parametrize(
    ("phone", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("01.23.45.67.89", "+33123456789"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033-1-23-45-67-89", "+33123456789"),
        ("  0590 12 34 56  ", "+33590123456"),
        ("00 12 34 56 78", None),
        ("٠٦١٢٣٤٥٦٧٨", None),  # Arabic-Indic digits are digits, but not a phone number
    ],
)
def test_normalise_phone(phone: str, e164: str | None) -> None:
    assert v.normalise_phone(phone) == e164


def test_tva_key_and_normalisers() -> None:
    assert v.tva_key("732829320") == "44"
    assert v.tva_key("552081317") == "03"  # EDF: FR03552081317
    assert v.normalise_tva("fr 44 732.829.320") == "FR44732829320"
    assert v.normalise_siret("732 829 320 00074") == "73282932000074"


def test_normalise_registration() -> None:
    body = full_registration()
    body["username"] = "  essai.1 "
    stored = v.normalise_registration({**body, "captcha": {"_id": "x", "answer": "y"}})
    assert stored["username"] == "essai.1"
    assert stored["phone"] == "+33612345678"
    assert stored["professional"]["siret"] == "73282932000074"
    assert stored["password"] == body["password"]  # never altered
    assert "captcha" in stored
    empty = v.normalise_registration({"phone": "", "address": {"street": ""}, "professional": None})
    assert empty == {}


def test_captcha_block_is_checked_unless_told_otherwise() -> None:
    body = full_registration()
    assert [(p.field, p.code) for p in v.check_registration(body)] == [("captcha", "field.required")]
    assert v.check_registration(body, captcha=False) == []
    assert v.check_registration({**body, "captcha": {"_id": "abc", "answer": "K7M4P2"}}) == []
    problems = v.check_registration({**body, "captcha": {"_id": 3, "answer": "", "x": 1}})
    assert {(p.field, p.code) for p in problems} == {
        ("captcha._id", "field.invalid_type"),
        ("captcha.answer", "field.required"),
        ("captcha.x", "field.unknown"),
    }
    assert v.check_registration({**body, "captcha": "K7M4P2"})[0].code == "field.invalid_type"
    # With captcha=False the block is not a known field of steps 1-4.
    assert v.check_registration({**body, "captcha": {}}, captcha=False)[0].code == "field.unknown"


@pytest.mark.parametrize("value", [None, 42, 4.2, [], {}, b"bytes"])
@pytest.mark.parametrize("check", sorted(CHECKS), ids=str)
def test_checks_never_raise_on_wrong_types(check: str, value: Any) -> None:
    problems = CHECKS[check](value)
    if check == "name" and value is None:
        assert problems == []
    else:
        assert [p.code for p in problems] == ["field.invalid_type"]


def test_registration_of_something_else_than_an_object() -> None:
    assert [(p.field, p.code) for p in v.check_registration([])] == [("body", "field.invalid_type")]  # type: ignore[arg-type]


def test_problem_is_a_small_frozen_value() -> None:
    problem = Problem("email", "email.invalid", "is not an e-mail address.")
    assert problem.as_dict() == {
        "field": "email",
        "code": "email.invalid",
        "message": "is not an e-mail address.",
    }
    assert str(problem) == "email: is not an e-mail address."
    with pytest.raises(AttributeError):
        problem.code = "x"  # type: ignore[misc]


def test_every_code_is_documented_with_its_namespace() -> None:
    for code, meaning in v.CODES.items():
        namespace, _, name = code.partition(".")
        assert namespace
        assert name
        assert meaning


def test_importing_validators_stays_cheap() -> None:
    """Standard library only: the CLI imports it at start-up."""
    code = (
        "import sys; import cartes_cli.validators; "
        "heavy = {'httpx', 'pydantic', 'fastapi', 'keyring', 'cartes_cli.sandbox'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
