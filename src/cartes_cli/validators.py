"""The rules of the Géoplateforme's account forms, shared by the CLI (checks before sending) and the
sandbox (checks on arrival): one implementation, so both always agree.

Standard library only, no I/O, cheap to import. Every ``check_*`` function returns a list of
:class:`Problem` (an empty list means the value is acceptable) and never raises on bad input,
whatever its type. Messages are in the user's language (:mod:`cartes_cli.i18n`); a caller may
key on ``Problem.code``, whose values are stable and listed in :data:`CODES`.

Rules (the cartes.gouv.fr user guide, and French registries):

- password: at least 14 characters, 1 upper-case letter, 1 lower-case letter, 2 digits and
  2 special characters (anything that is neither a letter nor a digit, as Keycloak counts);
  renewed once a year (:data:`PASSWORD_MAX_AGE_DAYS`).
- username: 3 to 64 characters among letters, digits, ``.``, ``_`` and ``-``, starting with a letter
  or a digit; never shown to others; not an e-mail address.
- SIREN (9 digits) and SIRET (14 digits): Luhn checksum; SIRETs of La Poste (SIREN 356000000)
  may instead have a digit sum that is a multiple of 5.
- French intra-community VAT number: ``FR`` + a 2-character key + the SIREN; a numeric key is
  ``(12 + 3 × (SIREN mod 97)) mod 97`` on two digits.
- postcode: 5 digits, a plausible département (01-95, Corsica 20, overseas 971-978 and 980-988).
- phone: French numbers, ``0X XX XX XX XX`` (X from 1 to 9 first) or ``+33``/``0033`` followed by
  9 digits; spaces, dots and dashes allowed. :func:`normalise_phone` gives the E.164 form.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cartes_cli.i18n import _, ngettext

__all__ = [
    "CODES",
    "COMPANY_MAX_LENGTH",
    "EMAIL_MAX_LENGTH",
    "LOCALITY_MAX_LENGTH",
    "NAME_MAX_LENGTH",
    "PASSWORD_MAX_AGE_DAYS",
    "PASSWORD_MAX_LENGTH",
    "PASSWORD_MIN_DIGITS",
    "PASSWORD_MIN_LENGTH",
    "PASSWORD_MIN_LOWER",
    "PASSWORD_MIN_SPECIAL",
    "PASSWORD_MIN_UPPER",
    "PHOTO_MAX_BYTES",
    "POSITION_MAX_LENGTH",
    "STREET_MAX_LENGTH",
    "USERNAME_MAX_LENGTH",
    "USERNAME_MIN_LENGTH",
    "Problem",
    "check_email",
    "check_name",
    "check_password",
    "check_password_confirmation",
    "check_phone",
    "check_photo",
    "check_postcode",
    "check_registration",
    "check_siren",
    "check_siret",
    "check_text",
    "check_tva",
    "check_username",
    "is_uuid",
    "normalise_phone",
    "normalise_registration",
    "normalise_siret",
    "normalise_tva",
    "password_rule_text",
    "shorten_slug",
    "tva_key",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one field. ``field`` is the field's path in the checked data
    (``password``, ``address.postcode``, ``professional.siret``…)."""

    field: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


