"""``cartes request cancel ID``: cancel one of my pending requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from cartes_cli.cli.options import RequestIdArg, context_of
from cartes_cli.cli.request.common import check_id, require_requests_api
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext


@dataclass(frozen=True)
class CancelOptions:
    request_id: str


def run(app: AppContext, options: CancelOptions) -> None:
    rid = check_id(options.request_id)
    client = app.client()
    require_requests_api(client)
    r = client.requests.cancel(rid)
    app.terminal.success(_("Request {id} cancelled.").format(id=r.id))


def command(ctx: typer.Context, request_id: RequestIdArg) -> None:
    """Cancel one of my pending requests."""
    run(context_of(ctx), CancelOptions(request_id=request_id))
