"""``cartes request …``: requests to join a workspace or to create one, and their decisions."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cartes_cli.cli.output import ESSENTIAL, Column, register_fields
from cartes_cli.cli.workspace import resolve_for_change
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from collections.abc import Callable

    from cartes_cli.cli.bulk import Item
    from cartes_cli.cli.context import AppContext
    from cartes_cli.client import GeoplateformeClient
    from cartes_cli.client.models import Member, Request
    from cartes_cli.client.pagination import LinkedPages

    Decision = Callable[[Item], tuple[str, Request]]
    MemberAction = Callable[[Item], tuple[str, Member | None]]

request_app = typer.Typer(
    help=_("Requests: to join a workspace, or to create one; approve or reject them in bulk."),
    no_args_is_help=True,
)

STATUSES = ("pending", "accepted", "rejected", "cancelled")
TYPES = ("join", "datastore")

REQUEST_COLUMNS = [
    # The id to act on and the workspace are never cut (records rather); the requester's
    # e-mail keeps 24 characters at least; type and status give way first.
    Column("id", _("ID"), no_wrap=True, priority=ESSENTIAL),
    Column("type", _("TYPE"), no_wrap=True, priority=3),
    Column("status", _("STATUS"), no_wrap=True, priority=3),
    Column("requester", _("REQUESTER"), no_wrap=True, min_width=24),
    Column("workspace", _("WORKSPACE"), no_wrap=True, priority=ESSENTIAL),
    Column("creation", _("CREATED"), kind="datetime", no_wrap=True),
    Column("requester_name", _("REQUESTER NAME"), table=False, record=True),
    Column("community_id", _("WORKSPACE ID"), table=False),
    Column("message", _("MESSAGE"), table=False, record=True),
    Column("answers", _("ANSWERS"), table=False, record=True),
    Column("name", _("NAME"), table=False),
    Column("technical_name", _("TECHNICAL NAME"), table=False),
    Column("description", _("DESCRIPTION"), table=False, record=True),
    Column("offer", _("OFFER"), table=False),
    Column("public", _("PUBLIC"), kind="bool", table=False),
    Column("justification", _("JUSTIFICATION"), table=False, record=True),
    Column("rights", _("RIGHTS"), kind="list", table=False),
    Column("reason", _("REASON"), table=False),
    Column("decided_by", _("DECIDED BY"), table=False),
    Column("update", _("UPDATED"), kind="datetime", table=False),
]
register_fields(*(c.key for c in REQUEST_COLUMNS))


def _ctx(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert obj is not None
    return obj  # type: ignore[no-any-return]


def for_people(term: Any, rows: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    """Rows for a table read by a person: types and statuses in their language. TSV, CSV and
    JSON keep the platform's values (scripts compare them)."""
    if term.rendering != "table":
        return rows
    labels = {
        "join": _("join"),
        "datastore": _("new workspace"),
        "pending": _("pending"),
        "accepted": _("accepted"),
        "rejected": _("rejected"),
        "cancelled": _("cancelled"),
    }

    def label(value: Any) -> Any:
        key = str(getattr(value, "value", value))
        return labels.get(key, value)

    return ({**row, "type": label(row.get("type")), "status": label(row.get("status"))} for row in rows)


def request_row(r: Any) -> dict[str, Any]:
    requester = getattr(r, "requester", None)
    community = getattr(r, "community", None)
    if r.type == "datastore":
        workspace = r.name
    else:
        workspace = getattr(community, "technical_name", None) or getattr(community, "name", None)
    return {
        "id": r.id,
        "type": r.type,
        "status": r.status,
        "requester": getattr(requester, "email", None),
        "requester_name": _person(requester),
        "workspace": workspace,
        "community_id": getattr(community, "id", None),
        "message": r.message,
        "answers": r.answers,
        "name": r.name,
        "technical_name": r.technical_name,
        "description": getattr(r, "description", None),
        "offer": r.offer,
        "public": r.public,
        "justification": r.justification,
        "rights": [getattr(x, "value", x) for x in (r.rights or [])],
        "reason": r.reason,
        "decided_by": _person(getattr(r, "decided_by", None))
        if not isinstance(r.decided_by, str)
        else r.decided_by,
        "creation": r.creation,
        "update": r.update,
    }


