"""``GeoplateformeClient``: the typed client of the Entrepôt API (and of the sandbox's extras).

One ``httpx.Client`` per platform (connection pool, TLS through the OS trust store, no redirects
followed). Every request goes through :meth:`GeoplateformeClient._request`, the single place where
transport failures and error statuses become typed errors and where transient failures are
retried (see :mod:`cartes_cli.client.retry`). Resources hang off the client: ``client.users``,
``client.communities``, ``client.datastores``, ``client.requests``, ``client.sandbox``,
``client.accounts`` (sign-up) and ``client.account`` (the caller's account at the login server); and
``client.capabilities()`` tells a sandbox from the real Géoplateforme.

Nothing here prints or prompts; the optional ``debug`` callback receives one redacted line per
request and per response.
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from cartes_cli.client.accounts import AccountResource, AccountsResource
from cartes_cli.client.errors import error_from_response, parse_retry_after
from cartes_cli.client.models import (
    AdminUser,
    Capabilities,
    CatalogCommunity,
    Community,
    CommunitySummary,
    Credential,
    Datastore,
    JoinForm,
    Member,
    OutboxMessage,
    Request,
    RequestStatus,
    RequestType,
    Right,
    User,
)
from cartes_cli.client.pagination import (
    DEFAULT_CONCURRENCY,
    LinkedPages,
    PageInfo,
    iter_pages,
    parse_content_range,
)
from cartes_cli.client.redact import redact_url
from cartes_cli.client.retry import IDEMPOTENT_METHODS, RETRY_STATUSES, RetryPolicy, retryable_exception
from cartes_cli.client.validation import is_uuid, parse_rights, validate_datastore_request
from cartes_cli.errors import (
    AmbiguousReference,
    CartesError,
    InvalidResponse,
    NotFound,
    UsageError,
)
from cartes_cli.i18n import _
from cartes_cli.platforms import Platform
from cartes_cli.textsearch import matches
from cartes_cli.transport import (
    API_MAX_BYTES,
    accept_language,
    bound_client,
    default_user_agent,
    default_verify,
    transport_error,
    url_without_query,
)

__all__ = [
    "AccountResource",
    "AccountsResource",
    "AdminResource",
    "CommunitiesResource",
    "DatastoresResource",
    "GeoplateformeClient",
    "RequestsResource",
    "SandboxResource",
    "UsersResource",
]

M = TypeVar("M", bound=BaseModel)

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
"""Sent with each decision (IETF draft ``draft-ietf-httpapi-idempotency-key-header``)."""
IDEMPOTENT_REPLAYED_HEADER = "Idempotent-Replayed"
"""Set by a server that answers a repeated key with the first answer (the sandbox does)."""

DebugFn = Callable[[str], None]
Params = Mapping[str, str | int | float | bool | None]

_START = "cartes.start"


def _label(what: str) -> str:
    """What an identifier or a choice names, in the user's language."""
    labels = {
        "identifier": _("identifier"),
        "captcha id": _("captcha id"),
        "community id": _("community id"),
        "user id": _("user id"),
        "datastore id": _("datastore id"),
        "request id": _("request id"),
        "status": _("status"),
        "request type": _("request type"),
    }
    return labels.get(what, what)


def _segment(value: str, what: str = "identifier") -> str:
    """One URL path segment, percent-encoded; refuses values that would change the path."""
    text = str(value).strip()
    if not text or text in (".", ".."):
        raise UsageError(_("{value} is not a valid {what}.").format(value=repr(text), what=_label(what)))
    return quote(text, safe="")


