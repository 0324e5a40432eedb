"""A workspace's join form at the terminal: the one place where its fields are shown and asked,
for both ways of joining (the request API, and the e-mail drafted for the real platform).

Each answer is checked as it is typed against the field's type, choices and constraints
(``client.validation.check_answer``), and asked again with the reason when refused. The prompt
shows what is expected: ``Effectif (1–7)``, ``Accepte la charte [yes/no]``, ``Domaine
[eau/forêt]``, ``(optional)`` for a field that Enter skips. ``--answer`` values are checked
first: a field the form does not have stops the command before anything is asked, and on a
terminal a refused value is asked again rather than failing after the other answers were typed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext

INLINE_CHOICES = 60
"""Choices longer than this (joined) are listed on a line of their own before the prompt."""


def _n(value: Any) -> str:
    """A bound as people write it: 7, not 7.0; 0.5 stays 0.5."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _range(low: Any, high: Any) -> str | None:
    if low is not None and high is not None:
        return f"{_n(low)}–{_n(high)}"
    if low is not None:
        return f"≥ {_n(low)}"
    if high is not None:
        return f"≤ {_n(high)}"
    return None


def field_choices(f: Any) -> list[Any]:
    return list(getattr(f.constraints, "enum", None) or [])


def _choice_text(choice: Any) -> str:
    if isinstance(choice, bool):
        return _("yes") if choice else _("no")
    return _n(choice)


def field_hints(f: Any, *, optional: bool = True) -> tuple[str | None, str | None]:
    """What the prompt shows after the label: (choices in brackets, bounds in parentheses);
    ``optional``: say so for a field that may be skipped."""
    from cartes_cli.client.validation import field_kind

    kind = field_kind(f)
    c = f.constraints
    choices = field_choices(f)
    bracket = None
    parts: list[str] = []
    if choices:
        joined = "/".join(_choice_text(x) for x in choices)
        if len(joined) <= INLINE_CHOICES:
            bracket = joined
    elif kind == "boolean":
        bracket = _("yes/no")
    if kind in ("integer", "number") and not choices:
        bounds = _range(c.minimum, c.maximum)
        if bounds:
            parts.append(bounds)
    elif kind in ("string", "email") and not choices:
        lengths = _range(c.min_length, c.max_length)
        if lengths:
            parts.append(_("{range} characters").format(range=lengths))
    if optional and not c.required:
        parts.append(_("optional"))
    return bracket, ", ".join(parts) or None


def field_label(f: Any) -> str:
    """The prompt of one field, e.g. ``Effectif (1–7)``; the form's texts are shown neutralised
    (they come from the server, never obeyed by the terminal)."""
    from cartes_cli.cli.terminal_text import neutralise

    label = neutralise(" ".join(f"{f.title or f.name}".split()))
    bracket, paren = field_hints(f)
    if bracket:
        label += f" [{neutralise(bracket)}]"
    if paren:
        label += f" ({paren})"
    return label


def ask_form(app: AppContext, form: Any, given: dict[str, str]) -> dict[str, Any]:
    """The join form's answers, typed and checked. ``given`` (the ``--answer`` values, trimmed)
    is completed in place with what was typed, so a caller can repeat the answers if the request
    fails afterwards. Exit 2 (UsageError) for an unknown field, or off a terminal for any
    problem."""
    from cartes_cli.client.validation import unknown_fields, validate_answers
    from cartes_cli.errors import UsageError

    term = app.terminal
    fields = list(getattr(form, "fields", []) or [])
    unknown = unknown_fields(form, given)
    if unknown:  # before anything is asked: nothing typed is lost
        raise UsageError(_("Invalid answers: {problems}.").format(problems=_("; ").join(unknown)))
    if not fields:
        return {}
    if not term.interactive:
        return validate_answers(form, given)
    if getattr(form, "description", None):
        from cartes_cli.cli.terminal_text import neutralise

        term.info(neutralise(str(form.description)))
    typed: dict[str, Any] = {}
    for f in fields:
        raw = given.get(f.name)
        if raw is not None and raw.strip():
            try:
                typed[f.name] = _check(f, raw)
                continue
            except ValueError as exc:
                term.error(_("--answer {field}: {reason}.").format(field=f.name, reason=exc))
        value, text = ask_field(app, f)
        if text:
            given[f.name] = text
            typed[f.name] = value
        else:
            given.pop(f.name, None)
    return typed


def _check(f: Any, text: str) -> Any:
    from cartes_cli.client.validation import check_answer

    return check_answer(f, text.strip())


def ask_field(app: AppContext, f: Any) -> tuple[Any, str]:
    """Ask one field until its answer is accepted: (typed value, text as typed and trimmed);
    ``(None, "")`` when an optional field is skipped with Enter."""
    from cartes_cli.cli.terminal_text import neutralise

    term = app.terminal
    if f.description:
        term.info(neutralise(str(f.description)))
    choices = field_choices(f)
    if choices and field_hints(f)[0] is None:
        term.info(_("Choices: {choices}").format(choices=neutralise(", ".join(_n(c) for c in choices))))
    label = field_label(f)
    while True:
        text = term.prompt(label, secret=f.type == "password").strip()
        if not text:
            if not f.constraints.required:
                return None, ""
            term.error(_("An answer is required."))
            continue
        try:
            return _check(f, text), text
        except ValueError as exc:
            term.error(_("{reason}; try again.").format(reason=str(exc)[:1].upper() + str(exc)[1:]))
