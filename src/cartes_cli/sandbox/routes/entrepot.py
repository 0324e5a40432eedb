"""The Entrepôt API under ``/api``: same paths, shapes and status codes as ``data.geopf.fr/api``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from cartes_cli.i18n import _
from cartes_cli.sandbox.domain.communities import (
    community_by_id,
    edit_community,
    leave,
    manages,
    parse_rights,
    remove_member,
    require_manager,
    set_member_rights,
)
from cartes_cli.sandbox.domain.tokens import REALM, TYP_ACCESS, TokenInvalid, decode, expired
from cartes_cli.sandbox.errors import ApiProblem
from cartes_cli.sandbox.routes import schemas
from cartes_cli.sandbox.routes.deps import bearer_token, json_body, sandbox_of
from cartes_cli.sandbox.store import Store
from cartes_cli.sandbox.store.records import (
    Community,
    Datastore,
    Member,
    Membership,
    User,
    UserRef,
)
from cartes_cli.sandbox.util import iso
from cartes_cli.validators import is_uuid

API_PREFIX = "/api"
DEFAULT_LIMIT = 10
MAX_PAGE = 1_000_000
Page = Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number")]
Limit = Annotated[
    int, Query(ge=1, description="page size (at most the sandbox's --max-page-size, 100 by default)")
]

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": schemas.ApiErrorBody, "description": text}
    for status, text in (
        (400, "Bad input"),
        (401, "Missing, invalid or expired access token"),
        (403, "Not allowed"),
        (404, "Unknown"),
        (409, "Conflict with the current state"),
    )
}

router = APIRouter(prefix=API_PREFIX, tags=["Entrepôt API"], responses=_ERRORS)
ANNEXES_PREFIX = "/annexes"
annexes_router = APIRouter(prefix=ANNEXES_PREFIX, tags=["Annexes"])
"""Public files beside the API, as ``https://data.geopf.fr/annexes`` is beside ``…/api``."""


# --- authentication --------------------------------------------------------------------------


def _unauthorized(message: str, *, invalid_token: bool) -> ApiProblem:
    challenge = f'Bearer realm="{REALM}"'
    if invalid_token:
        challenge += ', error="invalid_token"'
    return ApiProblem(401, message, headers={"WWW-Authenticate": challenge})


async def authenticated_user(request: Request) -> User:
    """The account of the request's access token: signature, type, issuer and expiry checked.

    Like a resource server, the API does not ask Keycloak whether the session is still open: an
    access token stays usable until it expires, even after a logout.
    """
    sandbox = sandbox_of(request)
    token = bearer_token(request)
    if token is None:
        raise _unauthorized(
            "Authentication required: send an access token in an 'Authorization: Bearer' header.",
            invalid_token=False,
        )
    try:
        claims = decode(sandbox, token, typ=TYP_ACCESS)
    except TokenInvalid:
        raise _unauthorized("The access token is invalid.", invalid_token=True) from None
    if expired(sandbox, claims):
        raise _unauthorized("The access token has expired.", invalid_token=True)
    user = sandbox.store.users.get(str(claims["sub"]))
    if user is None or not user.enabled:
        raise _unauthorized("The account of this access token is unknown or disabled.", invalid_token=True)
    return user


CurrentUser = Annotated[User, Depends(authenticated_user)]


# --- views -----------------------------------------------------------------------------------


def _community_summary(community: Community) -> dict[str, Any]:
    body: dict[str, Any] = {
        "_id": community.id,
        "name": community.name,
        "technical_name": community.technical_name,
        "description": community.description,
    }
    if community.datastore_id:
        body["datastore"] = community.datastore_id
    body.update(
        supervisor=community.supervisor_id,
        public=community.public,
        creation=community.created,
        update=community.updated,
    )
    return body


def _organization(community: Community) -> dict[str, Any] | None:
    if community.organization_id is None:
        return None
    return {"_id": community.organization_id, "name": community.organization_name or ""}


