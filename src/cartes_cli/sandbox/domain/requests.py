"""The request workflow (sandbox only): join and datastore requests, and what deciding them does.

Who sees what:
- the requester sees their own requests; the managers of a community (COMMUNITY right) see the
  join requests to it; the platform staff see everything. Anyone else gets **404** for a request
  (its existence is not disclosed), and **403** for a decision on a request they can see but not
  decide (e.g. the requester accepting their own request).

Every state change is one conditional UPDATE (``… WHERE status = 'pending'``) in a transaction with
its side effects (membership, community, datastore, e-mail): a decision applies once, and
replaying it (same decision) gives the request unchanged (``Outcome.unchanged``) and sends nothing.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any

from cartes_cli.i18n import _
from cartes_cli.sandbox.domain import mail
from cartes_cli.sandbox.domain.communities import manages, parse_rights, resolve_community
from cartes_cli.sandbox.domain.context import Sandbox
from cartes_cli.sandbox.domain.offers import provision_datastore
from cartes_cli.sandbox.errors import ApiProblem
from cartes_cli.sandbox.store import Store
from cartes_cli.sandbox.store.records import Mail, RequestRecord, User
from cartes_cli.sandbox.util import TECHNICAL_NAME_RE, iso, new_id
from cartes_cli.textsearch import fold
from cartes_cli.validators import is_uuid

DEFAULT_JOIN_RIGHTS = ("UPLOAD", "PROCESSING", "BROADCAST", "ANNEX")
MIN_JUSTIFICATION = 50
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class Outcome:
    """A request after a state change; ``unchanged``: the same change was made before (a replay)."""

    record: RequestRecord
    unchanged: bool = False


# --- who sees and decides --------------------------------------------------------------------


def _can_see(store: Store, user: User, record: RequestRecord) -> bool:
    if user.administrator or record.requester.id == user.id:
        return True
    return (
        record.type == "join" and record.community is not None and manages(store, user, record.community.id)
    )


def _can_decide(store: Store, user: User, record: RequestRecord) -> bool:
    if user.administrator:
        return True
    return (
        record.type == "join" and record.community is not None and manages(store, user, record.community.id)
    )


def visible_request(store: Store, user: User, request_id: str) -> RequestRecord:
    record = store.requests.get(request_id) if is_uuid(request_id) else None
    if record is None or not _can_see(store, user, record):
        raise ApiProblem(404, _("Request not found."))
    return record


def _decidable(store: Store, user: User, request_id: str) -> RequestRecord:
    # Deciding is refused with 403 even to those who may not read the request: request ids are
    # unguessable, and "you may not decide" is the useful answer to a wrong approver.
    record = store.requests.get(request_id) if is_uuid(request_id) else None
    if record is None:
        record = visible_request(store, user, request_id)  # the usual 404
    if not _can_decide(store, user, record):
        if record.type == "datastore":
            raise ApiProblem(403, _("Only the platform staff can decide on this request."))
        raise ApiProblem(403, _("Only the community's managers can decide on this request."))
    return record


def _send(store: Store, mails: list[Mail]) -> None:
    for message in mails:
        store.outbox.add(message)


# --- join forms ------------------------------------------------------------------------------


def validate_answers(form: list[dict[str, Any]], answers: dict[str, Any]) -> list[str]:
    """Field-level messages (empty: the answers fit the form)."""
    problems: list[str] = []
    fields = {str(f["name"]): f for f in form}
    for name in answers:
        if name not in fields:
            known = ", ".join(fields) or "none"
            problems.append(f"answers.{name}: unknown field (the form asks for: {known}).")
    for name, spec in fields.items():
        constraints = spec.get("constraints") or {}
        value = answers.get(name)
        where = f"answers.{name}"
        if value is None or (isinstance(value, str) and not value.strip()):
            if constraints.get("required"):
                problems.append(f"{where}: this field is required ({spec.get('title', name)}).")
            continue
        choices = constraints.get("enum")
        if choices and value not in choices:
            listed = ", ".join(str(c) for c in choices)
            problems.append(f"{where}: must be one of: {listed}.")
            continue
        problems += _value_problems(where, spec.get("type", "string"), constraints, value)
    return problems


def _value_problems(where: str, kind: str, constraints: dict[str, Any], value: Any) -> list[str]:
    """What is wrong with one given answer of type ``kind`` (``string``, ``email``, ``boolean``,
    ``number``, ``integer``)."""
    problems: list[str] = []
    if kind in ("string", "email"):
        if not isinstance(value, str):
            return [f"{where}: must be text."]
        if kind == "email" and not _EMAIL_RE.match(value.strip()):
            problems.append(f"{where}: must be an e-mail address.")
        if "minLength" in constraints and len(value) < int(constraints["minLength"]):
            problems.append(f"{where}: at least {constraints['minLength']} characters.")
        if "maxLength" in constraints and len(value) > int(constraints["maxLength"]):
            problems.append(f"{where}: at most {constraints['maxLength']} characters.")
        pattern = constraints.get("pattern")
        if pattern and re.fullmatch(str(pattern), value) is None:
            problems.append(f"{where}: does not have the expected format ({pattern}).")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{where}: must be true or false.")
    else:  # number, integer
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if kind == "integer" and not (is_number and float(value).is_integer()):
            return [f"{where}: must be a whole number."]
        if not is_number:
            return [f"{where}: must be a number."]
        if "minimum" in constraints and value < constraints["minimum"]:
            problems.append(f"{where}: at least {constraints['minimum']}.")
        if "maximum" in constraints and value > constraints["maximum"]:
            problems.append(f"{where}: at most {constraints['maximum']}.")
    return problems


# --- creating requests -----------------------------------------------------------------------


def derive_technical_name(store: Store, name: str) -> str:
    """``Observatoire des Écrins`` → ``observatoire_des_ecrins`` (≤ 30, unique: ``_2``, ``_3``…)."""
    from cartes_cli.validators import shorten_slug

    base = shorten_slug(re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_")) or "espace"
    candidate, n = base, 1
    while store.communities.technical_name_taken(candidate):
        n += 1
        suffix = f"_{n}"
        candidate = shorten_slug(base, 30 - len(suffix)) + suffix
    return candidate


def create_join(
    sandbox: Sandbox,
    user: User,
    *,
    community_ref: str,
    answers: dict[str, Any],
    message: str | None,
    api_url: str | None = None,
) -> RequestRecord:
    """A pending request of ``user`` to join a public community (by uuid or technical name)."""
    store = sandbox.store
    community = resolve_community(store, community_ref)
    if community is None:
        raise ApiProblem(404, _("Community not found."))
    if not community.public and not user.administrator:
        raise ApiProblem(403, _("This community is private: ask its supervisor to add you."))
    if store.communities.membership(community.id, user.id) is not None:
        raise ApiProblem(409, _("You are already a member of this community."))
    answers = dict(answers)
    problems = validate_answers(store.communities.join_form(community.id) or [], answers)
    if problems:
        raise ApiProblem(400, *problems)
    message = (message or "").strip() or None
    request_id = new_id()
    when = iso(sandbox.now())
    with store.transaction():
        if store.requests.has_pending_join(user.id, community.id):
            raise ApiProblem(409, _("You already have a pending request to join this community."))
        store.requests.insert(
            id=request_id,
            type="join",
            requester_id=user.id,
            community_id=community.id,
            message=message,
            answers=answers,
            created=when,
        )
        record = store.requests.get(request_id)
        assert record is not None
        _send(store, mail.received(store, record, when, api_url=api_url))
    return record


def create_datastore(
    sandbox: Sandbox,
    user: User,
    *,
    name: str,
    technical_name: str | None,
    description: str | None,
    offer: str,
    public: bool,
    justification: str | None,
    api_url: str | None = None,
) -> RequestRecord:
    """A pending request of ``user`` for a new community with its datastore (staff decide)."""
    store = sandbox.store
    name = name.strip()
    problems = []
    if len(name) < 10:
        problems.append("name: at least 10 characters.")
    justification = (justification or "").strip() or None
    if public and len(justification or "") < MIN_JUSTIFICATION:
        problems.append(
            f"justification: at least {MIN_JUSTIFICATION} characters are needed for a public community."
        )
    technical_name = (technical_name or "").strip() or None
    if technical_name is not None and not TECHNICAL_NAME_RE.match(technical_name):
        problems.append("technical_name: 1 to 30 characters among letters, digits, '_', '.' and '-'.")
    if problems:
        raise ApiProblem(400, *problems)
    request_id = new_id()
    when = iso(sandbox.now())
    with store.transaction():
        if technical_name is None:
            technical_name = derive_technical_name(store, name)
        elif store.communities.technical_name_taken(technical_name):
            raise ApiProblem(
                409,
                _("The technical name {name} is already used or requested.").format(
                    name=repr(technical_name)
                ),
            )
        store.requests.insert(
            id=request_id,
            type="datastore",
            requester_id=user.id,
            name=name,
            technical_name=technical_name,
            description=(description or "").strip() or None,
            offer=offer,
            public=public,
            justification=justification,
            created=when,
        )
        record = store.requests.get(request_id)
        assert record is not None
        _send(store, mail.received(store, record, when, api_url=api_url))
    return record


# --- state changes ---------------------------------------------------------------------------


def _conflict(record: RequestRecord, wanted: str) -> ApiProblem:
    messages = {
        "accepted": _("This request was already accepted; it cannot be {wanted} now."),
        "rejected": _("This request was already rejected; it cannot be {wanted} now."),
        "cancelled": _("This request was already cancelled by its requester; it cannot be {wanted} now."),
    }
    actions = {"accepted": _("accepted"), "rejected": _("rejected"), "cancelled": _("cancelled")}
    return ApiProblem(409, messages[record.status].format(wanted=actions.get(wanted, wanted)))


def _reread(store: Store, request_id: str) -> RequestRecord:
    record = store.requests.get(request_id)
    assert record is not None
    return record


def _replay(store: Store, request_id: str, done: str, wanted: str) -> Outcome:
    """The request left 'pending' under us: same outcome → unchanged, else 409."""
    record = _reread(store, request_id)
    if record.status == done:
        return Outcome(record, unchanged=True)
    raise _conflict(record, wanted)


def cancel(sandbox: Sandbox, user: User, request_id: str) -> Outcome:
    """The requester withdraws their pending request."""
    store = sandbox.store
    record = visible_request(store, user, request_id)
    if record.requester.id != user.id:
        raise ApiProblem(403, _("Only the requester can cancel a request."))
    if record.status == "cancelled":
        return Outcome(record, unchanged=True)  # replay: nothing to do
    if record.status != "pending":
        raise _conflict(record, "cancelled")
    with store.transaction():
        if not store.requests.transition(record.id, to="cancelled", when=iso(sandbox.now())):
            return _replay(store, record.id, "cancelled", "cancelled")
    return Outcome(_reread(store, record.id))


def accept(
    sandbox: Sandbox, user: User, request_id: str, *, rights: list[str] | None, api_url: str | None
) -> Outcome:
    """Accept: a join adds the member with ``rights`` (default ``DEFAULT_JOIN_RIGHTS``); a
    datastore request creates the community and its datastore (staff only)."""
    store = sandbox.store
    record = _decidable(store, user, request_id)
    if record.status == "accepted":
        return Outcome(record, unchanged=True)
    if record.status != "pending":
        raise _conflict(record, "accepted")
    when = iso(sandbox.now())
    with store.transaction():
        if record.type == "join":
            granted = parse_rights(rights) if rights is not None else list(DEFAULT_JOIN_RIGHTS)
            assert record.community is not None
            if not store.requests.transition(
                record.id, to="accepted", when=when, decided_by=user.id, rights=granted
            ):
                return _replay(store, record.id, "accepted", "accepted")
            current = store.communities.membership(record.community.id, record.requester.id)
            union = set(granted) | set(current.rights if current else ())
            store.communities.put_membership(record.community.id, record.requester.id, sorted(union), when)
        else:
            if rights is not None:
                raise ApiProblem(
                    400, _("rights: only for join requests (the requester becomes the supervisor).")
                )
            community_id = _create_requested_community(store, record, when)
            if not store.requests.transition(
                record.id, to="accepted", when=when, decided_by=user.id, community_id=community_id
            ):
                return _replay(store, record.id, "accepted", "accepted")
        decided = _reread(store, record.id)
        store.outbox.add(mail.decided(decided, when, api_url=api_url))
    return Outcome(decided)


def _create_requested_community(store: Store, record: RequestRecord, when: str) -> str:
    assert record.name is not None
    assert record.technical_name is not None
    if store.communities.by_technical_name(record.technical_name) is not None:
        raise ApiProblem(
            409,
            _("A community named {name} exists already: reject this request.").format(
                name=repr(record.technical_name)
            ),
        )
    community_id = new_id()
    try:
        store.communities.insert(
            id=community_id,
            name=record.name,
            technical_name=record.technical_name,
            description=record.description or "",
            contact=record.requester.email,
            public=bool(record.public),
            supervisor_id=record.requester.id,
            created=when,
        )
    except sqlite3.IntegrityError:
        raise ApiProblem(
            409, _("A community named {name} exists already.").format(name=repr(record.technical_name))
        ) from None
    provision_datastore(
        store,
        community_id=community_id,
        name=record.name,
        technical_name=record.technical_name,
        offer=record.offer or "essential",
        public=bool(record.public),
        when=when,
    )
    return community_id


def reject(
    sandbox: Sandbox, user: User, request_id: str, *, reason: str | None, api_url: str | None
) -> Outcome:
    """Reject, with an optional reason sent to the requester."""
    store = sandbox.store
    record = _decidable(store, user, request_id)
    if record.status == "rejected":
        return Outcome(record, unchanged=True)
    if record.status != "pending":
        raise _conflict(record, "rejected")
    when = iso(sandbox.now())
    reason = (reason or "").strip() or None
    with store.transaction():
        if not store.requests.transition(
            record.id, to="rejected", when=when, decided_by=user.id, reason=reason
        ):
            return _replay(store, record.id, "rejected", "rejected")
        decided = _reread(store, record.id)
        store.outbox.add(mail.decided(decided, when, api_url=api_url))
    return Outcome(decided)
