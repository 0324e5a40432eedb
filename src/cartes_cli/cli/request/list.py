"""``cartes request list``: my requests, or with ``--incoming`` those I can decide."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from cartes_cli.cli.options import (
    DEFAULT_CONCURRENCY,
    PagesConcurrencyOpt,
    context_of,
    listing_client,
)
from cartes_cli.cli.references import resolve_workspace_record
from cartes_cli.cli.request.common import check_choice, require_requests_api
from cartes_cli.cli.request.rows import REQUEST_COLUMNS, STATUSES, TYPES, for_people, request_row
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext


@dataclass(frozen=True)
class ListOptions:
    incoming: bool = False
    status: str | None = None
    type: str | None = None
    workspace: str | None = None
    concurrency: int = DEFAULT_CONCURRENCY


def run(app: AppContext, options: ListOptions) -> None:
    status_v = check_choice(options.status, STATUSES, "--status")
    type_v = check_choice(options.type, TYPES, "--type")
    workspace = options.workspace
    if workspace is not None and not options.incoming:
        raise UsageError(_("--workspace goes with --incoming."))
    concurrency = options.concurrency
    client = listing_client(app, concurrency)
    require_requests_api(client)
    if options.incoming:
        community = (
            resolve_workspace_record(client, workspace, concurrency=concurrency) if workspace else None
        )
        community_id = community.id if community else None
        rows = (
            request_row(r)
            for r in client.records.incoming_requests(
                status=status_v or "pending", type=type_v, community=community_id, concurrency=concurrency
            )
        )
        empty = _("No request waiting for a decision.")
    else:
        rows = (
            request_row(r)
            for r in client.records.my_requests(status=status_v, type=type_v, concurrency=concurrency)
        )
        empty = _("You have made no request; see 'cartes workspace join' and 'cartes workspace create'.")
    app.terminal.print_list(for_people(app.terminal, rows), REQUEST_COLUMNS, empty=empty)


def command(
    ctx: typer.Context,
    incoming: Annotated[
        bool, typer.Option("--incoming", help=_("Requests I can decide (as administrator or staff)."))
    ] = False,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help=_("pending, accepted, rejected or cancelled (default with --incoming: pending)."),
            show_default=False,
        ),
    ] = None,
    type_: Annotated[
        str | None, typer.Option("--type", help=_("join or datastore."), show_default=False)
    ] = None,
    workspace: Annotated[
        str | None,
        typer.Option(
            "--workspace", "-w", help=_("Only this workspace (with --incoming)."), show_default=False
        ),
    ] = None,
    concurrency: PagesConcurrencyOpt = DEFAULT_CONCURRENCY,
) -> None:
    """List my requests, or with --incoming those I can decide."""
    options = ListOptions(
        incoming=incoming, status=status, type=type_, workspace=workspace, concurrency=concurrency
    )
    run(context_of(ctx), options)