def _catalog_item(community: Community) -> dict[str, Any]:
    body: dict[str, Any] = {
        "_id": community.id,
        "name": community.name,
        "technical_name": community.technical_name,
        "description": community.description,
        "contact": community.contact,
        "public": community.public,
    }
    organization = _organization(community)
    if organization is not None:
        body["organization"] = organization
    body.update(creation=community.created, update=community.updated)
    return body


def _community_detail(store: Store, community: Community) -> dict[str, Any]:
    body = _catalog_item(community)
    creation, update = body.pop("creation"), body.pop("update")
    if community.datastore_id:
        datastore = store.datastores.get(community.datastore_id)
        if datastore is not None:
            body["datastore"] = {
                "_id": datastore.id,
                "name": datastore.name,
                "technical_name": datastore.technical_name,
                "active": datastore.active,
            }
    supervisor = store.users.get(community.supervisor_id)
    body["supervisor"] = {
        "_id": community.supervisor_id,
        "first_name": supervisor.first_name if supervisor else "",
        "last_name": supervisor.last_name if supervisor else "",
        "email": supervisor.email if supervisor else "",
    }
    body.update(creation=creation, update=update)
    return body


def _datastore_detail(datastore: Datastore, community: Community) -> dict[str, Any]:
    return {
        "_id": datastore.id,
        "name": datastore.name,
        "technical_name": datastore.technical_name,
        "active": datastore.active,
        "community": {
            "_id": community.id,
            "name": community.name,
            "technical_name": community.technical_name,
        },
        "storages": {
            "data": [
                {
                    "storage": {"_id": s.id, "name": s.name, "type": s.type, "labels": list(s.labels)},
                    "use": s.use,
                    "quota": s.quota,
                }
                for s in datastore.storages
            ],
            "uploads": {"use": datastore.uploads_use, "quota": datastore.uploads_quota},
            "annexes": {"use": datastore.annexes_use, "quota": datastore.annexes_quota},
        },
        "endpoints": [
            {
                "endpoint": {
                    "_id": e.id,
                    "name": e.name,
                    "technical_name": e.technical_name,
                    "type": e.type,
                    "open": e.open,
                    "urls": [dict(u) for u in e.urls],
                },
                "use": e.use,
                "quota": e.quota,
            }
            for e in datastore.endpoints
        ],
        "creation": datastore.created,
        "update": datastore.updated,
    }


def content_range(offset: int, count: int, total: int) -> str:
    """``first-last/total`` with 0-based indexes; ``*/total`` for a page past the end (RFC 9110)."""
    if count == 0:
        return f"*/{total}"
    return f"{offset}-{offset + count - 1}/{total}"


def _membership_view(membership: Membership, community: Community) -> dict[str, Any]:
    return {"rights": list(membership.rights), "community": _community_summary(community)}


# --- routes ----------------------------------------------------------------------------------


@router.get("/users/me", summary="The caller's account and communities", response_model=schemas.UserMe)
async def users_me(request: Request, user: CurrentUser) -> JSONResponse:
    sandbox = sandbox_of(request)
    store = sandbox.store
    if user.entrepot_since is None:
        store.users.set_entrepot_since(user.id, iso(sandbox.now()))  # the first call creates the user
    return JSONResponse(
        {
            "_id": user.id,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "creation": user.created,
            "update": user.updated,
            "last_login": user.last_login,
            "administrator": user.administrator,
            "technical": user.technical,
            "documents_quota": user.documents_quota,
            "documents_use": user.documents_use,
            "keys_quota": user.keys_quota,
            "keys_use": user.keys_use,
            "communities_member": [
                _membership_view(m, c) for m, c in store.communities.memberships_of(user.id)
            ],
        }
    )


