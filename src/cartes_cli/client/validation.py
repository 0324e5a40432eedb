"""Checks on user input made BEFORE any request, shared by the client and the CLI.

Pure functions, standard library only (cheap to import at start-up). Every problem is a
``UsageError`` with a one-line message naming what is wrong and what is valid.

- rights: :func:`parse_rights`
- requests: :func:`validate_datastore_request`, :func:`derive_technical_name`,
  :func:`validate_technical_name`, :func:`validate_request_id`, :func:`is_uuid`
- join forms: :func:`parse_answer_args`, :func:`validate_answers`
- the real platform's request e-mails: :func:`parse_membership_link`
"""

from __future__ import annotations

import contextlib
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from cartes_cli.errors import UsageError
from cartes_cli.i18n import _, ngettext
from cartes_cli.textcontrols import MULTILINE_OK as MULTILINE_OK
from cartes_cli.textcontrols import control_character as control_character
from cartes_cli.validators import is_uuid, shorten_slug

if TYPE_CHECKING:
    from cartes_cli.client.models import JoinForm

__all__ = [
    "MAX_TECHNICAL_NAME",
    "MIN_DATASTORE_NAME",
    "MIN_PUBLIC_JUSTIFICATION",
    "OFFERS",
    "RIGHT_NAMES",
    "DatastoreRequestInput",
    "check_answer",
    "check_datastore_request",
    "derive_technical_name",
    "field_kind",
    "is_uuid",
    "looks_like_technical_name",
    "parse_answer_args",
    "parse_member_link",
    "parse_membership_link",
    "parse_rights",
    "unknown_fields",
    "validate_answers",
    "validate_datastore_request",
    "validate_request_id",
    "validate_technical_name",
    "validate_uuid",
]

RIGHT_NAMES: tuple[str, ...] = ("COMMUNITY", "UPLOAD", "PROCESSING", "BROADCAST", "ANNEX")
"""Every right, in canonical order (the same as ``models.Right``)."""
OFFERS: tuple[str, ...] = ("essential", "premium")
MIN_DATASTORE_NAME = 10
MIN_PUBLIC_JUSTIFICATION = 50
MAX_TECHNICAL_NAME = 30

_TECHNICAL_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def _quoted(text: str, limit: int = 60) -> str:
    """``'text'`` for a message: control characters dropped, long input shortened."""
    clean = "".join(c for c in text if c.isprintable())
    if len(clean) > limit:
        clean = clean[: limit - 1] + "…"
    return f"'{clean}'"


# --- control characters ---------------------------------------------------------------------


def check_no_control_characters(text: str, what: str, *, multiline: bool = False) -> str:
    """``text`` as is, or ``UsageError`` naming ``what`` (an option, a field) and the character."""
    found = control_character(text, MULTILINE_OK if multiline else "")
    if found:
        raise UsageError(
            _("{what} contains a control character ({char}); type the text without it.").format(
                what=what, char=found
            )
        )
    return text


# --- rights -------------------------------------------------------------------------------


def parse_rights(value: str | Iterable[str], *, allow_empty: bool = False) -> list[str]:
    """``"upload,processing"`` (or a list, or ``"all"``) → canonical upper-case names, in order.

    Separators: commas, semicolons, spaces. Case is ignored; duplicates are dropped.
    """
    raw = [value] if isinstance(value, str) else list(value)
    names: list[str] = []
    for chunk in raw:
        names.extend(part for part in re.split(r"[\s,;]+", str(chunk)) if part)
    wanted: set[str] = set()
    unknown: list[str] = []
    for name in names:
        upper = name.upper()
        if upper == "ALL":
            wanted.update(RIGHT_NAMES)
        elif upper in RIGHT_NAMES:
            wanted.add(upper)
        else:
            unknown.append(name)
    valid = ", ".join(RIGHT_NAMES)
    if unknown:
        listed = ", ".join(_quoted(u, 30) for u in unknown[:5])
        raise UsageError(
            ngettext(
                "Unknown right {rights}; valid rights are {valid} (or ALL).",
                "Unknown rights {rights}; valid rights are {valid} (or ALL).",
                len(unknown),
            ).format(rights=listed, valid=valid)
        )
    if not wanted and not allow_empty:
        raise UsageError(_("No right given; valid rights are {valid} (or ALL).").format(valid=valid))
    return [r for r in RIGHT_NAMES if r in wanted]


