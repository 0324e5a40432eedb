"""Asking at the terminal: a field (checked as it is typed, every problem shown), yes or no, a new
password (hidden, against the rule, then again), a 6-digit code. Each question is asked again
after a wrong answer, a bounded number of times."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cartes_cli.cli.account.fields import check_confirmation, check_field, check_password, problem_text
from cartes_cli.cli.output import YES_ANSWERS
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.account.fields import ProblemLike
    from cartes_cli.cli.context import AppContext

SKIP_WORDS = ("skip", "passer", "-")
MAX_ASKS = 10


def ask(
    app: AppContext,
    label: str,
    *,
    key: str | None = None,
    optional: bool = False,
    default: str | None = None,
    check: Callable[[str], list[ProblemLike]] | None = None,
) -> str | None:
    """Ask until the answer passes the checks (every problem shown); None when skipped."""
    term = app.terminal
    hint = _(" (Enter to skip)") if optional else ""
    for _attempt in range(MAX_ASKS):
        value = term.prompt(f"{label}{hint}", default=default).strip()
        if optional and (not value or value.lower() in SKIP_WORDS):
            return None
        if not value:
            term.error(_("This field is required."))
            continue
        problems: list[ProblemLike] = []
        if check:
            problems = check(value)
        elif key:
            problems = [*check_field(key, value)]
        if not problems:
            return value
        for problem in problems:
            term.error(f"  - {problem_text(problem, with_field=False)}")
    raise UsageError(_("Too many invalid answers; nothing was sent."))


def yes(app: AppContext, label: str, *, default: bool = False) -> bool:
    term = app.terminal
    suffix = _(" [Y/n]") if default else _(" [y/N]")
    for _attempt in range(MAX_ASKS):
        value = term.prompt(f"{label}{suffix}").strip().lower()
        if not value:
            return default
        if value in YES_ANSWERS:
            return True
        if value in ("n", "no", "non"):
            return False
        term.error(_("Answer y (yes) or n (no)."))
    raise UsageError(_("Too many invalid answers."))


def ask_new_password(
    app: AppContext, *, username: str | None, email: str | None, label: str | None = None
) -> str:
    """A new password, hidden, checked against the rule (every missing criterion shown), then
    typed again."""
    term = app.terminal
    for _attempt in range(MAX_ASKS):
        password = term.prompt(label or _("Password"), secret=True)
        problems = check_password(password, username=username, email=email)
        if problems:
            term.error(_("This password does not meet the rule:"))
            for problem in problems:
                term.error(f"  - {problem_text(problem, with_field=False)}")
            continue
        confirmation = term.prompt(_("Password again"), secret=True)
        mismatch = check_confirmation(password, confirmation)
        if mismatch:
            for problem in mismatch:
                term.error(f"  - {problem_text(problem, with_field=False)}")
            continue
        return password
    raise UsageError(_("Too many invalid answers; nothing was sent."))


def ask_code(app: AppContext, label: str, *, optional: bool = False) -> str | None:
    """A 6-digit code (spaces dropped), three tries; None when optional and skipped."""
    term = app.terminal
    for _attempt in range(3):
        value = term.prompt(label).strip().replace(" ", "")
        if optional and not value:
            return None
        if len(value) == 6 and value.isdigit():
            return value
        term.error(_("The code has 6 digits."))
    raise UsageError(_("No valid 6-digit code was given."))


def six_digits(code: str, option: str = "--code") -> str:
    """A code given as an option: 6 digits (spaces dropped), or exit 2."""
    text = code.strip().replace(" ", "")
    if not (len(text) == 6 and text.isdigit()):
        raise UsageError(_("{option}: the code has 6 digits.").format(option=option))
    return text