CODES: dict[str, str] = {
    # any field
    "field.required": "a required field is missing or empty",
    "field.invalid_type": "the value has the wrong JSON type (string or object expected)",
    "field.too_long": "the text is longer than the field allows",
    "field.invalid_characters": "the text contains control characters",
    "field.unknown": "the field is not part of this form",
    # password
    "password.too_short": "fewer than 14 characters",
    "password.too_long": "more than 128 characters",
    "password.missing_upper": "no upper-case letter",
    "password.missing_lower": "no lower-case letter",
    "password.missing_digits": "fewer than 2 digits",
    "password.missing_special": "fewer than 2 special characters",
    "password.contains_username": "the password contains the username",
    "password.contains_email": "the password contains the e-mail address (or its part before @)",
    "password.confirmation_mismatch": "the confirmation differs from the password",
    # username, e-mail, names
    "username.too_short": "fewer than 3 characters",
    "username.too_long": "more than 64 characters",
    "username.looks_like_email": "an e-mail address was given as username",
    "username.invalid_start": "does not start with a letter or a digit",
    "username.invalid": "characters other than letters, digits, '.', '_' and '-'",
    "email.too_long": "more than 254 characters (or more than 64 before the @)",
    "email.invalid": "not an e-mail address",
    "name.too_long": "more than 100 characters",
    "name.invalid": "characters other than letters, spaces, apostrophes and hyphens",
    # address, phone, photo
    "postcode.invalid": "not 5 digits",
    "postcode.unknown_department": "5 digits, but no French département starts this way",
    "phone.invalid": "not a French phone number",
    "photo.invalid": "not a base64 data URL",
    "photo.unsupported_type": "neither PNG nor JPEG",
    "photo.too_large": "more than 1 MiB once decoded",
    # professional information
    "siren.invalid_format": "not 9 digits",
    "siren.bad_checksum": "9 digits, but the check digit is wrong",
    "siret.invalid_format": "not 14 digits",
    "siret.bad_checksum": "14 digits, but the check digit is wrong",
    "tva.invalid_format": "not FR + a 2-character key + 9 digits",
    "tva.bad_siren": "the SIREN inside the VAT number has a wrong check digit",
    "tva.bad_key": "the key does not match the SIREN",
    "professional.identifier_required": "a professional needs a SIRET or a VAT number",
    "professional.identifier_conflict": "both a SIRET and a VAT number were given (one only)",
    # sign-up (server side: the sandbox adds these; listed so a client knows them all)
    "captcha.invalid": "wrong captcha answer, or unknown or already used captcha",
    "captcha.expired": "the captcha expired: get a new one",
    "username.taken": "an account already has this username",
    "email.taken": "an account already uses this e-mail address",
    "username.immutable": "the username cannot be changed",
    "code.invalid": "wrong verification code",
    "code.expired": "the verification code expired or was burnt by too many wrong tries",
    "password.current_invalid": "the current password is wrong",
    "password.reused": "the new password is the current or the previous one",
    "totp.invalid_code": "wrong authenticator code",
    "totp.already_enabled": "two-factor authentication is already on",
    "totp.not_enabled": "two-factor authentication is off",
    "totp.not_pending": "no authenticator set-up is in progress",
}
"""Every problem code the checks (and the sandbox's account API) can give, with its meaning."""

PASSWORD_MIN_LENGTH = 14
PASSWORD_MAX_LENGTH = 128
PASSWORD_MIN_UPPER = 1
PASSWORD_MIN_LOWER = 1
PASSWORD_MIN_DIGITS = 2
PASSWORD_MIN_SPECIAL = 2
PASSWORD_MAX_AGE_DAYS = 365
USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 64
EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = 100
STREET_MAX_LENGTH = 200
LOCALITY_MAX_LENGTH = 100
COMPANY_MAX_LENGTH = 200
POSITION_MAX_LENGTH = 100
PHOTO_MAX_BYTES = 1024 * 1024
LA_POSTE_SIREN = "356000000"


def _p(field: str, code: str, message: str) -> Problem:
    return Problem(field, code, message)


def _type_problem(field: str, expected: str = "a string") -> list[Problem]:
    shown = {"a string": _("a string"), "a JSON object": _("a JSON object"), "an object": _("an object")}
    return [
        _p(
            field,
            "field.invalid_type",
            _("must be {expected}.").format(expected=shown.get(expected, expected)),
        )
    ]


# --- password --------------------------------------------------------------------------------


