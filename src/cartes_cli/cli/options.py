"""The Typer parameters several commands share, declared once, and the glue of a thin command.

A command module declares its own one-off options next to its Typer function; what two commands
or more take (the workspace argument, ``--rights``, ``--yes``, ``--dry-run``, ``--concurrency``,
the filters of the bulk decisions…) lives here, so that its help text, its short name and its
Python name (dynamic completion picks candidates by that name: ``cli/candidates/``) stay the
same everywhere. Only Typer and the message catalogue are imported: this module loads with any
command group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.client import GeoplateformeClient

# --- workspaces and their members ------------------------------------------------------------------

WorkspaceArg = Annotated[
    str, typer.Argument(metavar="WS", help=_("Workspace: id, technical name or exact name."))
]
UserArg = Annotated[
    str, typer.Argument(metavar="USER", help=_("The user: id, or e-mail of a current member."))
]
MemberRightsOpt = Annotated[
    str | None,
    typer.Option(
        "--rights",
        help=_("Comma-separated: COMMUNITY, UPLOAD, PROCESSING, BROADCAST, ANNEX."),
        show_default=False,
    ),
]

# --- confirmation and bulk runs --------------------------------------------------------------------

YesOpt = Annotated[bool, typer.Option("--yes", "-y", help=_("Do not ask for confirmation."))]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help=_("Print the plan and change nothing."))]
DEFAULT_CONCURRENCY = 8
"""Requests in flight at once, by default, in a bulk run and in a listing read page by page."""
MAX_CONCURRENCY = 64

ConcurrencyOpt = Annotated[int, typer.Option("--concurrency", "-c", help=_("Decisions in flight at once."))]
PagesConcurrencyOpt = Annotated[int, typer.Option("--concurrency", "-c", help=_("Pages requested at once."))]


def check_concurrency(value: int) -> int:
    """``--concurrency`` checked before any request: 1 to :data:`MAX_CONCURRENCY` (exit 2 otherwise)."""
    if not 1 <= value <= MAX_CONCURRENCY:
        from cartes_cli.errors import UsageError

        raise UsageError(_("--concurrency must be between 1 and {max}.").format(max=MAX_CONCURRENCY))
    return value


def connections_for(concurrency: int) -> int:
    """The HTTP client's pool for ``concurrency`` requests at once, so that none waits for a
    connection: the workers, plus a few for the login's renewal and the reading of a workspace."""
    return max(16, concurrency + 4)


def listing_client(app: AppContext, concurrency: int) -> GeoplateformeClient:
    """The client of a listing read ``concurrency`` pages at a time: the option checked first
    (exit 2 before any request), then a connection pool as large."""
    check_concurrency(concurrency)
    return app.client(max_connections=connections_for(concurrency))


# --- requests --------------------------------------------------------------------------------------

RequestIdArg = Annotated[str, typer.Argument(metavar="ID", help=_("The request id."))]
RequestIdsArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="[ID…|-]",
        help=_(
            "Request ids, or - to read them from standard input (approve, on the real platform: the "
            "links of the join e-mails)."
        ),
        show_default=False,
    ),
]
AllOpt = Annotated[bool, typer.Option("--all", help=_("Every request matching the filters."))]
WorkspaceFilterOpt = Annotated[
    str | None,
    typer.Option(
        "--workspace", "-w", help=_("Filter (with --all), or the workspace of --user."), show_default=False
    ),
]
TypeFilterOpt = Annotated[
    str | None, typer.Option("--type", help=_("Filter with --all: join or datastore."), show_default=False)
]
StatusFilterOpt = Annotated[str, typer.Option("--status", help=_("Filter with --all."))]


# --- the glue between a Typer function and its command's run() -----------------------------------


def context_of(ctx: typer.Context) -> AppContext:
    """The :class:`~cartes_cli.cli.context.AppContext` the root command made for this run."""
    obj = ctx.find_root().obj
    assert obj is not None
    return obj  # type: ignore[no-any-return]


def exit_with(code: int | None) -> None:
    """End the command with ``code`` when ``run`` returned a non-zero exit code."""
    if code:
        raise typer.Exit(code)
