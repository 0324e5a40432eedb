"""Who signs up: username, e-mail address, person's names."""

from __future__ import annotations

import re
import unicodedata

from cartes_cli.i18n import _
from cartes_cli.validators._problems import Problem, _p, _type_problem

USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 64
EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = 100


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
