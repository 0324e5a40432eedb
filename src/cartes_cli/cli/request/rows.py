"""How a request is shown: its columns, its row, and the words a person reads for its type and
status. ``workspace join`` prints the request it sends with these too."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from cartes_cli.cli.output import ESSENTIAL, Column, register_fields
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.output import Terminal
    from cartes_cli.client.models import Request, UserRef
    from cartes_cli.client.records import RequestRecord, UserRefRecord

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


def for_people(term: Terminal, rows: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
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


def request_row(r: Request | RequestRecord) -> dict[str, Any]:
    requester = r.requester
    community = r.community
    if r.type == "datastore":
        workspace = r.name
    else:
        workspace = getattr(community, "technical_name", None) or getattr(community, "name", None)
    return {
        "id": r.id,
        "type": r.type,
        "status": r.status,
        "requester": getattr(requester, "email", None),
        "requester_name": person_name(requester),
        "workspace": workspace,
        "community_id": getattr(community, "id", None),
        "message": r.message,
        "answers": r.answers,
        "name": r.name,
        "technical_name": r.technical_name,
        "description": r.description,
        "offer": r.offer,
        "public": r.public,
        "justification": r.justification,
        "rights": [str(x) for x in (r.rights or [])],  # a Right is a StrEnum: its value
        "reason": r.reason,
        "decided_by": person_name(r.decided_by) if not isinstance(r.decided_by, str) else r.decided_by,
        "creation": r.creation,
        "update": r.update,
    }


def person_name(user: UserRef | UserRefRecord | str | None) -> str | None:
    """A person as a request names them: first and last name, else their e-mail."""
    if user is None:
        return None
    if isinstance(user, str):
        return user
    name = " ".join(p for p in (user.first_name, user.last_name) if p)
    return name or user.email
