"""The request workflow (SANDBOX API, see platform-api.md §4): join and datastore requests, join
forms, and the e-mails they cause.

Who sees what:
- the requester sees their own requests; the managers of a community (COMMUNITY right) see the
  join requests to it; the platform staff see everything. Anyone else gets **404** for a request
  (its existence is not disclosed), and **403** for a decision on a request they can see but not
  decide (e.g. the requester accepting their own request).

Every state change is one conditional UPDATE (``… WHERE status = 'pending'``) in a transaction with
its side effects (membership, community, datastore, e-mail): a decision applies once, and
replaying it (same decision) answers 200 with the request unchanged and sends nothing.
"""

from __future__ import annotations

import base64
import re
import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from cartes_cli.i18n import _
from cartes_cli.sandbox.domain import mail
from cartes_cli.sandbox.domain.context import Sandbox
from cartes_cli.sandbox.domain.offers import provision_datastore
from cartes_cli.sandbox.errors import ApiProblem
from cartes_cli.sandbox.routes import schemas
from cartes_cli.sandbox.routes.deps import json_body, sandbox_of
from cartes_cli.sandbox.routes.entrepot import (
    API_PREFIX,
    DEFAULT_LIMIT,
    CurrentUser,
    Limit,
    Page,
    content_range,
    manages,
    page_window,
    parse_rights,
)
from cartes_cli.sandbox.store import Store
from cartes_cli.sandbox.store.records import (
    REQUEST_STATUSES,
    REQUEST_TYPES,
    Community,
    Mail,
    RequestPage,
    RequestRecord,
    User,
    UserRef,
)
from cartes_cli.sandbox.util import TECHNICAL_NAME_RE, api_url_of, fold, is_uuid, iso, new_id

DEFAULT_JOIN_RIGHTS = ("UPLOAD", "PROCESSING", "BROADCAST", "ANNEX")
MIN_JUSTIFICATION = 50
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

router = APIRouter(
    prefix=API_PREFIX,
    tags=["Requests (sandbox only)"],
    responses={
        status: {"model": schemas.ApiErrorBody, "description": text}
        for status, text in (
            (400, "Bad input (field by field)"),
            (401, "Missing, invalid or expired access token"),
            (403, "Not allowed"),
            (404, "Unknown (or not visible to the caller)"),
            (409, "Conflict with the request's state"),
        )
    },
)


# --- views -----------------------------------------------------------------------------------


