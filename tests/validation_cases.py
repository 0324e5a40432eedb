"""The account rules as data: the cases that ``cartes_cli.validators`` must get right, and that the
sandbox must answer the same way (the sandbox tests and the end-to-end tests run them against the
server too).

- ``FIELD_CASES``: ``(kind, value, expected_codes)``: ``kind`` names the check (``password``,
  ``siret``…); ``expected_codes`` is the exact list of ``Problem.code`` values, in order (empty:
  valid).
- ``REGISTRATION_CASES``: ``(name, body, expected)``: a ``POST /accounts`` body without its
  ``captcha`` block and the exact set of ``(field, code)`` problems it has (empty: acceptable;
  those bodies have distinct usernames and addresses, so all of them can be created on one
  server, once).
- ``registration_with(kind, value, n)``: a valid body (unique by ``n``) with one value replaced,
  to send a field case to the server; ``FIELD_LOCATIONS[kind]`` is where the problem is reported.

Every valid SIREN, SIRET and VAT number here passes its checksum; several are real (IBM France
732 829 320, EDF 552 081 317 and its VAT FR03552081317, TotalEnergies FR59542051180).
"""

from __future__ import annotations

import base64
import copy
from typing import Any

PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PHOTO_PNG = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
PHOTO_JPEG = "data:image/jpeg;base64," + base64.b64encode(JPEG_HEAD).decode()
PHOTO_TOO_LARGE = "data:image/png;base64," + base64.b64encode(PNG_1PX + bytes(1024 * 1024)).decode()

