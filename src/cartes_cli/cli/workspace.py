"""``cartes workspace …``: the workspaces (communities and their datastores)."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cartes_cli.cli.output import ESSENTIAL, Column, human_size, register_fields
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.client import GeoplateformeClient
    from cartes_cli.client.models import Community, Member, Request

workspace_app = typer.Typer(
    help=_("Workspaces (espaces de travail): browse, inspect, join, create, manage."),
    no_args_is_help=True,
)

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


# --- show, members --------------------------------------------------------------------------------

WorkspaceArg = Annotated[
    str, typer.Argument(metavar="WS", help=_("Workspace: id, technical name or exact name."))
]

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
MEMBER_COLUMNS = [
    Column("email", _("E-MAIL"), no_wrap=True, priority=ESSENTIAL),  # what 'member set' takes
    Column("name", _("NAME"), priority=3),
    Column("rights", _("RIGHTS"), kind="list"),
    Column("since", _("SINCE"), kind="datetime", no_wrap=True, priority=3),
    Column("user_id", _("USER ID"), table=False),
    Column("supervisor", _("SUPERVISOR"), kind="bool", table=False),
]
register_fields(*(c.key for c in SHOW_COLUMNS), *(c.key for c in MEMBER_COLUMNS))


def _usage(entry: Any) -> str | None:
    if entry is None:
        return None
    return f"{human_size(getattr(entry, 'use', None))} / {human_size(getattr(entry, 'quota', None))}"


@workspace_app.command("show")
def show(ctx: typer.Context, workspace: WorkspaceArg) -> None:
    """Show a workspace: community, supervisor, datastore quotas and services, my rights."""
    app = _ctx(ctx)
    client = app.client()
    community = client.communities.resolve(workspace)
    if not community.supervisor or isinstance(community.supervisor, str):
        from cartes_cli.errors import PermissionDenied

        # The real platform may refuse the detail to a non-member: the catalogue's item is enough.
        with contextlib.suppress(PermissionDenied):
            community = client.communities.get(community.id)  # the detail: supervisor, datastore
    app.terminal.print_object(_show_row(client, community), SHOW_COLUMNS)


def _show_row(client: GeoplateformeClient, community: Community) -> dict[str, Any]:
    """What ``workspace show`` prints of a community (its detail), with my rights and its datastore."""
    from cartes_cli.errors import PermissionDenied

    me = client.users.me()
    membership = me.membership(community.id) if hasattr(me, "membership") else None
    supervisor = community.supervisor
    sup_text = None
    if supervisor is not None and not isinstance(supervisor, str):
        name = " ".join(p for p in (supervisor.first_name, supervisor.last_name) if p)
        sup_text = f"{name} <{supervisor.email}>" if supervisor.email else name
    elif isinstance(supervisor, str):
        sup_text = supervisor
    row: dict[str, Any] = {
        "id": community.id,
        "technical_name": community.technical_name,
        "name": community.name,
        "description": community.description,
        "public": community.public,
        "contact": community.contact,
        "supervisor": sup_text,
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
    datastore_id = community.datastore_id
    if datastore_id:
        try:
            ds = client.datastores.get(datastore_id)
        except PermissionDenied:
            row["datastore"] = datastore_id
        else:
            row["datastore"] = ds.technical_name or ds.name
            row["datastore_active"] = ds.active
            storages = ds.storages
            if storages is not None:
                data = list(storages.data or [])
                if data:
                    used = sum(d.use or 0 for d in data)
                    quota = sum(d.quota or 0 for d in data)
                    row["storage"] = f"{human_size(used)} / {human_size(quota)}"
                row["uploads"] = _usage(storages.uploads)
                row["annexes"] = _usage(storages.annexes)
            row["services"] = [
                f"{e.endpoint.name} ({e.use}/{e.quota})"
                for e in (ds.endpoints or [])
                if e.endpoint is not None
            ]
    return row


FORM_COLUMNS = [
    Column("name", _("FIELD"), no_wrap=True, style="bold"),
    Column("title", _("QUESTION")),
    Column("type", _("TYPE"), no_wrap=True),
    Column("required", _("REQUIRED"), kind="bool", no_wrap=True),
    Column("expected", _("EXPECTED")),
    Column("choices", _("CHOICES"), kind="list", table=False),
    Column("minimum", _("MINIMUM"), table=False),
    Column("maximum", _("MAXIMUM"), table=False),
    Column("min_length", _("MIN LENGTH"), table=False),
    Column("max_length", _("MAX LENGTH"), table=False),
    Column("pattern", _("PATTERN"), table=False),
    Column("description", _("DESCRIPTION"), table=False),
]
register_fields(*(c.key for c in FORM_COLUMNS))


@workspace_app.command("form")
def form(ctx: typer.Context, workspace: WorkspaceArg) -> None:
    """Show the form a workspace asks joiners to fill: each field, its type and what it accepts.

    For scripts: the names go with 'workspace join WS --answer NAME=VALUE'; --json gives the
    constraints (choices, minimum, maximum, lengths, pattern).
    """
    app = _ctx(ctx)
    term = app.terminal
    client = app.client()
    if client.capabilities().has("requests"):
        community = client.communities.resolve(workspace)
        join_form = client.communities.join_form(community.id)
    else:  # the real platform: the annexe cartes.gouv.fr reads, for the public catalogue's workspaces
        community = client.communities.find_public(workspace)
        join_form = client.communities.public_join_form(community.technical_name or community.id)
    if term.rendering == "table" and join_form.description:
        from cartes_cli.cli.output import neutralise

        term.info(neutralise(str(join_form.description)))
    term.print_list(
        [_form_row(f) for f in join_form.fields],
        FORM_COLUMNS,
        empty=_("{ws} asks for nothing: join it with 'cartes workspace join {ws}'.").format(
            ws=community.technical_name or community.id
        ),
    )


def _form_row(f: Any) -> dict[str, Any]:
    from cartes_cli.cli.forms import field_choices, field_hints

    c = f.constraints
    expected = [p for p in field_hints(f, optional=False) if p]
    if c.pattern:
        expected.append(c.pattern)
    return {
        "name": f.name,
        "title": f.title,
        "type": f.type,
        "required": bool(c.required),
        "expected": " ".join(expected) or None,
        "choices": field_choices(f) or None,
        "minimum": c.minimum,
        "maximum": c.maximum,
        "min_length": c.min_length,
        "max_length": c.max_length,
        "pattern": c.pattern,
        "description": f.description,
    }


@workspace_app.command("members")
def members(ctx: typer.Context, workspace: WorkspaceArg) -> None:
    """List the members of a workspace and their rights (needs the COMMUNITY right)."""
    app = _ctx(ctx)
    client = app.client()
    community = client.communities.resolve(workspace)
    supervisor_id = community.supervisor_id
    rows = []
    for m in client.communities.members(community.id):
        user = m.user
        name = " ".join(p for p in (user.first_name, user.last_name) if p) if user else None
        rows.append(
            {
                "email": user.email if user else None,
                "name": name,
                "rights": [getattr(r, "value", r) for r in m.rights],
                "since": m.creation,
                "user_id": user.id if user else None,
                "supervisor": bool(user and user.id == supervisor_id),
            }
        )
    rows.sort(key=lambda r: (not r["supervisor"], (r["email"] or "").lower()))
    app.terminal.print_list(rows, MEMBER_COLUMNS, empty=_("No member."))


# --- member add|set|remove ---------------------------------------------------------------------------

member_app = typer.Typer(
    help=_("Add, change or remove a member (needs the COMMUNITY right)."), no_args_is_help=True
)
workspace_app.add_typer(member_app, name="member")

UserArg = Annotated[
    str, typer.Argument(metavar="USER", help=_("The user: id, or e-mail of a current member."))
]
RightsOpt = Annotated[
    str | None,
    typer.Option(
        "--rights",
        help=_("Comma-separated: COMMUNITY, UPLOAD, PROCESSING, BROADCAST, ANNEX."),
        show_default=False,
    ),
]


def resolve_for_change(client: GeoplateformeClient, ref: str) -> Community:
    """Find the workspace a changing command names, before anything is changed. An unknown one
    is "not found" (exit 3), as in every command: only the platform can tell that a workspace
    does not exist, so it is not an input error caught before any request (exit 2)."""
    from cartes_cli.errors import NotFound

    try:
        return client.communities.resolve(ref)
    except NotFound as exc:
        raise NotFound(
            _(
                "no workspace {ref!r} (by id, technical name or exact name) among yours and the public "
                "catalogue; nothing was changed (see 'cartes workspace list --public')"
            ).format(ref=ref.strip())
        ) from exc


def _find_member(client: GeoplateformeClient, community_id: str, user: str) -> Member | None:
    needle = user.strip().lower()
    for m in client.communities.members(community_id):
        if m.user and (m.user.id.lower() == needle or (m.user.email or "").lower() == needle):
            return m
    return None


@member_app.command("add")
def member_add(ctx: typer.Context, workspace: WorkspaceArg, user: UserArg, rights: RightsOpt = None) -> None:
    """Add a user (by id) with rights (default: UPLOAD,PROCESSING,BROADCAST,ANNEX)."""
    from cartes_cli.client.validation import is_uuid, parse_rights
    from cartes_cli.errors import Conflict

    app = _ctx(ctx)
    granted = list(parse_rights(rights)) if rights else ["UPLOAD", "PROCESSING", "BROADCAST", "ANNEX"]
    if not is_uuid(user):
        from cartes_cli.errors import UsageError

        raise UsageError(_("To add a member, give the user's id (a UUID), as found in their request."))
    client = app.client()
    community = resolve_for_change(client, workspace)
    if _find_member(client, community.id, user) is not None:
        raise Conflict(
            _("{user} is already a member of {ws}; use 'cartes workspace member set'.").format(
                user=user, ws=community.technical_name
            )
        )
    member = client.communities.put_member(community.id, user.strip(), granted)
    app.terminal.success(
        _("Added {user} to {ws} with {rights}.").format(
            user=member.user.email if member.user else user,
            ws=community.technical_name,
            rights=",".join(granted),
        )
    )


@member_app.command("set")
def member_set(ctx: typer.Context, workspace: WorkspaceArg, user: UserArg, rights: RightsOpt = None) -> None:
    """Replace a member's rights."""
    from cartes_cli.client.validation import parse_rights
    from cartes_cli.errors import NotFound, UsageError

    app = _ctx(ctx)
    if not rights:
        raise UsageError(_("Say which rights with --rights."))
    granted = list(parse_rights(rights))
    client = app.client()
    community = resolve_for_change(client, workspace)
    existing = _find_member(client, community.id, user)
    if existing is None:
        raise NotFound(_("{user} is not a member of {ws}.").format(user=user, ws=community.technical_name))
    client.communities.put_member(community.id, existing.user.id, granted)
    app.terminal.success(
        _("{user} now has {rights} in {ws}.").format(
            user=existing.user.email or existing.user.id,
            rights=",".join(map(str, granted)),
            ws=community.technical_name,
        )
    )


