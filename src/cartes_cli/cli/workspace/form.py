"""``cartes workspace form WS``: the form a workspace asks joiners to fill."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import typer

from cartes_cli.cli.options import DEFAULT_CONCURRENCY, WorkspaceArg, context_of
from cartes_cli.cli.output import Column, register_fields
from cartes_cli.cli.references import resolve_workspace
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.client.models import CatalogCommunity, Community, JoinFormField

FORM_COLUMNS = [
    Column("name", _("FIELD"), no_wrap=True, style="bold"),
    Column("title", _("QUESTION")),
    Column("type", _("TYPE"), no_wrap=True),
    Column("required", _("REQUIRED"), kind="bool", no_wrap=True),
    Column("expected", _("EXPECTED")),
    Column("choices", _("CHOICES"), kind="list", table=False),
    Column("minimum", _("MINIMUM"), table=False),
    Column("maximum", _("MAXIMUM"), table=False),
    Column("min_length", _("MIN LENGTH"), table=False),
    Column("max_length", _("MAX LENGTH"), table=False),
    Column("pattern", _("PATTERN"), table=False),
    Column("description", _("DESCRIPTION"), table=False),
]
register_fields(*(c.key for c in FORM_COLUMNS))


@dataclass(frozen=True)
class FormOptions:
    workspace: str


def run(app: AppContext, options: FormOptions) -> None:
    term = app.terminal
    client = app.client()
    community: Community | CatalogCommunity
    if client.capabilities().has("requests"):
        community = resolve_workspace(client, options.workspace)
        join_form = client.communities.join_form(community.id)
    else:  # the real platform: the annexe cartes.gouv.fr reads, for the public catalogue's workspaces
        community = client.communities.find_public(options.workspace, concurrency=DEFAULT_CONCURRENCY)
        join_form = client.communities.public_join_form(community.technical_name or community.id)
    if term.rendering == "table" and join_form.description:
        from cartes_cli.cli.terminal_text import neutralise

        term.info(neutralise(str(join_form.description)))
    term.print_list(
        [form_row(f) for f in join_form.fields],
        FORM_COLUMNS,
        empty=_("{ws} asks for nothing: join it with 'cartes workspace join {ws}'.").format(
            ws=community.technical_name or community.id
        ),
    )


def form_row(f: JoinFormField) -> dict[str, Any]:
    from cartes_cli.cli.forms import field_choices, field_hints

    c = f.constraints
    expected = [p for p in field_hints(f, optional=False) if p]
    if c.pattern:
        expected.append(c.pattern)
    return {
        "name": f.name,
        "title": f.title,
        "type": f.type,
        "required": bool(c.required),
        "expected": " ".join(expected) or None,
        "choices": field_choices(f) or None,
        "minimum": c.minimum,
        "maximum": c.maximum,
        "min_length": c.min_length,
        "max_length": c.max_length,
        "pattern": c.pattern,
        "description": f.description,
    }


def command(ctx: typer.Context, workspace: WorkspaceArg) -> None:
    """Show the form a workspace asks joiners to fill: each field, its type and what it accepts.

    For scripts: the names go with 'workspace join WS --answer NAME=VALUE'; --json gives the
    constraints (choices, minimum, maximum, lengths, pattern).
    """
    run(context_of(ctx), FormOptions(workspace=workspace))
