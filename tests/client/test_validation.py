"""Input checks made before any request (table-driven)."""

from __future__ import annotations

from typing import Any

import pytest

from cartes_cli.client.models import JoinForm, Right
from cartes_cli.client.validation import (
    RIGHT_NAMES,
    check_datastore_request,
    derive_technical_name,
    is_uuid,
    parse_answer_args,
    parse_member_link,
    parse_membership_link,
    parse_rights,
    validate_answers,
    validate_datastore_request,
    validate_request_id,
    validate_technical_name,
)
from cartes_cli.errors import UsageError

UUID = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"

# --- rights -------------------------------------------------------------------------------


def test_right_names_match_the_model() -> None:
    assert tuple(r.value for r in Right) == RIGHT_NAMES


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("upload,processing", ["UPLOAD", "PROCESSING"]),
        ("Processing, UPLOAD", ["UPLOAD", "PROCESSING"]),
        ("annex;community upload", ["COMMUNITY", "UPLOAD", "ANNEX"]),
        ("upload,upload", ["UPLOAD"]),
        ("all", list(RIGHT_NAMES)),
        ("ALL,upload", list(RIGHT_NAMES)),
        (["broadcast", "Upload"], ["UPLOAD", "BROADCAST"]),
        ([Right.ANNEX, "community"], ["COMMUNITY", "ANNEX"]),
    ],
)
def test_parse_rights(given: Any, expected: list[str]) -> None:
    assert parse_rights(given) == expected


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            "upload,admin",
            r"^Unknown right 'admin'; valid rights are COMMUNITY, UPLOAD, PROCESSING, BROADCAST, ANNEX",
        ),
        ("root,god", r"^Unknown rights 'root', 'god'"),
        ("", r"^No right given"),
        (" , ", r"^No right given"),
    ],
)
def test_parse_rights_errors(given: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_rights(given)


def test_parse_rights_may_allow_empty() -> None:
    assert parse_rights([], allow_empty=True) == []


# --- identifiers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (UUID, True),
        (UUID.upper(), True),
        (f" {UUID} ", True),
        (UUID[:-1], False),
        ("tutoriels", False),
        ("", False),
    ],
)
def test_is_uuid(value: str, ok: bool) -> None:
    assert is_uuid(value) is ok


def test_validate_request_id() -> None:
    assert validate_request_id(f"  {UUID.upper()}\n") == UUID
    with pytest.raises(UsageError, match=r"^'12' is not a valid request id"):
        validate_request_id("12")
    with pytest.raises(UsageError, match=r"^An empty value is not a valid request id"):
        validate_request_id("  ")
    with pytest.raises(UsageError) as info:
        validate_request_id("\x1b[31m" + "x" * 200)
    assert "\x1b" not in str(info.value)
    assert len(str(info.value)) < 200


# --- technical names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Mairie d'Évry – Cadastre", "mairie_d_evry_cadastre"),
        ("  Données  ÉCRINS 2024 ", "donnees_ecrins_2024"),
        ("Straße & Co", "strasse_co"),
        ("___a___b___", "a_b"),
        ("Œuvre", "uvre"),  # Œ has no decomposition: replaced, then trimmed
        # Longer than 30: cut at the last word boundary that fits (issue 13), never mid-word.
        ("Communauté des données géographiques de la métropole", "communaute_des_donnees"),
        ("Observatoire des territoires ruraux", "observatoire_des_territoires"),
        ("abcdefghijklmnopqrstuvwxyz abcd_efg", "abcdefghijklmnopqrstuvwxyz"),
        ("abcdefghijklmnopqrstuvwxyzabc def", "abcdefghijklmnopqrstuvwxyzabc"),  # no trailing _
        ("Observatoire régional des mobilités douces", "observatoire_regional_des"),
        ("abcdefghij abcdefghij abcdefgh more", "abcdefghij_abcdefghij_abcdefgh"),  # ends at 30: whole
        ("a" * 40, "a" * 30),  # one word longer than 30: cut inside it
        ("Espace très long pour l'Observatoire régional", "espace_tres_long_pour"),  # no "l" left
    ],
)
def test_derive_technical_name(name: str, expected: str) -> None:
    derived = derive_technical_name(name)
    assert derived == expected
    assert len(derived) <= 30
    assert validate_technical_name(derived) == derived