@member_app.command("remove")
def member_remove(
    ctx: typer.Context,
    workspace: WorkspaceArg,
    user: UserArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=_("Do not ask for confirmation."))] = False,
) -> None:
    """Remove a member (the supervisor cannot be removed)."""
    from cartes_cli.errors import NotFound, UsageError

    app = _ctx(ctx)
    client = app.client()
    community = resolve_for_change(client, workspace)
    existing = _find_member(client, community.id, user)
    if existing is None:
        raise NotFound(_("{user} is not a member of {ws}.").format(user=user, ws=community.technical_name))
    if existing.user.id == community.supervisor_id:
        raise UsageError(
            _("{user} supervises {ws} and cannot be removed.").format(
                user=existing.user.email, ws=community.technical_name
            )
        )
    _confirm(
        app, _("Remove {user} from {ws}?").format(user=existing.user.email, ws=community.technical_name), yes
    )
    client.communities.remove_member(community.id, existing.user.id)
    app.terminal.success(
        _("Removed {user} from {ws}.").format(user=existing.user.email, ws=community.technical_name)
    )


def _confirm(app: AppContext, question: str, yes: bool) -> None:
    from cartes_cli.errors import UsageError

    if yes:
        return
    if not app.terminal.interactive:
        raise UsageError(_("Add --yes to confirm when not running on a terminal."))
    if app.terminal.prompt(question + _(" [y/N]")).strip().lower() not in ("y", "yes", "o", "oui"):
        raise UsageError(_("Cancelled; nothing was changed."))


