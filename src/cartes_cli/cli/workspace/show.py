"""``cartes workspace show WS``: a workspace's community, supervisor, datastore and my rights."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import typer

from cartes_cli.cli.options import WorkspaceArg, context_of
from cartes_cli.cli.output import Column, human_size, register_fields
from cartes_cli.cli.references import resolve_workspace
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.client import GeoplateformeClient
    from cartes_cli.client.models import Community, Usage

SHOW_COLUMNS = [
    Column("technical_name", _("Name")),
    Column("name", _("Title")),
    Column("id", _("Id")),
    Column("description", _("Description")),
    Column("public", _("Public"), kind="bool"),
    Column("contact", _("Contact")),
    Column("supervisor", _("Supervisor")),
    Column("my_rights", _("My rights"), kind="list"),
    Column("datastore", _("Datastore")),
    Column("datastore_active", _("Datastore active"), kind="bool"),
    Column("storage", _("Storage (used / quota)")),
    Column("uploads", _("Uploads (used / quota)")),
    Column("annexes", _("Annexes (used / quota)")),
    Column("services", _("Services"), kind="list"),
    Column("creation", _("Created"), kind="datetime"),
    Column("update", _("Updated"), kind="datetime"),
]
register_fields(*(c.key for c in SHOW_COLUMNS))


@dataclass(frozen=True)
class ShowOptions:
    workspace: str


def run(app: AppContext, options: ShowOptions) -> None:
    client = app.client()
    community = resolve_workspace(client, options.workspace)
    if not community.supervisor or isinstance(community.supervisor, str):
        from cartes_cli.errors import PermissionDenied

        # The real platform may refuse the detail to a non-member: the catalogue's item is enough.
        with contextlib.suppress(PermissionDenied):
            community = client.communities.get(community.id)  # the detail: supervisor, datastore
    app.terminal.print_object(show_row(client, community), SHOW_COLUMNS)


def show_row(client: GeoplateformeClient, community: Community) -> dict[str, Any]:
    """What ``workspace show`` prints of a community (its detail), with my rights and its datastore."""
    me = client.users.me()
    membership = me.membership(community.id)
    row: dict[str, Any] = {
        "id": community.id,
        "technical_name": community.technical_name,
        "name": community.name,
        "description": community.description,
        "public": community.public,
        "contact": community.contact,
        "supervisor": _supervisor_text(community),
        "my_rights": [getattr(r, "value", r) for r in membership.rights] if membership else [],
        "datastore": None,
        "datastore_active": None,
        "storage": None,
        "uploads": None,
        "annexes": None,
        "services": [],
        "creation": community.creation,
        "update": community.update,
    }
    if community.datastore_id:
        row.update(_datastore_fields(client, community.datastore_id))
    return row


def _supervisor_text(community: Community) -> str | None:
    supervisor = community.supervisor
    if supervisor is not None and not isinstance(supervisor, str):
        name = " ".join(p for p in (supervisor.first_name, supervisor.last_name) if p)
        return f"{name} <{supervisor.email}>" if supervisor.email else name
    if isinstance(supervisor, str):
        return supervisor
    return None


def _datastore_fields(client: GeoplateformeClient, datastore_id: str) -> dict[str, Any]:
    """The datastore's part of the row: its name, state, quotas and services (only its id when
    the platform does not let the caller read it)."""
    from cartes_cli.errors import PermissionDenied

    try:
        ds = client.datastores.get(datastore_id)
    except PermissionDenied:
        return {"datastore": datastore_id}
    fields: dict[str, Any] = {"datastore": ds.technical_name or ds.name, "datastore_active": ds.active}
    storages = ds.storages
    if storages is not None:
        data = list(storages.data or [])
        if data:
            used = sum(d.use or 0 for d in data)
            quota = sum(d.quota or 0 for d in data)
            fields["storage"] = f"{human_size(used)} / {human_size(quota)}"
        fields["uploads"] = _usage(storages.uploads)
        fields["annexes"] = _usage(storages.annexes)
    fields["services"] = [
        f"{e.endpoint.name} ({e.use}/{e.quota})" for e in (ds.endpoints or []) if e.endpoint is not None
    ]
    return fields


def _usage(entry: Usage | None) -> str | None:
    if entry is None:
        return None
    return f"{human_size(entry.use)} / {human_size(entry.quota)}"


def command(ctx: typer.Context, workspace: WorkspaceArg) -> None:
    """Show a workspace: community, supervisor, datastore quotas and services, my rights."""
    run(context_of(ctx), ShowOptions(workspace=workspace))
