"""The account's fields, declared once: their options, where the API body has them, their labels,
and how each is checked (``cartes_cli.validators``, shared with the sandbox), before any request.

A problem is shown with the option the user typed (``--company-street: …``), never with the
value: it may be a password.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from typing import TypeAlias

    from cartes_cli.cli.context import AppContext
    from cartes_cli.errors import InvalidInput
    from cartes_cli.validators import Problem

    ProblemLike: TypeAlias = Problem | tuple[str | None, str, str] | str
    """A problem found here (``Problem``), one the platform sent (a tuple), or a sentence."""

PHOTO_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Field:
    """One sign-up (or profile) field."""

    key: str
    """The option's name with '_' (``company_street``), and the key in ``--from-file``."""
    group: str
    """The wizard's step: ``login``, ``identity``, ``address`` or ``professional``."""
    label: str
    """As the wizard's summary and questions name it."""
    check: str
    """The check (``cartes_cli.validators.check_<check>``; ``text`` is bounded by ``limit``)."""
    path: str | None = None
    """Where the API body has it (problems name it), when not at the top as ``key``."""
    question: str | None = None
    """The wizard's question, when not the label."""
    limit: str | None = None
    """For ``text``: the name of its maximum length in ``cartes_cli.validators``."""

    @property
    def body_path(self) -> str:
        return self.path or self.key

    @property
    def option(self) -> str:
        return "--" + self.key.replace("_", "-")


FIELDS: tuple[Field, ...] = (
    Field("username", "login", _("Username"), "username"),
    Field("email", "login", _("E-mail"), "email", question=_("E-mail address")),
    Field("first_name", "identity", _("First name"), "name"),
    Field("last_name", "identity", _("Last name"), "name"),
    Field("phone", "identity", _("Phone"), "phone", question=_("Phone number")),
    Field(
        "photo",
        "identity",
        _("Photo"),
        "photo",
        question=_("Photo: path to a PNG or JPEG image, 1 MB at most"),
    ),
    Field("street", "address", _("Street"), "text", "address.street", limit="STREET_MAX_LENGTH"),
    Field("locality", "address", _("Locality"), "text", "address.locality", limit="LOCALITY_MAX_LENGTH"),
    Field("postcode", "address", _("Postcode"), "postcode", "address.postcode"),
    Field("siret", "professional", _("SIRET"), "siret", "professional.siret"),
    Field("tva", "professional", _("VAT number"), "tva", "professional.tva"),
    Field(
        "company",
        "professional",
        _("Company"),
        "text",
        "professional.company",
        _("Company or administration"),
        "COMPANY_MAX_LENGTH",
    ),
    Field(
        "position",
        "professional",
        _("Position"),
        "text",
        "professional.position",
        _("Your position"),
        "POSITION_MAX_LENGTH",
    ),
    Field(
        "company_street",
        "professional",
        _("Company street"),
        "text",
        "professional.street",
        None,
        "STREET_MAX_LENGTH",
    ),
    Field(
        "company_locality",
        "professional",
        _("Company locality"),
        "text",
        "professional.locality",
        None,
        "LOCALITY_MAX_LENGTH",
    ),
    Field("company_postcode", "professional", _("Company postcode"), "postcode", "professional.postcode"),
)
"""In the options' order (``account create --help``)."""

BY_KEY = {f.key: f for f in FIELDS}
SIGNUP_FIELDS = tuple(f.key for f in FIELDS)
IDENTITY = tuple(f.key for f in FIELDS if f.group == "identity")
ADDRESS = tuple(f.key for f in FIELDS if f.group == "address")
PROFESSIONAL = tuple(f.key for f in FIELDS if f.group == "professional")
FILE_KEYS = (*SIGNUP_FIELDS, "password", "captcha_id", "captcha_answer")
ASKING_ORDER = (
    *("username", "email", *IDENTITY),
    *("street", "postcode", "locality"),
    *("siret", "tva", "company", "position", "company_street", "company_postcode", "company_locality"),
)
"""The order the wizard asks in and sums up: a postcode before its locality, as on an envelope."""

FIELD_LABELS = {
    **{f.body_path: f.option for f in FIELDS},
    "password": _("password"),
    "password_confirmation": _("password confirmation"),
    "address": _("address"),
    "professional": _("professional information"),
    "captcha": _("captcha"),
    "captcha.answer": "--captcha-answer",
    "captcha._id": "--captcha-id",
    "code": "--code",
    # The account REST endpoints' names.
    "firstName": "--first-name",
    "lastName": "--last-name",
    "street": "--street",
    "locality": "--locality",
    "postcode": "--postcode",
    "attributes": _("profile"),
    "currentPassword": _("current password"),
    "newPassword": _("new password"),
    "confirmation": _("new password again"),
    "totp": _("two-factor authentication"),
}
"""Problem fields (paths in the API body) as the user knows them: the options."""