def password_rule_text(lang: str = "en") -> str:
    """The password rule in one sentence, for help screens (``lang``: ``en`` or ``fr``)."""
    if lang.lower().startswith("fr"):
        return (
            f"Au moins {PASSWORD_MIN_LENGTH} caractères, dont {PASSWORD_MIN_UPPER} majuscule, "
            f"{PASSWORD_MIN_LOWER} minuscule, {PASSWORD_MIN_DIGITS} chiffres et "
            f"{PASSWORD_MIN_SPECIAL} caractères spéciaux ; à renouveler chaque année."
        )
    return (
        f"At least {PASSWORD_MIN_LENGTH} characters, with {PASSWORD_MIN_UPPER} upper-case letter, "
        f"{PASSWORD_MIN_LOWER} lower-case letter, {PASSWORD_MIN_DIGITS} digits and "
        f"{PASSWORD_MIN_SPECIAL} special characters; renewed once a year."
    )


def check_password(
    password: str, *, username: str | None = None, email: str | None = None, field: str = "password"
) -> list[Problem]:
    """Every criterion the password misses, all at once, with what was found."""
    if not isinstance(password, str):
        return _type_problem(field)
    if not password:
        return [_p(field, "field.required", _("a password is required."))]
    problems: list[Problem] = []
    length = len(password)
    if length < PASSWORD_MIN_LENGTH:
        problems.append(
            _p(
                field,
                "password.too_short",
                _("at least {n} characters ({found} found).").format(n=PASSWORD_MIN_LENGTH, found=length),
            )
        )
    elif length > PASSWORD_MAX_LENGTH:
        problems.append(
            _p(
                field,
                "password.too_long",
                _("at most {n} characters ({found} found).").format(n=PASSWORD_MAX_LENGTH, found=length),
            )
        )
    upper = sum(1 for c in password if c.isupper())
    lower = sum(1 for c in password if c.islower())
    digits = sum(1 for c in password if c.isdigit())
    special = sum(1 for c in password if not c.isalnum())
    for count, minimum, code, what in (
        (
            upper,
            PASSWORD_MIN_UPPER,
            "password.missing_upper",
            ngettext(
                "at least {n} upper-case letter ({found} found).",
                "at least {n} upper-case letters ({found} found).",
                PASSWORD_MIN_UPPER,
            ),
        ),
        (
            lower,
            PASSWORD_MIN_LOWER,
            "password.missing_lower",
            ngettext(
                "at least {n} lower-case letter ({found} found).",
                "at least {n} lower-case letters ({found} found).",
                PASSWORD_MIN_LOWER,
            ),
        ),
        (
            digits,
            PASSWORD_MIN_DIGITS,
            "password.missing_digits",
            ngettext(
                "at least {n} digit ({found} found).",
                "at least {n} digits ({found} found).",
                PASSWORD_MIN_DIGITS,
            ),
        ),
        (
            special,
            PASSWORD_MIN_SPECIAL,
            "password.missing_special",
            ngettext(
                "at least {n} special character ({found} found).",
                "at least {n} special characters ({found} found).",
                PASSWORD_MIN_SPECIAL,
            ),
        ),
    ):
        if count < minimum:
            problems.append(_p(field, code, what.format(n=minimum, found=count)))
    folded = password.casefold()
    name = username.strip().casefold() if isinstance(username, str) else ""
    if len(name) >= USERNAME_MIN_LENGTH and name in folded:
        problems.append(_p(field, "password.contains_username", _("must not contain the username.")))
    if isinstance(email, str) and "@" in email:
        address = email.strip().casefold()
        local = address.split("@", 1)[0]
        if address in folded or (len(local) >= 4 and local in folded):
            problems.append(_p(field, "password.contains_email", _("must not contain the e-mail address.")))
    return problems


def check_password_confirmation(
    password: str, confirmation: str, *, field: str = "password_confirmation"
) -> list[Problem]:
    if not isinstance(confirmation, str):
        return _type_problem(field)
    if not confirmation:
        return [_p(field, "field.required", _("type the password a second time."))]
    if confirmation != password:
        return [_p(field, "password.confirmation_mismatch", _("does not match the password."))]
    return []