# --- identifiers --------------------------------------------------------------------------


def validate_uuid(text: str, what: str = "identifier") -> str:
    """The uuid in canonical lower case, or ``UsageError``."""
    value = (text or "").strip()
    if not is_uuid(value):
        labels = {"identifier": _("identifier"), "request id": _("request id")}
        message = (
            _("{value} is not a valid {what} (expected a UUID such as {example}).")
            if value
            else _("An empty value is not a valid {what} (expected a UUID such as {example}).")
        )
        raise UsageError(
            message.format(
                value=_quoted(value),
                what=labels.get(what, what),
                example="1b4e28ba-2fa1-11d2-883f-0016d3cca427",
            )
        )
    return value.lower()


def validate_request_id(text: str) -> str:
    """A request id as typed or piped (``request list --json`` lines are handled by the CLI)."""
    return validate_uuid(text, "request id")


# --- datastore requests -------------------------------------------------------------------


def derive_technical_name(name: str) -> str:
    """A technical name from a display name: ``"Mairie d'Évry – Cadastre"`` → ``mairie_d_evry_cadastre``.

    Lower-case ASCII, accents stripped, every run of other characters becomes one ``_``, no ``_``
    at either end, at most 30 characters: a longer one is cut at the last word boundary that
    fits (``observatoire_regional_des_mobilites_douces`` → ``observatoire_regional_des``), or
    inside the first word when that word alone is longer than 30 characters.
    """
    decomposed = unicodedata.normalize("NFKD", name or "")
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")
    slug = shorten_slug(slug)
    if not slug:
        raise UsageError(
            _(
                "Cannot make a technical name from {name}; give one explicitly "
                "(letters, digits, '_', '.', '-')."
            ).format(name=_quoted(name or ""))
        )
    return slug


def looks_like_technical_name(text: str) -> bool:
    """Could ``text`` be a technical name as the platform stores it (no case folding)?"""
    value = text.strip() if isinstance(text, str) else ""
    return 0 < len(value) <= MAX_TECHNICAL_NAME and bool(_TECHNICAL_NAME.match(value))


def validate_technical_name(value: str) -> str:
    text = (value or "").strip()
    if not text:
        raise UsageError(_("The technical name is empty."))
    if len(text) > MAX_TECHNICAL_NAME:
        raise UsageError(
            _("The technical name {name} is too long ({length} characters; at most {max}).").format(
                name=_quoted(text), length=len(text), max=MAX_TECHNICAL_NAME
            )
        )
    if not _TECHNICAL_NAME.match(text):
        raise UsageError(
            _("The technical name {name} may contain only letters, digits, '_', '.' and '-'.").format(
                name=_quoted(text)
            )
        )
    return text


