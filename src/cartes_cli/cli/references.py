"""What a command's arguments name, found on the platform: the workspace a changing command
means. The workspace commands and the request decisions (``--workspace``) both use it; it
belongs to neither group, so that neither imports the other for it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cartes_cli.cli.options import DEFAULT_CONCURRENCY
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.client import GeoplateformeClient
    from cartes_cli.client.models import Community
    from cartes_cli.client.records import CommunityRecord


def resolve_workspace(
    client: GeoplateformeClient, ref: str, *, concurrency: int = DEFAULT_CONCURRENCY
) -> Community:
    """The workspace a command names (``client.communities.resolve``), with the workspaces found
    by technical name in earlier runs (:mod:`cartes_cli.cli.known_workspaces`). ``concurrency``:
    catalogue pages read at once."""
    from cartes_cli.cli.known_workspaces import KnownWorkspaces

    with KnownWorkspaces(client.platform.api_url) as known:
        return client.communities.resolve(ref, concurrency=concurrency, known=known)


def resolve_workspace_record(
    client: GeoplateformeClient, ref: str, *, concurrency: int = DEFAULT_CONCURRENCY
) -> CommunityRecord:
    """:func:`resolve_workspace` read as a record (``client.records.resolve``), for a read-only
    listing that would otherwise import pydantic only to find its workspace."""
    from cartes_cli.cli.known_workspaces import KnownWorkspaces

    with KnownWorkspaces(client.platform.api_url) as known:
        return client.records.resolve(ref, concurrency=concurrency, known=known)


def resolve_for_change(client: GeoplateformeClient, ref: str) -> Community:
    """Find the workspace a changing command names, before anything is changed. An unknown one
    is "not found" (exit 3), as in every command: only the platform can tell that a workspace
    does not exist, so it is not an input error caught before any request (exit 2)."""
    from cartes_cli.errors import NotFound

    try:
        return resolve_workspace(client, ref)
    except NotFound as exc:
        raise NotFound(
            _(
                "no workspace {ref!r} (by id, technical name or exact name) among yours and the public "
                "catalogue; nothing was changed (see 'cartes workspace list --public')"
            ).format(ref=ref.strip())
        ) from exc
