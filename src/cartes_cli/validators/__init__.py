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

One module per subject (``from cartes_cli.validators import check_password`` works as before the
split, and so does ``validators.check_password``); a name loads its subject's module on first use
only, so a command that needs ``is_uuid`` does not build the password or registration rules:

- ``_problems``: :class:`Problem`, :data:`CODES`;
- ``passwords``: the password rule and its confirmation;
- ``identity``: username, e-mail address, names;
- ``registries``: SIREN, SIRET, VAT numbers;
- ``contact``: postcode, phone, photo;
- ``text``: free text, technical names (slugs, UUIDs);
- ``registration``: the whole sign-up body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cartes_cli.lazy_exports import lazy_exports

if TYPE_CHECKING:  # the names for type checkers; `X as X`: public, outside __all__ as before
    from cartes_cli.validators._problems import CODES, Problem
    from cartes_cli.validators.contact import (
        PHOTO_MAX_BYTES,
        check_phone,
        check_photo,
        check_postcode,
        normalise_phone,
    )
    from cartes_cli.validators.identity import (
        EMAIL_MAX_LENGTH,
        NAME_MAX_LENGTH,
        USERNAME_MAX_LENGTH,
        USERNAME_MIN_LENGTH,
        check_email,
        check_name,
        check_username,
    )
    from cartes_cli.validators.passwords import (
        PASSWORD_MAX_AGE_DAYS,
        PASSWORD_MAX_LENGTH,
        PASSWORD_MIN_DIGITS,
        PASSWORD_MIN_LENGTH,
        PASSWORD_MIN_LOWER,
        PASSWORD_MIN_SPECIAL,
        PASSWORD_MIN_UPPER,
        check_password,
        check_password_confirmation,
        password_rule_text,
    )
    from cartes_cli.validators.registration import ADDRESS_FIELDS as ADDRESS_FIELDS
    from cartes_cli.validators.registration import PROFESSIONAL_FIELDS as PROFESSIONAL_FIELDS
    from cartes_cli.validators.registration import REGISTRATION_FIELDS as REGISTRATION_FIELDS
    from cartes_cli.validators.registration import check_registration, normalise_registration
    from cartes_cli.validators.registries import LA_POSTE_SIREN as LA_POSTE_SIREN
    from cartes_cli.validators.registries import (
        check_siren,
        check_siret,
        check_tva,
        normalise_siret,
        normalise_tva,
        tva_key,
    )
    from cartes_cli.validators.text import (
        COMPANY_MAX_LENGTH,
        LOCALITY_MAX_LENGTH,
        POSITION_MAX_LENGTH,
        STREET_MAX_LENGTH,
        check_text,
        is_uuid,
        shorten_slug,
    )

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

_MODULE_OF = {
    "ADDRESS_FIELDS": "registration",
    "CODES": "_problems",
    "COMPANY_MAX_LENGTH": "text",
    "EMAIL_MAX_LENGTH": "identity",
    "LA_POSTE_SIREN": "registries",
    "LOCALITY_MAX_LENGTH": "text",
    "NAME_MAX_LENGTH": "identity",
    "PASSWORD_MAX_AGE_DAYS": "passwords",
    "PASSWORD_MAX_LENGTH": "passwords",
    "PASSWORD_MIN_DIGITS": "passwords",
    "PASSWORD_MIN_LENGTH": "passwords",
    "PASSWORD_MIN_LOWER": "passwords",
    "PASSWORD_MIN_SPECIAL": "passwords",
    "PASSWORD_MIN_UPPER": "passwords",
    "PHOTO_MAX_BYTES": "contact",
    "POSITION_MAX_LENGTH": "text",
    "PROFESSIONAL_FIELDS": "registration",
    "Problem": "_problems",
    "REGISTRATION_FIELDS": "registration",
    "STREET_MAX_LENGTH": "text",
    "USERNAME_MAX_LENGTH": "identity",
    "USERNAME_MIN_LENGTH": "identity",
    "check_email": "identity",
    "check_name": "identity",
    "check_password": "passwords",
    "check_password_confirmation": "passwords",
    "check_phone": "contact",
    "check_photo": "contact",
    "check_postcode": "contact",
    "check_registration": "registration",
    "check_siren": "registries",
    "check_siret": "registries",
    "check_text": "text",
    "check_tva": "registries",
    "check_username": "identity",
    "is_uuid": "text",
    "normalise_phone": "contact",
    "normalise_registration": "registration",
    "normalise_siret": "registries",
    "normalise_tva": "registries",
    "password_rule_text": "passwords",
    "shorten_slug": "text",
    "tva_key": "registries",
}


__getattr__, __dir__ = lazy_exports(__name__, globals(), _MODULE_OF)