# --- update, supervisor ------------------------------------------------------------------------

MAX_WORKSPACE_NAME = 100
MAX_DESCRIPTION = 2000


def _check_update(
    name: str | None, description: str | None, contact: str | None, public: bool | None
) -> dict[str, Any]:
    """The fields to send, checked; every problem in one line (exit 2) before any request."""
    from cartes_cli.client.validation import MIN_DATASTORE_NAME
    from cartes_cli.errors import UsageError
    from cartes_cli.validators import check_email

    problems: list[str] = []
    fields: dict[str, Any] = {}
    if name is not None:
        clean = " ".join(name.split())
        if len(clean) < MIN_DATASTORE_NAME:
            problems.append(
                _("--name must have at least {min} characters (it has {length})").format(
                    min=MIN_DATASTORE_NAME, length=len(clean)
                )
            )
        elif len(clean) > MAX_WORKSPACE_NAME:
            problems.append(_("--name must have at most {max} characters").format(max=MAX_WORKSPACE_NAME))
        elif not clean.isprintable():
            problems.append(_("--name must not contain control characters"))
        fields["name"] = clean
    if description is not None:
        if len(description) > MAX_DESCRIPTION:
            problems.append(_("--description must have at most {max} characters").format(max=MAX_DESCRIPTION))
        fields["description"] = description.strip()
    if contact is not None:
        if check_email(contact):
            problems.append(_("--contact is not an e-mail address (name@example.fr)"))
        fields["contact"] = contact.strip()
    if public is not None:
        fields["public"] = public
    if problems:
        raise UsageError(_("Invalid update: {problems}.").format(problems=_("; ").join(problems)))
    if not fields:
        raise UsageError(
            _("Nothing to change: give --name, --description, --contact, --public or --private.")
        )
    return fields


