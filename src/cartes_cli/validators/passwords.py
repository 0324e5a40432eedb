"""The password rule: at least 14 characters, 1 upper-case letter, 1 lower-case letter, 2 digits
and 2 special characters, neither the username nor the e-mail address inside; renewed once a
year."""

from __future__ import annotations

from cartes_cli.i18n import _, ngettext
from cartes_cli.validators._problems import Problem, _p, _type_problem
from cartes_cli.validators.identity import USERNAME_MIN_LENGTH

PASSWORD_MIN_LENGTH = 14
PASSWORD_MAX_LENGTH = 128
PASSWORD_MIN_UPPER = 1
PASSWORD_MIN_LOWER = 1
PASSWORD_MIN_DIGITS = 2
PASSWORD_MIN_SPECIAL = 2
PASSWORD_MAX_AGE_DAYS = 365


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


def _missing_classes(password: str, field: str) -> list[Problem]:
    """The character classes (upper-case, lower-case, digits, special) ``password`` has too few of,
    in that order."""
    problems: list[Problem] = []
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
    return problems


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
    problems += _missing_classes(password, field)
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
