"""What a bulk decision acts on, and the action on each: the requests ``--all`` selects (read
while they are decided), ids given by hand (described by what the platform answers), and the
users to add on the real platform (links from request e-mails, ``--workspace`` with ``--user``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

from cartes_cli.cli.references import resolve_for_change
from cartes_cli.cli.request.rows import request_row
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.bulk import Item
    from cartes_cli.client import GeoplateformeClient
    from cartes_cli.client.models import Member, Request
    from cartes_cli.client.pagination import LinkedPages

    Decision = Callable[[Item], tuple[str, Request]]
    MemberAction = Callable[[Item], tuple[str, Member | None]]

T = TypeVar("T")

DECIDED = {"approve": "accepted", "reject": "rejected"}
"""The status a request has once a verb decided it."""


class Selection:
    """The requests ``--all`` selects, read while they are decided: the first page is in hand
    (``total`` counts them all), the next ones come by the listing's cursor, which the decisions
    taken meanwhile do not shift. Iterating yields bulk items."""

    def __init__(self, listing: LinkedPages[Request], total: int) -> None:
        self.listing = listing
        self.total = total

    def __iter__(self) -> Iterator[Item]:
        return (item_of(r) for r in self.listing)


def item_of(r: Request) -> Item:
    """A request as a bulk item, described and labelled ``requester → workspace``."""
    from cartes_cli.cli import bulk

    item = bulk.Item(r.id, r.id)
    describe(item, r)
    return bulk.Item(r.id, label(item), item.data)


def describe(item: Item, r: Request) -> None:
    """What a person needs to recognise a request, kept with its bulk item (and in ``--json``)."""
    row = request_row(r)
    item.data.update(
        {
            "requester": row["requester"],
            "workspace": row["workspace"],
            "type": getattr(r.type, "value", r.type),
            "status": getattr(r.status, "value", r.status),
        }
    )


def label(item: Item) -> str:
    """``requester → workspace`` once known, else the item's own label."""
    if item.data.get("error"):
        return str(item.data["error"])
    if "requester" in item.data or "workspace" in item.data:
        return f"{item.data.get('requester') or '?'} → {item.data.get('workspace') or '?'}"
    return item.label


def _known(r: Request) -> bool:
    """Does this answer name the requester and the workspace (not only the workspace's id)?"""
    row = request_row(r)
    return bool(row["requester"]) and bool(row["workspace"])


def labelled(client: GeoplateformeClient, act: Decision) -> Decision:
    """A decision on an id given by hand, described by the request it returns, or (when that
    answer does not name the requester and the workspace) by ``GET /requests/{id}``, in the same
    worker: the run's concurrency bounds it. Items from a listing already have it: no call."""

    def run(item: Item) -> tuple[str, Request]:
        state, result = act(item)
        if "requester" not in item.data:
            described: Request | None = result
            if result is None or not _known(result):
                try:
                    described = client.requests.get(item.key)
                except Exception:  # the decision is made: not knowing the name does not undo it
                    described = result
            if described is not None:
                describe(item, described)
                item.data.pop("status", None)  # before the decision; the outcome says it now
        return state, result

    return run


def describe_items(client: GeoplateformeClient, items: list[Item], concurrency: int) -> None:
    """A dry run on ids: read each request (at most ``concurrency`` at once) to say who asks to
    join what, and whether it is already decided that way."""
    from concurrent.futures import ThreadPoolExecutor

    from cartes_cli.cli.errors import describe as describe_error

    def read(item: Item) -> None:
        try:
            describe(item, client.requests.get(item.key))
        except Exception as exc:  # shown in the plan: the run itself would fail the same way
            item.data["error"] = describe_error(exc)[1]
            item.data["requester"] = None
            item.data["workspace"] = None

    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(items)))) as pool:
        list(pool.map(read, items))


def incoming_items(
    client: GeoplateformeClient,
    workspace: str | None,
    status: str,
    type_: str | None,
    concurrency: int,
    *,
    whole: bool = False,
) -> list[Item] | Selection:
    """What ``--all`` selects, as bulk items.

    A platform whose listing links to its next page by a cursor (the sandbox) gives a
    :class:`Selection`: decisions start on the first page while the next ones are read. Otherwise,
    or with ``whole`` (a dry run), every page is read first, as concurrently as the decisions will
    be made: an offset listing of pending requests shifts under the decisions taken meanwhile.
    """

    def listing(community: str | None) -> list[Item] | Selection:
        if not whole:
            snapshot = client.requests.incoming_snapshot(status=status, type=type_, community=community)
            # Decisions start on the first page only when the count to confirm is known.
            if snapshot.linked and snapshot.count is not None:
                return Selection(snapshot, snapshot.count)
        return [
            item_of(r)
            for r in client.requests.incoming(
                status=status, type=type_, community=community, concurrency=concurrency
            )
        ]

    return in_workspace(client, workspace, listing)


