"""``client.requests``: the request workflow (SANDBOX; check ``client.capabilities().requests``
first): join and creation requests, the caller's own and those they may decide, and decisions."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx

from cartes_cli.client._base import json_of, maybe_json, parse_model
from cartes_cli.client._paths import segment
from cartes_cli.client._resource import APIResource
from cartes_cli.client.models import Request, RequestStatus, RequestType, Right
from cartes_cli.client.pagination import DEFAULT_CONCURRENCY, LinkedPages
from cartes_cli.client.resources._request_params import incoming_params, mine_params
from cartes_cli.client.validation import parse_rights, validate_datastore_request
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

__all__ = ["IDEMPOTENCY_KEY_HEADER", "IDEMPOTENT_REPLAYED_HEADER", "RequestsResource", "decision_unchanged"]

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
"""Sent with each decision (IETF draft ``draft-ietf-httpapi-idempotency-key-header``)."""
IDEMPOTENT_REPLAYED_HEADER = "Idempotent-Replayed"
"""Set by a server that answers a repeated key with the first answer (the sandbox does)."""


_UNCHANGED_AFTER = 5.0
"""A decision older than this (by the server's own clock) was not made by the current call."""
_CLOCK_SKEW = 2.0
"""Tolerance when the caller's clock must be used instead (``since``): seconds of skew allowed."""


def _server_date(response: httpx.Response) -> datetime | None:
    value = response.headers.get("date")
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


class RequestsResource(APIResource):
    """The request workflow (SANDBOX; check ``client.capabilities().requests`` first)."""

    def create_join(
        self, community_id: str, message: str | None = None, answers: Mapping[str, object] | None = None
    ) -> Request:
        """``POST /requests`` ``{"type": "join", …}``. Not retried once sent (it is not idempotent:
        a second pending request for the same community is a 409)."""
        body: dict[str, object] = {"type": "join", "community": community_id.strip()}
        if not body["community"]:
            raise UsageError(_("Say which workspace to join."))
        if message is not None and message.strip():
            body["message"] = message.strip()
        if answers:
            body["answers"] = dict(answers)
        return self._post_request("/requests", body, idempotent=False)

    def create_datastore(
        self,
        name: str,
        *,
        technical_name: str | None = None,
        description: str | None = None,
        offer: str = "essential",
        public: bool = False,
        justification: str | None = None,
    ) -> Request:
        """``POST /requests`` ``{"type": "datastore", …}``, after the client-side checks of
        :func:`cartes_cli.client.validation.validate_datastore_request`."""
        checked = validate_datastore_request(
            name,
            technical_name=technical_name,
            description=description,
            offer=offer,
            public=public,
            justification=justification,
        )
        return self._post_request("/requests", checked.body(), idempotent=False)

    def mine(
        self,
        status: RequestStatus | str | None = None,
        type: RequestType | str | None = None,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> Iterator[Request]:
        """``GET /users/me/requests``: the caller's own requests."""
        params = mine_params(status, type)
        return self._client.get_list(Request, "/users/me/requests", params=params, concurrency=concurrency)

    def incoming(
        self,
        status: RequestStatus | str | None = None,
        type: RequestType | str | None = None,
        community: str | None = None,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> Iterator[Request]:
        """``GET /requests``: what the caller may decide (staff: all; a COMMUNITY holder: the join
        requests of the communities they manage; others: 403 ``PermissionDenied``)."""
        params = incoming_params(status, type, community)
        return self._client.get_list(Request, "/requests", params=params, concurrency=concurrency)

    def incoming_snapshot(
        self,
        status: RequestStatus | str | None = None,
        type: RequestType | str | None = None,
        community: str | None = None,
    ) -> LinkedPages[Request]:
        """``GET /requests`` as of now, page by page: the first page is read at once (its
        ``total`` is the count), the following ones are reached by the cursor of each page's
        ``Link`` header, which decisions taken meanwhile do not shift and requests created
        meanwhile do not join. ``linked`` is False when the server gives no such links (then
        :meth:`incoming` must read every page before any decision)."""
        return self._client.get_linked(Request, "/requests", params=incoming_params(status, type, community))

    def get(self, request_id: str) -> Request:
        """``GET /requests/{r}``."""
        return self._client.get_model(Request, f"/requests/{segment(request_id, 'request id')}")

    def cancel(self, request_id: str) -> Request:
        """``POST /requests/{r}/cancel`` (the requester, while pending)."""
        return self._decide(request_id, "cancel", {}, RequestStatus.CANCELLED)

    def accept(
        self, request_id: str, rights: Iterable[Right | str] | None = None, *, since: float | None = None
    ) -> Request:
        """``POST /requests/{r}/accept`` (``{"rights": [...]}`` for a join request). Accepting an
        accepted request answers 200 unchanged; a rejected or cancelled one is a 409 ``Conflict``.
        Retried like an idempotent call.

        ``result.unchanged`` says whether this call changed nothing (see :func:`decision_unchanged`;
        ``since``, a ``time.time()`` taken before the call, lets it answer when the server's clock
        cannot)."""
        body: dict[str, object] = {}
        if rights is not None:
            body["rights"] = parse_rights([str(r) for r in rights], allow_empty=True)
        return self._decide(request_id, "accept", body, RequestStatus.ACCEPTED, since)

    def reject(self, request_id: str, reason: str | None = None, *, since: float | None = None) -> Request:
        """``POST /requests/{r}/reject`` (``{"reason": …}`` when given); idempotent like accept,
        and ``result.unchanged`` and ``since`` as there."""
        body: dict[str, object] = {}
        if reason is not None and reason.strip():
            body["reason"] = reason.strip()
        return self._decide(request_id, "reject", body, RequestStatus.REJECTED, since)

    # --- internals ----------------------------------------------------------------------------

    def _post_request(self, path: str, body: dict[str, object], *, idempotent: bool) -> Request:
        response = self._client.send("POST", path, json_body=body, idempotent=idempotent)
        return parse_model(Request, json_of(response), response)

    def _decide(
        self,
        request_id: str,
        verb: str,
        body: dict[str, object],
        target: RequestStatus,
        since: float | None = None,
    ) -> Request:
        path = f"/requests/{segment(request_id, 'request id')}/{verb}"
        # One key for every attempt of this decision: when an answer is lost after the platform
        # applied it, the retry gets that first answer back (a server that knows the header), not
        # "already decided", so the run's summary stays exact.
        key = {IDEMPOTENCY_KEY_HEADER: str(uuid.uuid4())}
        response = self._client.send("POST", path, json_body=body, idempotent=True, headers=key)
        data = maybe_json(response)
        # An empty 200/204: read the request back.
        request = parse_model(Request, data, response) if isinstance(data, dict) else self.get(request_id)
        if request.unchanged is None:
            if response.headers.get(IDEMPOTENT_REPLAYED_HEADER, "").lower() == "true":
                # Our own first answer, replayed after a lost one: it was this call that decided.
                request.unchanged = False
            else:
                request.unchanged = decision_unchanged(request, response, target, since)
        return request


def decision_unchanged(
    request: Request, response: httpx.Response, target: RequestStatus, since: float | None = None
) -> bool | None:
    """Did the decision that answered ``response`` change nothing (the request was already so)?

    The one place cartes decides it. With the server's own clock first: when the request is in the
    ``target`` state, its last update is compared with the answer's ``Date`` header (older than
    5 s: not this call). Otherwise, with ``since`` (the caller's ``time.time()`` before deciding):
    a request last updated before it, 2 s of skew allowed, was not changed by this call. None when
    neither clock can tell (no ``Date`` and no ``since``).
    """
    if request.status == target:
        date = _server_date(response)
        if date is not None and request.update is not None:
            return (date - request.update).total_seconds() > _UNCHANGED_AFTER
    if since is None:
        return None
    return request.update is not None and request.update.timestamp() < since - _CLOCK_SKEW
