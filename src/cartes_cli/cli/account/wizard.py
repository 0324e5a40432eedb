"""The sign-up wizard of ``account create`` on a terminal: five framed steps (profile, identity,
address, professional, then the captcha in ``signup.py``), asking only for what the options did
not give, each answer checked as it is typed; then a summary to confirm."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from cartes_cli.cli.account.fields import (
    ADDRESS,
    ASKING_ORDER,
    BY_KEY,
    IDENTITY,
    PROFESSIONAL,
    check_field,
    fail,
    normalise_phone,
    password_rule,
    registration_problems,
)
from cartes_cli.cli.account.prompts import ask, ask_new_password, yes
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext

STEPS = 5


def step(app: AppContext, number: int, title: str, lines: Iterable[str]) -> None:
    heading = _("Step {n}/{total} · {title}").format(n=number, total=STEPS, title=title)
    panel(app, heading, lines)


def panel(app: AppContext, title: str, lines: Iterable[str]) -> None:
    """A titled frame on stderr (the wizard's steps and summary)."""
    from rich.panel import Panel
    from rich.text import Text

    body = Text("\n".join(lines))
    frame = Panel(body, title=Text(title, style="bold"), title_align="left", expand=False)
    app.terminal.draw(lambda _width, _colour: frame)


def wizard(app: AppContext, fields: dict[str, str], password: str | None) -> str:
    """Ask, step by step, for everything not given yet; return the password."""
    password = _login(app, fields, password)
    _identity(app, fields)
    _address(app, fields)
    _professional(app, fields)
    problems = registration_problems(fields, password)
    if problems:
        raise fail(app, problems)
    panel(app, _("Summary"), summary_lines(fields))
    if not yes(app, _("Create this account?"), default=True):
        raise UsageError(_("Cancelled; nothing was sent."))
    return password


def _question(key: str) -> str:
    field = BY_KEY[key]
    return field.question or field.label


def _login(app: AppContext, fields: dict[str, str], password: str | None) -> str:
    """Step 1: a username, an e-mail address, a password."""
    step(
        app,
        1,
        _("Profile"),
        [
            _("Your login: a username, your e-mail address and a password."),
            _("Password rule: {rule}").format(rule=password_rule()),
        ],
    )
    for key in ("username", "email"):
        if key not in fields:
            fields[key] = ask(app, _question(key), key=key) or ""
    if password is None:
        password = ask_new_password(app, username=fields["username"], email=fields["email"])
    return password


def _identity(app: AppContext, fields: dict[str, str]) -> None:
    """Step 2 (optional): who you are."""
    step(app, 2, _("Identity"), [_("Optional: your name, phone number and photo (Enter to skip).")])
    for key in IDENTITY:
        if key not in fields:
            value = ask(app, _question(key), key=key, optional=True)
            if value is not None:
                fields[key] = normalise_phone(value) if key == "phone" else value


def _address(app: AppContext, fields: dict[str, str]) -> None:
    """Step 3 (optional): the address, all three fields or none."""
    if not any(k in fields for k in ADDRESS):
        step(app, 3, _("Address"), [_("Optional: your postal address (Enter to skip the step).")])
        street = ask(app, _question("street"), key="street", optional=True)
        if street is not None:
            fields["street"] = street
            fields["postcode"] = ask(app, _question("postcode"), key="postcode") or ""
            fields["locality"] = ask(app, _question("locality"), key="locality") or ""
        return
    step(app, 3, _("Address"), [_("Given on the command line.")])
    for key in ("street", "postcode", "locality"):
        if key not in fields:
            fields[key] = ask(app, _question(key), key=key) or ""


def _professional(app: AppContext, fields: dict[str, str]) -> None:
    """Step 4 (optional): signing up for a company or an administration."""
    step(
        app,
        4,
        _("Professional"),
        [_("Optional: sign up on behalf of a company or an administration (SIRET or EU VAT number).")],
    )
    given = any(k in fields for k in PROFESSIONAL)
    if not (given or yes(app, _("Are you signing up as a professional?"))):
        return
    if "siret" not in fields and "tva" not in fields:
        number = ask(
            app, _("SIRET (14 digits) or EU VAT number"), check=lambda x: [*check_field(id_kind(x), x)]
        )
        assert number is not None
        fields[id_kind(number)] = number.replace(" ", "") if id_kind(number) == "siret" else number
    for key in ("company", "position", "company_street", "company_postcode", "company_locality"):
        if key not in fields:
            fields[key] = ask(app, _question(key), key=key) or ""


def id_kind(value: str) -> str:
    """A SIRET is digits; anything else is taken for an EU VAT number."""
    compact = value.replace(" ", "")
    return "siret" if compact.isdigit() else "tva"


def summary_lines(fields: Mapping[str, str]) -> list[str]:
    """One line per field given (the password hidden), labels aligned."""
    labels = [(key, BY_KEY[key].label) for key in ASKING_ORDER]
    width = max(len(label) for _k, label in labels)
    lines = [f"{label:<{width}}  {fields[key]}" for key, label in labels if fields.get(key)]
    lines.append(f"{_('Password'):<{width}}  {_('(hidden)')}")
    return lines
