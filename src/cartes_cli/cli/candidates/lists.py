"""The lists Tab completion offers from (my workspaces, the public catalogue, the pending
requests I may decide or sent), each from the cache when fresh, else fetched and cached."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from cartes_cli.cli.candidates.cache import CandidateCache, Items
from cartes_cli.cli.candidates.fetch import (
    PENDING,
    Deadline,
    FetchError,
    FetchTimeout,
    get_json,
    get_list,
    in_parallel,
)
from cartes_cli.cli.candidates.session import Session

BUDGET = 0.4
"""Seconds one Tab press may spend fetching, all lists together (start-up adds about 0.1 s)."""
WORKSPACES_TTL = 300.0
REQUESTS_TTL = 60.0


def _community(c: Any) -> dict[str, Any] | None:
    if not isinstance(c, dict) or not isinstance(c.get("_id"), str):
        return None
    return {"id": c["_id"], "technical_name": c.get("technical_name"), "name": c.get("name")}


def fetch_my_workspaces(session: Session, deadline: Deadline) -> Items:
    me, _headers = get_json(session, "/users/me", {}, deadline)
    items: Items = []
    for membership in (me.get("communities_member") if isinstance(me, dict) else None) or []:
        if not isinstance(membership, dict):
            continue
        community = _community(membership.get("community"))
        if community is not None:
            rights = membership.get("rights")
            community["rights"] = [str(r) for r in rights] if isinstance(rights, list) else []
            items.append(community)
    return items


def fetch_catalogue(session: Session, deadline: Deadline) -> Items:
    found = (_community(c) for c in get_list(session, "/catalogs/communities", {}, deadline))
    return [c for c in found if c is not None]


def _request_item(r: dict[str, Any]) -> dict[str, Any] | None:
    if not isinstance(r.get("_id"), str):
        return None
    requester = r.get("requester")
    if isinstance(requester, dict):
        who = requester.get("email") or " ".join(
            p for p in (requester.get("first_name"), requester.get("last_name")) if p
        )
    else:
        who = requester if isinstance(requester, str) else None
    community = r.get("community")
    if r.get("type") == "datastore":
        where = r.get("technical_name") or r.get("name")
    elif isinstance(community, dict):
        where = community.get("technical_name") or community.get("name")
    else:
        where = None
    return {"id": r["_id"], "type": r.get("type"), "requester": who or None, "workspace": where}


def _requests(path: str) -> Callable[[Session, Deadline], Items]:
    def fetch(session: Session, deadline: Deadline) -> Items:
        try:
            rows = get_list(session, path, {"status": "pending"}, deadline)
        except FetchError as exc:
            if exc.status in (403, 404):  # nothing to decide here, or no request API
                return []
            raise
        found = (_request_item(r) for r in rows)
        return [r for r in found if r is not None]

    return fetch


MY_WORKSPACES = "workspaces.mine"
CATALOGUE = "workspaces.catalogue"
INCOMING = "requests.incoming"
MY_REQUESTS = "requests.mine"

Fetcher = Callable[[Session, Deadline], Items]
LISTS: dict[str, tuple[float, Fetcher]] = {
    MY_WORKSPACES: (WORKSPACES_TTL, fetch_my_workspaces),
    CATALOGUE: (WORKSPACES_TTL, fetch_catalogue),
    INCOMING: (REQUESTS_TTL, _requests("/requests")),
    MY_REQUESTS: (REQUESTS_TTL, _requests("/users/me/requests")),
}


def load_lists(
    session: Session,
    kinds: Iterable[str],
    *,
    cache: CandidateCache | None = None,
    budget: float = BUDGET,
    lists: Mapping[str, tuple[float, Fetcher]] | None = None,
) -> dict[str, Items | None]:
    """Each list from the cache when fresh, else fetched (all together, within ``budget``) and
    cached; None for a list that could not be had."""
    cache = cache or CandidateCache()
    lists = lists or LISTS
    out: dict[str, Items | None] = {}
    missing: list[str] = []
    for kind in kinds:
        ttl, _fetch = lists[kind]
        found = cache.lookup(kind, session.key, ttl)
        if found.state == "fresh":
            out[kind] = found.items
        elif found.state == "backoff" or not session.token:
            out[kind] = None
        else:
            missing.append(kind)
    if missing:
        deadline = Deadline(budget)
        results = in_parallel([functools.partial(lists[k][1], session, deadline) for k in missing], deadline)
        for kind, result in zip(missing, results, strict=True):
            if result is PENDING or isinstance(result, FetchTimeout):
                cache.note_timeout(kind, session.key)
                out[kind] = None
            elif isinstance(result, BaseException) or not isinstance(result, list):
                out[kind] = None
            else:
                cache.save(kind, session.key, result)
                out[kind] = result
    return out
