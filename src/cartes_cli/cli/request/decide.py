"""``cartes request approve|reject``: decide requests in bulk (ids, ``-`` for standard input, or
``--all`` with filters); on the real platform, approve by adding the users the join e-mails name.

Re-running after a crash or a partial failure finishes the rest and changes nothing twice (the
bulk engine: ``cli/bulk.py``; what is acted on and how: ``targets.py``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from cartes_cli.cli.options import (
    DEFAULT_CONCURRENCY,
    AllOpt,
    ConcurrencyOpt,
    DryRunOpt,
    RequestIdsArg,
    StatusFilterOpt,
    TypeFilterOpt,
    WorkspaceFilterOpt,
    YesOpt,
    connections_for,
    context_of,
    exit_with,
)
from cartes_cli.cli.output import ESSENTIAL, Column
from cartes_cli.cli.request import targets
from cartes_cli.cli.request.common import check_choice, check_id, require_requests_api
from cartes_cli.cli.request.rows import STATUSES, TYPES
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from collections.abc import Callable

    from cartes_cli.cli.bulk import Item
    from cartes_cli.cli.context import AppContext
    from cartes_cli.client import GeoplateformeClient

DEFAULT_RIGHTS = ("UPLOAD", "PROCESSING", "BROADCAST", "ANNEX")
PLAN_COLUMNS = [
    Column("id", _("ID"), no_wrap=True, priority=ESSENTIAL),
    Column("action", _("ACTION"), no_wrap=True),
    # who asks to join what: never cut (a record per item on a narrow terminal)
    Column("target", _("REQUEST"), no_wrap=True, priority=ESSENTIAL),
    Column("requester", _("REQUESTER"), table=False, tsv=False),
    Column("workspace", _("WORKSPACE"), table=False, tsv=False),
    Column("status", _("STATUS"), table=False, tsv=False),
    Column("error", _("ERROR"), table=False, tsv=False),
]


@dataclass(frozen=True)
class DecideOptions:
    """What the user asked: the verb, which requests (ids or links, ``--all`` with filters, or
    ``--user`` with ``--workspace``), what to send with the decision, and how to run it."""

    verb: Literal["approve", "reject"]
    ids: tuple[str, ...] = ()
    all: bool = False
    workspace: str | None = None
    type: str | None = None
    status: str = "pending"
    users: tuple[str, ...] = ()
    rights: str | None = None
    reason: str | None = None
    dry_run: bool = False
    yes: bool = False
    concurrency: int = DEFAULT_CONCURRENCY


@dataclass(frozen=True)
class _Checked:
    """The options once checked, before the first request."""

    type: str | None
    status: str
    rights: list[str] | None
    pairs: list[tuple[str, str]]  # (community, user) from the links of join e-mails
    request_ids: list[str]
    users: list[str]

    @property
    def adding(self) -> bool:
        """Members are added (the real platform's way of approving), not requests decided."""
        return bool(self.pairs or self.users)


@dataclass
class _Work:
    items: list[Item] | targets.Selection
    action: Callable[[Item], tuple[str, object]]
    verb_done: str
    done_status: str
    count: int = field(init=False)

    def __post_init__(self) -> None:
        self.count = self.items.total if isinstance(self.items, targets.Selection) else len(self.items)


def run(app: AppContext, options: DecideOptions) -> int | None:
    from cartes_cli.cli import bulk
    from cartes_cli.cli.errors import describe
    from cartes_cli.client.retry import BULK_RETRY

    term = app.terminal
    checked = _check(options)  # everything is validated before the first request
    started = time.time()
    client = app.client(max_connections=connections_for(options.concurrency), retry=BULK_RETRY)
    work = _work(client, options, checked, started)
    if not work.count:
        term.info(_("Nothing to do: no request matches."))
        return None
    if options.dry_run:
        _print_plan(app, options.verb, work)
        return None
    question = _("Approve {n} requests?") if options.verb == "approve" else _("Reject {n} requests?")
    bulk.confirm(term, question.format(n=work.count), yes=options.yes, count=work.count)
    _summary, code = bulk.run(
        term,
        work.items,
        work.action,
        concurrency=options.concurrency,
        verb_done=work.verb_done,
        describe_error=lambda exc: describe(exc)[1],
        success_line=success_line(options.verb, checked.adding),
        total=work.count,
        done_status=work.done_status,
    )
    return code


def _check(options: DecideOptions) -> _Checked:
    from cartes_cli.cli import bulk
    from cartes_cli.client.validation import parse_rights

    verb = options.verb
    bulk.check_concurrency(options.concurrency)
    type_v = check_choice(options.type, TYPES, "--type")
    status_v = check_choice(options.status, STATUSES, "--status") or "pending"
    # Rights go with join requests only; without --rights the platform grants its default
    # (UPLOAD, PROCESSING, BROADCAST, ANNEX), so nothing is sent for a datastore request.
    rights_list: list[str] | None = list(parse_rights(options.rights)) if options.rights is not None else None
    if options.reason is not None and not options.reason.strip():
        raise UsageError(_("--reason needs some text."))
    raw = _raw_ids(options.ids)
    pairs, request_ids = _split_links(raw)
    users = list(options.users)
    if users:
        if verb != "approve":
            raise UsageError(_("--user goes with 'request approve'."))
        if not options.workspace:
            raise UsageError(_("--user needs --workspace."))
        users = [targets.check_user_id(u) for u in users]
    if options.all and (raw or users):
        raise UsageError(_("--all selects the requests itself: give no ids and no --user with it."))
    if not (options.all or raw or users):
        raise UsageError(_("Say which requests: ids, '-' for standard input, or --all with filters."))
    if (options.workspace or type_v) and not (options.all or users):
        raise UsageError(_("--workspace and --type filter --all."))
    if pairs and verb != "approve":
        raise UsageError(_("Links from request e-mails can only be approved (the platform adds the member)."))
    return _Checked(type_v, status_v, rights_list, pairs, request_ids, users)


def _raw_ids(ids: tuple[str, ...]) -> list[str]:
    """The ids as given, or read from standard input for ``-``."""
    from cartes_cli.cli import bulk

    raw = list(ids)
    if "-" in raw:
        if raw != ["-"]:
            raise UsageError(_("Give request ids as arguments or '-' for standard input, not both."))
        raw = bulk.read_ids_from_stdin()
        if not raw:
            raise UsageError(_("No request id was read from standard input."))
    return raw


def _split_links(raw: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """Links from join e-mails (community and user) apart from request ids, each checked."""
    from cartes_cli.client.validation import parse_member_link

    pairs: list[tuple[str, str]] = []
    request_ids: list[str] = []
    for value in raw:
        link = parse_member_link(value) if "/" in value else None
        if link is not None:
            pairs.append(targets.check_link_ids(value, link))
        else:
            request_ids.append(check_id(value))
    return pairs, request_ids


def _work(client: GeoplateformeClient, options: DecideOptions, checked: _Checked, started: float) -> _Work:
    """The items to act on and the action on each."""
    from cartes_cli.cli import bulk

    if checked.adding:
        return _Work(
            targets.member_items(client, checked.pairs, options.workspace, checked.users),
            targets.member_action(client, checked.rights or list(DEFAULT_RIGHTS)),
            _("Added"),
            "added",
        )
    require_requests_api(client)
    items: list[Item] | targets.Selection
    if options.all:
        items = targets.incoming_items(
            client,
            options.workspace,
            checked.status,
            checked.type,
            options.concurrency,
            whole=options.dry_run,
        )
    else:
        items = [bulk.Item(rid, rid) for rid in bulk.dedupe(checked.request_ids)]
        if options.dry_run:
            targets.describe_items(client, items, options.concurrency)
    if options.verb == "approve":
        action = targets.labelled(client, targets.accept_action(client, checked.rights, started))
        return _Work(items, action, _("Accepted"), "accepted")
    action = targets.labelled(client, targets.reject_action(client, options.reason, started))
    return _Work(items, action, _("Rejected"), "rejected")


def _print_plan(app: AppContext, verb: str, work: _Work) -> None:
    """A dry run: what each item would get, and nothing changed."""
    term = app.terminal
    assert not isinstance(work.items, targets.Selection)
    plan = [
        {
            "id": i.key,
            "action": "unchanged"
            if i.data.get("current_rights") is not None or i.data.get("status") == targets.DECIDED[verb]
            else verb,
            "target": targets.label(i),
            **i.data,
        }
        for i in work.items
    ]
    if term.rendering == "table":  # read by a person: the action in their language
        actions = {"approve": _("approve"), "reject": _("reject"), "unchanged": _("unchanged")}
        plan = [{**row, "action": actions.get(row["action"], row["action"])} for row in plan]
    term.print_list(plan, PLAN_COLUMNS)
    term.info(_("Dry run: {n} item(s) would be processed; nothing was changed.").format(n=work.count))


def success_line(verb: str, adding: bool) -> Callable[[Item, str, Any], str]:
    """The line printed on stdout for each item done."""

    def line(item: Item, state: str, result: Any) -> str:
        word = {"approve": _("accepted"), "reject": _("rejected")}.get(verb, verb)
        if adding:
            word = _("added")
        if state == "unchanged":
            word = _("unchanged")
            current = item.data.get("current_rights")
            if current is not None:
                already = _("already a member with {rights}").format(rights=", ".join(current) or "-")
                return f"{word}\t{item.key}\t{targets.label(item)}\t{already}"
        return f"{word}\t{item.key}\t{targets.label(item)}"

    return line


UserIdsOpt = Annotated[
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


def approve_command(
    ctx: typer.Context,
    ids: RequestIdsArg = None,
    all_: AllOpt = False,
    workspace: WorkspaceFilterOpt = None,
    type_: TypeFilterOpt = None,
    status: StatusFilterOpt = "pending",
    users: UserIdsOpt = None,
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
    concurrency: ConcurrencyOpt = DEFAULT_CONCURRENCY,
) -> None:
    """Approve requests: ids, '-' for standard input, or --all with filters.

    Re-running after a crash or a partial failure finishes the rest and changes nothing twice.
    """
    options = DecideOptions(
        "approve",
        ids=tuple(ids or ()),
        all=all_,
        workspace=workspace,
        type=type_,
        status=status,
        users=tuple(users or ()),
        rights=rights,
        dry_run=dry_run,
        yes=yes,
        concurrency=concurrency,
    )
    exit_with(run(context_of(ctx), options))


def reject_command(
    ctx: typer.Context,
    ids: RequestIdsArg = None,
    all_: AllOpt = False,
    workspace: WorkspaceFilterOpt = None,
    type_: TypeFilterOpt = None,
    status: StatusFilterOpt = "pending",
    reason: Annotated[
        str | None, typer.Option("--reason", help=_("Why (sent to the requester)."), show_default=False)
    ] = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
    concurrency: ConcurrencyOpt = DEFAULT_CONCURRENCY,
) -> None:
    """Reject requests: ids, '-' for standard input, or --all with filters."""
    options = DecideOptions(
        "reject",
        ids=tuple(ids or ()),
        all=all_,
        workspace=workspace,
        type=type_,
        status=status,
        reason=reason,
        dry_run=dry_run,
        yes=yes,
        concurrency=concurrency,
    )
    exit_with(run(context_of(ctx), options))
