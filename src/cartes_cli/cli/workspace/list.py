"""``cartes workspace list``: my workspaces with my rights, or the public catalogue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cartes_cli.cli.options import (
    DEFAULT_CONCURRENCY,
    PagesConcurrencyOpt,
    context_of,
    listing_client,
)
from cartes_cli.cli.output import ESSENTIAL, Column, register_fields
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.client.records import CatalogRecord, MembershipRecord, UserRecord

CATALOG_COLUMNS = [
    Column("technical_name", _("NAME"), no_wrap=True, style="bold", priority=ESSENTIAL),
    Column("name", _("TITLE"), min_width=20),  # wraps, once the organization is shortened
    Column("organization", _("ORGANIZATION"), no_wrap=True, priority=3),
    Column("contact", _("CONTACT"), table=False, tsv=True),
    Column("id", _("ID"), table=False),
    Column("description", _("DESCRIPTION"), table=False),
    Column("public", _("PUBLIC"), kind="bool", table=False),
    Column("creation", _("CREATED"), kind="datetime", table=False),
    Column("update", _("UPDATED"), kind="datetime", table=False),
]
MINE_COLUMNS = [
    Column("technical_name", _("NAME"), no_wrap=True, style="bold", priority=ESSENTIAL),
    Column("name", _("TITLE"), min_width=20),
    Column("rights", _("MY RIGHTS"), kind="list"),
    Column("public", _("PUBLIC"), kind="bool", priority=3),
    Column("supervisor", _("SUPERVISOR"), kind="bool", priority=3),
    Column("id", _("ID"), table=False),
    Column("description", _("DESCRIPTION"), table=False),
    Column("datastore", _("DATASTORE"), table=False),
    Column("creation", _("CREATED"), kind="datetime", table=False),
]
register_fields(*(c.key for c in CATALOG_COLUMNS), *(c.key for c in MINE_COLUMNS))


@dataclass(frozen=True)
class ListOptions:
    public: bool = False
    search: str | None = None
    concurrency: int = DEFAULT_CONCURRENCY


def run(app: AppContext, options: ListOptions) -> None:
    term = app.terminal
    search = options.search
    if search is not None and not search.strip():
        from cartes_cli.errors import UsageError

        raise UsageError(_("--search needs some text."))
    client = listing_client(app, options.concurrency)
    if options.public:
        catalog = client.records.catalog(search=search, concurrency=options.concurrency)
        rows = (catalog_row(c) for c in catalog)
        count = term.print_list(rows, CATALOG_COLUMNS, empty=_("No public workspace matches."))
    else:
        me = client.records.me()
        rows_mine = [mine_row(m, me) for m in me.communities_member]
        if search:
            from cartes_cli.textsearch import matches

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


def catalog_row(c: CatalogRecord) -> dict[str, Any]:
    org = c.organization
    return {
        "id": c.id,
        "technical_name": c.technical_name,
        "name": c.name,
        "description": c.description,
        "contact": c.contact,
        "organization": org.name if org is not None else None,
        "public": c.public,
        "creation": c.creation,
        "update": c.update,
    }


def mine_row(membership: MembershipRecord, me: UserRecord) -> dict[str, Any]:
    community = membership.community
    return {
        "id": community.id,
        "technical_name": community.technical_name,
        "name": community.name,
        "description": community.description,
        "rights": [str(r) for r in membership.rights],  # a Right is a StrEnum: its value
        "public": community.public,
        "supervisor": bool(community.supervisor_id and community.supervisor_id == me.id),
        "datastore": community.datastore_id,
        "creation": community.creation,
    }


def command(
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
    concurrency: PagesConcurrencyOpt = DEFAULT_CONCURRENCY,
) -> None:
    """List my workspaces with my rights, or with --public the public catalogue."""
    run(context_of(ctx), ListOptions(public=public, search=search, concurrency=concurrency))