FIELD_CASES: list[tuple[str, str, list[str]]] = [
    # --- password: at least 14, 1 upper, 1 lower, 2 digits, 2 special ---
    ("password", "Carto-Demo-2026!", []),
    ("password", "Géo#Plate-forme2026", []),
    ("password", "Géo#Plateforme2026", ["password.missing_special"]),  # 'é' is a letter, not special
    ("password", "Mot de passe: 42 ans", []),  # spaces count as special characters (as in Keycloak)
    ("password", "", ["field.required"]),
    ("password", "Aa1!", ["password.too_short", "password.missing_digits", "password.missing_special"]),
    ("password", "Abc-12!", ["password.too_short"]),
    ("password", "carto-demo-2026!", ["password.missing_upper"]),
    ("password", "CARTO-DEMO-2026!", ["password.missing_lower"]),
    ("password", "Carto-Demo-Deux!", ["password.missing_digits"]),
    ("password", "Carto-Demo-Un-1!", ["password.missing_digits"]),
    ("password", "CartoDemo2026xyz", ["password.missing_special"]),
    ("password", "CartoDemo2026xy!", ["password.missing_special"]),
    (
        "password",
        "abcdefgh",
        [
            "password.too_short",
            "password.missing_upper",
            "password.missing_digits",
            "password.missing_special",
        ],
    ),
    ("password", "Aa1!-2" + "x" * 123, ["password.too_long"]),
    # --- username ---
    ("username", "jean.dupont", []),
    ("username", "j_d-2", []),
    ("username", "abc", []),
    ("username", "7ormes", []),
    ("username", "a" * 64, []),
    ("username", "", ["field.required"]),
    ("username", "ab", ["username.too_short"]),
    ("username", "a" * 65, ["username.too_long"]),
    ("username", "jean.dupont@ign.fr", ["username.looks_like_email"]),
    ("username", ".jean", ["username.invalid_start"]),
    ("username", "-jean", ["username.invalid_start"]),
    ("username", "jean dupont", ["username.invalid"]),
    ("username", "jérôme", ["username.invalid"]),
    # --- e-mail ---
    ("email", "jean.dupont@ign.fr", []),
    ("email", "a+tag@sub.example.org", []),
    ("email", "o'neil@exemple.test", []),
    ("email", "x@xn--bcher-kva.fr", []),
    ("email", "contact@mairie-évry.fr", []),
    ("email", "", ["field.required"]),
    ("email", "jean", ["email.invalid"]),
    ("email", "jean@", ["email.invalid"]),
    ("email", "@ign.fr", ["email.invalid"]),
    ("email", "jean@ign", ["email.invalid"]),
    ("email", "jean..dupont@ign.fr", ["email.invalid"]),
    ("email", ".jean@ign.fr", ["email.invalid"]),
    ("email", "jean@-ign.fr", ["email.invalid"]),
    ("email", "jean dupont@ign.fr", ["email.invalid"]),
    ("email", "jean@ign.f", ["email.invalid"]),
    ("email", "jean@@ign.fr", ["email.invalid"]),
    ("email", "a" * 65 + "@ign.fr", ["email.too_long"]),
    ("email", "jean@" + "a" * 250 + ".fr", ["email.too_long"]),
    # --- postcode: 5 digits, a plausible département ---
    ("postcode", "75007", []),
    ("postcode", "01000", []),
    ("postcode", "20000", []),  # Ajaccio (Corse-du-Sud)
    ("postcode", "20200", []),  # Bastia (Haute-Corse)
    ("postcode", "95000", []),
    ("postcode", "97411", []),  # La Réunion
    ("postcode", "97600", []),  # Mayotte
    ("postcode", "98800", []),  # Nouméa
    ("postcode", "", ["field.required"]),
    ("postcode", "7500", ["postcode.invalid"]),
    ("postcode", "750077", ["postcode.invalid"]),
    ("postcode", "7500A", ["postcode.invalid"]),
    ("postcode", "75 007", ["postcode.invalid"]),
    ("postcode", "00100", ["postcode.unknown_department"]),
    ("postcode", "96000", ["postcode.unknown_department"]),
    ("postcode", "97900", ["postcode.unknown_department"]),
    ("postcode", "98100", ["postcode.unknown_department"]),
    ("postcode", "99000", ["postcode.unknown_department"]),
    # --- SIREN (Luhn) ---
    ("siren", "732829320", []),
    ("siren", "552 081 317", []),
    ("siren", "356000000", []),
    ("siren", "732829321", ["siren.bad_checksum"]),
    ("siren", "73282932", ["siren.invalid_format"]),
    ("siren", "73282932A", ["siren.invalid_format"]),
    # --- SIRET (Luhn; La Poste: digit sum a multiple of 5) ---
    ("siret", "73282932000074", []),
    ("siret", "552 081 317 00042", []),
    ("siret", "18008901300031", []),
    ("siret", "35600000000048", []),  # La Poste, passes Luhn
    ("siret", "35600000000010", []),  # La Poste, digit sum 15
    ("siret", "35600000000011", ["siret.bad_checksum"]),  # La Poste, neither rule
    ("siret", "73282932000075", ["siret.bad_checksum"]),
    ("siret", "7328293200007", ["siret.invalid_format"]),
    ("siret", "732829320000745", ["siret.invalid_format"]),
    ("siret", "7328293200007X", ["siret.invalid_format"]),
    # --- French VAT: FR + key + SIREN, key = (12 + 3 × (SIREN mod 97)) mod 97 ---
    ("tva", "FR44732829320", []),
    ("tva", "FR 44 732 829 320", []),
    ("tva", "fr44732829320", []),
    ("tva", "FR03552081317", []),
    ("tva", "FR59542051180", []),
    ("tva", "FR40180089013", []),
    ("tva", "FRAB732829320", []),  # a letter key: format only (cannot be checked offline)
    ("tva", "FR45732829320", ["tva.bad_key"]),
    ("tva", "FR44732829321", ["tva.bad_siren"]),
    ("tva", "DE123456789", ["tva.invalid_format"]),
    ("tva", "FR4473282932", ["tva.invalid_format"]),
    ("tva", "FRIO732829320", ["tva.invalid_format"]),
    ("tva", "44732829320", ["tva.invalid_format"]),
    # --- phone: French numbers ---
    ("phone", "06 12 34 56 78", []),
    ("phone", "0123456789", []),
    ("phone", "01.23.45.67.89", []),
    ("phone", "07-00-00-00-00", []),
    ("phone", "+33 6 12 34 56 78", []),
    ("phone", "0033 1 23 45 67 89", []),
    ("phone", "00 12 34 56 78", ["phone.invalid"]),
    ("phone", "+33 0 12 34 56 78", ["phone.invalid"]),
    ("phone", "06 12 34 56 7", ["phone.invalid"]),
    ("phone", "06 12 34 56 789", ["phone.invalid"]),
    ("phone", "+44 20 7946 0958", ["phone.invalid"]),
    ("phone", "+33 (0)6 12 34 56 78", ["phone.invalid"]),
    ("phone", "06l2345678", ["phone.invalid"]),
    # --- names (optional) ---
    ("name", "Amélie", []),
    ("name", "Jean-Édouard", []),
    ("name", "d'Ormesson", []),
    ("name", "N’Diaye", []),
    ("name", "Le Gall", []),
    ("name", "J3an", ["name.invalid"]),
    ("name", "Jean!", ["name.invalid"]),
    ("name", "'-'", ["name.invalid"]),
    ("name", "A" * 101, ["name.too_long"]),
    # --- photo: PNG or JPEG data URL, at most 1 MiB ---
    ("photo", PHOTO_PNG, []),
    ("photo", PHOTO_JPEG, []),
    ("photo", "https://exemple.test/moi.png", ["photo.invalid"]),
    ("photo", "data:image/png;base64,@@@", ["photo.invalid"]),
    ("photo", "data:image/gif;base64,R0lGODlhAQABAAAAACw=", ["photo.unsupported_type"]),
    ("photo", "data:image/png;base64," + base64.b64encode(JPEG_HEAD).decode(), ["photo.unsupported_type"]),
    ("photo", PHOTO_TOO_LARGE, ["photo.too_large"]),
]

