"""``cartes workspace leave WS``: leave a workspace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from cartes_cli.cli.options import WorkspaceArg, YesOpt, context_of
from cartes_cli.cli.references import resolve_for_change
from cartes_cli.cli.workspace.common import confirm
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext


@dataclass(frozen=True)
class LeaveOptions:
    workspace: str
    yes: bool = False


def run(app: AppContext, options: LeaveOptions) -> None:
    from cartes_cli.errors import UsageError

    client = app.client()
    community = resolve_for_change(client, options.workspace)
    ws = community.technical_name
    me = client.users.me()
    if community.supervisor_id == me.id:
        raise UsageError(
            _("You supervise {ws}: hand supervision to another member before leaving.").format(ws=ws)
        )
    if me.membership(community.id) is None:
        # Leaving twice is not an error: the end state is the one asked for (exit 0).
        app.terminal.success(_("You are already out of {ws} (not a member); nothing changed.").format(ws=ws))
        return
    confirm(app, _("Leave {ws}?").format(ws=ws), options.yes)
    client.communities.leave(community.id)
    app.terminal.success(_("You left {ws}.").format(ws=ws))


def command(ctx: typer.Context, workspace: WorkspaceArg, yes: YesOpt = False) -> None:
    """Leave a workspace (its supervisor cannot)."""
    run(context_of(ctx), LeaveOptions(workspace=workspace, yes=yes))
