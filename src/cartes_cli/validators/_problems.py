"""What every check returns: :class:`Problem`, and :data:`CODES`, every problem code with its
meaning."""

from __future__ import annotations

from dataclasses import dataclass

from cartes_cli.i18n import _


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