@pytest.mark.parametrize("name", ["", "   ", "—…—", "日本語"])
def test_derive_technical_name_needs_something(name: str) -> None:
    with pytest.raises(UsageError, match="Cannot make a technical name"):
        derive_technical_name(name)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "empty"),
        ("a" * 31, r"too long \(31 characters; at most 30\)"),
        ("has space", "only letters, digits"),
        ("é", "only letters, digits"),
    ],
)
def test_validate_technical_name(value: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        validate_technical_name(value)


# --- datastore requests -------------------------------------------------------------------

JUSTIFICATION = "Publier les données ouvertes du cadastre de la commune pour tous."


def test_datastore_request_normalised() -> None:
    checked = validate_datastore_request(
        "  Cadastre   d'Évry ",
        technical_name="evry.cadastre",
        offer="PREMIUM",
        description=" d ",
    )
    assert checked.name == "Cadastre d'Évry"
    assert checked.offer == "premium"
    assert checked.body() == {
        "type": "datastore",
        "name": "Cadastre d'Évry",
        "technical_name": "evry.cadastre",
        "description": "d",
        "offer": "premium",
        "public": False,
    }
    public = check_datastore_request(name="Cadastre d'Évry", public=True, justification=JUSTIFICATION)
    assert public.body()["justification"] == JUSTIFICATION
    assert public.body()["public"] is True


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"name": "Court"}, ["at least 10 characters (it has 5)"]),
        ({"name": "Assez long nom", "offer": "gold"}, ["offer must be essential or premium, not 'gold'"]),
        ({"name": "Assez long nom", "public": True}, ["justification of at least 50 characters (it has 0)"]),
        ({"name": "Assez long nom", "public": True, "justification": "trop court"}, ["(it has 10)"]),
        (
            {"name": "Assez long nom", "technical_name": "bad name"},
            ["the technical name 'bad name' may contain"],
        ),
        (
            {"name": "x", "offer": "", "public": True, "technical_name": "a" * 40},
            ["at least 10", "too long", "offer", "justification"],
        ),
    ],
)
def test_datastore_request_errors(kwargs: dict[str, Any], fragments: list[str]) -> None:
    name = kwargs.pop("name")
    with pytest.raises(UsageError) as info:
        validate_datastore_request(name, **kwargs)
    message = str(info.value)
    assert message.startswith("Invalid workspace request: ")
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


# --- join forms ---------------------------------------------------------------------------

FORM = JoinForm.model_validate(
    {
        "fields": [
            {
                "name": "siret",
                "title": "SIRET",
                "type": "string",
                "constraints": {"required": True, "minLength": 14, "maxLength": 14, "pattern": "^[0-9]+$"},
            },
            {"name": "agents", "type": "integer", "constraints": {"minimum": 1, "maximum": 500}},
            {"name": "surface", "type": "number", "constraints": {"minimum": 0.5}},
            {"name": "public_body", "type": "boolean"},
            {"name": "contact", "type": "email", "constraints": {"required": True}},
            {"name": "note", "type": "string"},
        ]
    }
)


def test_parse_answer_args() -> None:
    assert parse_answer_args(["a=1", "b = x=y", "a=2", "c="]) == {"a": "2", "b": " x=y", "c": ""}
    assert parse_answer_args(["siret=123", "note=Étude=ok"]) == {"siret": "123", "note": "Étude=ok"}
    for bad in ("novalue", "=x"):
        with pytest.raises(UsageError, match="expected field=value"):
            parse_answer_args([bad])


def test_validate_answers_types() -> None:
    typed = validate_answers(
        FORM,
        {
            "siret": "12345678901234",
            "agents": "42",
            "surface": "3,5",
            "public_body": "Oui",
            "contact": " dave.lopper@ign.fr ",
            "note": "",
        },
    )
    assert typed == {
        "siret": "12345678901234",
        "agents": 42,
        "surface": 3.5,
        "public_body": True,
        "contact": "dave.lopper@ign.fr",
    }
    assert isinstance(typed["agents"], int)