@router.get(
    "/catalogs/communities",
    summary="Public communities, sorted by name, paginated (Content-Range header)",
    response_model=list[schemas.CatalogCommunity],
)
async def catalog_communities(
    request: Request,
    user: CurrentUser,
    page: Page = 1,
    limit: Limit = DEFAULT_LIMIT,
    name: Annotated[
        str | None, Query(description="case- and accent-insensitive filter on name or technical_name")
    ] = None,
) -> JSONResponse:
    offset, limit = page_window(request, page, limit)
    communities, total = sandbox_of(request).store.communities.public(
        offset=offset, limit=limit, search=name.strip() if name and name.strip() else None
    )
    return JSONResponse(
        [_catalog_item(c) for c in communities],
        headers={"Content-Range": content_range(offset, len(communities), total)},
    )


def _visible_community(request: Request, user: User, community_id: str) -> Community:
    sandbox = sandbox_of(request)
    store = sandbox.store
    community = store.communities.get(community_id) if is_uuid(community_id) else None
    if community is None:
        raise ApiProblem(404, _("Community not found."))
    if user.administrator or store.communities.membership(community.id, user.id):
        return community
    if not sandbox.config.requests_api:
        # Real-platform mode: the production API is reported to refuse a community's detail to
        # anyone but its members (not confirmed in code): clients must use the catalogue.
        raise ApiProblem(403, _("You are not a member of this community."))
    if not community.public:
        raise ApiProblem(403, _("You are not a member of this private community."))
    return community


@router.get(
    "/communities/{community_id}",
    summary="Community detail (members, staff, or anyone for a public community)",
    response_model=schemas.CommunityDetail,
)
async def community_detail(request: Request, user: CurrentUser, community_id: str) -> JSONResponse:
    community = _visible_community(request, user, community_id)
    return JSONResponse(_community_detail(sandbox_of(request).store, community))


@router.get(
    "/datastores/{datastore_id}",
    summary="Datastore detail: storages, quotas, endpoints (members of its community, staff)",
    response_model=schemas.DatastoreDetail,
)
async def datastore_detail(request: Request, user: CurrentUser, datastore_id: str) -> JSONResponse:
    store = sandbox_of(request).store
    datastore = store.datastores.get(datastore_id) if is_uuid(datastore_id) else None
    community = store.communities.get(datastore.community_id) if datastore else None
    if datastore is None or community is None:
        raise ApiProblem(404, _("Datastore not found."))
    if not (user.administrator or store.communities.membership(community.id, user.id)):
        raise ApiProblem(403, _("Only the members of its community can see this datastore."))
    return JSONResponse(_datastore_detail(datastore, community))


# --- members and community settings (REAL routes) ---------------------------------------------


def page_window(request: Request, page: int, limit: int) -> tuple[int, int]:
    """``(offset, limit)`` of a 1-based page, the limit capped at the sandbox's page size
    (``--max-page-size``), from which the offset counts."""
    limit = min(limit, sandbox_of(request).config.max_page_size)
    return (page - 1) * limit, limit


def member_view(member: Member) -> dict[str, Any]:
    return {
        "rights": list(member.rights),
        "user": {
            "_id": member.user.id,
            "email": member.user.email,
            "first_name": member.user.first_name,
            "last_name": member.user.last_name,
        },
        "creation": member.created,
        "update": member.updated,
    }


@router.get(
    "/communities/{community_id}/users",
    summary="Members of a community, sorted by last name, paginated (COMMUNITY right or staff)",
    response_model=list[schemas.Member],
)
async def community_members(
    request: Request,
    user: CurrentUser,
    community_id: str,
    page: Page = 1,
    limit: Limit = DEFAULT_LIMIT,
    rights: Annotated[
        str | None, Query(description="comma-separated: only members holding all these rights")
    ] = None,
) -> JSONResponse:
    store = sandbox_of(request).store
    community = community_by_id(store, community_id)
    require_manager(store, user, community)
    wanted = parse_rights(rights.split(",")) if rights else []
    offset, limit = page_window(request, page, limit)
    members, total = store.communities.members(community.id, offset=offset, limit=limit, rights=wanted)
    return JSONResponse(
        [member_view(m) for m in members],
        headers={"Content-Range": content_range(offset, len(members), total)},
    )


