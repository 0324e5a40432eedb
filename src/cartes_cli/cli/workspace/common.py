"""What several workspace commands share: finding a member, asking for confirmation, and handing
a draft e-mail over (the real platform's way of asking, for ``join`` and ``create``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cartes_cli.cli.output import register_fields
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.client import GeoplateformeClient
    from cartes_cli.client.drafts import Person
    from cartes_cli.client.models import Member, User

DRAFT_FIELDS = ("to", "subject", "body", "mailto", "sent", "page")
register_fields(*DRAFT_FIELDS)


def find_member(client: GeoplateformeClient, community_id: str, user: str) -> Member | None:
    """The member a command names by user id or e-mail (case ignored), if there is one."""
    needle = user.strip().lower()
    for m in client.communities.members(community_id):
        if m.user and (m.user.id.lower() == needle or (m.user.email or "").lower() == needle):
            return m
    return None


def confirm(app: AppContext, question: str, yes: bool) -> None:
    """Go on with ``--yes`` or a yes at the prompt; otherwise stop (exit 2), nothing changed."""
    from cartes_cli.errors import UsageError

    if yes:
        return
    if not app.terminal.interactive:
        raise UsageError(_("Add --yes to confirm when not running on a terminal."))
    if not app.terminal.agrees(question + _(" [y/N]")):
        raise UsageError(_("Cancelled; nothing was changed."))


def person(me: User) -> Person:
    """The requester as the real e-mails describe them (``GET /users/me``)."""
    from cartes_cli.client.drafts import Person

    supervises: list[tuple[str, str]] = []
    member_of: list[tuple[str, str]] = []
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


def deliver(app: AppContext, data: dict[str, Any], text: str, mailto: str | None, open_mail: bool) -> None:
    """Hand a draft over: JSON, or the text on stdout; open it in the mail program if asked.
    Nothing is ever sent by cartes."""
    from cartes_cli.cli.terminal_text import neutralise

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
        term.print_json(_selected_fields(data, term.json_fields))
    elif opened:
        term.success(_("Opened the e-mail in your mail program: check it, then send it from there."))
    else:
        term.out(neutralise(text))
    if term.stderr_isatty:
        term.info(_("Nothing was sent: cartes writes the e-mail, you send it from your own mail box."))


def _selected_fields(data: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    """``--json a,b``: only those fields of a draft (an unknown one is a usage error, exit 2)."""
    from cartes_cli.errors import UsageError

    if not fields:
        return data
    unknown = [f for f in fields if f not in data]
    if unknown:
        raise UsageError(
            _("Unknown field {fields} for --json; available fields: {available}.").format(
                fields=", ".join(repr(u) for u in unknown), available=", ".join(data)
            )
        )
    return {f: data[f] for f in fields}
