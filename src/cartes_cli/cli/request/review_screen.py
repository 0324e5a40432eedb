"""What ``cartes request review`` draws: one request in a panel fitted to the screen, the
details of a request and its requester (scrolled when longer than the screen), the keys.

Every text from the server is neutralised (control characters shown, never obeyed) and given to
Rich as :class:`~rich.text.Text`, never as markup. Lines are rendered at the console's width and
cut to its height: what does not fit is announced, with the key that shows it all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cartes_cli.cli.request.rows import person_name
from cartes_cli.cli.terminal_text import neutralise
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.client.models import Request

ORGANISATION_ANSWERS = ("organisation", "organization", "organisme", "structure", "service", "entreprise")
"""Answers of a join form that name the requester's organisation, first found first."""


@dataclass(frozen=True)
class Screen:
    """One drawing: the panel's title, its body (rendered lines), what is said under it, keys."""

    title: str
    body: Any  # a Rich renderable, drawn at the panel's inner width
    message: str = ""
    keys: str = ""
    style: str = "cyan"


def text(value: Any) -> Any:
    """Server text for Rich: neutralised, never read as markup."""
    from rich.text import Text

    return Text(neutralise("" if value is None else str(value)))


def status_word(status: str) -> str:
    return {
        "pending": _("pending"),
        "accepted": _("accepted"),
        "rejected": _("rejected"),
        "cancelled": _("cancelled"),
    }.get(status, status)


def value_of(x: Any) -> str:
    return str(getattr(x, "value", x))


def organisation(r: Request) -> str | None:
    """The requester's organisation as their answers name it, else their e-mail's domain."""
    answers = r.answers or {}
    for key in ORGANISATION_ANSWERS:
        for name, value in answers.items():
            if name.lower() == key and isinstance(value, str) and value.strip():
                return value
    email = getattr(r.requester, "email", None) or ""
    return email.partition("@")[2] or None


def _when(value: Any) -> str:
    from cartes_cli.cli.output import human_time, relative_time

    if value is None:
        return "—"
    return f"{human_time(value)} ({relative_time(value)})"


