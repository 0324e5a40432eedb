"""``cartes workspace join WS``: ask to join a workspace, with a message and the answers its
join form asks for; on the real platform, which has no request API, the e-mail to send."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

import typer

from cartes_cli.cli.options import DEFAULT_CONCURRENCY, WorkspaceArg, context_of
from cartes_cli.cli.references import resolve_for_change
from cartes_cli.cli.workspace.common import deliver, person
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.client import GeoplateformeClient
    from cartes_cli.client.models import (
        CatalogCommunity,
        Community,
        CommunitySummary,
        JoinForm,
        Membership,
        User,
    )
    from cartes_cli.client.models import Request as JoinRequest

MAX_MESSAGE = 2000


@dataclass(frozen=True)
class JoinOptions:
    """What the user asked: the workspace, a message, the ``--answer field=value`` pairs as
    given, and ``--open-mail`` (real platform)."""

    workspace: str
    message: str | None = None
    answers: tuple[str, ...] = field(default=())
    open_mail: bool = False


def run(app: AppContext, options: JoinOptions) -> None:
    from cartes_cli.errors import UsageError

    given = parse_answers(options.answers)
    message = options.message
    if message is not None and len(message) > MAX_MESSAGE:
        raise UsageError(_("--message is too long (2,000 characters at most)."))
    client = app.client()
    if not client.capabilities().has("requests"):
        _join_by_email(app, client, options, given)
        return
    if options.open_mail:
        raise UsageError(
            _("--open-mail is for platforms without a request API; this one takes the request itself.")
        )
    community = resolve_for_change(client, options.workspace)
    pending = _pending_join(client, community.id)
    if pending is not None:
        _already_asked(app, community, pending, message, given)
        return
    _send(app, client, community, options, given)


def parse_answers(answers: tuple[str, ...]) -> dict[str, str]:
    """``--answer field=value`` pairs; values are trimmed, as on cartes.gouv.fr (exit 2 for a
    pair without ``=`` or without a field)."""
    from cartes_cli.errors import UsageError

    given: dict[str, str] = {}
    for pair in answers:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(_("--answer {value!r}: expected field=value.").format(value=pair))
        given[name.strip()] = value.strip()
    return given


def _send(
    app: AppContext,
    client: GeoplateformeClient,
    community: Community,
    options: JoinOptions,
    given: dict[str, str],
) -> None:
    """Ask the form's questions, then ``POST /requests``; a conflict with a request sent
    meanwhile is the same as a pending one, and answers typed are never lost on failure."""
    from cartes_cli.cli.forms import ask_form
    from cartes_cli.errors import Conflict

    form = client.communities.join_form(community.id)
    before = dict(given)
    typed = ask_form(app, form, given)  # completes ``given`` with what was typed
    try:
        request = client.requests.create_join(community.id, message=options.message, answers=typed or None)
    except Conflict:
        pending = _pending_join(client, community.id)  # sent meanwhile (another run, another device)
        if pending is None:
            _keep_answers(app, options.workspace, given, given != before)
            raise
        _already_asked(app, community, pending, options.message, given)
        return
    except Exception:
        _keep_answers(app, options.workspace, given, given != before)
        raise
    app.terminal.success(
        _("Request sent to join {ws} (request {id}); the administrators will answer by e-mail.").format(
            ws=community.technical_name, id=request.id
        )
    )
    _print_request(app, request)


def _print_request(app: AppContext, request: JoinRequest) -> None:
    """The join request: in full with ``--json``, else its id alone (for scripts)."""
    term = app.terminal
    if term.rendering == "json":
        from cartes_cli.cli.request.rows import REQUEST_COLUMNS, request_row

        term.print_object(request_row(request), REQUEST_COLUMNS)
    else:
        term.out(request.id)


def _pending_join(client: GeoplateformeClient, community_id: str) -> JoinRequest | None:
    """The caller's pending request to join this community, if there is one."""
    for r in client.requests.mine(status="pending", type="join"):
        c = r.community
        if (c if isinstance(c, str) else getattr(c, "id", None)) == community_id:
            return r
    return None


def _already_asked(
    app: AppContext, community: Community, request: JoinRequest, message: str | None, given: dict[str, str]
) -> None:
    """A join while one is pending. The same request again (nothing typed that differs from the
    pending one) is not an error: nothing is sent, exit 0. Another message or other answers
    would be lost: that is a conflict (exit 1), and the way out is said."""
    from cartes_cli.errors import CartesError

    stored = {k: str(v) for k, v in (request.answers or {}).items()}
    differs = (message is not None and message.strip() != (request.message or "").strip()) or any(
        stored.get(k) != v for k, v in given.items()
    )
    if differs:
        raise CartesError(
            _(
                "You already asked to join {ws} (request {id}, pending) with another message or other "
                "answers; nothing was sent. To ask again, cancel it first: cartes request cancel {id}"
            ).format(ws=community.technical_name, id=request.id)
        )
    app.terminal.success(
        _("You already asked to join {ws} (request {id}, pending); nothing new was sent.").format(
            ws=community.technical_name, id=request.id
        )
    )
    _print_request(app, request)