def _user_ref(ref: UserRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    return {"_id": ref.id, "email": ref.email, "first_name": ref.first_name, "last_name": ref.last_name}


def request_view(record: RequestRecord) -> dict[str, Any]:
    community = None
    if record.community is not None:
        community = {
            "_id": record.community.id,
            "name": record.community.name,
            "technical_name": record.community.technical_name,
        }
    return {
        "_id": record.id,
        "type": record.type,
        "status": record.status,
        "requester": _user_ref(record.requester),
        "community": community,
        "message": record.message,
        "answers": record.answers,
        "name": record.name,
        "technical_name": record.technical_name,
        "description": record.description,
        "offer": record.offer,
        "public": record.public,
        "justification": record.justification,
        "rights": None if record.rights is None else list(record.rights),
        "reason": record.reason,
        "decided_by": _user_ref(record.decided_by),
        "creation": record.created,
        "update": record.updated,
    }


# --- helpers ---------------------------------------------------------------------------------


def resolve_community(store: Store, ref: str) -> Community | None:
    """By uuid or technical name."""
    ref = ref.strip()
    if is_uuid(ref):
        return store.communities.get(ref)
    return store.communities.by_technical_name(ref) if ref else None


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


def _visible_request(store: Store, user: User, request_id: str) -> RequestRecord:
    record = store.requests.get(request_id) if is_uuid(request_id) else None
    if record is None or not _can_see(store, user, record):
        raise ApiProblem(404, _("Request not found."))
    return record


def _parse_statuses(value: str | None) -> list[str]:
    if not value:
        return []
    statuses = [s.strip().lower() for s in value.split(",") if s.strip()]
    unknown = [s for s in statuses if s not in REQUEST_STATUSES]
    if unknown:
        raise ApiProblem(
            400,
            _("status: unknown value {value} (one of: {choices}).").format(
                value=repr(unknown[0]), choices=", ".join(REQUEST_STATUSES)
            ),
        )
    return statuses


def _parse_type(value: str | None) -> str | None:
    if not value:
        return None
    if value not in REQUEST_TYPES:
        raise ApiProblem(400, _("type: unknown value {value} (join or datastore).").format(value=repr(value)))
    return value


# --- keyset pagination -----------------------------------------------------------------------
#
# Every page of a request listing links to the next one (``Link: <…&cursor=…>; rel="next"``, RFC
# 8288). The cursor holds the sequence number of the page's last request and the newest one when
# the listing began: the next page starts after the former, so requests that leave the filter
# meanwhile (decided, hence no longer pending) shift nothing, and requests created after the
# listing began stay out of it. A bulk decision can then start on page 1 while the rest is read.

_CURSOR_RE = re.compile(r"^(\d{1,18})\.(\d{1,18})$")


def encode_cursor(after: int, until: int) -> str:
    raw = f"{after}.{until}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    """``(after, until)``; a 400 for anything this sandbox did not issue."""
    text = cursor.strip()
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
    except (ValueError, UnicodeError):
        raw = ""
    match = _CURSOR_RE.match(raw)
    if match is None or int(match[1]) > int(match[2]):
        raise ApiProblem(400, _("cursor: not a cursor of this listing; start again without it."))
    return int(match[1]), int(match[2])


def _listing_window(store: Store, page: int, cursor: str | None) -> tuple[int | None, int]:
    """``(after, until)`` of the page asked for: from the cursor, or a new snapshot."""
    if cursor is None:
        return None, store.requests.last_seq()
    if page != 1:
        raise ApiProblem(400, _("cursor: give either a cursor or a page number, not both."))
    return decode_cursor(cursor)


def _keyset_page(request: Request, result: RequestPage, until: int) -> JSONResponse:
    headers = {"Content-Range": content_range(result.position, len(result.records), result.total)}
    if result.more and result.seqs:
        following = request.url.remove_query_params("page").include_query_params(
            cursor=encode_cursor(result.seqs[-1], until)
        )
        headers["Link"] = f'<{following}>; rel="next"'
    return JSONResponse([request_view(r) for r in result.records], headers=headers)


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
        kind = spec.get("type", "string")
        choices = constraints.get("enum")
        if choices and value not in choices:
            listed = ", ".join(str(c) for c in choices)
            problems.append(f"{where}: must be one of: {listed}.")
            continue
        if kind in ("string", "email"):
            if not isinstance(value, str):
                problems.append(f"{where}: must be text.")
                continue
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
                problems.append(f"{where}: must be a whole number.")
                continue
            if not is_number:
                problems.append(f"{where}: must be a number.")
                continue
            if "minimum" in constraints and value < constraints["minimum"]:
                problems.append(f"{where}: at least {constraints['minimum']}.")
            if "maximum" in constraints and value > constraints["maximum"]:
                problems.append(f"{where}: at most {constraints['maximum']}.")
    return problems


@router.get(
    "/communities/{community_id}/join_form",
    summary="What a community asks of people who want to join (empty fields: nothing)",
    response_model=schemas.JoinForm,
)
async def join_form(request: Request, user: CurrentUser, community_id: str) -> JSONResponse:
    store = sandbox_of(request).store
    community = resolve_community(store, community_id)
    if community is None:
        raise ApiProblem(404, _("Community not found."))
    if not (community.public or user.administrator or store.communities.membership(community.id, user.id)):
        raise ApiProblem(403, _("You are not a member of this private community."))
    return JSONResponse({"fields": store.communities.join_form(community.id) or []})


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


_NEW_REQUEST_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        schemas.NewJoinRequest.model_json_schema(),
                        schemas.NewDatastoreRequest.model_json_schema(),
                    ]
                }
            }
        },
    }
}


@router.post(
    "/requests",
    summary="Ask to join a community, or for a new community with its datastore",
    status_code=201,
    response_model=schemas.RequestBody,
    openapi_extra=_NEW_REQUEST_DOC,
)
async def create_request(request: Request, user: CurrentUser) -> JSONResponse:
    sandbox = sandbox_of(request)
    probe = await json_body(request, schemas.NewRequestType)
    if probe.type == "join":
        join = await json_body(request, schemas.NewJoinRequest)
        record = _create_join(sandbox, user, join, api_url_of(request))
    else:
        datastore = await json_body(request, schemas.NewDatastoreRequest)
        record = _create_datastore(sandbox, user, datastore, api_url_of(request))
    return JSONResponse(request_view(record), status_code=201)


def _create_join(
    sandbox: Sandbox, user: User, body: schemas.NewJoinRequest, api_url: str | None = None
) -> RequestRecord:
    store = sandbox.store
    community = resolve_community(store, body.community)
    if community is None:
        raise ApiProblem(404, _("Community not found."))
    if not community.public and not user.administrator:
        raise ApiProblem(403, _("This community is private: ask its supervisor to add you."))
    if store.communities.membership(community.id, user.id) is not None:
        raise ApiProblem(409, _("You are already a member of this community."))
    answers = dict(body.answers)
    problems = validate_answers(store.communities.join_form(community.id) or [], answers)
    if problems:
        raise ApiProblem(400, *problems)
    message = (body.message or "").strip() or None
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


def _create_datastore(
    sandbox: Sandbox, user: User, body: schemas.NewDatastoreRequest, api_url: str | None = None
) -> RequestRecord:
    store = sandbox.store
    name = body.name.strip()
    problems = []
    if len(name) < 10:
        problems.append("name: at least 10 characters.")
    justification = (body.justification or "").strip() or None
    if body.public and len(justification or "") < MIN_JUSTIFICATION:
        problems.append(
            f"justification: at least {MIN_JUSTIFICATION} characters are needed for a public community."
        )
    technical_name = (body.technical_name or "").strip() or None
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
            description=(body.description or "").strip() or None,
            offer=body.offer,
            public=body.public,
            justification=justification,
            created=when,
        )
        record = store.requests.get(request_id)
        assert record is not None
        _send(store, mail.received(store, record, when, api_url=api_url))
    return record


# --- listing and reading ---------------------------------------------------------------------

StatusFilter = Annotated[
    str | None, Query(description="pending, accepted, rejected, cancelled (comma-separated for several)")
]
TypeFilter = Annotated[str | None, Query(description="join or datastore")]
Cursor = Annotated[
    str | None,
    Query(
        description='continue a listing: the cursor of the previous page\'s Link rel="next" header '
        "(keyset pagination, not shifted by requests decided meanwhile)"
    ),
]


@router.get(
    "/users/me/requests",
    summary="The caller's own requests, oldest first, paginated",
    response_model=list[schemas.RequestBody],
)
async def my_requests(
    request: Request,
    user: CurrentUser,
    status: StatusFilter = None,
    type: TypeFilter = None,
    page: Page = 1,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> JSONResponse:
    store = sandbox_of(request).store
    statuses, kind = _parse_statuses(status), _parse_type(type)
    after, until = _listing_window(store, page, cursor)
    offset, limit = page_window(page, limit)
    result = store.requests.page(
        offset=offset,
        limit=limit,
        after=after,
        until=until,
        requester_id=user.id,
        statuses=statuses,
        type=kind,
    )
    return _keyset_page(request, result, until)


@router.get(
    "/requests",
    summary="Requests to decide, oldest first, paginated: staff see all, community managers the join "
    "requests of their communities",
    response_model=list[schemas.RequestBody],
)
async def list_requests(
    request: Request,
    user: CurrentUser,
    status: StatusFilter = None,
    type: TypeFilter = None,
    community: Annotated[str | None, Query(description="community uuid or technical name")] = None,
    page: Page = 1,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> JSONResponse:
    store = sandbox_of(request).store
    statuses, kind = _parse_statuses(status), _parse_type(type)
    after, until = _listing_window(store, page, cursor)
    target = resolve_community(store, community) if community else None
    if community and target is None:
        raise ApiProblem(404, _("Community not found."))
    managed_by = None
    if not user.administrator:
        if not store.communities.manages_any(user.id):
            raise ApiProblem(
                403, _("Only the platform staff and community managers (COMMUNITY right) list requests.")
            )
        if target is not None and not manages(store, user, target.id):
            raise ApiProblem(403, _("You do not manage this community."))
        managed_by = user.id
        if kind == "datastore":  # managers decide on join requests only
            return _keyset_page(request, RequestPage([], [], total=0, position=0, more=False), 0)
        kind = "join"
    offset, limit = page_window(page, limit)
    result = store.requests.page(
        offset=offset,
        limit=limit,
        after=after,
        until=until,
        community_id=target.id if target else None,
        managed_by=managed_by,
        statuses=statuses,
        type=kind,
    )
    return _keyset_page(request, result, until)


@router.get(
    "/requests/{request_id}",
    summary="One request (requester, its managers, staff)",
    response_model=schemas.RequestBody,
)
async def get_request(request: Request, user: CurrentUser, request_id: str) -> JSONResponse:
    store = sandbox_of(request).store
    return JSONResponse(request_view(_visible_request(store, user, request_id)))


# --- state changes ---------------------------------------------------------------------------


def _conflict(record: RequestRecord, wanted: str) -> ApiProblem:
    messages = {
        "accepted": _("This request was already accepted; it cannot be {wanted} now."),
        "rejected": _("This request was already rejected; it cannot be {wanted} now."),
        "cancelled": _("This request was already cancelled by its requester; it cannot be {wanted} now."),
    }
    actions = {"accepted": _("accepted"), "rejected": _("rejected"), "cancelled": _("cancelled")}
    return ApiProblem(409, messages[record.status].format(wanted=actions.get(wanted, wanted)))


@router.post(
    "/requests/{request_id}/cancel",
    summary="Withdraw one's own pending request",
    response_model=schemas.RequestBody,
)
async def cancel_request(request: Request, user: CurrentUser, request_id: str) -> JSONResponse:
    sandbox = sandbox_of(request)
    store = sandbox.store
    record = _visible_request(store, user, request_id)
    if record.requester.id != user.id:
        raise ApiProblem(403, _("Only the requester can cancel a request."))
    if record.status == "cancelled":
        return _unchanged(record)  # replay: nothing to do
    if record.status != "pending":
        raise _conflict(record, "cancelled")
    with store.transaction():
        if not store.requests.transition(record.id, to="cancelled", when=iso(sandbox.now())):
            return _replay(store, record.id, "cancelled", "cancelled")
    return JSONResponse(request_view(_reread(store, record.id)))


def _reread(store: Store, request_id: str) -> RequestRecord:
    record = store.requests.get(request_id)
    assert record is not None
    return record


def _replay(store: Store, request_id: str, done: str, wanted: str) -> JSONResponse:
    """The request left 'pending' under us: same outcome → 200 unchanged, else 409."""
    record = _reread(store, request_id)
    if record.status == done:
        return _unchanged(record)
    raise _conflict(record, wanted)


def _unchanged(record: RequestRecord) -> JSONResponse:
    """A replayed decision: the request as it was, flagged so a bulk run can count it apart."""
    return JSONResponse({**request_view(record), "unchanged": True})


def _decidable(store: Store, user: User, request_id: str) -> RequestRecord:
    # Deciding is refused with 403 even to those who may not read the request: request ids are
    # unguessable, and "you may not decide" is the useful answer to a wrong approver.
    record = store.requests.get(request_id) if is_uuid(request_id) else None
    if record is None:
        record = _visible_request(store, user, request_id)  # the usual 404
    if not _can_decide(store, user, record):
        if record.type == "datastore":
            raise ApiProblem(403, _("Only the platform staff can decide on this request."))
        raise ApiProblem(403, _("Only the community's managers can decide on this request."))
    return record


@router.post(
    "/requests/{request_id}/accept",
    summary='Accept: a join adds the member (body {"rights": […]}); a datastore request creates the '
    "community and its datastore (staff)",
    response_model=schemas.RequestBody,
)
async def accept_request(request: Request, user: CurrentUser, request_id: str) -> JSONResponse:
    sandbox = sandbox_of(request)
    body = await json_body(request, schemas.AcceptBody, optional=True)
    store = sandbox.store
    record = _decidable(store, user, request_id)
    if record.status == "accepted":
        return _unchanged(record)
    if record.status != "pending":
        raise _conflict(record, "accepted")
    when = iso(sandbox.now())
    with store.transaction():
        if record.type == "join":
            rights = parse_rights(body.rights) if body.rights is not None else list(DEFAULT_JOIN_RIGHTS)
            assert record.community is not None
            if not store.requests.transition(
                record.id, to="accepted", when=when, decided_by=user.id, rights=rights
            ):
                return _replay(store, record.id, "accepted", "accepted")
            current = store.communities.membership(record.community.id, record.requester.id)
            granted = set(rights) | set(current.rights if current else ())
            store.communities.put_membership(record.community.id, record.requester.id, sorted(granted), when)
        else:
            if body.rights is not None:
                raise ApiProblem(
                    400, _("rights: only for join requests (the requester becomes the supervisor).")
                )
            community_id = _create_requested_community(store, record, when)
            if not store.requests.transition(
                record.id, to="accepted", when=when, decided_by=user.id, community_id=community_id
            ):
                return _replay(store, record.id, "accepted", "accepted")
        decided = _reread(store, record.id)
        store.outbox.add(mail.decided(decided, when, api_url=api_url_of(request)))
    return JSONResponse(request_view(decided))


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


@router.post(
    "/requests/{request_id}/reject",
    summary="Reject, with an optional reason sent to the requester",
    response_model=schemas.RequestBody,
)
async def reject_request(request: Request, user: CurrentUser, request_id: str) -> JSONResponse:
    sandbox = sandbox_of(request)
    body = await json_body(request, schemas.RejectBody, optional=True)
    store = sandbox.store
    record = _decidable(store, user, request_id)
    if record.status == "rejected":
        return _unchanged(record)
    if record.status != "pending":
        raise _conflict(record, "rejected")
    when = iso(sandbox.now())
    reason = (body.reason or "").strip() or None
    with store.transaction():
        if not store.requests.transition(
            record.id, to="rejected", when=when, decided_by=user.id, reason=reason
        ):
            return _replay(store, record.id, "rejected", "rejected")
        decided = _reread(store, record.id)
        store.outbox.add(mail.decided(decided, when, api_url=api_url_of(request)))
    return JSONResponse(request_view(decided))
