"""``cartes request …``: requests to join a workspace or to create one, and their decisions.

One module per verb: ``list``, ``show``, ``cancel``, ``decide`` for ``approve`` and
``reject`` (what they act on: ``targets``), and ``review`` to decide them one at a time at the
terminal (drawn by ``review_screen``, the reasons remembered by ``reasons``); ``rows`` shows a
request, ``common`` checks what the commands take. This module only assembles the group (heavy
imports stay in function bodies).
"""

from __future__ import annotations

import typer

from cartes_cli.cli.group_help import group_help
from cartes_cli.cli.request import cancel, decide, review, show
from cartes_cli.cli.request import list as list_
from cartes_cli.cli.request.rows import REQUEST_COLUMNS, STATUSES, TYPES, request_row

__all__ = ["REQUEST_COLUMNS", "STATUSES", "TYPES", "request_app", "request_row"]

request_app = typer.Typer(
    help=group_help("request"),
    no_args_is_help=True,
)
request_app.command("list")(list_.command)
request_app.command("show")(show.command)
request_app.command("cancel")(cancel.command)
request_app.command("approve")(decide.approve_command)
request_app.command("reject")(decide.reject_command)
request_app.command("review")(review.command)