def _keep_answers(app: AppContext, workspace: str, given: dict[str, str], typed_any: bool) -> None:
    """After a failure, answers typed at the prompt are not lost: the command to send them again."""
    import shlex

    from cartes_cli.hints import command

    if not typed_any or not given:
        return
    args = " ".join(f"--answer {shlex.quote(f'{k}={v}')}" for k, v in given.items())
    app.terminal.info(
        _("The answers you typed are not lost; to send them again: {command}").format(
            command=command(f"workspace join {shlex.quote(workspace)} {args}")
        )
    )


def _join_by_email(
    app: AppContext, client: GeoplateformeClient, options: JoinOptions, given: dict[str, str]
) -> None:
    """The real platform: the request is an e-mail to the community's contact. Find the community
    in the public catalogue (as cartes.gouv.fr offers it: not one the user belongs to, not one
    without a valid contact e-mail), read its join form from the annexes, and write the e-mail."""
    from datetime import UTC, datetime

    from cartes_cli.cli.forms import ask_form
    from cartes_cli.client.drafts import join_request_draft

    me = client.users.me()
    community = _joinable(client, me, options.workspace)
    form: JoinForm = client.communities.public_join_form(community.technical_name or community.id)
    typed = ask_form(app, form, given)
    draft = join_request_draft(
        community={
            "_id": community.id,
            "name": community.name,
            "technical_name": community.technical_name,
            "contact": community.contact,
        },
        user=person(me),
        answers=typed,
        message=options.message,
        when=datetime.now(UTC),
    )
    deliver(app, draft.as_dict(), draft.text(), draft.mailto, options.open_mail)


def _joinable(client: GeoplateformeClient, me: User, ref: str) -> CatalogCommunity:
    """The workspace of the public catalogue ``ref`` names, if the caller (``me``) may ask to
    join it."""
    from cartes_cli.client.drafts import is_contact_email
    from cartes_cli.errors import NotFound, UsageError

    key = ref.strip().casefold()
    for m in me.memberships:
        c = m.community
        if key in {(c.id or "").casefold(), (c.technical_name or "").casefold(), (c.name or "").casefold()}:
            raise _already_member(c, m)
    try:
        community = client.communities.find_public(ref, concurrency=DEFAULT_CONCURRENCY)
    except NotFound:
        raise NotFound(
            _(
                "no public workspace {ref!r}: on this platform you can ask to join only the "
                "workspaces of the public catalogue (see 'cartes workspace list --public')"
            ).format(ref=ref.strip())
        ) from None
    membership = me.membership(community.id)
    if membership is not None:
        raise _already_member(community, membership)
    if not is_contact_email(community.contact):
        raise UsageError(
            _(
                "{ws} has no valid contact e-mail address, so cartes.gouv.fr does not offer to join it; "
                "nothing was done."
            ).format(ws=community.technical_name)
        )
    return community


def _already_member(community: CommunitySummary | CatalogCommunity, membership: Membership) -> Exception:
    from cartes_cli.errors import UsageError

    rights = ", ".join(str(getattr(r, "value", r)) for r in membership.rights) or "-"
    return UsageError(
        _("You are already a member of {ws} (rights: {rights}); there is nothing to ask.").format(
            ws=community.technical_name or community.id, rights=rights
        )
    )


OpenMailOpt = Annotated[
    bool,
    typer.Option(
        "--open-mail",
        help=_("Real platform: open the e-mail to send in your mail program (mailto:)."),
    ),
]


def command(
    ctx: typer.Context,
    workspace: WorkspaceArg,
    message: Annotated[
        str | None,
        typer.Option("--message", "-m", help=_("A message to the administrators."), show_default=False),
    ] = None,
    answers: Annotated[
        list[str] | None,
        typer.Option(
            "--answer",
            "-a",
            help=_("An answer to the workspace's join form: field=value (repeatable)."),
            show_default=False,
        ),
    ] = None,
    open_mail: OpenMailOpt = False,
) -> None:
    """Ask to join a workspace, with an optional message and the answers its join form asks for.

    On the real Géoplateforme, which has no request API, print the e-mail that cartes.gouv.fr
    would send to the workspace's contact, for you to send from your own mail box.
    """
    options = JoinOptions(
        workspace=workspace, message=message, answers=tuple(answers or ()), open_mail=open_mail
    )
    run(context_of(ctx), options)