@workspace_app.command("update")
def update(
    ctx: typer.Context,
    workspace: WorkspaceArg,
    name: Annotated[
        str | None,
        typer.Option("--name", help=_("New name (10 characters at least)."), show_default=False),
    ] = None,
    description: Annotated[
        str | None, typer.Option("--description", "-d", help=_("New description."), show_default=False)
    ] = None,
    contact: Annotated[
        str | None,
        typer.Option(
            "--contact", help=_("New contact e-mail address (join requests go there)."), show_default=False
        ),
    ] = None,
    public: Annotated[
        bool | None,
        typer.Option(
            "--public/--private",
            help=_("List the workspace in the public catalogue, or take it out."),
            show_default=False,
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help=_("Do not ask for confirmation (public/private changes)."))
    ] = False,
) -> None:
    """Change a workspace's name, description, contact or visibility (needs the COMMUNITY right).

    Only the fields given change. Going public or private changes who sees the workspace in the
    catalogue: it asks for confirmation on a terminal, and wants --yes otherwise.
    """
    app = _ctx(ctx)
    fields = _check_update(name, description, contact, public)
    client = app.client()
    community = resolve_for_change(client, workspace)
    if "public" in fields and fields["public"] != community.public:
        question = (
            _("Make {ws} public: anyone will see it in the catalogue?")
            if fields["public"]
            else _("Make {ws} private: it leaves the public catalogue?")
        )
        _confirm(app, question.format(ws=community.technical_name), yes)
    updated = client.communities.update(community.id, **fields)
    app.terminal.success(_("Updated {ws}.").format(ws=updated.technical_name or community.technical_name))
    if not updated.supervisor or isinstance(updated.supervisor, str):
        updated = client.communities.get(community.id)
    app.terminal.print_object(_show_row(client, updated), SHOW_COLUMNS)