# --- username, e-mail, names, free text ---------------------------------------------------------

_USERNAME_RE = re.compile(r"^[A-Za-z0-9._-]+$")


def check_username(username: str, *, field: str = "username") -> list[Problem]:
    if not isinstance(username, str):
        return _type_problem(field)
    if not username.strip():
        return [_p(field, "field.required", _("a username is required."))]
    if "@" in username:
        return [
            _p(
                field,
                "username.looks_like_email",
                _("must not be an e-mail address (the e-mail is asked apart)."),
            )
        ]
    problems: list[Problem] = []
    if len(username) < USERNAME_MIN_LENGTH:
        problems.append(
            _p(
                field,
                "username.too_short",
                _("at least {n} characters ({found}).").format(n=USERNAME_MIN_LENGTH, found=len(username)),
            )
        )
    elif len(username) > USERNAME_MAX_LENGTH:
        problems.append(
            _p(
                field,
                "username.too_long",
                _("at most {n} characters ({found}).").format(n=USERNAME_MAX_LENGTH, found=len(username)),
            )
        )
    if not _USERNAME_RE.match(username):
        problems.append(
            _p(
                field,
                "username.invalid",
                _("only letters (no accents), digits, '.', '_' and '-' are allowed."),
            )
        )
    elif not username[0].isalnum():
        problems.append(_p(field, "username.invalid_start", _("must start with a letter or a digit.")))
    return problems


_EMAIL_LOCAL_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_TLD_RE = re.compile(r"^([^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})$", re.IGNORECASE)


def _domain_label_ok(label: str) -> bool:
    if not 1 <= len(label) <= 63 or label.startswith("-") or label.endswith("-"):
        return False
    return all(c.isalnum() or c == "-" for c in label) and label.isprintable()


def check_email(email: str, *, field: str = "email") -> list[Problem]:
    """A pragmatic subset of RFC 5322: ``dot-atom@domain.tld``, no quoted local parts, no IP
    literals, a dot in the domain; internationalised domain names are accepted."""
    if not isinstance(email, str):
        return _type_problem(field)
    value = email.strip()
    if not value:
        return [_p(field, "field.required", _("an e-mail address is required."))]
    if len(value) > EMAIL_MAX_LENGTH:
        return [
            _p(
                field,
                "email.too_long",
                _("at most {n} characters ({found}).").format(n=EMAIL_MAX_LENGTH, found=len(value)),
            )
        ]
    local, at, domain = value.rpartition("@")
    invalid = [_p(field, "email.invalid", _("is not an e-mail address (name@example.fr)."))]
    if not at or not local or not domain or "@" in local:
        return invalid
    if len(local) > 64:
        return [_p(field, "email.too_long", _("at most 64 characters before the @."))]
    if not _EMAIL_LOCAL_RE.match(local):
        return invalid
    labels = domain.rstrip(".").split(".") if not domain.endswith("..") else [""]
    if len(labels) < 2 or not all(_domain_label_ok(label) for label in labels):
        return invalid
    if not _TLD_RE.match(labels[-1]):
        return invalid
    return []


_NAME_PUNCTUATION = frozenset(" '’-")


def check_name(name: str | None, *, field: str = "name") -> list[Problem]:
    """An optional person's name: letters (accents welcome), spaces, apostrophes, hyphens."""
    if name is None:
        return []
    if not isinstance(name, str):
        return _type_problem(field)
    value = name.strip()
    if not value:
        return []
    if len(value) > NAME_MAX_LENGTH:
        return [
            _p(
                field,
                "name.too_long",
                _("at most {n} characters ({found}).").format(n=NAME_MAX_LENGTH, found=len(value)),
            )
        ]
    normalised = unicodedata.normalize("NFC", value)
    if not all(c.isalpha() or c in _NAME_PUNCTUATION or unicodedata.combining(c) for c in normalised):
        return [_p(field, "name.invalid", _("only letters, spaces, apostrophes and hyphens are allowed."))]
    if not any(c.isalpha() for c in normalised):
        return [_p(field, "name.invalid", _("must contain letters."))]
    return []


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