# --- problems -----------------------------------------------------------------------------------


def problem_parts(problem: ProblemLike) -> tuple[str | None, str, str]:
    if isinstance(problem, tuple):
        field, code, message = problem
        return field, code, message
    if isinstance(problem, str):
        return None, "", problem
    return problem.field, problem.code, str(problem.message)


def problem_text(problem: ProblemLike, *, with_field: bool = True) -> str:
    field, _code, message = problem_parts(problem)
    if not with_field or not field:
        return message
    label = FIELD_LABELS.get(field) or "--" + field.split(".")[-1].replace("_", "-")
    return _("{field}: {problem}").format(field=label, problem=message)


def problems_of(exc: InvalidInput) -> list[ProblemLike]:
    """What the platform refused, field by field (or its one sentence)."""
    return [*exc.problems] or [exc.message]


def fail(app: AppContext, problems: Iterable[ProblemLike], *, heading: str | None = None) -> typer.Exit:
    """Print each problem on its own line (never the values), and exit 2."""
    term = app.terminal
    items = list(problems)
    term.error(_("Error: {heading}").format(heading=heading or _("the input is not valid:")))
    for problem in items:
        term.error(f"  - {problem_text(problem)}")
    return typer.Exit(2)


# --- checks ---------------------------------------------------------------------------------------


def check_field(key: str, value: str) -> list[Problem]:
    """The problems of one sign-up or profile field (an empty list when it is fine)."""
    from cartes_cli import validators as v

    field = BY_KEY.get(key)
    if field is None:
        return []
    path = field.body_path
    if field.check == "text":
        assert field.limit is not None
        return list(v.check_text(value, field=path, max_length=getattr(v, field.limit)))
    if field.check == "photo":
        return check_photo(value)
    if field.check == "name":
        return list(v.check_name(value, field=key))
    checks: dict[str, Callable[[str], list[Problem]]] = {
        "username": v.check_username,
        "email": v.check_email,
        "phone": v.check_phone,
        "postcode": lambda x: v.check_postcode(x, field=path),
        "siret": lambda x: v.check_siret(x, field=path),
        "tva": lambda x: v.check_tva(x, field=path),
    }
    return list(checks[field.check](value))


def check_password(password: str, *, username: str | None, email: str | None) -> list[Problem]:
    from cartes_cli import validators as v

    return list(v.check_password(password, username=username, email=email))


def check_confirmation(password: str, confirmation: str) -> list[Problem]:
    from cartes_cli import validators as v

    return list(v.check_password_confirmation(password, confirmation))


def password_rule() -> str:
    from cartes_cli import validators as v
    from cartes_cli.i18n import language

    return str(v.password_rule_text(language()))


def normalise_phone(value: str) -> str:
    from cartes_cli import validators as v

    return v.normalise_phone(value) or value


def check_photo(path: str) -> list[Problem]:
    """A photo is a local PNG or JPEG file of at most 1 MB (checked as the data URL sent)."""
    from cartes_cli import validators as v

    try:
        data_url = photo_data_url(path)
    except UsageError as exc:
        return [v.Problem("photo", "photo.invalid", exc.message)]
    return list(v.check_photo(data_url))


def photo_data_url(path: str) -> str:
    import base64

    if path.startswith("data:"):
        return path  # already a data URL (--from-file may hold one)
    file = Path(path).expanduser()
    try:
        if file.stat().st_size > 2 * PHOTO_MAX_BYTES:  # no need to read it all to refuse it
            raise UsageError(_("The photo {path} is larger than 1 MB.").format(path=file))
        data = file.read_bytes()
    except OSError as exc:
        raise UsageError(
            _("Cannot read the photo {path}: {reason}.").format(path=file, reason=exc.strerror or exc)
        ) from exc
    if data.startswith(b"\xff\xd8\xff"):
        media = "image/jpeg"
    elif data.startswith(b"\x89PNG"):
        media = "image/png"
    else:
        media = "image/" + (file.suffix.lstrip(".").lower() or "unknown")
    return f"data:{media};base64,{base64.b64encode(data).decode('ascii')}"


def wire_fields(fields: Mapping[str, str]) -> dict[str, str]:
    """Fields as the API wants them: the photo file as a data URL."""
    data = dict(fields)
    if data.get("photo"):
        data["photo"] = photo_data_url(data["photo"])
    return data


def registration_problems(fields: Mapping[str, str], password: str | None) -> list[ProblemLike]:
    """Every problem of a complete sign-up (before the captcha), as the server would find them."""
    from cartes_cli import validators as v
    from cartes_cli.client.signup import registration_body

    data: dict[str, object] = dict(fields)
    if password is not None:
        data["password"] = password
    photo_problems: list[ProblemLike] = []
    if data.get("photo"):
        photo_problems = [*check_photo(str(data.pop("photo")))]
    return photo_problems + list(v.check_registration(registration_body(data), captcha=False))
