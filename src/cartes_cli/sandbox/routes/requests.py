"""The request workflow's routes (sandbox only): join and datastore requests, join forms.

The rules (who sees and decides what, the single-use transitions) are in
``cartes_cli.sandbox.domain.requests``; here: parsing, keyset pagination, and the answers' shape.
"""

from __future__ import annotations

import base64
import re
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from cartes_cli.i18n import _
from cartes_cli.sandbox.domain import requests as workflow
from cartes_cli.sandbox.domain.communities import manages, resolve_community
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
    page_window,
)
from cartes_cli.sandbox.store import Store
from cartes_cli.sandbox.store.records import (
    REQUEST_STATUSES,
    REQUEST_TYPES,
    RequestPage,
    RequestRecord,
    UserRef,
)
from cartes_cli.sandbox.util import api_url_of

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


# --- parsing ---------------------------------------------------------------------------------


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
        # The query as sent, without its page and cursor, then the next cursor: what Starlette's
        # remove_query_params("page").include_query_params(cursor=…) gives, with one URL rebuilt
        # instead of two (a listing's pages are the sandbox's busiest answers).
        query = [
            (key, value)
            for key, value in parse_qsl(request.url.query, keep_blank_values=True)
            if key not in ("page", "cursor")
        ]
        query.append(("cursor", encode_cursor(result.seqs[-1], until)))
        headers["Link"] = f'<{request.url.replace(query=urlencode(query))}>; rel="next"'
    return JSONResponse([request_view(r) for r in result.records], headers=headers)


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
        record = workflow.create_join(
            sandbox,
            user,
            community_ref=join.community,
            answers=dict(join.answers),
            message=join.message,
            api_url=api_url_of(request),
        )
    else:
        datastore = await json_body(request, schemas.NewDatastoreRequest)
        record = workflow.create_datastore(
            sandbox,
            user,
            name=datastore.name,
            technical_name=datastore.technical_name,
            description=datastore.description,
            offer=datastore.offer,
            public=datastore.public,
            justification=datastore.justification,
            api_url=api_url_of(request),
        )
    return JSONResponse(request_view(record), status_code=201)


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
    offset, limit = page_window(request, page, limit)
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
    offset, limit = page_window(request, page, limit)
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
    return JSONResponse(request_view(workflow.visible_request(store, user, request_id)))


# --- state changes ---------------------------------------------------------------------------


@router.post(
    "/requests/{request_id}/cancel",
    summary="Withdraw one's own pending request",
    response_model=schemas.RequestBody,
)
async def cancel_request(request: Request, user: CurrentUser, request_id: str) -> JSONResponse:
    return _answer(workflow.cancel(sandbox_of(request), user, request_id))


def _answer(outcome: workflow.Outcome) -> JSONResponse:
    """The request after a change; a replayed change flagged so a bulk run can count it apart."""
    if outcome.unchanged:
        return JSONResponse({**request_view(outcome.record), "unchanged": True})
    return JSONResponse(request_view(outcome.record))


@router.post(
    "/requests/{request_id}/accept",
    summary='Accept: a join adds the member (body {"rights": […]}); a datastore request creates the '
    "community and its datastore (staff)",
    response_model=schemas.RequestBody,
)
async def accept_request(request: Request, user: CurrentUser, request_id: str) -> JSONResponse:
    sandbox = sandbox_of(request)
    body = await json_body(request, schemas.AcceptBody, optional=True)
    return _answer(
        workflow.accept(sandbox, user, request_id, rights=body.rights, api_url=api_url_of(request))
    )


@router.post(
    "/requests/{request_id}/reject",
    summary="Reject, with an optional reason sent to the requester",
    response_model=schemas.RequestBody,
)
async def reject_request(request: Request, user: CurrentUser, request_id: str) -> JSONResponse:
    sandbox = sandbox_of(request)
    body = await json_body(request, schemas.RejectBody, optional=True)
    return _answer(
        workflow.reject(sandbox, user, request_id, reason=body.reason, api_url=api_url_of(request))
    )