@workspace_app.command("supervisor")
def supervisor(
    ctx: typer.Context,
    workspace: WorkspaceArg,
    user: UserArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=_("Do not ask for confirmation."))] = False,
) -> None:
    """Hand the supervisor role over to another member (the supervisor or platform staff only).

    The new supervisor must already be a member; they get every right. The former supervisor
    stays a member, with every right (COMMUNITY included), and can then leave the workspace
    ('cartes workspace leave') or be given fewer rights.
    """
    from cartes_cli.client.validation import is_uuid
    from cartes_cli.errors import PermissionDenied, UsageError
    from cartes_cli.validators import check_email

    app = _ctx(ctx)
    ref = user.strip()
    if not is_uuid(ref) and (not ref or check_email(ref)):
        raise UsageError(_("USER: give the member's id (a UUID) or e-mail address."))
    client = app.client()
    community = resolve_for_change(client, workspace)
    me = client.users.me()
    current = community.supervisor_id
    if current is None:
        current = client.communities.get(community.id).supervisor_id
    if me.id != current and not me.administrator:
        raise PermissionDenied(
            _("Only the supervisor of {ws} or platform staff can hand supervision over.").format(
                ws=community.technical_name
            )
        )
    member = _find_member(client, community.id, ref)
    if member is None:
        raise UsageError(
            _("{user} is not a member of {ws}: add them first ('cartes workspace member add').").format(
                user=ref, ws=community.technical_name
            )
        )
    label = "".join(ch for ch in (member.user.email or member.user.id) if ch.isprintable())  # server text
    if member.user.id == current:
        app.terminal.success(
            _("{user} already supervises {ws}; nothing changed.").format(
                user=label, ws=community.technical_name
            )
        )
        return
    _confirm(
        app,
        _("Make {user} the supervisor of {ws}? You keep your rights and can leave afterwards.").format(
            user=label, ws=community.technical_name
        )
        if me.id == current
        else _("Make {user} the supervisor of {ws}?").format(user=label, ws=community.technical_name),
        yes,
    )
    client.communities.update(community.id, supervisor=member.user.id)
    app.terminal.success(
        _("{user} now supervises {ws}. The former supervisor stays a member with every right.").format(
            user=label, ws=community.technical_name
        )
    )
    if me.id == current:
        app.terminal.info(
            _("To leave the workspace: cartes workspace leave {ws}").format(ws=community.technical_name)
        )


# --- join, create, leave ---------------------------------------------------------------------------


OpenMailOpt = Annotated[
    bool,
    typer.Option(
        "--open-mail",
        help=_("Real platform: open the e-mail to send in your mail program (mailto:)."),
    ),
]
DRAFT_FIELDS = ("to", "subject", "body", "mailto", "sent", "page")
register_fields(*DRAFT_FIELDS)