def _person(user: Any) -> str | None:
    if user is None:
        return None
    if isinstance(user, str):
        return user
    parts = [getattr(user, "first_name", None), getattr(user, "last_name", None)]
    name = " ".join(p for p in parts if p)
    return name or getattr(user, "email", None)


def _check_choice(value: str | None, choices: tuple[str, ...], option: str) -> str | None:
    if value is None:
        return None
    v = value.strip().lower()
    if v not in choices:
        raise UsageError(
            _("Invalid value {value!r} for {option}; choose one of: {choices}.").format(
                value=value, option=option, choices=", ".join(choices)
            )
        )
    return v


def _check_id(value: str) -> str:
    from cartes_cli.client.validation import is_uuid

    v = value.strip()
    if not is_uuid(v):
        raise UsageError(_("{value!r} is not a request id (a UUID such as 3f0c…-…).").format(value=value))
    return v.lower()


def _require_requests_api(app: AppContext, client: GeoplateformeClient) -> None:
    caps = client.capabilities()
    if not caps.has("requests"):
        raise UsageError(
            _(
                "This platform has no request API: on the real Géoplateforme, requests arrive by e-mail. "
                "Approve a join with 'cartes request approve --workspace WS --user USER' or with the link "
                "from the e-mail."
            )
        )


@request_app.command("list")
def list_requests(
    ctx: typer.Context,
    incoming: Annotated[
        bool, typer.Option("--incoming", help=_("Requests I can decide (as administrator or staff)."))
    ] = False,
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help=_("pending, accepted, rejected or cancelled (default with --incoming: pending)."),
            show_default=False,
        ),
    ] = None,
    type_: Annotated[
        str | None, typer.Option("--type", help=_("join or datastore."), show_default=False)
    ] = None,
    workspace: Annotated[
        str | None,
        typer.Option(
            "--workspace", "-w", help=_("Only this workspace (with --incoming)."), show_default=False
        ),
    ] = None,
) -> None:
    """List my requests, or with --incoming those I can decide."""
    app = _ctx(ctx)
    status_v = _check_choice(status, STATUSES, "--status")
    type_v = _check_choice(type_, TYPES, "--type")
    if workspace is not None and not incoming:
        raise UsageError(_("--workspace goes with --incoming."))
    client = app.client()
    _require_requests_api(app, client)
    if incoming:
        community_id = client.communities.resolve(workspace).id if workspace else None
        rows = (
            request_row(r)
            for r in client.requests.incoming(
                status=status_v or "pending", type=type_v, community=community_id
            )
        )
        empty = _("No request waiting for a decision.")
    else:
        rows = (request_row(r) for r in client.requests.mine(status=status_v, type=type_v))
        empty = _("You have made no request; see 'cartes workspace join' and 'cartes workspace create'.")
    app.terminal.print_list(for_people(app.terminal, rows), REQUEST_COLUMNS, empty=empty)


@request_app.command("show")
def show(
    ctx: typer.Context,
    request_id: Annotated[str, typer.Argument(metavar="ID", help=_("The request id."))],
) -> None:
    """Show one request."""
    app = _ctx(ctx)
    rid = _check_id(request_id)
    client = app.client()
    _require_requests_api(app, client)
    row = request_row(client.requests.get(rid))
    app.terminal.print_object(next(iter(for_people(app.terminal, [row]))), REQUEST_COLUMNS)


@request_app.command("cancel")
def cancel(
    ctx: typer.Context,
    request_id: Annotated[str, typer.Argument(metavar="ID", help=_("The request id."))],
) -> None:
    """Cancel one of my pending requests."""
    app = _ctx(ctx)
    rid = _check_id(request_id)
    client = app.client()
    _require_requests_api(app, client)
    r = client.requests.cancel(rid)
    app.terminal.success(_("Request {id} cancelled.").format(id=r.id))


# --- bulk decisions --------------------------------------------------------------------------------

IdsArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="[ID…|-]",
        help=_(
            "Request ids, or - to read them from standard input (approve, on the real platform: the "
            "links of the join e-mails)."
        ),
        show_default=False,
    ),
]
AllOpt = Annotated[bool, typer.Option("--all", help=_("Every request matching the filters."))]
WorkspaceOpt = Annotated[
    str | None,
    typer.Option(
        "--workspace", "-w", help=_("Filter (with --all), or the workspace of --user."), show_default=False
    ),
]
TypeOpt = Annotated[
    str | None, typer.Option("--type", help=_("Filter with --all: join or datastore."), show_default=False)
]
StatusOpt = Annotated[str, typer.Option("--status", help=_("Filter with --all."))]
UserOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--user",
        help=_(
            "Real platform: the id (a UUID, as in the request e-mail's link) of a user to add to "
            "--workspace; repeatable."
        ),
        show_default=False,
    ),
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help=_("Print the plan and change nothing."))]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help=_("Do not ask for confirmation."))]
ConcurrencyOpt = Annotated[int, typer.Option("--concurrency", "-c", help=_("Decisions in flight at once."))]


@request_app.command("approve")
def approve(
    ctx: typer.Context,
    ids: IdsArg = None,
    all_: AllOpt = False,
    workspace: WorkspaceOpt = None,
    type_: TypeOpt = None,
    status: StatusOpt = "pending",
    users: UserOpt = None,
    rights: Annotated[
        str | None,
        typer.Option(
            "--rights",
            help=_(
                "Rights granted to joining members (default: UPLOAD,PROCESSING,BROADCAST,ANNEX; "
                "COMMUNITY makes them administrators)."
            ),
            show_default=False,
        ),
    ] = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    concurrency: ConcurrencyOpt = 8,
) -> None:
    """Approve requests: ids, '-' for standard input, or --all with filters.

    Re-running after a crash or a partial failure finishes the rest and changes nothing twice.
    """
    _decide(
        ctx, "approve", ids, all_, workspace, type_, status, users, rights, None, dry_run, yes, concurrency
    )


@request_app.command("reject")
def reject(
    ctx: typer.Context,
    ids: IdsArg = None,
    all_: AllOpt = False,
    workspace: WorkspaceOpt = None,
    type_: TypeOpt = None,
    status: StatusOpt = "pending",
    reason: Annotated[
        str | None, typer.Option("--reason", help=_("Why (sent to the requester)."), show_default=False)
    ] = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    concurrency: ConcurrencyOpt = 8,
) -> None:
    """Reject requests: ids, '-' for standard input, or --all with filters."""
    _decide(ctx, "reject", ids, all_, workspace, type_, status, None, None, reason, dry_run, yes, concurrency)


DEFAULT_RIGHTS = ("UPLOAD", "PROCESSING", "BROADCAST", "ANNEX")


