"""``cartes sandbox outbox``: the e-mails the sandbox would have sent, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cartes_cli.cli.options import context_of
from cartes_cli.cli.output import Column, register_fields
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.cli.output import Terminal

OUTBOX_COLUMNS = [
    # The address and the subject share the width: the subject wraps (24 characters at least),
    # a long address is shortened (20 at least).
    Column("creation", _("SENT"), kind="datetime", no_wrap=True),
    Column("to", _("TO"), no_wrap=True, min_width=20),
    Column("subject", _("SUBJECT"), min_width=24),
    Column("id", _("ID"), table=False),
    Column("related", _("REQUEST"), table=False),
    Column("body", _("BODY"), table=False),
]
register_fields(*(c.key for c in OUTBOX_COLUMNS))


@dataclass(frozen=True)
class OutboxOptions:
    to: str | None = None
    related: str | None = None
    limit: int = 50
    full: bool = False


def run(app: AppContext, options: OutboxOptions) -> None:
    from cartes_cli.client import GeoplateformeClient

    platform = app.sandbox_platform()
    with GeoplateformeClient(platform, debug=app.debug_log()) as client:
        messages = client.sandbox.outbox(to=options.to)
    if options.related:
        related = options.related.strip()
        messages = [m for m in messages if (m.related or "") == related]
    messages = list(reversed(messages))[: options.limit]  # newest first
    rows = [
        {
            "id": m.id,
            "to": ", ".join(m.to) if isinstance(m.to, list) else m.to,
            "subject": m.subject,
            "body": m.body,
            "related": m.related,
            "creation": m.creation,
        }
        for m in messages
    ]
    term = app.terminal
    if options.full and term.rendering not in ("json",):
        _print_full(term, rows)
        return
    term.print_list(rows, OUTBOX_COLUMNS, empty=_("The outbox is empty."))


def _print_full(term: Terminal, rows: list[dict[str, Any]]) -> None:
    """Each e-mail as a mail reader shows it: headers, a blank line, the body."""
    from cartes_cli.cli.output import human_time, rfc3339

    for row in rows:
        sent = row["creation"]
        date = "" if sent is None else human_time(sent) if term.stdout_isatty else rfc3339(sent)
        term.out(
            _("To: {to}\nSubject: {subject}\nDate: {date}\n\n{body}\n").format(
                to=row["to"], subject=row["subject"], date=date, body=row["body"]
            )
        )


def command(
    ctx: typer.Context,
    to: Annotated[
        str | None, typer.Option("--to", help=_("Only e-mails to this address."), show_default=False)
    ] = None,
    related: Annotated[
        str | None, typer.Option("--request", help=_("Only e-mails about this request."), show_default=False)
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help=_("At most this many, newest first."), min=1)] = 50,
    full: Annotated[bool, typer.Option("--full", help=_("Print each e-mail in full."))] = False,
) -> None:
    """The e-mails the sandbox would have sent (verification codes, requests, decisions)."""
    run(context_of(ctx), OutboxOptions(to=to, related=related, limit=limit, full=full))