class GeoplateformeClient:
    """Typed client of one platform's Entrepôt API.

    ``auth`` is usually :class:`cartes_cli.auth.httpx_auth.BearerAuth`; ``transport`` is for tests
    (TLS settings are then the transport's business). ``max_connections`` bounds the pool and
    the kept-alive connections alike: make it at least the concurrency of a bulk run (plus the
    pagination read-ahead, 4) so that workers never wait for a connection.

    ``retry`` (default :class:`RetryPolicy`; ``RetryPolicy.never()`` disables retries), ``sleep``,
    ``random`` and ``clock`` (monotonic) are injectable for tests.
    """

    def __init__(
        self,
        platform: Platform,
        *,
        auth: httpx.Auth | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        debug: DebugFn | None = None,
        max_connections: int = 16,
        user_agent: str | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self.platform = platform
        self.max_connections = max_connections
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._random = random
        self._clock = clock
        self._capabilities: Capabilities | None = None
        self._capabilities_lock = threading.Lock()
        self._debug = debug
        hooks: dict[str, list[Callable[[Any], Any]]] = {"request": [], "response": []}
        if debug is not None:
            hooks["request"].append(self._log_request)
            hooks["response"].append(self._log_response)
        options: dict[str, Any] = {}
        if transport is not None:
            options["transport"] = transport
        else:
            options["verify"] = default_verify()
        self._base = platform.api_url.rstrip("/") + "/"
        self._http = _CookielessClient(
            base_url=self._base,
            auth=auth,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            headers={
                "User-Agent": user_agent or default_user_agent(),
                "Accept": "application/json",
                "Accept-Language": accept_language(),
            },
            event_hooks=hooks,
            **options,
        )
        if transport is None:  # the network: each answer within the time-out in all, and bounded
            bound_client(self._http, deadline=timeout, max_bytes=API_MAX_BYTES)
        self.users = UsersResource(self)
        self.communities = CommunitiesResource(self)
        self.datastores = DatastoresResource(self)
        self.requests = RequestsResource(self)
        self.sandbox = SandboxResource(self)
        self.accounts = AccountsResource(self)
        self.account = AccountResource(self)
        self.admin = AdminResource(self)

    # --- life cycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GeoplateformeClient({self.platform.name!r}, {self.platform.api_url!r})"

    @property
    def root_url(self) -> str:
        """The API root without its ``/api`` suffix (``http://127.0.0.1:8123``): where the
        sandbox's own routes (``/sandbox/…``) live."""
        base = self.platform.api_url.rstrip("/")
        return base[: -len("/api")] if base.endswith("/api") else base

    @property
    def annexes_url(self) -> str:
        """Where the platform publishes its annexes, beside the API: ``https://data.geopf.fr/api``
        → ``https://data.geopf.fr/annexes`` (a trailing ``/api`` replaced by ``/annexes``).
        cartes.gouv.fr reads the join forms there (``assets/env.ts``, ``annexesUrl``)."""
        return self.root_url + "/annexes"

    # --- capabilities -------------------------------------------------------------------------

    def capabilities(self, *, refresh: bool = False) -> Capabilities:
        """What the platform offers beyond the Entrepôt API (cached per client).

        ``GET {root}/sandbox/capabilities`` without credentials. A 4xx (404 on the real
        Géoplateforme), a redirect or an answer that is not a JSON object means "the real
        platform": no sandbox feature. Unreachable platforms and 5xx still raise.
        """
        with self._capabilities_lock:
            if self._capabilities is not None and not refresh:
                return self._capabilities
        response = self._request(
            "GET", self.root_url + "/sandbox/capabilities", authenticated=False, raise_for_status=False
        )
        capabilities = Capabilities.real_platform()
        if response.is_success:
            try:
                data = json.loads(response.content) if response.content else None
            except ValueError:
                data = None
            if isinstance(data, dict):
                try:
                    capabilities = Capabilities.model_validate(data)
                except ValidationError:
                    capabilities = Capabilities.real_platform()
        elif response.status_code >= 500 or response.status_code == 429:
            raise error_from_response(response)
        with self._capabilities_lock:
            self._capabilities = capabilities
        return capabilities

    # --- debug log ----------------------------------------------------------------------------

    def _emit(self, line: str) -> None:
        if self._debug is not None:
            with contextlib.suppress(Exception):  # a broken log sink must not break the request
                self._debug(line)

    def _log_request(self, request: httpx.Request) -> None:
        request.extensions[_START] = time.perf_counter()
        self._emit(f"→ {request.method} {redact_url(request.url)}")

    def _log_response(self, response: httpx.Response) -> None:
        request = response.request
        start = request.extensions.get(_START)
        elapsed = f" ({(time.perf_counter() - start) * 1000:.0f} ms)" if isinstance(start, float) else ""
        self._emit(f"← {response.status_code} {request.method} {redact_url(request.url)}{elapsed}")

    # --- the request path ---------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json_body: Any = None,
        idempotent: bool | None = None,
        authenticated: bool = True,
        raise_for_status: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one call; return the 2xx response or raise a typed error.

        ``path`` is relative to the API root, or an absolute URL. ``idempotent`` defaults from the
        method (GET, HEAD, OPTIONS, PUT, DELETE); pass True for calls the API makes idempotent
        (accepting a request twice answers 200). Transient failures are retried according to
        :attr:`retry`. ``authenticated=False`` sends no credentials. ``raise_for_status=False``
        returns error answers (after retries) instead of raising.

        Raises ``TransportError`` (unreachable, time-out, TLS), an ``ApiError`` subclass for an
        error status, and lets ``CartesError`` from the auth layer (expired session…) through.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        # An absolute URL: httpx parses it once, where a relative one is parsed, then joined.
        target = path if path.startswith(("http://", "https://")) else self._base + path.lstrip("/")
        policy = self.retry
        first = self._clock()
        attempt = 0
        while True:
            attempt += 1
            start = time.perf_counter()
            try:
                response = self._http.request(
                    method,
                    target,
                    params=clean_params or None,
                    json=json_body,
                    headers=headers,
                    auth=httpx.USE_CLIENT_DEFAULT if authenticated else None,
                )
            except CartesError:
                raise
            except httpx.DecodingError as exc:
                url = self._http.base_url.join(target)
                raise InvalidResponse(
                    _("The platform's answer to {what} could not be decoded.").format(
                        what=f"{method} {url_without_query(url)}"
                    )
                ) from exc
            except httpx.HTTPError as exc:  # TransportError, TimeoutException, TooManyRedirects…
                url = self._http.base_url.join(target)  # only now: parsing URLs costs CPU in bulk runs
                error = transport_error(exc, url)
                self._emit(
                    f"✗ {method} {redact_url(url)}: {error} ({(time.perf_counter() - start) * 1000:.0f} ms)"
                )
                if retryable_exception(exc, idempotent=idempotent):
                    delay = policy.backoff(attempt, self._random())
                    if self._may_retry(attempt, first, delay):
                        self._wait(method, url, delay, attempt, str(error))
                        continue
                raise error from exc
            if response.is_success:
                return response
            status = response.status_code
            if status in RETRY_STATUSES and idempotent:
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                if retry_after is not None and retry_after > policy.max_retry_after:
                    if not raise_for_status:
                        return response
                    raise error_from_response(response)
                delay = retry_after if retry_after is not None else policy.backoff(attempt, self._random())
                if self._may_retry(attempt, first, delay):
                    self._wait(method, response.request.url, delay, attempt, f"HTTP {status}")
                    continue
            if not raise_for_status:
                return response
            raise error_from_response(response)

    def _may_retry(self, attempt: int, first: float, delay: float) -> bool:
        policy = self.retry
        return attempt < policy.max_attempts and (self._clock() - first) + delay <= policy.deadline

    def _wait(self, method: str, url: httpx.URL, delay: float, attempt: int, reason: str) -> None:
        self._emit(
            f"↻ {method} {redact_url(url)}: {reason}; retry {attempt}/{self.retry.max_attempts - 1} "
            f"in {delay:.2f} s"
        )
        if delay > 0:
            self._sleep(delay)

    def _json(self, response: httpx.Response) -> Any:
        what = f"{response.request.method} {url_without_query(response.request.url)}"
        if response.status_code == 204 or not response.content:
            raise InvalidResponse(
                _("The platform's answer to {what} is empty; a JSON document was expected.").format(what=what)
            )
        try:
            return json.loads(response.content)
        except ValueError:
            content_type = response.headers.get("content-type", "unknown type").split(";")[0]
            raise InvalidResponse(
                _("The platform's answer to {what} is not JSON ({content_type}); check the API URL.").format(
                    what=what, content_type=content_type
                )
            ) from None

    def _parse(self, model: type[M], data: Any, response: httpx.Response) -> M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            what = f"{response.request.method} {url_without_query(response.request.url)}"
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}"
                for err in exc.errors(include_url=False, include_input=False)[:3]
            )
            raise InvalidResponse(
                _("The platform's answer to {what} is not what cartes expects ({problems}).").format(
                    what=what, problems=problems
                )
            ) from None

    def _get_model(self, model: type[M], path: str, *, params: Params | None = None) -> M:
        response = self._request("GET", path, params=params)
        return self._parse(model, self._json(response), response)

    def _maybe_json(self, response: httpx.Response) -> Any:
        """The JSON body, or None when the answer is empty (204) or not JSON."""
        if response.status_code == 204 or not response.content:
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            return None

    def _fetch_page(
        self, model: type[M], path: str, params: Params | None, page: int, limit: int
    ) -> tuple[list[M], PageInfo]:
        response = self._request("GET", path, params={**(params or {}), "page": page, "limit": limit})
        return self._items(model, response), parse_content_range(response.headers.get("content-range"))

    def _list(
        self,
        model: type[M],
        path: str,
        *,
        params: Params | None = None,
        limit: int = 50,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> Iterator[M]:
        def fetch(page: int, size: int) -> tuple[list[M], PageInfo]:
            return self._fetch_page(model, path, params, page, size)

        return iter_pages(fetch, limit=limit, concurrency=concurrency)

    def _items(self, model: type[M], response: httpx.Response) -> list[M]:
        data = self._json(response)
        if not isinstance(data, list):
            what = f"GET {url_without_query(response.request.url)}"
            raise InvalidResponse(_("The platform's answer to {what} is not a list.").format(what=what))
        return [self._parse(model, item, response) for item in data]

    def _linked(
        self, model: type[M], path: str, *, params: Params | None = None, limit: int = 50
    ) -> LinkedPages[M]:
        """The first page now (errors raised here), the next ones by their ``Link: rel="next"``."""

        def fetch(url: str) -> tuple[list[M], str | None]:
            response = self._request("GET", url)
            return self._items(model, response), _next_link(response)

        response = self._request("GET", path, params={**(params or {}), "limit": limit})
        first = self._items(model, response)
        info = parse_content_range(response.headers.get("content-range"))
        return LinkedPages(first, info, _next_link(response), fetch)


class _NoCookies(httpx.Cookies):
    """A cookie jar that keeps nothing (and so sends nothing)."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None

    def set(self, name: str, value: str, domain: str = "", path: str = "/") -> None:
        return None

    def __bool__(self) -> bool:
        return False

    def set_cookie_header(self, request: httpx.Request) -> None:
        return None


class _CookielessClient(httpx.Client):
    """``httpx.Client`` without cookies. The Entrepôt API authenticates every call with a bearer
    token and needs none; a cookie set by a gateway on the way would only carry state from one
    call to the next. And httpx reads every answer's cookies through urllib's compatibility
    objects: about a third of the CLI's CPU per decision in a bulk run."""

    _jar = _NoCookies()

    @property
    def cookies(self) -> httpx.Cookies:
        return self._jar

    @cookies.setter
    def cookies(self, value: Any) -> None:
        return None


def _next_link(response: httpx.Response) -> str | None:
    """The ``Link: <…>; rel="next"`` URL, if the server gives one on the same origin (a link
    elsewhere would carry the credentials away)."""
    url = response.links.get("next", {}).get("url")
    if not url:
        return None
    target = response.request.url.join(url)
    if (target.scheme, target.host, target.port) != (
        response.request.url.scheme,
        response.request.url.host,
        response.request.url.port,
    ):
        return None
    return str(target)


def _incoming_params(
    status: RequestStatus | str | None, type: RequestType | str | None, community: str | None
) -> dict[str, str | None]:
    return {
        "status": _choice(status, RequestStatus, "status"),
        "type": _choice(type, RequestType, "request type"),
        "community": community.strip() if community and community.strip() else None,
    }


class _Resource:
    def __init__(self, client: GeoplateformeClient) -> None:
        self._client = client


def _fold_key(text: str | None) -> str:
    return (text or "").strip().casefold()


def _as_community(item: BaseModel) -> Community:
    """A membership summary or a catalogue item as a ``Community`` (what was known, no request)."""
    return Community.model_validate(item.model_dump(by_alias=True, exclude_none=True))


def _candidate_label(c: BaseModel) -> str:
    name = getattr(c, "name", None) or "?"
    technical = getattr(c, "technical_name", None) or "?"
    return f"{name} ({technical}, {getattr(c, 'id', '?')})"


class UsersResource(_Resource):
    def me(self) -> User:
        """``GET /users/me``: the caller, with memberships (the first call creates the user)."""
        return self._client._get_model(User, "/users/me")


class CommunitiesResource(_Resource):
    def catalog(
        self,
        *,
        search: str | None = None,
        limit: int = 50,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> Iterator[CatalogCommunity]:
        """Every public community (``GET /catalogs/communities``, all pages, in order).

        ``search`` filters client-side: every word must appear in the name, technical name or
        description, case and accents ignored. It is not sent to the server: the real API's filter
        parameters are undocumented, and a server-side filter with other semantics would hide
        results. Lazy: requests start when iteration does.
        """
        items = self._client._list(
            CatalogCommunity, "/catalogs/communities", limit=limit, concurrency=concurrency
        )
        if not search or not search.strip():
            return items
        return (c for c in items if matches(search, c.name, c.technical_name, c.description))

    def get(self, community_id: str) -> Community:
        """``GET /communities/{c}``."""
        return self._client._get_model(Community, f"/communities/{_segment(community_id, 'community id')}")

    def members(
        self,
        community_id: str,
        *,
        rights: list[Right | str] | None = None,
        limit: int = 50,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> Iterator[Member]:
        """``GET /communities/{c}/users`` (all pages; needs the COMMUNITY right).

        ``rights`` is passed as the documented ``rights`` filter (comma-separated).
        """
        params: dict[str, str | None] = {"rights": ",".join(str(r) for r in rights) if rights else None}
        return self._client._list(
            Member,
            f"/communities/{_segment(community_id, 'community id')}/users",
            params=params,
            limit=limit,
            concurrency=concurrency,
        )

    def put_member(self, community_id: str, user_id: str, rights: Iterable[Right | str]) -> Member:
        """``PUT /communities/{c}/users/{u}``: add a member or replace their rights (an upsert,
        safe to replay). ``rights`` are checked before sending (``UsageError`` for unknown ones)."""
        names = parse_rights([str(r) for r in rights], allow_empty=True)
        response = self._client._request(
            "PUT",
            f"/communities/{_segment(community_id, 'community id')}/users/{_segment(user_id, 'user id')}",
            json_body={"rights": names},
        )
        data = self._client._maybe_json(response)
        if isinstance(data, dict) and isinstance(data.get("user"), dict):
            return self._client._parse(Member, data, response)
        # Other shapes (the user, the community, nothing): what we asked for is what holds now.
        granted = data.get("rights", names) if isinstance(data, dict) else names
        return Member.model_validate({"rights": granted, "user": {"_id": user_id}})

    def remove_member(self, community_id: str, user_id: str) -> None:
        """``DELETE /communities/{c}/users/{u}`` (the supervisor cannot be removed: 4xx)."""
        self._client._request(
            "DELETE",
            f"/communities/{_segment(community_id, 'community id')}/users/{_segment(user_id, 'user id')}",
        )

    def update(
        self,
        community_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        contact: str | None = None,
        public: bool | None = None,
        supervisor: str | None = None,
    ) -> Community:
        """``PATCH /communities/{c}`` with the fields given (needs the COMMUNITY right)."""
        fields: dict[str, Any] = {
            "name": name,
            "description": description,
            "contact": contact,
            "public": public,
            "supervisor": supervisor,
        }
        body = {k: v for k, v in fields.items() if v is not None}
        if not body:
            raise UsageError(_("Nothing to update: give at least one field to change."))
        response = self._client._request(
            "PATCH", f"/communities/{_segment(community_id, 'community id')}", json_body=body, idempotent=True
        )
        return self._client._parse(Community, self._client._json(response), response)

    def join_form(self, community_id: str) -> JoinForm:
        """``GET /communities/{c}/join_form``; a community without a form (404) gives an empty one."""
        try:
            return self._client._get_model(
                JoinForm, f"/communities/{_segment(community_id, 'community id')}/join_form"
            )
        except NotFound:
            return JoinForm()

    def public_join_form(self, technical_name: str) -> JoinForm:
        """``{annexes}/{technical_name}/public/join.json``: the join form as cartes.gouv.fr reads it
        (``JoinExistingDatastoreModal.tsx``), without credentials (the annexe is public). A 4xx
        (404: none published) or an answer that is not a form means "no form", as on the site;
        a 5xx or an unreachable server still raises."""
        url = f"{self._client.annexes_url}/{_segment(technical_name, 'identifier')}/public/join.json"
        response = self._client._request("GET", url, authenticated=False, raise_for_status=False)
        if 400 <= response.status_code < 500:
            return JoinForm()
        if not response.is_success:
            raise error_from_response(response)
        data = self._client._maybe_json(response)
        if not isinstance(data, dict):
            return JoinForm()
        try:
            return JoinForm.model_validate(data)
        except ValidationError:
            return JoinForm()

    def find_public(self, ref: str) -> CatalogCommunity:
        """A community of the public catalogue by id, technical name or exact name (case
        ignored), without ``GET /communities/{id}``, which the platform may refuse to a
        non-member. ``NotFound`` when the catalogue has none; ``AmbiguousReference`` when a name
        names several."""
        text = (ref or "").strip()
        if not text:
            raise UsageError(_("The workspace is empty: give its id, technical name or name."))
        key = _fold_key(text)
        by_name: list[CatalogCommunity] = []
        for item in self.catalog():
            if _fold_key(item.id) == key or _fold_key(item.technical_name) == key:
                return item
            if _fold_key(item.name) == key:
                by_name.append(item)
        unique = {c.id: c for c in by_name}
        if len(unique) == 1:
            return next(iter(unique.values()))
        if len(unique) > 1:
            labels = [_candidate_label(c) for c in unique.values()]
            raise AmbiguousReference(
                _(
                    "'{ref}' names {n} workspaces: {workspaces}. Give the technical name or the id instead."
                ).format(ref=text, n=len(labels), workspaces="; ".join(labels)),
                candidates=labels,
            )
        raise NotFound(
            _("No public workspace matches '{ref}' (by id, technical name or exact name).").format(ref=text)
        )

    def leave(self, community_id: str) -> None:
        """``DELETE /users/me/communities/{c}``: leave a community."""
        self._client._request("DELETE", f"/users/me/communities/{_segment(community_id, 'community id')}")

    def resolve(self, ref: str) -> Community:
        """The community a user means by ``ref``: an id, a technical name or an exact name.

        An id (a UUID) is fetched (``GET /communities/{id}``). Otherwise the caller's memberships
        (``/users/me``) are searched, then the public catalogue: an exact technical name first, then
        an exact name, both case-insensitive. The community is then returned as that listing
        describes it (no extra request; ``get(c.id)`` has the detail). Several communities with the
        same name raise ``AmbiguousReference`` (a ``UsageError``) listing them; none, ``NotFound``.
        """
        text = (ref or "").strip()
        if not text:
            raise UsageError(_("The workspace is empty: give its id, technical name or name."))
        if is_uuid(text):
            return self.get(text.lower())
        key = _fold_key(text)
        summaries: list[CommunitySummary] = [m.community for m in self._client.users.me().memberships]
        found = self._pick(text, key, summaries)
        if found is not None:
            return found
        by_name: list[CatalogCommunity] = []
        for item in self.catalog():
            if _fold_key(item.technical_name) == key:
                return _as_community(item)
            if _fold_key(item.name) == key:
                by_name.append(item)
        found = self._pick(text, key, by_name)
        if found is not None:
            return found
        raise NotFound(
            _(
                "No workspace matches '{ref}' (by id, technical name or exact name) among your "
                "workspaces and the public catalogue."
            ).format(ref=text)
        )

    @staticmethod
    def _pick(
        text: str, key: str, items: list[CommunitySummary] | list[CatalogCommunity]
    ) -> Community | None:
        for matches_of in (
            [c for c in items if _fold_key(c.technical_name) == key],
            [c for c in items if _fold_key(c.name) == key],
        ):
            unique = {c.id: c for c in matches_of}
            if len(unique) == 1:
                return _as_community(next(iter(unique.values())))
            if len(unique) > 1:
                labels = [_candidate_label(c) for c in unique.values()]
                raise AmbiguousReference(
                    _(
                        "'{ref}' names {n} workspaces: {workspaces}. "
                        "Give the technical name or the id instead."
                    ).format(ref=text, n=len(labels), workspaces="; ".join(labels)),
                    candidates=labels,
                )
        return None


class DatastoresResource(_Resource):
    def get(self, datastore_id: str) -> Datastore:
        """``GET /datastores/{d}``: storage, quotas and endpoints."""
        return self._client._get_model(Datastore, f"/datastores/{_segment(datastore_id, 'datastore id')}")


def _choice(value: str | None, allowed: type[RequestStatus] | type[RequestType], what: str) -> str | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    valid = [str(v) for v in allowed]
    if text not in valid:
        raise UsageError(
            _("Unknown {what} '{value}'; choose one of: {choices}.").format(
                what=_label(what), value=value, choices=", ".join(valid)
            )
        )
    return text


_UNCHANGED_AFTER = 5.0
"""A decision older than this (by the server's own clock) was not made by the current call."""


def _server_date(response: httpx.Response) -> datetime | None:
    value = response.headers.get("date")
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


class RequestsResource(_Resource):
    """The request workflow (SANDBOX; check ``client.capabilities().requests`` first)."""

    def create_join(
        self, community_id: str, message: str | None = None, answers: Mapping[str, Any] | None = None
    ) -> Request:
        """``POST /requests`` ``{"type": "join", …}``. Not retried once sent (it is not idempotent:
        a second pending request for the same community is a 409)."""
        body: dict[str, Any] = {"type": "join", "community": community_id.strip()}
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
        self, status: RequestStatus | str | None = None, type: RequestType | str | None = None
    ) -> Iterator[Request]:
        """``GET /users/me/requests``: the caller's own requests."""
        params = {
            "status": _choice(status, RequestStatus, "status"),
            "type": _choice(type, RequestType, "request type"),
        }
        return self._client._list(Request, "/users/me/requests", params=params)

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
        params = _incoming_params(status, type, community)
        return self._client._list(Request, "/requests", params=params, concurrency=concurrency)

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
        return self._client._linked(Request, "/requests", params=_incoming_params(status, type, community))

    def get(self, request_id: str) -> Request:
        """``GET /requests/{r}``."""
        return self._client._get_model(Request, f"/requests/{_segment(request_id, 'request id')}")

    def cancel(self, request_id: str) -> Request:
        """``POST /requests/{r}/cancel`` (the requester, while pending)."""
        return self._decide(request_id, "cancel", {}, RequestStatus.CANCELLED)

    def accept(self, request_id: str, rights: Iterable[Right | str] | None = None) -> Request:
        """``POST /requests/{r}/accept`` (``{"rights": [...]}`` for a join request). Accepting an
        accepted request answers 200 unchanged (``result.unchanged``); a rejected or cancelled one
        is a 409 ``Conflict``. Retried like an idempotent call."""
        body: dict[str, Any] = {}
        if rights is not None:
            body["rights"] = parse_rights([str(r) for r in rights], allow_empty=True)
        return self._decide(request_id, "accept", body, RequestStatus.ACCEPTED)

    def reject(self, request_id: str, reason: str | None = None) -> Request:
        """``POST /requests/{r}/reject`` (``{"reason": …}`` when given); idempotent like accept."""
        body: dict[str, Any] = {}
        if reason is not None and reason.strip():
            body["reason"] = reason.strip()
        return self._decide(request_id, "reject", body, RequestStatus.REJECTED)

    # --- internals ----------------------------------------------------------------------------

    def _post_request(self, path: str, body: dict[str, Any], *, idempotent: bool) -> Request:
        response = self._client._request("POST", path, json_body=body, idempotent=idempotent)
        return self._client._parse(Request, self._client._json(response), response)

    def _decide(self, request_id: str, verb: str, body: dict[str, Any], target: RequestStatus) -> Request:
        path = f"/requests/{_segment(request_id, 'request id')}/{verb}"
        # One key for every attempt of this decision: when an answer is lost after the platform
        # applied it, the retry gets that first answer back (a server that knows the header), not
        # "already decided", so the run's summary stays exact.
        key = {IDEMPOTENCY_KEY_HEADER: str(uuid.uuid4())}
        response = self._client._request("POST", path, json_body=body, idempotent=True, headers=key)
        data = self._client._maybe_json(response)
        if not isinstance(data, dict):  # an empty 200/204: read the request back
            request = self.get(request_id)
        else:
            request = self._client._parse(Request, data, response)
        if request.unchanged is None:
            if response.headers.get(IDEMPOTENT_REPLAYED_HEADER, "").lower() == "true":
                # Our own first answer, replayed after a lost one: it was this call that decided.
                request.unchanged = False
            else:
                request.unchanged = self._was_unchanged(request, response, target)
        return request

    @staticmethod
    def _was_unchanged(request: Request, response: httpx.Response, target: RequestStatus) -> bool | None:
        """Did this call change nothing? Inferred with the server's own clock: the request's last
        update is compared with the answer's ``Date`` header (no client clock involved). None when
        the server gives no ``Date``."""
        if request.status != target:
            return None
        date = _server_date(response)
        if date is None or request.update is None:
            return None
        return (date - request.update).total_seconds() > _UNCHANGED_AFTER


class SandboxResource(_Resource):
    """The sandbox's own routes (``{root}/sandbox/…``, no credentials). The real platform has none."""

    def outbox(self, *, to: str | None = None) -> list[OutboxMessage]:
        """``GET /sandbox/outbox``: every e-mail the sandbox would have sent, oldest first;
        ``to`` keeps those sent to that address (case-insensitive)."""
        response = self._client._request(
            "GET", self._client.root_url + "/sandbox/outbox", authenticated=False
        )
        data = self._client._json(response)
        if isinstance(data, dict):
            data = data.get("messages", data.get("items"))
        if not isinstance(data, list):
            raise InvalidResponse(_("The sandbox's outbox is not a list."))
        messages = [self._client._parse(OutboxMessage, item, response) for item in data]
        if to:
            wanted = to.strip().casefold()
            messages = [m for m in messages if any(r.casefold() == wanted for r in m.to)]
        return messages

    def captcha_answer(self, captcha_id: str) -> str:
        """``GET /sandbox/captchas/{id}``: the answer of a sign-up captcha (feature
        ``scriptable-captchas``: a sandbox started with ``--scriptable-captchas``)."""
        response = self._client._request(
            "GET",
            self._client.root_url + "/sandbox/captchas/" + _segment(captcha_id, "captcha id"),
            authenticated=False,
        )
        data = self._client._json(response)
        answer = data.get("answer") if isinstance(data, dict) else None
        if not isinstance(answer, str) or not answer:
            raise InvalidResponse(_("The sandbox's captcha answer is missing."))
        return answer

    def support(self, subject: str, body: str) -> OutboxMessage:
        """``POST /sandbox/support``: an e-mail to the platform's support, kept in the outbox
        (feature ``support-mail``). Sent once: never retried after it may have arrived."""
        response = self._client._request(
            "POST",
            self._client.root_url + "/sandbox/support",
            json_body={"subject": subject, "body": body},
            authenticated=False,
            idempotent=False,
        )
        return self._client._parse(OutboxMessage, self._client._json(response), response)


class AdminResource(_Resource):
    """A subset of Keycloak's admin REST API (``{base}/admin/realms/{realm}``), for platform staff:
    find a user, list their credentials, delete one (a lost second factor). The sandbox serves it
    (feature ``admin-credentials``); on the real Géoplateforme staff use Keycloak's admin console."""

    @property
    def base_url(self) -> str:
        head, sep, realm = self._client.platform.issuer.rstrip("/").rpartition("/realms/")
        if not sep:
            raise UsageError(_("The login server's address names no Keycloak realm."))
        return f"{head}/admin/realms/{realm}"

    def find_user(self, ref: str) -> AdminUser | None:
        """The user ``ref`` names: an id, an e-mail address or a username (exact, any case)."""
        text = ref.strip()
        if is_uuid(text):
            try:
                return self._client._get_model(
                    AdminUser, f"{self.base_url}/users/{_segment(text, 'user id')}"
                )
            except NotFound:
                return None
        key = "email" if "@" in text else "username"
        response = self._client._request("GET", f"{self.base_url}/users", params={key: text, "exact": "true"})
        data = self._client._json(response)
        if not isinstance(data, list):
            raise InvalidResponse(_("The list of users is not a list."))
        users = [self._client._parse(AdminUser, item, response) for item in data]
        wanted = text.casefold()
        exact = [u for u in users if ((u.email if key == "email" else u.username) or "").casefold() == wanted]
        return exact[0] if exact else None

    def credentials(self, user_id: str) -> list[Credential]:
        response = self._client._request(
            "GET", f"{self.base_url}/users/{_segment(user_id, 'user id')}/credentials"
        )
        data = self._client._json(response)
        if not isinstance(data, list):
            raise InvalidResponse(_("The list of credentials is not a list."))
        return [self._client._parse(Credential, item, response) for item in data]

    def delete_credential(self, user_id: str, credential_id: str) -> None:
        self._client._request(
            "DELETE",
            f"{self.base_url}/users/{_segment(user_id, 'user id')}/credentials/{_segment(credential_id)}",
        )
