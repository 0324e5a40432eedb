"""``GeoplateformeClient``: the typed client of the Entrepôt API.

One ``httpx.Client`` per platform (connection pool, TLS through the OS trust store, no redirects
followed). Every request goes through :meth:`GeoplateformeClient._request`, the single place where
transport failures and error statuses become typed errors (and where retries will slot in).
Resources hang off the client: ``client.users``, ``client.communities``, ``client.datastores``.

Nothing here prints or prompts; the optional ``debug`` callback receives one redacted line per
request and per response.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from cartes_cli.auth.net import default_user_agent, default_verify, transport_error, url_without_query
from cartes_cli.client.errors import error_from_response
from cartes_cli.client.models import CatalogCommunity, Community, Datastore, Member, Right, User
from cartes_cli.client.pagination import DEFAULT_CONCURRENCY, PageInfo, iter_pages, parse_content_range
from cartes_cli.client.redact import redact_url
from cartes_cli.client.text import matches
from cartes_cli.errors import CartesError, InvalidResponse, UsageError
from cartes_cli.platforms import Platform

__all__ = [
    "CommunitiesResource",
    "DatastoresResource",
    "GeoplateformeClient",
    "UsersResource",
]

M = TypeVar("M", bound=BaseModel)

DebugFn = Callable[[str], None]
Params = Mapping[str, str | int | float | bool | None]

_START = "cartes.start"


def _segment(value: str, what: str = "identifier") -> str:
    """One URL path segment, percent-encoded; refuses values that would change the path."""
    text = str(value).strip()
    if not text or text in (".", ".."):
        raise UsageError(f"{text!r} is not a valid {what}.")
    return quote(text, safe="")


class GeoplateformeClient:
    """Typed client of one platform's Entrepôt API.

    ``auth`` is usually :class:`cartes_cli.auth.httpx_auth.BearerAuth`; ``transport`` is for tests
    (TLS settings are then the transport's business).
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
    ) -> None:
        self.platform = platform
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
        self._http = httpx.Client(
            base_url=platform.api_url.rstrip("/") + "/",
            auth=auth,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            headers={"User-Agent": user_agent or default_user_agent(), "Accept": "application/json"},
            event_hooks=hooks,
            **options,
        )
        self.users = UsersResource(self)
        self.communities = CommunitiesResource(self)
        self.datastores = DatastoresResource(self)

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
    ) -> httpx.Response:
        """Send one request; return the 2xx response or raise a typed error.

        Raises ``TransportError`` (unreachable, time-out, TLS), an ``ApiError`` subclass for an
        error status, and lets ``CartesError`` from the auth layer (expired session…) through.
        """
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        url = self._http.base_url.join(path.lstrip("/"))
        start = time.perf_counter()
        try:
            response = self._http.request(
                method,
                path.lstrip("/"),
                params=clean_params or None,
                json=json_body,
            )
        except CartesError:
            raise
        except httpx.DecodingError as exc:
            raise InvalidResponse(
                f"The platform's answer to {method} {url_without_query(url)} could not be decoded."
            ) from exc
        except httpx.HTTPError as exc:  # TransportError, TimeoutException, TooManyRedirects…
            error = transport_error(exc, url)
            self._emit(
                f"✗ {method} {redact_url(url)}: {error} ({(time.perf_counter() - start) * 1000:.0f} ms)"
            )
            raise error from exc
        if not response.is_success:
            raise error_from_response(response)
        return response

    def _json(self, response: httpx.Response) -> Any:
        what = f"{response.request.method} {url_without_query(response.request.url)}"
        if response.status_code == 204 or not response.content:
            raise InvalidResponse(f"The platform's answer to {what} is empty; a JSON document was expected.")
        try:
            return json.loads(response.content)
        except ValueError:
            content_type = response.headers.get("content-type", "unknown type").split(";")[0]
            raise InvalidResponse(
                f"The platform's answer to {what} is not JSON ({content_type}); check the API URL."
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
                f"The platform's answer to {what} is not what cartes expects ({problems})."
            ) from None

    def _get_model(self, model: type[M], path: str, *, params: Params | None = None) -> M:
        response = self._request("GET", path, params=params)
        return self._parse(model, self._json(response), response)

    def _fetch_page(
        self, model: type[M], path: str, params: Params | None, page: int, limit: int
    ) -> tuple[list[M], PageInfo]:
        response = self._request("GET", path, params={**(params or {}), "page": page, "limit": limit})
        data = self._json(response)
        if not isinstance(data, list):
            what = f"GET {url_without_query(response.request.url)}"
            raise InvalidResponse(f"The platform's answer to {what} is not a list.")
        items = [self._parse(model, item, response) for item in data]
        return items, parse_content_range(response.headers.get("content-range"))

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


class _Resource:
    def __init__(self, client: GeoplateformeClient) -> None:
        self._client = client


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


class DatastoresResource(_Resource):
    def get(self, datastore_id: str) -> Datastore:
        """``GET /datastores/{d}``: storage, quotas and endpoints."""
        return self._client._get_model(Datastore, f"/datastores/{_segment(datastore_id, 'datastore id')}")
