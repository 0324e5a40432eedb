"""The join form's prompts say what they accept; answers are checked one by one."""

from __future__ import annotations

import re

import pytest

from cartes_cli.cli.forms import field_label
from cartes_cli.client.models import JoinForm
from cartes_cli.client.validation import check_answer, validate_answers
from cartes_cli.errors import UsageError

FORM = JoinForm.model_validate(
    {
        "fields": [
            {"name": "effectif", "title": "Effectif", "type": "integer",
             "constraints": {"required": True, "minimum": 1, "maximum": 7}},
            {"name": "charte", "title": "Accepte la charte", "type": "boolean",
             "constraints": {"required": True}},
            {"name": "domaine", "title": "Domaine", "type": "string", "enum": ["eau", "forêt"]},
            {"name": "surface", "title": "Surface", "type": "number", "constraints": {"minimum": 0}},
            {"name": "service", "title": "Service", "type": "string",
             "constraints": {"required": True, "minLength": 2, "maxLength": 120}},
            {"name": "siret", "title": "SIRET", "type": "string", "constraints": {"pattern": "^[0-9]{14}$"}},
        ]
    }
)  # fmt: skip


def test_labels_show_bounds_choices_and_optional_fields() -> None:
    labels = [field_label(f) for f in FORM.fields]
    assert labels == [
        "Effectif (1–7)",
        "Accepte la charte [yes/no]",
        "Domaine [eau/forêt] (optional)",
        "Surface (≥ 0, optional)",
        "Service (2–120 characters)",
        "SIRET (optional)",
    ]


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [("effectif", "7", 7), ("charte", "oui", True), ("charte", "Non", False), ("domaine", "FORÊT", "forêt"),
     ("surface", "3,5", 3.5)],
)  # fmt: skip
def test_accepted_answers_are_typed(name: str, text: str, value: object) -> None:
    assert check_answer(FORM.field(name), text) == value


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [("effectif", "8", "must be at most 7"), ("effectif", "2.5", "whole number"),
     ("charte", "peut-être", "true or false"), ("domaine", "mer", "must be one of: eau, forêt"),
     ("siret", "123", "expected format (^[0-9]{14}$)")],
)  # fmt: skip
def test_refused_answers_say_why(name: str, text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        check_answer(FORM.field(name), text)


def test_the_whole_form_still_lists_every_problem() -> None:
    with pytest.raises(UsageError) as caught:
        validate_answers(FORM, {"effectif": "9", "domaine": "mer", "couleur": "bleu"})
    message = caught.value.message
    for part in (
        "'couleur' is not a field",
        "'effectif' must be at most 7",
        "'charte' is required",
        "'domaine'",
    ):
        assert part in message
