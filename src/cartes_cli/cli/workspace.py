"""``cartes workspace …``: the workspaces (communities and their datastores)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from cartes_cli.cli.output import Column, register_fields
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext

workspace_app = typer.Typer(
    help=_("Workspaces (espaces de travail): browse, inspect, join, create."),
    no_args_is_help=True,
)

CATALOG_COLUMNS = [
    Column("technical_name", _("NAME"), no_wrap=True, style="bold"),
    Column("name", _("TITLE")),
    Column("organization", _("ORGANIZATION"), max_width=32, no_wrap=True),
    Column("contact", _("CONTACT"), table=False, tsv=True),
    Column("id", _("ID"), table=False),
    Column("description", _("DESCRIPTION"), table=False),
    Column("public", _("PUBLIC"), kind="bool", table=False),
    Column("creation", _("CREATED"), kind="datetime", table=False),
    Column("update", _("UPDATED"), kind="datetime", table=False),
]
MINE_COLUMNS = [
    Column("technical_name", _("NAME"), no_wrap=True, style="bold"),
    Column("name", _("TITLE")),
    Column("rights", _("MY RIGHTS"), kind="list"),
    Column("public", _("PUBLIC"), kind="bool"),
    Column("supervisor", _("SUPERVISOR"), kind="bool"),
    Column("id", _("ID"), table=False),
    Column("description", _("DESCRIPTION"), table=False),
    Column("datastore", _("DATASTORE"), table=False),
    Column("creation", _("CREATED"), kind="datetime", table=False),
]
register_fields(*(c.key for c in CATALOG_COLUMNS), *(c.key for c in MINE_COLUMNS))


def _ctx(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert obj is not None
    return obj  # type: ignore[no-any-return]


@workspace_app.command("list")
def list_workspaces(
    ctx: typer.Context,
    public: Annotated[
        bool, typer.Option("--public", help=_("Browse the catalogue of public workspaces."))
    ] = False,
    search: Annotated[
        str | None,
        typer.Option(
            "--search",
            "-s",
            show_default=False,
            help=_("Only workspaces whose name or description contains TEXT (accents ignored)."),
        ),
    ] = None,
) -> None:
    """List my workspaces with my rights, or with --public the public catalogue."""
    app = _ctx(ctx)
    term = app.terminal
    if search is not None and not search.strip():
        from cartes_cli.errors import UsageError

        raise UsageError(_("--search needs some text."))
    client = app.client()
    if public:
        rows = (_catalog_row(c) for c in client.communities.catalog(search=search))
        count = term.print_list(rows, CATALOG_COLUMNS, empty=_("No public workspace matches."))
    else:
        me = client.users.me()
        rows_mine = [_mine_row(m, me) for m in me.communities_member]
        if search:
            from cartes_cli.client.text import matches

            rows_mine = [
                r for r in rows_mine if matches(search, r["name"], r["technical_name"], r["description"])
            ]
        rows_mine.sort(key=lambda r: (r["name"] or "").lower())
        count = term.print_list(
            rows_mine,
            MINE_COLUMNS,
            empty=_("You are a member of no workspace yet; see 'cartes workspace list --public'."),
        )
    if term.rendering == "table" and count:
        term.info(_("{n} workspace(s).").format(n=count))


def _catalog_row(c: Any) -> dict[str, Any]:
    org = getattr(c, "organization", None)
    return {
        "id": c.id,
        "technical_name": c.technical_name,
        "name": c.name,
        "description": c.description,
        "contact": c.contact,
        "organization": getattr(org, "name", None) if org is not None else None,
        "public": c.public,
        "creation": c.creation,
        "update": c.update,
    }


def _mine_row(membership: Any, me: Any) -> dict[str, Any]:
    community = membership.community
    return {
        "id": community.id,
        "technical_name": community.technical_name,
        "name": community.name,
        "description": community.description,
        "rights": [getattr(r, "value", r) for r in membership.rights],
        "public": community.public,
        "supervisor": bool(community.supervisor_id and community.supervisor_id == me.id),
        "datastore": community.datastore_id,
        "creation": community.creation,
    }
