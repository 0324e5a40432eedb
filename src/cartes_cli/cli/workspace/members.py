"""``cartes workspace members WS``: the members of a workspace and their rights."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import typer

from cartes_cli.cli.options import (
    DEFAULT_CONCURRENCY,
    PagesConcurrencyOpt,
    WorkspaceArg,
    context_of,
    listing_client,
)
from cartes_cli.cli.output import ESSENTIAL, Column, register_fields
from cartes_cli.cli.references import resolve_workspace_record
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.client.models import Member
    from cartes_cli.client.records import MemberRecord

MEMBER_COLUMNS = [
    Column("email", _("E-MAIL"), no_wrap=True, priority=ESSENTIAL),  # what 'member set' takes
    Column("name", _("NAME"), priority=3),
    Column("rights", _("RIGHTS"), kind="list"),
    Column("since", _("SINCE"), kind="datetime", no_wrap=True, priority=3),
    Column("user_id", _("USER ID"), table=False),
    Column("supervisor", _("SUPERVISOR"), kind="bool", table=False),
]
register_fields(*(c.key for c in MEMBER_COLUMNS))


@dataclass(frozen=True)
class MembersOptions:
    workspace: str
    concurrency: int = DEFAULT_CONCURRENCY


def run(app: AppContext, options: MembersOptions) -> None:
    client = listing_client(app, options.concurrency)
    community = resolve_workspace_record(client, options.workspace, concurrency=options.concurrency)
    if community.supervisor_id is None:  # found in the catalogue, whose items do not name it
        community = client.records.community(community.id)
    members = client.records.members(community.id, concurrency=options.concurrency)
    rows = [member_row(m, community.supervisor_id) for m in members]
    rows.sort(key=lambda r: (not r["supervisor"], (r["email"] or "").lower()))
    app.terminal.print_list(rows, MEMBER_COLUMNS, empty=_("No member."))


def member_row(m: Member | MemberRecord, supervisor_id: str | None) -> dict[str, Any]:
    user = m.user
    name = " ".join(p for p in (user.first_name, user.last_name) if p) if user else None
    return {
        "email": user.email if user else None,
        "name": name,
        "rights": [str(r) for r in m.rights],  # a Right is a StrEnum: its value
        "since": m.creation,
        "user_id": user.id if user else None,
        "supervisor": bool(user and user.id == supervisor_id),
    }


def command(
    ctx: typer.Context, workspace: WorkspaceArg, concurrency: PagesConcurrencyOpt = DEFAULT_CONCURRENCY
) -> None:
    """List the members of a workspace and their rights (needs the COMMUNITY right)."""
    run(context_of(ctx), MembersOptions(workspace=workspace, concurrency=concurrency))
