"""The private base of :class:`~cartes_cli.client.GeoplateformeClient`: everything that is not an
API area.

- transport: one ``httpx.Client`` per client (connection pool, TLS through the OS trust store, no
  redirects followed, no cookies), each answer bounded in size and time on the network
  (:func:`cartes_cli.transport.bound_client`);
- the request path (:meth:`BaseClient.send`): the single place where transport failures and error
  statuses become typed errors (:mod:`cartes_cli.client.errors`) and where transient failures are
  retried (:mod:`cartes_cli.client.retry`);
- response parsing: JSON bodies into pydantic models, or into the records of read-only listings
  (:mod:`cartes_cli.client.records`, read without pydantic, which is then imported only if an
  answer needs it), with an ``InvalidResponse`` naming the call when the platform answers
  something else;
- pagination: ``Content-Range`` pages read ahead concurrently (:meth:`BaseClient.get_list`) and
  cursor pages by ``Link: rel="next"`` (:meth:`BaseClient.get_linked`);
- the debug log: one redacted line per request, response, failure and retry.

Resources (``resources/``) build on this and on nothing else.
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from cartes_cli.client.errors import error_from_response, parse_retry_after
from cartes_cli.client.pagination import (
    DEFAULT_CONCURRENCY,
    PAGE_LIMIT,
    LinkedPages,
    PageInfo,
    iter_pages,
    parse_content_range,
)
from cartes_cli.client.redact import redact_url
from cartes_cli.client.retry import IDEMPOTENT_METHODS, RETRY_STATUSES, RetryPolicy, retryable_exception
from cartes_cli.errors import CartesError, InvalidResponse
from cartes_cli.i18n import _
from cartes_cli.platforms import Platform
from cartes_cli.transport import (
    API_MAX_BYTES,
    Closing,
    accept_language,
    bound_client,
    default_user_agent,
    default_verify,
    transport_error,
    url_without_query,
)

if TYPE_CHECKING:
    from pydantic import BaseModel

    from cartes_cli.client.models import Capabilities
    from cartes_cli.client.records import Record

__all__ = [
    "BaseClient",
    "DebugFn",
    "Params",
    "items_of",
    "json_of",
    "maybe_json",
    "parse_model",
    "read_record",
]

M = TypeVar("M", bound="BaseModel")
R = TypeVar("R", bound="Record")
T = TypeVar("T")

DebugFn = Callable[[str], None]
Params = Mapping[str, str | int | float | bool | None]

_START = "cartes.start"


class BaseClient(Closing):
    """Transport, request path, parsing and pagination for one platform.

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
        # What GeoplateformeClient.capabilities() found, once per client.
        self._capabilities: Capabilities | None = None
        self._capabilities_lock = threading.Lock()
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._random = random
        self._clock = clock
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

    # --- life cycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.platform.name!r}, {self.platform.api_url!r})"

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

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json_body: object = None,
        idempotent: bool | None = None,
        authenticated: bool = True,
        raise_for_status: bool = True,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        """Send one call; return the 2xx response or raise a typed error.

        ``path`` is relative to the API root, or an absolute URL. ``idempotent`` defaults from the
        method (GET, HEAD, OPTIONS, PUT, DELETE); pass True for calls the API makes idempotent
        (accepting a request twice answers 200). Transient failures are retried according to
        :attr:`retry`. ``authenticated=False`` sends no credentials. ``raise_for_status=False``
        returns error answers (after retries) instead of raising. ``content`` sends a body as it is
        (``json_body`` is then ignored).

        Raises ``TransportError`` (unreachable, time-out, TLS), an ``ApiError`` subclass for an
        error status, and lets ``CartesError`` from the auth layer (expired session…) through.

        Every resource method goes through here; a script may call it too for a route no
        resource has yet (``client.send("GET", "/statics")``).
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        # An absolute URL: httpx parses it once, where a relative one is parsed, then joined.
        target = path if path.startswith(("http://", "https://")) else self._base + path.lstrip("/")
        if clean_params and "?" not in target:
            # The query written by httpx's own encoder: the same URL as params= gives, parsed once
            # instead of three times (a URL parse is a fifth of httpx's CPU for a page of a listing).
            target = f"{target}?{httpx.QueryParams(clean_params)}"
            clean_params = {}
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
                    json=json_body if content is None else None,
                    content=content,
                    headers=headers,
                    auth=httpx.USE_CLIENT_DEFAULT if authenticated else None,
                )
            except CartesError:
                raise
            except httpx.HTTPError as exc:  # DecodingError, TransportError, TimeoutException…
                self._retry_or_raise(exc, method, target, start, attempt, first, idempotent=idempotent)
                continue
            if response.is_success:
                return response
            if idempotent and response.status_code in RETRY_STATUSES:
                wait = self._status_retry_delay(response, attempt)
                if wait is not None and self._may_retry(attempt, first, wait):
                    self._wait(method, response.request.url, wait, attempt, f"HTTP {response.status_code}")
                    continue
            if not raise_for_status:
                return response
            raise error_from_response(response)

    def _retry_or_raise(
        self,
        exc: httpx.HTTPError,
        method: str,
        target: str,
        start: float,
        attempt: int,
        first: float,
        *,
        idempotent: bool,
    ) -> None:
        """What :meth:`send` does when ``httpx`` raises: an undecodable answer becomes
        ``InvalidResponse``; a transport failure is logged, then waited out when it may be retried
        (the caller then retries), else raised as a ``TransportError``."""
        url = self._http.base_url.join(target)  # only now: parsing URLs costs CPU in bulk runs
        if isinstance(exc, httpx.DecodingError):
            raise InvalidResponse(
                _("The platform's answer to {what} could not be decoded.").format(
                    what=f"{method} {url_without_query(url)}"
                )
            ) from exc
        error = transport_error(exc, url)
        self._emit(f"✗ {method} {redact_url(url)}: {error} ({(time.perf_counter() - start) * 1000:.0f} ms)")
        if retryable_exception(exc, idempotent=idempotent):
            delay = self.retry.backoff(attempt, self._random())
            if self._may_retry(attempt, first, delay):
                self._wait(method, url, delay, attempt, str(error))
                return
        raise error from exc

    def _status_retry_delay(self, response: httpx.Response, attempt: int) -> float | None:
        """The wait before retrying an answer with a transient status: its ``Retry-After``, else
        the policy's back-off; None (no retry) when ``Retry-After`` asks for more than the policy's
        cap."""
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if retry_after is not None and retry_after > self.retry.max_retry_after:
            return None
        return retry_after if retry_after is not None else self.retry.backoff(attempt, self._random())

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

    # --- models and pages ---------------------------------------------------------------------

    def get_model(self, model: type[M], path: str, *, params: Params | None = None) -> M:
        """``GET path`` parsed as one ``model``."""
        response = self.send("GET", path, params=params)
        return parse_model(model, json_of(response), response)

    def get_list(
        self,
        model: type[M],
        path: str,
        *,
        params: Params | None = None,
        limit: int = PAGE_LIMIT,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> Iterator[M]:
        """Every item of a listing paged by ``page``/``limit`` and ``Content-Range``, in order;
        lazy (the first call when iteration starts), pages read ahead ``concurrency`` at a time."""
        return self._pages(
            lambda item, response: parse_model(model, item, response), path, params, limit, concurrency
        )

    def get_records(
        self,
        record: type[R],
        path: str,
        *,
        params: Params | None = None,
        limit: int = PAGE_LIMIT,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> Iterator[R]:
        """:meth:`get_list` read into records (:mod:`cartes_cli.client.records`) instead of models."""
        return self._pages(
            lambda item, response: read_record(record, item, response), path, params, limit, concurrency
        )

    def find_in_list(
        self,
        model: type[M],
        path: str,
        wanted: Callable[[dict[str, object]], bool],
        *,
        params: Params | None = None,
        limit: int = PAGE_LIMIT,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> Iterator[M]:
        """The items of a listing (as :meth:`get_list`) for which ``wanted(item)`` holds on the
        decoded JSON object, read as ``model``; the others are looked at, never validated. Finding
        one workspace by name in a catalogue of 10,000 then builds one model, not 10,000. An item
        that is not a JSON object still raises ``InvalidResponse``."""
        return self._find(
            lambda item, response: parse_model(model, item, response),
            path,
            wanted,
            params,
            limit,
            concurrency,
        )

    def find_records(
        self,
        record: type[R],
        path: str,
        wanted: Callable[[dict[str, object]], bool],
        *,
        params: Params | None = None,
        limit: int = PAGE_LIMIT,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> Iterator[R]:
        """:meth:`find_in_list` read into records instead of models."""
        return self._find(
            lambda item, response: read_record(record, item, response),
            path,
            wanted,
            params,
            limit,
            concurrency,
        )

    def _find(
        self,
        read: Callable[[object, httpx.Response], T],
        path: str,
        wanted: Callable[[dict[str, object]], bool],
        params: Params | None,
        limit: int,
        concurrency: int,
    ) -> Iterator[T]:
        def parse(item: object, response: httpx.Response) -> T | None:
            if isinstance(item, dict) and not wanted(item):
                return None
            return read(item, response)

        return (m for m in self._pages(parse, path, params, limit, concurrency) if m is not None)

    def get_record(self, record: type[R], path: str, *, params: Params | None = None) -> R:
        """``GET path`` read as one record."""
        response = self.send("GET", path, params=params)
        return read_record(record, json_of(response), response)

    def _pages(
        self,
        parse: Callable[[object, httpx.Response], T],
        path: str,
        params: Params | None,
        limit: int,
        concurrency: int,
    ) -> Iterator[T]:
        def fetch(page: int, size: int) -> tuple[list[T], PageInfo]:
            response = self.send("GET", path, params={**(params or {}), "page": page, "limit": size})
            return _items(parse, response), parse_content_range(response.headers.get("content-range"))

        return iter_pages(fetch, limit=limit, concurrency=concurrency)

    def get_linked(
        self, model: type[M], path: str, *, params: Params | None = None, limit: int = PAGE_LIMIT
    ) -> LinkedPages[M]:
        """The first page now (errors raised here), the next ones by their ``Link: rel="next"``."""

        def fetch(url: str) -> tuple[list[M], str | None]:
            response = self.send("GET", url)
            return items_of(model, response), _next_link(response)

        response = self.send("GET", path, params={**(params or {}), "limit": limit})
        first = items_of(model, response)
        info = parse_content_range(response.headers.get("content-range"))
        return LinkedPages(first, info, _next_link(response), fetch)


# --- parsing answers -----------------------------------------------------------------------------


def _what(response: httpx.Response) -> str:
    return f"{response.request.method} {url_without_query(response.request.url)}"


def json_of(response: httpx.Response) -> Any:
    """The JSON body; ``InvalidResponse`` when the answer is empty or not JSON."""
    if response.status_code == 204 or not response.content:
        raise InvalidResponse(
            _("The platform's answer to {what} is empty; a JSON document was expected.").format(
                what=_what(response)
            )
        )
    try:
        return json.loads(response.content)
    except ValueError:
        content_type = response.headers.get("content-type", "unknown type").split(";")[0]
        raise InvalidResponse(
            _("The platform's answer to {what} is not JSON ({content_type}); check the API URL.").format(
                what=_what(response), content_type=content_type
            )
        ) from None


def maybe_json(response: httpx.Response) -> Any:
    """The JSON body, or None when the answer is empty (204) or not JSON."""
    if response.status_code == 204 or not response.content:
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def parse_model(model: type[M], data: object, response: httpx.Response) -> M:
    """``data`` (read from ``response``) as a ``model``; ``InvalidResponse`` naming the first
    mismatches otherwise."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}"
            for err in exc.errors(include_url=False, include_input=False)[:3]
        )
        raise InvalidResponse(
            _("The platform's answer to {what} is not what cartes expects ({problems}).").format(
                what=_what(response), problems=problems
            )
        ) from None


def read_record(record: type[R], data: object, response: httpx.Response) -> R:
    """``data`` as a ``record``: read directly when it has the platform's canonical form, else by
    the record's pydantic model (its coercions, its ``InvalidResponse``), see
    :mod:`cartes_cli.client.records`."""
    from cartes_cli.client.records import Unusual

    try:
        return record.from_wire(data)
    except Unusual:
        return record.from_model(parse_model(record.model_class(), data, response))


def items_of(model: type[M], response: httpx.Response) -> list[M]:
    """A JSON list answer as ``model`` items; ``InvalidResponse`` when it is not a list."""
    return _items(lambda item, answer: parse_model(model, item, answer), response)


def _items(parse: Callable[[object, httpx.Response], T], response: httpx.Response) -> list[T]:
    data = json_of(response)
    if not isinstance(data, list):
        what = f"GET {url_without_query(response.request.url)}"
        raise InvalidResponse(_("The platform's answer to {what} is not a list.").format(what=what))
    return [parse(item, response) for item in data]


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
