"""Communities and their members: who manages a community, how one is found, which rights exist."""

from __future__ import annotations

from cartes_cli.i18n import _
from cartes_cli.sandbox.errors import ApiProblem
from cartes_cli.sandbox.store import Store
from cartes_cli.sandbox.store.records import RIGHTS, Community, User, canonical_rights
from cartes_cli.sandbox.util import is_uuid


def community_by_id(store: Store, community_id: str) -> Community:
    community = store.communities.get(community_id) if is_uuid(community_id) else None
    if community is None:
        raise ApiProblem(404, _("Community not found."))
    return community


def resolve_community(store: Store, ref: str) -> Community | None:
    """By uuid or technical name."""
    ref = ref.strip()
    if is_uuid(ref):
        return store.communities.get(ref)
    return store.communities.by_technical_name(ref) if ref else None


def manages(store: Store, user: User, community_id: str) -> bool:
    """Staff, or a member holding the COMMUNITY right."""
    if user.administrator:
        return True
    membership = store.communities.membership(community_id, user.id)
    return membership is not None and "COMMUNITY" in membership.rights


def parse_rights(values: list[str], *, name: str = "rights") -> list[str]:
    try:
        return canonical_rights([v.strip().upper() for v in values if v.strip()])
    except ValueError as exc:
        raise ApiProblem(400, f"{name}: {exc}; known rights: {', '.join(RIGHTS)}.") from None
