"""``cartes workspace supervisor WS USER``: hand the supervisor role over to another member."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from cartes_cli.cli.options import UserArg, WorkspaceArg, YesOpt, context_of
from cartes_cli.cli.references import resolve_for_change
from cartes_cli.cli.workspace.common import confirm, find_member
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext


@dataclass(frozen=True)
class SupervisorOptions:
    workspace: str
    user: str
    yes: bool = False


def run(app: AppContext, options: SupervisorOptions) -> None:
    from cartes_cli.client.validation import is_uuid
    from cartes_cli.errors import PermissionDenied, UsageError
    from cartes_cli.validators import check_email

    ref = options.user.strip()
    if not is_uuid(ref) and (not ref or check_email(ref)):
        raise UsageError(_("USER: give the member's id (a UUID) or e-mail address."))
    client = app.client()
    community = resolve_for_change(client, options.workspace)
    ws = community.technical_name
    me = client.users.me()
    current = community.supervisor_id
    if current is None:
        current = client.communities.get(community.id).supervisor_id
    if me.id != current and not me.administrator:
        raise PermissionDenied(
            _("Only the supervisor of {ws} or platform staff can hand supervision over.").format(ws=ws)
        )
    member = find_member(client, community.id, ref)
    if member is None:
        raise UsageError(
            _("{user} is not a member of {ws}: add them first ('cartes workspace member add').").format(
                user=ref, ws=ws
            )
        )
    label = "".join(ch for ch in (member.user.email or member.user.id) if ch.isprintable())  # server text
    if member.user.id == current:
        app.terminal.success(_("{user} already supervises {ws}; nothing changed.").format(user=label, ws=ws))
        return
    confirm(
        app,
        _("Make {user} the supervisor of {ws}? You keep your rights and can leave afterwards.").format(
            user=label, ws=ws
        )
        if me.id == current
        else _("Make {user} the supervisor of {ws}?").format(user=label, ws=ws),
        options.yes,
    )
    client.communities.update(community.id, supervisor=member.user.id)
    app.terminal.success(
        _("{user} now supervises {ws}. The former supervisor stays a member with every right.").format(
            user=label, ws=ws
        )
    )
    if me.id == current:
        app.terminal.info(_("To leave the workspace: cartes workspace leave {ws}").format(ws=ws))


def command(ctx: typer.Context, workspace: WorkspaceArg, user: UserArg, yes: YesOpt = False) -> None:
    """Hand the supervisor role over to another member (the supervisor or platform staff only).

    The new supervisor must already be a member; they get every right. The former supervisor
    stays a member, with every right (COMMUNITY included), and can then leave the workspace
    ('cartes workspace leave') or be given fewer rights.
    """
    run(context_of(ctx), SupervisorOptions(workspace=workspace, user=user, yes=yes))