def request_grid(r: Request, *, decided: str | None = None) -> Any:
    """What an administrator needs to decide, as a two-column grid."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    requester = r.requester
    who = person_name(requester) or "?"
    email = getattr(requester, "email", None)
    grid.add_row(_("Requester"), text(f"{who} <{email}>" if email and email != who else who))
    grid.add_row(_("Organisation"), text(organisation(r) or "—"))
    kind = value_of(r.type)
    if kind == "datastore":
        grid.add_row(_("Asks for"), text(_("a new workspace")))
        grid.add_row(_("Name"), text(r.name))
        grid.add_row(_("Technical name"), text(r.technical_name))
        grid.add_row(_("Offer"), text(r.offer or "—"))
        grid.add_row(_("Public"), text(_("yes") if r.public else _("no")))
        if r.description:
            grid.add_row(_("Description"), text(r.description))
        if r.justification:
            grid.add_row(_("Justification"), text(r.justification))
    else:
        community = r.community
        name = getattr(community, "technical_name", None) or getattr(community, "name", None) or community
        title = getattr(community, "name", None)
        shown = f"{name} ({title})" if title and title != name else str(name or "?")
        grid.add_row(_("Asks to join"), text(shown))
    grid.add_row(_("Created"), text(_when(r.creation)))
    grid.add_row(_("Message"), text(r.message) if r.message else text("—"))
    answers = r.answers or {}
    if answers:
        inner = Table.grid(padding=(0, 2))
        inner.add_column(style="italic", overflow="fold", max_width=28)
        inner.add_column(overflow="fold")
        for key, value in answers.items():
            inner.add_row(text(key), text(_answer(value)))
        grid.add_row(_("Answers"), inner)
    else:
        grid.add_row(_("Answers"), text("—"))
    grid.add_row(_("ID"), text(r.id))
    if decided:
        grid.add_row(_("Status"), text(decided))
    return grid


def _answer(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(_answer(v) for v in value)
    return "—" if value is None else str(value)


def details_grid(r: Request, others: list[Request] | None, decided: str | None) -> Any:
    """Everything: the request (every answer, the whole message), the requester, and their
    other requests the caller can see."""
    from rich.console import Group
    from rich.table import Table

    parts: list[Any] = [request_grid(r, decided=decided)]
    requester = r.requester
    who = Table.grid(padding=(0, 2))
    who.add_column(style="bold", no_wrap=True)
    who.add_column(overflow="fold")
    who.add_row(_("Name"), text(getattr(requester, "full_name", None) or "—"))
    who.add_row(_("E-mail"), text(getattr(requester, "email", None) or "—"))
    who.add_row(_("User id"), text(getattr(requester, "id", None) or "—"))
    parts += [text(""), _heading(_("The requester")), who, text(""), _heading(_("Their requests"))]
    if others is None:
        parts.append(text(_("(could not be read)")))
    elif not others:
        parts.append(text(_("(none other)")))
    else:
        table = Table.grid(padding=(0, 2))
        for _n in range(4):
            table.add_column(overflow="fold")
        for o in others:
            community = o.community
            target = o.name if value_of(o.type) == "datastore" else getattr(community, "technical_name", None)
            table.add_row(
                text(_when(o.creation).split(" (")[0]),
                text(value_of(o.type)),
                text(status_word(value_of(o.status))),
                text(target or "?"),
            )
        parts.append(table)
    return Group(*parts)


def _heading(title: str) -> Any:
    from rich.text import Text

    return Text(title, style="bold underline")


def render_lines(console: Any, renderable: Any, width: int) -> list[str]:
    """``renderable`` as lines of text (with their colours) at ``width`` columns."""
    import io

    from rich.console import Console

    buffer = io.StringIO()
    copy = Console(
        file=buffer,
        width=max(20, width),
        force_terminal=console.is_terminal,
        color_system=console.color_system,
        no_color=console.no_color,
        highlight=False,
        legacy_windows=False,
    )
    copy.print(renderable)
    return buffer.getvalue().rstrip("\n").split("\n")


def fit(lines: list[str], rows: int, more: str) -> list[str]:
    """``lines`` cut to ``rows``, the last one then saying how many more there are."""
    if len(lines) <= rows:
        return lines
    keep = max(0, rows - 1)
    return [*lines[:keep], more.format(n=len(lines) - keep)]


def draw(console: Any, screen: Screen) -> None:
    """The screen from its top: the panel, then the message and the keys under it, nothing past
    the last row (a line more would scroll the panel's top away)."""
    from rich.panel import Panel
    from rich.text import Text

    width, height = console.size
    under = [line for line in (screen.message, screen.keys) if line]
    under_lines: list[str] = []
    for line in under:
        under_lines += render_lines(console, Text(line), width)
    room = max(3, height - 2 - len(under_lines) - 1)
    more = _("… {n} more lines: press i for everything")
    body = fit(render_lines(console, screen.body, width - 4), room, more)
    panel = Panel(
        Text("\n").join(Text.from_ansi(line) for line in body),
        title=Text(screen.title, style="bold"),
        title_align="left",
        border_style=screen.style,
        padding=(0, 1),
    )
    console.clear()
    console.print(panel)
    for line in under:
        console.print(Text(line))


def draw_scroll(console: Any, title: str, lines: list[str], top: int, keys: str) -> None:
    """A window of ``lines`` from ``top``, the keys under it."""
    from rich.text import Text

    height = console.size[1]
    room = max(1, height - 3)
    console.clear()
    console.print(Text(title, style="bold"))
    for line in lines[top : top + room]:
        console.print(Text.from_ansi(line))
    shown_to = min(len(lines), top + room)
    console.print(Text(f"{keys}  ({shown_to}/{len(lines)})", style="dim"))
