"""``cartes request show ID``: one request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from cartes_cli.cli.options import RequestIdArg, context_of
from cartes_cli.cli.request.common import check_id, require_requests_api
from cartes_cli.cli.request.rows import REQUEST_COLUMNS, for_people, request_row

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext


@dataclass(frozen=True)
class ShowOptions:
    request_id: str


def run(app: AppContext, options: ShowOptions) -> None:
    rid = check_id(options.request_id)
    client = app.client()
    require_requests_api(client)
    row = request_row(client.requests.get(rid))
    app.terminal.print_object(next(iter(for_people(app.terminal, [row]))), REQUEST_COLUMNS)


def command(ctx: typer.Context, request_id: RequestIdArg) -> None:
    """Show one request."""
    run(context_of(ctx), ShowOptions(request_id=request_id))