def incoming_requests(
    client: GeoplateformeClient, workspace: str | None, status: str, type_: str | None
) -> list[Request]:
    """Every request of the incoming listing with these filters, read at once (a review shows
    each whole: its message, its answers)."""
    return in_workspace(
        client,
        workspace,
        lambda community: list(client.requests.incoming(status=status, type=type_, community=community)),
    )


def in_workspace(client: GeoplateformeClient, workspace: str | None, listing: Callable[[str | None], T]) -> T:
    """``listing(community)`` for ``--workspace`` as given (an id, a technical name or a name)."""
    from cartes_cli.client.validation import is_uuid, looks_like_technical_name
    from cartes_cli.errors import NotFound

    if workspace is None:
        return listing(None)
    ref = workspace.strip()
    if is_uuid(ref) or looks_like_technical_name(ref):
        # The request API takes an id or a technical name itself: one round trip saved. A name it
        # does not know (a display name, a typo) is then resolved, or refused, the usual way.
        try:
            return listing(ref.lower() if is_uuid(ref) else ref)
        except NotFound:
            pass
    return listing(resolve_for_change(client, ref).id)


def accept_action(client: GeoplateformeClient, rights: list[str] | None, started: float) -> Decision:
    def act(item: Item) -> tuple[str, Request]:
        kind = item.data.get("type")
        result = client.requests.accept(
            item.key, rights=rights if kind != "datastore" else None, since=started
        )
        return ("unchanged" if result.unchanged else "done"), result

    return act


def reject_action(client: GeoplateformeClient, reason: str | None, started: float) -> Decision:
    def act(item: Item) -> tuple[str, Request]:
        result = client.requests.reject(item.key, reason=reason, since=started)
        return ("unchanged" if result.unchanged else "done"), result

    return act


def check_user_id(value: str) -> str:
    """A user to add, as the real add-member dialog takes them: a UUID only."""
    from cartes_cli.client.validation import is_uuid

    v = value.strip()
    if not is_uuid(v):
        raise UsageError(
            _("--user {value!r}: give the user's id (a UUID), as in the request e-mail's link.").format(
                value=value
            )
        )
    return v.lower()


def check_link_ids(link: str, pair: tuple[str, str]) -> tuple[str, str]:
    from cartes_cli.client.validation import is_uuid

    community, user_id = pair
    if not (is_uuid(community) and is_uuid(user_id)):
        raise UsageError(
            _("{link!r}: the workspace and the user of a request link must be ids (UUIDs).").format(link=link)
        )
    return community.lower(), user_id.lower()


def member_items(
    client: GeoplateformeClient, pairs: list[tuple[str, str]], workspace: str | None, users: list[str]
) -> list[Item]:
    """One item per user to add; each community's members are read first (``GET
    /communities/{c}/users``, every page), so that someone already a member is reported as
    unchanged and keeps their rights: the PUT that adds a member also replaces the rights of an
    existing one."""
    from cartes_cli.cli import bulk

    items = [bulk.Item(f"{c}/{u}", f"{u} → {c}", {"community": c, "user": u}) for c, u in pairs]
    if users:
        assert workspace is not None
        community = resolve_for_change(client, workspace)
        for user_id in users:
            items.append(
                bulk.Item(
                    f"{community.id}/{user_id}",
                    f"{user_id} → {community.technical_name}",
                    {"community": community.id, "user": user_id},
                )
            )
    items = list({i.key: i for i in items}.values())
    current: dict[str, dict[str, list[str]]] = {}
    for community_id in dict.fromkeys(i.data["community"] for i in items):
        current[community_id] = {
            m.user.id.lower(): [str(getattr(r, "value", r)) for r in m.rights]
            for m in client.communities.members(community_id)
        }
    for item in items:
        rights = current[item.data["community"]].get(item.data["user"])
        if rights is not None:
            item.data["current_rights"] = rights
    return items


def member_action(client: GeoplateformeClient, rights: list[str]) -> MemberAction:
    from cartes_cli.errors import NotFound

    def act(item: Item) -> tuple[str, Member | None]:
        if item.data.get("current_rights") is not None:
            return "unchanged", None  # already a member: their rights stay as they are
        try:
            return "done", client.communities.put_member(item.data["community"], item.data["user"], rights)
        except NotFound as exc:
            raise NotFound(
                _(
                    "the platform does not know user {user}: they must log in to cartes.gouv.fr "
                    "(or run any cartes command) once before they can be added."
                ).format(user=item.data["user"])
            ) from exc

    return act