# --- postcode, phone, photo ----------------------------------------------------------------------

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


# --- SIREN, SIRET, VAT ---------------------------------------------------------------------------


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value.strip()).upper()


def _all_digits(value: str, length: int) -> bool:
    return len(value) == length and value.isascii() and value.isdigit()


def normalise_siret(siret: str) -> str:
    """``732 829 320 00074`` → ``73282932000074`` (spaces, dots and dashes dropped)."""
    return _compact(siret)


def check_siren(siren: str, *, field: str = "siren") -> list[Problem]:
    if not isinstance(siren, str):
        return _type_problem(field)
    value = _compact(siren)
    if not value:
        return [_p(field, "field.required", _("a SIREN number is required."))]
    if not _all_digits(value, 9):
        return [
            _p(
                field,
                "siren.invalid_format",
                _("a SIREN has 9 digits ({n} characters given).").format(n=len(value)),
            )
        ]
    if not _luhn_ok(value):
        return [_p(field, "siren.bad_checksum", _("this SIREN does not exist: its check digit is wrong."))]
    return []


def check_siret(siret: str, *, field: str = "siret") -> list[Problem]:
    if not isinstance(siret, str):
        return _type_problem(field)
    value = _compact(siret)
    if not value:
        return [_p(field, "field.required", _("a SIRET number is required."))]
    if not _all_digits(value, 14):
        return [
            _p(
                field,
                "siret.invalid_format",
                _("a SIRET has 14 digits ({n} characters given).").format(n=len(value)),
            )
        ]
    # La Poste's establishments share one SIREN and run out of Luhn numbers: INSEE gives them
    # SIRETs whose digit sum is a multiple of 5 instead.
    la_poste = value.startswith(LA_POSTE_SIREN) and sum(ord(c) - 48 for c in value) % 5 == 0
    if not (_luhn_ok(value) or la_poste):
        return [_p(field, "siret.bad_checksum", _("this SIRET does not exist: its check digit is wrong."))]
    return []


def tva_key(siren: str) -> str:
    """The numeric key of the French VAT number of ``siren`` (9 digits): ``732829320`` → ``44``."""
    return f"{(12 + 3 * (int(siren) % 97)) % 97:02d}"


def normalise_tva(tva: str) -> str:
    """``fr 44 732 829 320`` → ``FR44732829320``."""
    return _compact(tva)


_TVA_RE = re.compile(r"^FR(?P<key>[0-9A-HJ-NP-Z]{2})(?P<siren>\d{9})$")


def check_tva(tva: str, *, field: str = "tva") -> list[Problem]:
    """A French intra-community VAT number. Keys with letters (a few older numbers) cannot be
    checked offline: their format only is."""
    if not isinstance(tva, str):
        return _type_problem(field)
    value = _compact(tva)
    if not value:
        return [_p(field, "field.required", _("a VAT number is required."))]
    match = _TVA_RE.match(value) if value.isascii() else None
    if match is None:
        return [
            _p(field, "tva.invalid_format", _("a French VAT number is FR, a 2-character key and the SIREN."))
        ]
    siren, key = match["siren"], match["key"]
    if not _luhn_ok(siren):
        return [_p(field, "tva.bad_siren", _("the SIREN in this VAT number has a wrong check digit."))]
    if key.isdigit() and key != tva_key(siren):
        return [_p(field, "tva.bad_key", _("the key (2 characters after FR) does not match the SIREN."))]
    return []


# --- the whole registration ----------------------------------------------------------------------

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
