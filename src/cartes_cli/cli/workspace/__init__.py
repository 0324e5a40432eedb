"""``cartes workspace …``: the workspaces (communities and their datastores).

One module per verb (``list``, ``show``, ``form``, ``members``, ``member`` for add/set/remove,
``update``, ``supervisor``, ``join``, ``create``, ``leave``), each with its options object, its
``run`` and its Typer function; ``common`` holds what several of them share. This module only
assembles the group: importing it loads Typer and the verb modules, which import the client,
httpx and pydantic inside their function bodies only.
"""

from __future__ import annotations

import typer

from cartes_cli.cli.group_help import group_help
from cartes_cli.cli.workspace import (
    create,
    form,
    join,
    leave,
    member,
    members,
    show,
    supervisor,
    update,
)
from cartes_cli.cli.workspace import list as list_
from cartes_cli.i18n import _

__all__ = ["member_app", "workspace_app"]

workspace_app = typer.Typer(
    help=group_help("workspace"),
    no_args_is_help=True,
)
member_app = typer.Typer(
    help=_("Add, change or remove a member (needs the COMMUNITY right)."), no_args_is_help=True
)

workspace_app.command("list")(list_.command)
workspace_app.command("show")(show.command)
workspace_app.command("form")(form.command)
workspace_app.command("members")(members.command)
workspace_app.add_typer(member_app, name="member")
member_app.command("add")(member.add_command)
member_app.command("set")(member.set_command)
member_app.command("remove")(member.remove_command)
workspace_app.command("update")(update.command)
workspace_app.command("supervisor")(supervisor.command)
workspace_app.command("join")(join.command)
workspace_app.command("create")(create.command)
workspace_app.command("leave")(leave.command)