FIELD_LOCATIONS: dict[str, str] = {
    "password": "password",
    "username": "username",
    "email": "email",
    "postcode": "address.postcode",
    "siret": "professional.siret",
    "tva": "professional.tva",
    "phone": "phone",
    "name": "last_name",
    "photo": "photo",
}
"""Where a field case goes in a registration body (``siren`` has no place of its own there)."""


def base_registration(n: int | str = 1) -> dict[str, Any]:
    """A minimal acceptable sign-up (no captcha block), unique by ``n``."""
    return {
        "username": f"essai.{n}",
        "password": "Carte-Blanche-2026!",
        "email": f"essai.{n}@exemple.test",
    }


def full_registration(n: int | str = 1) -> dict[str, Any]:
    """Every step filled in: identity, address, professional information (with a SIRET)."""
    return {
        **base_registration(n),
        "first_name": "Élise",
        "last_name": "Le Gall",
        "phone": "06 12 34 56 78",
        "photo": PHOTO_PNG,
        "address": {"street": "8 avenue Pasteur", "locality": "Saint-Mandé", "postcode": "94160"},
        "professional": {
            "siret": "732 829 320 00074",
            "company": "Géomatique Conseil",
            "position": "Cheffe de projet SIG",
            "street": "73 avenue de Paris",
            "locality": "Saint-Mandé",
            "postcode": "94160",
        },
    }


def registration_with(kind: str, value: str, n: int | str = 1) -> dict[str, Any]:
    """``full_registration(n)`` with the value at ``FIELD_LOCATIONS[kind]`` replaced."""
    body = full_registration(n)
    path = FIELD_LOCATIONS[kind].split(".")
    if path[0] == "professional" and path[1] == "tva":
        del body["professional"]["siret"]
    target = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return body


def _without(body: dict[str, Any], *paths: str) -> dict[str, Any]:
    result = copy.deepcopy(body)
    for path in paths:
        *parents, last = path.split(".")
        target = result
        for part in parents:
            target = target[part]
        del target[last]
    return result