@workspace_app.command("join")
def join(
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
    from cartes_cli.errors import UsageError

    app = _ctx(ctx)
    term = app.terminal
    given: dict[str, str] = {}
    for pair in answers or []:
        field, sep, value = pair.partition("=")
        if not sep or not field.strip():
            raise UsageError(_("--answer {value!r}: expected field=value.").format(value=pair))
        given[field.strip()] = value.strip()  # values are trimmed, as on cartes.gouv.fr
    if message is not None and len(message) > 2000:
        raise UsageError(_("--message is too long (2,000 characters at most)."))
    client = app.client()
    if not client.capabilities().has("requests"):
        _join_by_email(app, client, workspace, message, given, open_mail)
        return
    if open_mail:
        raise UsageError(
            _("--open-mail is for platforms without a request API; this one takes the request itself.")
        )
    community = resolve_for_change(client, workspace)
    pending = _pending_join(client, community.id)
    if pending is not None:
        _already_asked(app, community, pending, message, given)
        return
    form = client.communities.join_form(community.id)
    before = dict(given)
    typed = _form_answers(app, form, given)
    from cartes_cli.errors import Conflict

    try:
        request = client.requests.create_join(community.id, message=message, answers=typed or None)
    except Conflict:
        pending = _pending_join(client, community.id)  # sent meanwhile (another run, another device)
        if pending is None:
            _keep_answers(app, workspace, given, given != before)
            raise
        _already_asked(app, community, pending, message, given)
        return
    except Exception:
        _keep_answers(app, workspace, given, given != before)
        raise
    term.success(
        _("Request sent to join {ws} (request {id}); the administrators will answer by e-mail.").format(
            ws=community.technical_name, id=request.id
        )
    )
    if term.rendering == "json":
        from cartes_cli.cli.request import REQUEST_COLUMNS, request_row

        term.print_object(request_row(request), REQUEST_COLUMNS)
    else:
        term.out(request.id)


def _pending_join(client: GeoplateformeClient, community_id: str) -> Request | None:
    """The caller's pending request to join this community, if there is one."""
    for r in client.requests.mine(status="pending", type="join"):
        c = r.community
        if (c if isinstance(c, str) else getattr(c, "id", None)) == community_id:
            return r
    return None


def _already_asked(
    app: AppContext, community: Any, request: Any, message: str | None, given: dict[str, str]
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
    term = app.terminal
    term.success(
        _("You already asked to join {ws} (request {id}, pending); nothing new was sent.").format(
            ws=community.technical_name, id=request.id
        )
    )
    if term.rendering == "json":
        from cartes_cli.cli.request import REQUEST_COLUMNS, request_row

        term.print_object(request_row(request), REQUEST_COLUMNS)
    else:
        term.out(request.id)


def _form_answers(app: AppContext, form: Any, given: dict[str, str]) -> dict[str, Any]:
    """The join form's answers, asked and checked in one place for both paths (``cli/forms``)."""
    from cartes_cli.cli.forms import ask_form

    return ask_form(app, form, given)


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
    app: AppContext,
    client: GeoplateformeClient,
    ref: str,
    message: str | None,
    given: dict[str, str],
    open_mail: bool,
) -> None:
    """The real platform: the request is an e-mail to the community's contact. Find the community
    in the public catalogue (as cartes.gouv.fr offers it: not one the user belongs to, not one
    without a valid contact e-mail), read its join form from the annexes, and write the e-mail."""
    from datetime import UTC, datetime

    from cartes_cli.client.drafts import is_contact_email, join_request_draft
    from cartes_cli.errors import NotFound, UsageError

    me = client.users.me()
    key = ref.strip().casefold()
    for m in me.memberships:
        c = m.community
        if key in {(c.id or "").casefold(), (c.technical_name or "").casefold(), (c.name or "").casefold()}:
            raise _already_member(c, m)
    try:
        community = client.communities.find_public(ref)
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
    form = client.communities.public_join_form(community.technical_name or community.id)
    typed = _form_answers(app, form, given)
    draft = join_request_draft(
        community={
            "_id": community.id,
            "name": community.name,
            "technical_name": community.technical_name,
            "contact": community.contact,
        },
        user=_person(me),
        answers=typed,
        message=message,
        when=datetime.now(UTC),
    )
    _deliver(app, draft.as_dict(), draft.text(), draft.mailto, open_mail)


def _already_member(community: Any, membership: Any) -> Exception:
    from cartes_cli.errors import UsageError

    rights = ", ".join(str(getattr(r, "value", r)) for r in membership.rights) or "-"
    return UsageError(
        _("You are already a member of {ws} (rights: {rights}); there is nothing to ask.").format(
            ws=community.technical_name or community.id, rights=rights
        )
    )


def _person(me: Any) -> Any:
    """The requester as the real e-mails describe them (``GET /users/me``)."""
    from cartes_cli.client.drafts import Person

    supervises, member_of = [], []
    for m in me.memberships:
        c = m.community
        entry = (c.name or c.technical_name or c.id, c.id)
        (supervises if c.supervisor_id == me.id else member_of).append(entry)
    return Person(
        id=me.id,
        email=me.email,
        first_name=me.first_name,
        last_name=me.last_name,
        supervises=supervises,
        member_of=member_of,
    )


def _deliver(app: AppContext, data: dict[str, Any], text: str, mailto: str | None, open_mail: bool) -> None:
    """Hand a draft over: JSON, or the text on stdout; open it in the mail program if asked.
    Nothing is ever sent by cartes."""
    from cartes_cli.cli.output import neutralise
    from cartes_cli.errors import UsageError

    term = app.terminal
    opened = False
    if open_mail and mailto:
        import webbrowser

        try:
            opened = bool(webbrowser.open(mailto))
        except Exception:  # any failure of the desktop's handler: print instead
            opened = False
        if not opened:
            term.warn(_("Could not open a mail program; here is the e-mail to send."))
    if term.rendering == "json":
        if term.json_fields:
            unknown = [f for f in term.json_fields if f not in data]
            if unknown:
                raise UsageError(
                    _("Unknown field {fields} for --json; available fields: {available}.").format(
                        fields=", ".join(repr(u) for u in unknown), available=", ".join(data)
                    )
                )
            data = {f: data[f] for f in term.json_fields}
        term.print_json(data)
    elif opened:
        term.success(_("Opened the e-mail in your mail program: check it, then send it from there."))
    else:
        term.out(neutralise(text))
    if term.stderr_isatty:
        term.info(_("Nothing was sent: cartes writes the e-mail, you send it from your own mail box."))


@workspace_app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help=_("The workspace's name (10 characters at least)."))
    ],
    description: Annotated[
        str | None, typer.Option("--description", "-d", help=_("What it is for."), show_default=False)
    ] = None,
    technical_name: Annotated[
        str | None,
        typer.Option(
            "--technical-name", help=_("Technical name (default: derived from the name)."), show_default=False
        ),
    ] = None,
    offer: Annotated[str, typer.Option("--offer", help=_("essential or premium."))] = "essential",
    public: Annotated[
        bool, typer.Option("--public", help=_("Ask for a public workspace (needs --justification)."))
    ] = False,
    justification: Annotated[
        str | None,
        typer.Option(
            "--justification", help=_("Why it should be public (50 characters at least)."), show_default=False
        ),
    ] = None,
    open_mail: Annotated[
        bool,
        typer.Option(
            "--open-mail",
            help=_("Real platform, with --public: open the e-mail to the support in your mail program."),
        ),
    ] = False,
) -> None:
    """Ask for a new workspace (private by default); platform staff create it and reply by e-mail.

    On the real Géoplateforme, print the web page where to ask and what to type there, and for a
    public workspace the argued e-mail to send to the support.
    """
    from cartes_cli.client.validation import check_datastore_request, derive_technical_name
    from cartes_cli.errors import UsageError

    app = _ctx(ctx)
    term = app.terminal
    tech = technical_name or derive_technical_name(name)
    checked = check_datastore_request(
        name=name,
        technical_name=tech,
        offer=offer,
        public=public,
        justification=justification,
        description=description,
    )
    if open_mail and not public:
        raise UsageError(
            _("--open-mail goes with --public: a private workspace is asked for on the web page only.")
        )
    term.info(_("Technical name: {tech}").format(tech=tech))
    client = app.client()
    if not client.capabilities().has("requests"):
        _create_by_page(app, client, checked, tech, open_mail)
        return
    if open_mail:
        raise UsageError(
            _("--open-mail is for platforms without a request API; this one takes the request itself.")
        )
    request = client.requests.create_datastore(
        name.strip(),
        technical_name=tech,
        description=description,
        offer=offer,
        public=public,
        justification=justification,
    )
    term.success(
        _(
            "Request sent for the {kind} workspace {name} (request {id}); "
            "staff will create it and reply by e-mail."
        ).format(kind=_("public") if public else _("private"), name=name.strip(), id=request.id)
    )
    term.out(request.id)