def _member(store: Store, community_id: str, user_id: str) -> Member:
    membership = store.communities.membership(community_id, user_id)
    target = store.users.get(user_id)
    assert membership is not None
    assert target is not None
    return Member(
        user=UserRef(target.id, target.email, target.first_name, target.last_name),
        rights=membership.rights,
        created=membership.created,
        updated=membership.updated,
    )


@router.put(
    "/communities/{community_id}/users/{user_id}",
    summary="Add a member or replace their rights (COMMUNITY right or staff)",
    response_model=schemas.Member,
    responses={409: {"model": schemas.ApiErrorBody, "description": "the supervisor's rights"}},
)
async def put_member(request: Request, user: CurrentUser, community_id: str, user_id: str) -> JSONResponse:
    sandbox = sandbox_of(request)
    store = sandbox.store
    require_manager(store, user, community_by_id(store, community_id))
    body = await json_body(request, schemas.MemberRights)
    community = community_by_id(store, community_id)  # as it is now, after reading the body
    target = set_member_rights(sandbox, community, user_id, body.rights)
    return JSONResponse(member_view(_member(store, community.id, target.id)))


@router.delete(
    "/communities/{community_id}/users/{user_id}",
    summary="Remove a member (COMMUNITY right or staff); the supervisor cannot be removed",
    status_code=204,
    response_class=Response,
    responses={409: {"model": schemas.ApiErrorBody, "description": "the supervisor"}},
)
async def delete_member(request: Request, user: CurrentUser, community_id: str, user_id: str) -> Response:
    store = sandbox_of(request).store
    community = community_by_id(store, community_id)
    require_manager(store, user, community)
    remove_member(store, community, user_id)
    return Response(status_code=204)


@router.patch(
    "/communities/{community_id}",
    summary="Edit a community: name, description, contact, public (COMMUNITY right or staff); "
    "supervisor (the supervisor or staff)",
    response_model=schemas.CommunityDetail,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schemas.inline_schema(schemas.CommunityPatch)}},
        }
    },
)
async def patch_community(request: Request, user: CurrentUser, community_id: str) -> JSONResponse:
    sandbox = sandbox_of(request)
    store = sandbox.store
    if not manages(store, user, community_by_id(store, community_id).id):
        raise ApiProblem(403, _("Editing this community needs the COMMUNITY right on it."))
    body = await json_body(request, schemas.CommunityPatch)
    community = community_by_id(store, community_id)  # as it is now, after reading the body
    edit_community(sandbox, user, community, body.model_dump(exclude_unset=True, exclude_none=True))
    updated = store.communities.get(community.id)
    assert updated is not None
    return JSONResponse(_community_detail(store, updated))


@router.delete(
    "/users/me/communities/{community_id}",
    summary="Leave a community (its supervisor cannot)",
    status_code=204,
    response_class=Response,
    responses={409: {"model": schemas.ApiErrorBody, "description": "the supervisor"}},
)
async def leave_community(request: Request, user: CurrentUser, community_id: str) -> Response:
    store = sandbox_of(request).store
    leave(store, user, community_id)
    return Response(status_code=204)


# --- annexes (REAL path: the join forms cartes.gouv.fr reads) -----------------------------------


@annexes_router.get(
    "/{technical_name}/public/join.json",
    summary="A community's join form, public (404 when it has none), as on data.geopf.fr/annexes",
    response_model=schemas.JoinForm,
    responses={404: {"model": schemas.ApiErrorBody, "description": "No such community, or no form"}},
)
async def public_join_form(request: Request, technical_name: str) -> JSONResponse:
    store = sandbox_of(request).store
    community = store.communities.by_technical_name(technical_name)
    fields = store.communities.join_form(community.id) if community is not None else None
    if community is None or not fields:
        raise ApiProblem(404, _("No such annexe."))
    return JSONResponse({"fields": fields})