def _with(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    result = copy.deepcopy(body)
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = result
        for part in parents:
            target = target[part]
        target[last] = value
    return result


REGISTRATION_CASES: list[tuple[str, dict[str, Any], set[tuple[str, str]]]] = [
    # The acceptable bodies have usernames of their own (essai.101…): all can be created on one server.
    ("minimal", base_registration(101), set()),
    ("every step", full_registration(102), set()),
    (
        "professional with a VAT number",
        _with(_without(full_registration(103), "professional.siret"), professional__tva="FR44732829320"),
        set(),
    ),
    (
        "optional values left empty",
        _with(
            base_registration(104),
            first_name="",
            last_name=None,
            phone="",
            photo=None,
            address={"street": "", "locality": "", "postcode": ""},
            professional=None,
        ),
        set(),
    ),
    (
        "nothing at all",
        {},
        {("username", "field.required"), ("email", "field.required"), ("password", "field.required")},
    ),
    (
        "wrong JSON types",
        {"username": 42, "email": ["a@b.fr"], "password": None, "address": "Paris", "phone": 612345678},
        {
            ("username", "field.invalid_type"),
            ("email", "field.invalid_type"),
            ("password", "field.required"),
            ("address", "field.invalid_type"),
            ("phone", "field.invalid_type"),
        },
    ),
    ("an unknown field", _with(base_registration(), nickname="JD"), {("nickname", "field.unknown")}),
    (
        "password contains the username",
        _with(base_registration(), password="Essai.1-Carte-2026"),
        # the username is also the e-mail's local part here
        {("password", "password.contains_username"), ("password", "password.contains_email")},
    ),
    (
        "password contains the e-mail's local part",
        _with(
            base_registration(),
            username="jdupont",
            email="cartographe@exemple.test",
            password="Cartographe-2026!",
        ),
        {("password", "password.contains_email")},
    ),
    (
        "every password criterion missing at once",
        _with(base_registration(), password="abcdefgh"),
        {
            ("password", "password.too_short"),
            ("password", "password.missing_upper"),
            ("password", "password.missing_digits"),
            ("password", "password.missing_special"),
        },
    ),
    (
        "a partial address",
        _with(base_registration(), address={"street": "1 rue de la Paix", "postcode": "75002"}),
        {("address.locality", "field.required")},
    ),
    (
        "address with an unknown field and a bad postcode",
        _with(
            base_registration(),
            address={"street": "1 rue", "locality": "Paris", "postcode": "7500", "x": "y"},
        ),
        {("address.x", "field.unknown"), ("address.postcode", "postcode.invalid")},
    ),
    (
        "professional with both a SIRET and a VAT number",
        _with(full_registration(), professional__tva="FR44732829320"),
        {("professional", "professional.identifier_conflict")},
    ),
    (
        "professional with neither a SIRET nor a VAT number",
        _without(full_registration(), "professional.siret"),
        {("professional", "professional.identifier_required")},
    ),
    (
        "professional without company, position or address",
        {**base_registration(), "professional": {"siret": "73282932000074"}},
        {
            ("professional.company", "field.required"),
            ("professional.position", "field.required"),
            ("professional.street", "field.required"),
            ("professional.locality", "field.required"),
            ("professional.postcode", "field.required"),
        },
    ),
    (
        "professional with bad numbers",
        _with(full_registration(), professional__siret="73282932000075", professional__postcode="96000"),
        {
            ("professional.siret", "siret.bad_checksum"),
            ("professional.postcode", "postcode.unknown_department"),
        },
    ),
    (
        "a company name too long",
        _with(full_registration(), professional__company="x" * 201),
        {("professional.company", "field.too_long")},
    ),
    (
        "bad identity",
        _with(base_registration(), first_name="J3an", last_name="D" * 101, phone="12345"),
        {("first_name", "name.invalid"), ("last_name", "name.too_long"), ("phone", "phone.invalid")},
    ),
]
