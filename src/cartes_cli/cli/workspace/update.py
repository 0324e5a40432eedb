"""``cartes workspace update WS``: a workspace's name, description, contact or visibility."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cartes_cli.cli.options import WorkspaceArg, context_of
from cartes_cli.cli.references import resolve_for_change
from cartes_cli.cli.workspace.common import confirm
from cartes_cli.cli.workspace.show import SHOW_COLUMNS, show_row
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext

MAX_WORKSPACE_NAME = 100
MAX_DESCRIPTION = 2000


@dataclass(frozen=True)
class UpdateOptions:
    """The fields to change (``None``: unchanged) and ``--yes`` for a change of visibility."""

    workspace: str
    name: str | None = None
    description: str | None = None
    contact: str | None = None
    public: bool | None = None
    yes: bool = False


def run(app: AppContext, options: UpdateOptions) -> None:
    fields = check_update(options)
    client = app.client()
    community = resolve_for_change(client, options.workspace)
    if "public" in fields and fields["public"] != community.public:
        question = (
            _("Make {ws} public: anyone will see it in the catalogue?")
            if fields["public"]
            else _("Make {ws} private: it leaves the public catalogue?")
        )
        confirm(app, question.format(ws=community.technical_name), options.yes)
    updated = client.communities.update(community.id, **fields)
    app.terminal.success(_("Updated {ws}.").format(ws=updated.technical_name or community.technical_name))
    if not updated.supervisor or isinstance(updated.supervisor, str):
        updated = client.communities.get(community.id)
    app.terminal.print_object(show_row(client, updated), SHOW_COLUMNS)


def check_update(options: UpdateOptions) -> dict[str, Any]:
    """The fields to send, checked; every problem in one line (exit 2) before any request."""
    from cartes_cli.client.validation import MIN_DATASTORE_NAME
    from cartes_cli.errors import UsageError
    from cartes_cli.validators import check_email

    problems: list[str] = []
    fields: dict[str, Any] = {}
    if options.name is not None:
        clean = " ".join(options.name.split())
        if len(clean) < MIN_DATASTORE_NAME:
            problems.append(
                _("--name must have at least {min} characters (it has {length})").format(
                    min=MIN_DATASTORE_NAME, length=len(clean)
                )
            )
        elif len(clean) > MAX_WORKSPACE_NAME:
            problems.append(_("--name must have at most {max} characters").format(max=MAX_WORKSPACE_NAME))
        elif not clean.isprintable():
            problems.append(_("--name must not contain control characters"))
        fields["name"] = clean
    if options.description is not None:
        if len(options.description) > MAX_DESCRIPTION:
            problems.append(_("--description must have at most {max} characters").format(max=MAX_DESCRIPTION))
        fields["description"] = options.description.strip()
    if options.contact is not None:
        if check_email(options.contact):
            problems.append(_("--contact is not an e-mail address (name@example.fr)"))
        fields["contact"] = options.contact.strip()
    if options.public is not None:
        fields["public"] = options.public
    if problems:
        raise UsageError(_("Invalid update: {problems}.").format(problems=_("; ").join(problems)))
    if not fields:
        raise UsageError(
            _("Nothing to change: give --name, --description, --contact, --public or --private.")
        )
    return fields


def command(
    ctx: typer.Context,
    workspace: WorkspaceArg,
    name: Annotated[
        str | None,
        typer.Option("--name", help=_("New name (10 characters at least)."), show_default=False),
    ] = None,
    description: Annotated[
        str | None, typer.Option("--description", "-d", help=_("New description."), show_default=False)
    ] = None,
    contact: Annotated[
        str | None,
        typer.Option(
            "--contact", help=_("New contact e-mail address (join requests go there)."), show_default=False
        ),
    ] = None,
    public: Annotated[
        bool | None,
        typer.Option(
            "--public/--private",
            help=_("List the workspace in the public catalogue, or take it out."),
            show_default=False,
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help=_("Do not ask for confirmation (public/private changes)."))
    ] = False,
) -> None:
    """Change a workspace's name, description, contact or visibility (needs the COMMUNITY right).

    Only the fields given change. Going public or private changes who sees the workspace in the
    catalogue: it asks for confirmation on a terminal, and wants --yes otherwise.
    """
    options = UpdateOptions(
        workspace=workspace, name=name, description=description, contact=contact, public=public, yes=yes
    )
    run(context_of(ctx), options)