def _decide(
    ctx: typer.Context,
    verb: str,
    ids: list[str] | None,
    all_: bool,
    workspace: str | None,
    type_: str | None,
    status: str,
    users: list[str] | None,
    rights: str | None,
    reason: str | None,
    dry_run: bool,
    yes: bool,
    concurrency: int,
) -> None:
    from cartes_cli.cli import bulk
    from cartes_cli.client.validation import parse_member_link, parse_rights

    app = _ctx(ctx)
    term = app.terminal
    # --- everything is validated before the first request ---
    bulk.check_concurrency(concurrency)
    type_v = _check_choice(type_, TYPES, "--type")
    status_v = _check_choice(status, STATUSES, "--status") or "pending"
    # Rights go with join requests only; without --rights the platform grants its default
    # (UPLOAD, PROCESSING, BROADCAST, ANNEX), so nothing is sent for a datastore request.
    rights_list: list[str] | None = list(parse_rights(rights)) if rights is not None else None
    if reason is not None and not reason.strip():
        raise UsageError(_("--reason needs some text."))
    raw = list(ids or [])
    if "-" in raw:
        if raw != ["-"]:
            raise UsageError(_("Give request ids as arguments or '-' for standard input, not both."))
        raw = bulk.read_ids_from_stdin()
        if not raw:
            raise UsageError(_("No request id was read from standard input."))
    pairs: list[tuple[str, str]] = []
    request_ids: list[str] = []
    for value in raw:
        link = parse_member_link(value) if "/" in value else None
        if link is not None:
            pairs.append(_check_link_ids(value, link))
        else:
            request_ids.append(_check_id(value))
    if users:
        if verb != "approve":
            raise UsageError(_("--user goes with 'request approve'."))
        if not workspace:
            raise UsageError(_("--user needs --workspace."))
        users = [_check_user_id(u) for u in users]
    if all_ and (raw or users):
        raise UsageError(_("--all selects the requests itself: give no ids and no --user with it."))
    if not (all_ or raw or users):
        raise UsageError(_("Say which requests: ids, '-' for standard input, or --all with filters."))
    if (workspace or type_v) and not (all_ or users):
        raise UsageError(_("--workspace and --type filter --all."))
    if pairs and verb != "approve":
        raise UsageError(_("Links from request e-mails can only be approved (the platform adds the member)."))

    started = time.time()
    from cartes_cli.client.retry import BULK_RETRY

    client = app.client(max_connections=max(16, concurrency + 4), retry=BULK_RETRY)
    items: list[Item] | _Selection
    action: Callable[[Item], tuple[str, object]]
    if pairs or users:
        items = _member_items(client, pairs, workspace, users or [])
        action = _member_action(client, rights_list or list(DEFAULT_RIGHTS))
        verb_done = _("Added")
        done_status = "added"
    else:
        _require_requests_api(app, client)
        if all_:
            items = _incoming_items(client, workspace, status_v, type_v, concurrency, whole=dry_run)
        else:
            items = [bulk.Item(rid, rid) for rid in bulk.dedupe(request_ids)]
            if dry_run:
                _describe_items(client, items, concurrency, verb)
        if verb == "approve":
            action = _labelled(client, _accept_action(client, rights_list, started))
            verb_done = _("Accepted")
            done_status = "accepted"
        else:
            action = _labelled(client, _reject_action(client, reason, started))
            verb_done = _("Rejected")
            done_status = "rejected"
    count = items.total if isinstance(items, _Selection) else len(items)
    if not count:
        term.info(_("Nothing to do: no request matches."))
        return
    if dry_run:
        assert not isinstance(items, _Selection)
        plan = [
            {
                "id": i.key,
                "action": "unchanged"
                if i.data.get("current_rights") is not None or i.data.get("status") == _DECIDED[verb]
                else verb,
                "target": _label(i),
                **i.data,
            }
            for i in items
        ]
        if term.rendering == "table":  # read by a person: the action in their language
            actions = {"approve": _("approve"), "reject": _("reject"), "unchanged": _("unchanged")}
            plan = [{**row, "action": actions.get(row["action"], row["action"])} for row in plan]
        term.print_list(
            plan,
            [
                Column("id", _("ID"), no_wrap=True, priority=ESSENTIAL),
                Column("action", _("ACTION"), no_wrap=True),
                # who asks to join what: never cut (a record per item on a narrow terminal)
                Column("target", _("REQUEST"), no_wrap=True, priority=ESSENTIAL),
                Column("requester", _("REQUESTER"), table=False, tsv=False),
                Column("workspace", _("WORKSPACE"), table=False, tsv=False),
                Column("status", _("STATUS"), table=False, tsv=False),
                Column("error", _("ERROR"), table=False, tsv=False),
            ],
        )
        term.info(_("Dry run: {n} item(s) would be processed; nothing was changed.").format(n=count))
        return
    question = _("Approve {n} requests?") if verb == "approve" else _("Reject {n} requests?")
    bulk.confirm(term, question.format(n=count), yes=yes, count=count)

    from cartes_cli.cli.errors import describe

    def success_line(item: Item, state: str, result: Any) -> str:
        word = {"approve": _("accepted"), "reject": _("rejected")}.get(verb, verb)
        if pairs or users:
            word = _("added")
        if state == "unchanged":
            word = _("unchanged")
            current = item.data.get("current_rights")
            if current is not None:
                already = _("already a member with {rights}").format(rights=", ".join(current) or "-")
                return f"{word}\t{item.key}\t{_label(item)}\t{already}"
        return f"{word}\t{item.key}\t{_label(item)}"

    _summary, code = bulk.run(
        term,
        items,
        action,
        concurrency=concurrency,
        verb_done=verb_done,
        describe_error=lambda exc: describe(exc)[1],
        success_line=success_line,
        total=count,
        done_status=done_status,
    )
    if code:
        raise typer.Exit(code)


class _Selection:
    """The requests ``--all`` selects, read while they are decided: the first page is in hand
    (``total`` counts them all), the next ones come by the listing's cursor, which the decisions
    taken meanwhile do not shift. Iterating yields bulk items."""

    def __init__(self, listing: LinkedPages[Request], total: int) -> None:
        self.listing = listing
        self.total = total

    def __iter__(self) -> Iterator[Item]:
        return (_item(r) for r in self.listing)


