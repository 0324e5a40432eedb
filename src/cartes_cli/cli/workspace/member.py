"""``cartes workspace member add|set|remove WS USER``: one member's place in a workspace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from cartes_cli.cli.options import MemberRightsOpt, UserArg, WorkspaceArg, YesOpt, context_of
from cartes_cli.cli.references import resolve_for_change
from cartes_cli.cli.workspace.common import confirm, find_member
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext

DEFAULT_RIGHTS = ("UPLOAD", "PROCESSING", "BROADCAST", "ANNEX")


@dataclass(frozen=True)
class MemberOptions:
    """A member command: the workspace, the user (id, or e-mail of a member), the rights asked
    (``add`` and ``set``) and ``--yes`` (``remove``)."""

    workspace: str
    user: str
    rights: str | None = None
    yes: bool = False


def run_add(app: AppContext, options: MemberOptions) -> None:
    from cartes_cli.client.validation import is_uuid, parse_rights
    from cartes_cli.errors import Conflict, UsageError

    rights, user = options.rights, options.user
    granted = list(parse_rights(rights)) if rights else list(DEFAULT_RIGHTS)
    if not is_uuid(user):
        raise UsageError(_("To add a member, give the user's id (a UUID), as found in their request."))
    client = app.client()
    community = resolve_for_change(client, options.workspace)
    if find_member(client, community.id, user) is not None:
        raise Conflict(
            _("{user} is already a member of {ws}; use 'cartes workspace member set'.").format(
                user=user, ws=community.technical_name
            )
        )
    member = client.communities.put_member(community.id, user.strip(), granted)
    app.terminal.success(
        _("Added {user} to {ws} with {rights}.").format(
            user=member.user.email if member.user else user,
            ws=community.technical_name,
            rights=",".join(granted),
        )
    )


def run_set(app: AppContext, options: MemberOptions) -> None:
    from cartes_cli.client.validation import parse_rights
    from cartes_cli.errors import NotFound, UsageError

    if not options.rights:
        raise UsageError(_("Say which rights with --rights."))
    granted = list(parse_rights(options.rights))
    client = app.client()
    community = resolve_for_change(client, options.workspace)
    existing = find_member(client, community.id, options.user)
    if existing is None:
        raise NotFound(
            _("{user} is not a member of {ws}.").format(user=options.user, ws=community.technical_name)
        )
    client.communities.put_member(community.id, existing.user.id, granted)
    app.terminal.success(
        _("{user} now has {rights} in {ws}.").format(
            user=existing.user.email or existing.user.id,
            rights=",".join(map(str, granted)),
            ws=community.technical_name,
        )
    )


def run_remove(app: AppContext, options: MemberOptions) -> None:
    from cartes_cli.errors import NotFound, UsageError

    client = app.client()
    community = resolve_for_change(client, options.workspace)
    ws = community.technical_name
    existing = find_member(client, community.id, options.user)
    if existing is None:
        raise NotFound(_("{user} is not a member of {ws}.").format(user=options.user, ws=ws))
    email = existing.user.email
    if existing.user.id == community.supervisor_id:
        raise UsageError(_("{user} supervises {ws} and cannot be removed.").format(user=email, ws=ws))
    confirm(app, _("Remove {user} from {ws}?").format(user=email, ws=ws), options.yes)
    client.communities.remove_member(community.id, existing.user.id)
    app.terminal.success(_("Removed {user} from {ws}.").format(user=email, ws=ws))


def add_command(
    ctx: typer.Context, workspace: WorkspaceArg, user: UserArg, rights: MemberRightsOpt = None
) -> None:
    """Add a user (by id) with rights (default: UPLOAD,PROCESSING,BROADCAST,ANNEX)."""
    run_add(context_of(ctx), MemberOptions(workspace=workspace, user=user, rights=rights))


def set_command(
    ctx: typer.Context, workspace: WorkspaceArg, user: UserArg, rights: MemberRightsOpt = None
) -> None:
    """Replace a member's rights."""
    run_set(context_of(ctx), MemberOptions(workspace=workspace, user=user, rights=rights))


def remove_command(ctx: typer.Context, workspace: WorkspaceArg, user: UserArg, yes: YesOpt = False) -> None:
    """Remove a member (the supervisor cannot be removed)."""
    run_remove(context_of(ctx), MemberOptions(workspace=workspace, user=user, yes=yes))