@pytest.mark.parametrize(
    ("answers", "fragments"),
    [
        ({"contact": "a@b.fr"}, ["'siret' is required"]),
        ({"siret": "1234", "contact": "a@b.fr"}, ["'siret' must have at least 14 characters"]),
        ({"siret": "1234567890123x", "contact": "a@b.fr"}, ["'siret' does not have the expected format"]),
        ({"siret": "12345678901234", "contact": "nope"}, ["'contact' must be an e-mail address"]),
        (
            {"siret": "12345678901234", "contact": "a@b.fr", "agents": "4.5"},
            ["'agents' must be a whole number"],
        ),
        ({"siret": "12345678901234", "contact": "a@b.fr", "agents": "0"}, ["'agents' must be at least 1"]),
        ({"siret": "12345678901234", "contact": "a@b.fr", "agents": "501"}, ["'agents' must be at most 500"]),
        ({"siret": "12345678901234", "contact": "a@b.fr", "surface": "nan"}, ["'surface' must be a number"]),
        (
            {"siret": "12345678901234", "contact": "a@b.fr", "surface": "0.1"},
            ["'surface' must be at least 0.5"],
        ),
        (
            {"siret": "12345678901234", "contact": "a@b.fr", "public_body": "peut-être"},
            ["must be true or false"],
        ),
        ({"siret": "12345678901234", "contact": "a@b.fr", "age": "3"}, ["'age' is not a field of this form"]),
        (
            {"agents": "x", "contact": ""},
            ["'siret' is required", "'agents' must be a whole number", "'contact' is required"],
        ),
    ],
)
def test_validate_answers_errors(answers: dict[str, str], fragments: list[str]) -> None:
    with pytest.raises(UsageError) as info:
        validate_answers(FORM, answers)
    message = str(info.value)
    assert message.startswith("Invalid answers: ")
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


def test_empty_form() -> None:
    assert validate_answers(JoinForm(), {}) == {}
    with pytest.raises(UsageError, match="this community asks for nothing"):
        validate_answers(JoinForm(), {"x": "1"})


def test_unusable_pattern_is_left_to_the_server() -> None:
    form = JoinForm.model_validate({"fields": [{"name": "a", "constraints": {"pattern": "(unclosed"}}]})
    assert validate_answers(form, {"a": "x"}) == {"a": "x"}


def test_unknown_field_type_is_a_string() -> None:
    form = JoinForm.model_validate({"fields": [{"name": "d", "type": "date", "constraints": None}]})
    assert validate_answers(form, {"d": "2025-01-01"}) == {"d": "2025-01-01"}


# --- links from request e-mails -----------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (f"https://cartes.gouv.fr/tableau-de-bord/communaute/c1/membres?userId={UUID}", ("c1", UUID)),
        (
            f"https://qualif.cartes.gouv.fr/tableau-de-bord/communaute/{UUID}/membres/?userId=u2#top",
            (UUID, "u2"),
        ),
        ("<https://mirror.test/x/communaute/c%20d/membres?foo=1&userId=u3>", ("c d", "u3")),
        ("  http://127.0.0.1:8123/tableau-de-bord/communaute/c4/membres?userId=u4\n", ("c4", "u4")),
    ],
)
def test_parse_membership_link(link: str, expected: tuple[str, str]) -> None:
    assert parse_membership_link(link) == expected
    assert parse_member_link(link) == expected


@pytest.mark.parametrize(
    "link",
    [
        "c1/u1",
        "ftp://cartes.gouv.fr/tableau-de-bord/communaute/c1/membres?userId=u",
        "https://cartes.gouv.fr/tableau-de-bord/communaute/c1/membres",
        "https://cartes.gouv.fr/tableau-de-bord/communaute/c1/donnees?userId=u",
        "https://cartes.gouv.fr/tableau-de-bord/communaute//membres?userId=u",
        "https://cartes.gouv.fr/tableau-de-bord/communaute/c1/membres?userId=",
    ],
)
def test_parse_membership_link_errors(link: str) -> None:
    with pytest.raises(UsageError, match="membership request"):
        parse_membership_link(link)