@dataclass(frozen=True)
class DatastoreRequestInput:
    """A checked, normalised datastore request (the body of ``POST /requests``)."""

    name: str
    technical_name: str | None
    description: str | None
    offer: str
    public: bool
    justification: str | None

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": "datastore",
            "name": self.name,
            "offer": self.offer,
            "public": self.public,
        }
        for key in ("technical_name", "description", "justification"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


def validate_datastore_request(
    name: str,
    *,
    technical_name: str | None = None,
    description: str | None = None,
    offer: str = "essential",
    public: bool = False,
    justification: str | None = None,
) -> DatastoreRequestInput:
    """Check every rule at once; one ``UsageError`` lists all the problems."""
    problems: list[str] = []
    for what, text, multiline in (
        ("--name", name, False),
        ("--technical-name", technical_name, False),
        ("--description", description, True),
        ("--justification", justification, True),
    ):
        found = control_character(text or "", MULTILINE_OK if multiline else "")
        if found:
            problems.append(_("{what} contains a control character ({char})").format(what=what, char=found))
    clean_name = " ".join((name or "").split())
    if len(clean_name) < MIN_DATASTORE_NAME:
        problems.append(
            _("the name must have at least {min} characters (it has {length})").format(
                min=MIN_DATASTORE_NAME, length=len(clean_name)
            )
        )
    clean_technical: str | None = None
    if technical_name is not None and technical_name.strip():
        try:
            clean_technical = validate_technical_name(technical_name)
        except UsageError as exc:
            problems.append(exc.message[0].lower() + exc.message[1:].rstrip("."))
    clean_offer = (offer or "").strip().lower()
    if clean_offer not in OFFERS:
        problems.append(
            _("the offer must be {offers}, not {offer}").format(
                offers=_(" or ").join(OFFERS), offer=_quoted(offer or "")
            )
        )
    clean_justification = (justification or "").strip() or None
    if public:
        length = len(clean_justification or "")
        if length < MIN_PUBLIC_JUSTIFICATION:
            problems.append(
                _(
                    "a public workspace needs a justification of at least {min} characters (it has {length})"
                ).format(min=MIN_PUBLIC_JUSTIFICATION, length=length)
            )
    if problems:
        raise UsageError(_("Invalid workspace request: {problems}.").format(problems=_("; ").join(problems)))
    return DatastoreRequestInput(
        name=clean_name,
        technical_name=clean_technical,
        description=(description or "").strip() or None,
        offer=clean_offer,
        public=bool(public),
        justification=clean_justification,
    )


check_datastore_request = validate_datastore_request
"""Alias of :func:`validate_datastore_request`."""


# --- join forms ---------------------------------------------------------------------------


def parse_answer_args(pairs: Iterable[str]) -> dict[str, str]:
    """``["siret=123", "motif=Étude"]`` (``--answer field=value``) → a dict; the last one wins."""
    answers: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(_("Invalid answer {answer}: expected field=value.").format(answer=_quoted(pair)))
        answers[name] = value
    return answers


class _Constraints(Protocol):
    @property
    def required(self) -> bool: ...
    @property
    def min_length(self) -> int | None: ...
    @property
    def max_length(self) -> int | None: ...
    @property
    def minimum(self) -> int | float | None: ...
    @property
    def maximum(self) -> int | float | None: ...
    @property
    def pattern(self) -> str | None: ...
    @property
    def enum(self) -> list[Any] | None: ...


_TRUE = {"true", "yes", "y", "1", "on", "oui", "o", "vrai"}
_FALSE = {"false", "no", "n", "0", "off", "non", "faux"}


def _number(text: str, integer: bool) -> int | float:
    cleaned = text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if not integer and "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # French decimal comma: 3,5
    if integer:
        if not re.fullmatch(r"[+-]?\d+", cleaned):
            raise ValueError(_("must be a whole number"))
        return int(cleaned)
    try:
        number = float(cleaned)
    except ValueError:
        raise ValueError(_("must be a number")) from None
    if not math.isfinite(number):
        raise ValueError(_("must be a number"))
    return number


def _convert(kind: str, text: str) -> Any:
    if kind == "integer":
        return _number(text, integer=True)
    if kind == "number":
        return _number(text, integer=False)
    if kind == "boolean":
        folded = text.strip().lower()
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
        raise ValueError(_("must be true or false"))
    if kind == "email":
        value = text.strip()
        if not _EMAIL.match(value):
            raise ValueError(_("must be an e-mail address"))
        return value
    return text


def _check(kind: str, value: Any, constraints: _Constraints) -> str | None:
    """The first broken constraint, or None."""
    if isinstance(value, str):
        if constraints.min_length is not None and len(value) < constraints.min_length:
            return _("must have at least {n} characters").format(n=constraints.min_length)
        if constraints.max_length is not None and len(value) > constraints.max_length:
            return _("must have at most {n} characters").format(n=constraints.max_length)
        if constraints.pattern:
            try:
                matched = re.search(constraints.pattern, value) is not None
            except re.error:
                matched = True  # an unusable pattern in the form is the server's to judge
            if not matched:
                return _("does not have the expected format ({pattern})").format(pattern=constraints.pattern)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if constraints.minimum is not None and value < constraints.minimum:
            return _("must be at least {n}").format(n=f"{constraints.minimum:g}")
        if constraints.maximum is not None and value > constraints.maximum:
            return _("must be at most {n}").format(n=f"{constraints.maximum:g}")
    return None


def _choose(value: Any, choices: list[Any]) -> Any:
    """The allowed choice ``value`` stands for (text compared without case), or ValueError."""
    for choice in choices:
        if isinstance(choice, str) and isinstance(value, str):
            if choice.casefold() == value.strip().casefold():
                return choice
        elif isinstance(choice, bool) or isinstance(value, bool):
            if choice is value:
                return choice
        elif isinstance(choice, (int, float)) and isinstance(value, (int, float)) and choice == value:
            return choice
        elif isinstance(choice, (int, float)) and isinstance(value, str):
            with contextlib.suppress(ValueError):
                if _number(value, integer=False) == choice:
                    return choice
    listed = ", ".join(str(c) for c in choices)
    raise ValueError(_("must be one of: {choices}").format(choices=listed))


def field_kind(field: Any) -> str:
    """The type a field's answer is converted to (unknown types, and ``password``, are text)."""
    kind = getattr(field, "type", "string")
    return kind if kind in ("string", "number", "integer", "boolean", "email") else "string"


def check_answer(field: Any, text: str) -> Any:
    """One answer typed as text → its typed value, checked against the field's type, choices and
    constraints; ``ValueError`` with the reason (e.g. "must be at most 7") otherwise. The caller
    deals with empty answers (required or skipped)."""
    found = control_character(text)
    if found:
        raise ValueError(_("contains a control character ({char})").format(char=found))
    kind = field_kind(field)
    value = _convert(kind, text)
    choices = getattr(field.constraints, "enum", None)
    if choices:
        value = _choose(value, list(choices))
    broken = _check(kind, value, field.constraints)
    if broken:
        raise ValueError(broken)
    return value


def validate_answers(form: JoinForm, answers: Mapping[str, str]) -> dict[str, Any]:
    """Answers typed as strings → typed values checked against every field's constraints.

    Unknown fields, missing required fields, conversions (``number`` accepts ``3,5``; ``boolean``
    accepts true/false, yes/no, oui/non, 1/0), choices (``enum``, text compared without case) and
    constraints (``minLength``/``maxLength`` on strings, ``minimum``/``maximum`` on numbers,
    ``pattern`` searched as in JSON Schema) are all checked; one ``UsageError`` lists every
    failing field. An empty optional answer is left out.
    """
    problems = unknown_fields(form, answers)
    typed: dict[str, Any] = {}
    for f in form.fields:
        raw = answers.get(f.name)
        if raw is None or not raw.strip():
            if f.constraints.required:
                problems.append(_("{field} is required").format(field=_quoted(f.name, 40)))
            continue
        try:
            typed[f.name] = check_answer(f, raw)
        except ValueError as exc:
            problems.append(f"{_quoted(f.name, 40)} {exc}")
    if problems:
        raise UsageError(_("Invalid answers: {problems}.").format(problems=_("; ").join(problems)))
    return typed


def unknown_fields(form: JoinForm, answers: Iterable[str]) -> list[str]:
    """One sentence per answer naming a field the form does not have."""
    problems: list[str] = []
    known = {f.name for f in form.fields}
    for name in answers:
        if name not in known:
            valid = ", ".join(f.name for f in form.fields) or _("none: this community asks for nothing")
            problems.append(
                _("{field} is not a field of this form (fields: {fields})").format(
                    field=_quoted(name, 40), fields=valid
                )
            )
    return problems


# --- links from the real platform's e-mails -----------------------------------------------

_MEMBERS_PATH = re.compile(r"/communaute/(?P<community>[^/]+)/membres/?$")


def parse_membership_link(link: str) -> tuple[str, str]:
    """``https://cartes.gouv.fr/tableau-de-bord/communaute/{c}/membres?userId={u}`` → ``(c, u)``.

    Any host (prod, qualif, a mirror); the path must end with ``/communaute/{c}/membres`` and the
    query carry ``userId``. This is how a join request reaches a community manager on the real
    platform; accepting it means ``PUT /communities/{c}/users/{u}``.
    """
    text = (link or "").strip().strip("<>\"'")
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            _("{link} is not a link from a membership request e-mail.").format(link=_quoted(text))
        )
    match = _MEMBERS_PATH.search(parts.path)
    users = parse_qs(parts.query).get("userId") or parse_qs(parts.query).get("userid")
    if match is None or not users:
        raise UsageError(
            _(
                "{link} is not a membership request link "
                "(expected …/communaute/<workspace>/membres?userId=<user>)."
            ).format(link=_quoted(text))
        )
    community = unquote(match["community"]).strip()
    user = users[0].strip()
    if not community or not user or "/" in community or "/" in user:
        raise UsageError(
            _("{link} is not a membership request link (empty or odd identifiers).").format(
                link=_quoted(text)
            )
        )
    return community, user


parse_member_link = parse_membership_link
"""Alias of :func:`parse_membership_link`."""