def _create_by_page(
    app: AppContext, client: GeoplateformeClient, checked: Any, tech: str, open_mail: bool
) -> None:
    """The real platform: new workspaces are asked for on a page of cartes.gouv.fr (which e-mails
    the support); a public one needs an argued e-mail to the support as well."""
    from datetime import UTC, datetime

    from cartes_cli.client.drafts import (
        DATASTORE_REQUEST_PAGE,
        SUPPORT_ADDRESS,
        datastore_request_draft,
        datastore_request_form,
    )

    term = app.terminal
    form = datastore_request_form(
        name=checked.name, technical_name=tech, offer=checked.offer, description=checked.description
    )
    page_text = (
        DATASTORE_REQUEST_PAGE
        + "\n\n"
        + "\n".join(
            f"{label} : {value}" if "\n" not in value else f"{label} :\n{value}"
            for label, value in form.items()
        )
    )
    data: dict[str, Any] = {
        "page": DATASTORE_REQUEST_PAGE,
        "form": {
            "name": checked.name,
            "technical_name": tech,
            "offer": checked.offer,
            "information": checked.description,
        },
    }
    mailto = None
    text = page_text
    if checked.public:
        draft = datastore_request_draft(
            name=checked.name,
            technical_name=tech,
            offer=checked.offer,
            description=checked.description,
            justification=checked.justification or "",
            user=_person(client.users.me()),
            when=datetime.now(UTC),
        )
        data.update(draft.as_dict())
        mailto = draft.mailto
        text = page_text + "\n\n" + draft.text()
        term.info(
            _(
                "This platform takes new-workspace requests on its web site: fill in the page below "
                "with this text; a public workspace also needs the argued e-mail below, to {support}."
            ).format(support=SUPPORT_ADDRESS)
        )
    else:
        data.update(sent=False)
        term.info(
            _(
                "This platform takes new-workspace requests on its web site: fill in the page below "
                "with this text."
            )
        )
    _deliver(app, data, text, mailto, open_mail)


@workspace_app.command("leave")
def leave(
    ctx: typer.Context,
    workspace: WorkspaceArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=_("Do not ask for confirmation."))] = False,
) -> None:
    """Leave a workspace (its supervisor cannot)."""
    from cartes_cli.errors import UsageError

    app = _ctx(ctx)
    client = app.client()
    community = resolve_for_change(client, workspace)
    me = client.users.me()
    if community.supervisor_id == me.id:
        raise UsageError(
            _("You supervise {ws}: hand supervision to another member before leaving.").format(
                ws=community.technical_name
            )
        )
    if me.membership(community.id) is None:
        # Leaving twice is not an error: the end state is the one asked for (exit 0).
        app.terminal.success(
            _("You are already out of {ws} (not a member); nothing changed.").format(
                ws=community.technical_name
            )
        )
        return
    _confirm(app, _("Leave {ws}?").format(ws=community.technical_name), yes)
    client.communities.leave(community.id)
    app.terminal.success(_("You left {ws}.").format(ws=community.technical_name))
