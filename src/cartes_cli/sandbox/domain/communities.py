"""Communities and their members: who manages a community, how one is found, which rights exist,
and the changes a manager, a supervisor or a member makes."""

from __future__ import annotations

import re
from typing import Any

from cartes_cli.i18n import N_, _
from cartes_cli.sandbox.domain.context import Sandbox
from cartes_cli.sandbox.errors import ApiProblem
from cartes_cli.sandbox.store import Store
from cartes_cli.sandbox.store.records import RIGHTS, Community, User, canonical_rights
from cartes_cli.sandbox.util import iso
from cartes_cli.validators import is_uuid

SUPERVISOR_KEEPS_RIGHTS = N_(
    "The supervisor of a community always holds every right: make someone else supervisor first "
    "(PATCH the community's supervisor)."
)
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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


def require_manager(store: Store, user: User, community: Community) -> None:
    if not manages(store, user, community.id):
        raise ApiProblem(403, _("Managing this community's members needs the COMMUNITY right on it."))


def set_member_rights(sandbox: Sandbox, community: Community, user_id: str, rights: list[str]) -> User:
    """Add ``user_id`` to the community or replace their rights; the member. The Entrepôt must
    know the user already; the supervisor keeps every right."""
    store = sandbox.store
    wanted = parse_rights(rights)
    target = store.users.get(user_id) if is_uuid(user_id) else None
    if target is None or target.entrepot_since is None:
        # The Entrepôt creates its user at their first GET /users/me (a login to cartes.gouv.fr
        # makes one): before that it does not know them, whatever Keycloak knows.
        raise ApiProblem(
            404, _("User not found: this user has never used the Entrepôt (no GET /users/me yet).")
        )
    if target.id == community.supervisor_id and wanted != list(RIGHTS):
        raise ApiProblem(409, _(SUPERVISOR_KEEPS_RIGHTS))
    store.communities.put_membership(community.id, target.id, wanted, iso(sandbox.now()))
    return target


def remove_member(store: Store, community: Community, user_id: str) -> None:
    """Remove a member (not the supervisor)."""
    if user_id == community.supervisor_id:
        raise ApiProblem(
            409, _("The supervisor cannot be removed from the community: make someone else supervisor first.")
        )
    if not is_uuid(user_id) or not store.communities.delete_membership(community.id, user_id):
        raise ApiProblem(404, _("This user is not a member of the community."))


def edit_community(sandbox: Sandbox, user: User, community: Community, changes: dict[str, Any]) -> None:
    """Apply a community's edit: name, description, contact, public, and ``supervisor`` (a hand-over,
    by the supervisor or the staff only, to a current member, who then holds every right)."""
    store = sandbox.store
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        if not changes["name"]:
            raise ApiProblem(400, _("name: must not be empty."))
    if "contact" in changes and not _EMAIL_RE.match(changes["contact"]):
        raise ApiProblem(400, _("contact: must be an e-mail address."))
    when = iso(sandbox.now())
    with store.transaction():
        supervisor = changes.pop("supervisor", None)
        if supervisor is not None and supervisor != community.supervisor_id:
            if not (user.administrator or user.id == community.supervisor_id):
                raise ApiProblem(
                    403, _("Only the supervisor or the platform staff can hand supervision over.")
                )
            successor = store.users.get(supervisor) if is_uuid(supervisor) else None
            if successor is None:
                raise ApiProblem(400, _("supervisor: no such user."))
            if store.communities.membership(community.id, successor.id) is None:
                raise ApiProblem(
                    400, _("supervisor: must be a current member of the community (add them first).")
                )
            changes["supervisor_id"] = successor.id
            # The new supervisor holds every right; the former one keeps theirs (COMMUNITY
            # included) and may then leave. Both writes commit together or not at all.
            store.communities.put_membership(community.id, successor.id, RIGHTS, when)
        store.communities.update(community.id, changes, when)


def leave(store: Store, user: User, community_id: str) -> None:
    """``user`` leaves the community (its supervisor cannot)."""
    community = store.communities.get(community_id) if is_uuid(community_id) else None
    if community is None or store.communities.membership(community.id, user.id) is None:
        raise ApiProblem(404, _("You are not a member of this community."))
    if community.supervisor_id == user.id:
        raise ApiProblem(
            409,
            _("You supervise this community, so you cannot leave it: make someone else supervisor first."),
        )
    store.communities.delete_membership(community.id, user.id)