def _item(r: Any) -> Item:
    from cartes_cli.cli import bulk

    item = bulk.Item(r.id, r.id)
    _describe(item, r)
    return bulk.Item(r.id, _label(item), item.data)


_DECIDED = {"approve": "accepted", "reject": "rejected"}


def _describe(item: Item, r: Any) -> None:
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


def _label(item: Item) -> str:
    """``requester → workspace`` once known, else the item's own label."""
    if item.data.get("error"):
        return str(item.data["error"])
    if "requester" in item.data or "workspace" in item.data:
        return f"{item.data.get('requester') or '?'} → {item.data.get('workspace') or '?'}"
    return item.label


def _known(r: Any) -> bool:
    """Does this answer name the requester and the workspace (not only the workspace's id)?"""
    row = request_row(r)
    return bool(row["requester"]) and bool(row["workspace"])


def _labelled(client: GeoplateformeClient, act: Decision) -> Decision:
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
                _describe(item, described)
                item.data.pop("status", None)  # before the decision; the outcome says it now
        return state, result

    return run


def _describe_items(client: GeoplateformeClient, items: list[Item], concurrency: int, verb: str) -> None:
    """A dry run on ids: read each request (at most ``concurrency`` at once) to say who asks to
    join what, and whether it is already decided that way."""
    from concurrent.futures import ThreadPoolExecutor

    from cartes_cli.cli.errors import describe

    def read(item: Item) -> None:
        try:
            _describe(item, client.requests.get(item.key))
        except Exception as exc:  # shown in the plan: the run itself would fail the same way
            item.data["error"] = describe(exc)[1]
            item.data["requester"] = None
            item.data["workspace"] = None

    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(items)))) as pool:
        list(pool.map(read, items))


def _incoming_items(
    client: GeoplateformeClient,
    workspace: str | None,
    status: str,
    type_: str | None,
    concurrency: int,
    *,
    whole: bool = False,
) -> list[Item] | _Selection:
    """What ``--all`` selects, as bulk items.

    A platform whose listing links to its next page by a cursor (the sandbox) gives a
    :class:`_Selection`: decisions start on the first page while the next ones are read. Otherwise,
    or with ``whole`` (a dry run), every page is read first, as concurrently as the decisions will
    be made: an offset listing of pending requests shifts under the decisions taken meanwhile.
    """
    from cartes_cli.client.validation import is_uuid, looks_like_technical_name
    from cartes_cli.errors import NotFound

    def listing(community: str | None) -> list[Item] | _Selection:
        if not whole:
            snapshot = client.requests.incoming_snapshot(status=status, type=type_, community=community)
            # Decisions start on the first page only when the count to confirm is known.
            if snapshot.linked and snapshot.count is not None:
                return _Selection(snapshot, snapshot.count)
        return [
            _item(r)
            for r in client.requests.incoming(
                status=status, type=type_, community=community, concurrency=concurrency
            )
        ]

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


def _accept_action(client: GeoplateformeClient, rights: list[str] | None, started: float) -> Decision:
    def act(item: Item) -> tuple[str, Request]:
        kind = item.data.get("type")
        result = client.requests.accept(
            item.key, rights=rights if kind != "datastore" else None, since=started
        )
        return ("unchanged" if result.unchanged else "done"), result

    return act


def _reject_action(client: GeoplateformeClient, reason: str | None, started: float) -> Decision:
    def act(item: Item) -> tuple[str, Request]:
        result = client.requests.reject(item.key, reason=reason, since=started)
        return ("unchanged" if result.unchanged else "done"), result

    return act


def _check_user_id(value: str) -> str:
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


def _check_link_ids(link: str, pair: tuple[str, str]) -> tuple[str, str]:
    from cartes_cli.client.validation import is_uuid

    community, user_id = pair
    if not (is_uuid(community) and is_uuid(user_id)):
        raise UsageError(
            _("{link!r}: the workspace and the user of a request link must be ids (UUIDs).").format(link=link)
        )
    return community.lower(), user_id.lower()


def _member_items(
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


def _member_action(client: GeoplateformeClient, rights: list[str]) -> MemberAction:
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
