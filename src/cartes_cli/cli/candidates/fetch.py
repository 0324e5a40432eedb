"""Fetching within one Tab press's budget: the standard library's urllib (importing the httpx
client alone would cost half the budget), TLS verified against the system trust store, no
redirect (the token goes to this host only), several pages at once in daemon threads."""

from __future__ import annotations

import functools
import json
import math
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cartes_cli.cli.candidates.cache import MAX_BODY, Items

if TYPE_CHECKING:
    from cartes_cli.cli.candidates.session import Session

PAGE_SIZE = 50
MAX_PAGES = 10
"""At most this many pages of 50 (fetched at once): 500 workspaces or pending requests."""


class Deadline:
    def __init__(self, budget: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.end = clock() + budget

    def left(self) -> float:
        return self.end - self._clock()


class _Pending:
    """A task still running when the deadline came."""


PENDING = _Pending()


def in_parallel(tasks: Sequence[Callable[[], Any]], deadline: Deadline) -> list[Any]:
    """Run ``tasks`` in daemon threads; each result, exception, or ``PENDING`` if the deadline
    came first (the thread is abandoned: it only reads)."""
    results: list[Any] = [PENDING] * len(tasks)

    def run(index: int, task: Callable[[], Any]) -> None:
        try:
            results[index] = task()
        except BaseException as exc:
            results[index] = exc

    threads = [
        threading.Thread(target=run, args=(i, t), name="cartes-complete", daemon=True)
        for i, t in enumerate(tasks)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline.left()))
    return results


class FetchError(Exception):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class FetchTimeout(FetchError):
    pass


def _opener(url: str) -> Any:
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None  # a redirect is an error: the bearer token goes to this host only

    handlers: list[Any] = [NoRedirect()]
    if url.startswith("https://"):
        import ssl

        from cartes_cli.transport import default_verify

        verify = default_verify()
        handlers.append(
            urllib.request.HTTPSHandler(
                context=verify if isinstance(verify, ssl.SSLContext) else ssl.create_default_context()
            )
        )
    return urllib.request.build_opener(*handlers)


def get_json(
    session: Session, path: str, params: Mapping[str, Any], deadline: Deadline
) -> tuple[Any, Mapping[str, str]]:
    """``GET {api}{path}`` with the session's token; the decoded JSON and the headers."""
    import urllib.error
    import urllib.parse
    import urllib.request

    from cartes_cli import __version__

    if not session.token:
        raise FetchError("no usable token")
    timeout = deadline.left()
    if timeout <= 0:
        raise FetchTimeout("out of time")
    url = session.api_url.rstrip("/") + path
    if params:
        url += "?" + urllib.parse.urlencode(params)
    if not url.startswith(("http://", "https://")):
        raise FetchError("not an HTTP URL")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
        url,
        headers={
            "Authorization": f"Bearer {session.token}",
            "Accept": "application/json",
            "User-Agent": f"cartes/{__version__} (completion)",
        },
    )
    try:
        with _opener(url).open(request, timeout=timeout) as response:
            body = response.read(MAX_BODY + 1)
            headers = {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        exc.close()
        raise FetchError(f"HTTP {exc.code}", exc.code) from None
    except TimeoutError as exc:
        raise FetchTimeout("timed out") from exc
    except (OSError, ValueError) as exc:
        if isinstance(getattr(exc, "reason", None), TimeoutError):
            raise FetchTimeout("timed out") from exc
        raise FetchError(type(exc).__name__) from exc
    if len(body) > MAX_BODY:
        raise FetchError("answer too large")
    try:
        return json.loads(body), headers
    except ValueError as exc:
        raise FetchError("not JSON") from exc


_RANGE = re.compile(r"/\s*(\d+)\s*$")


def get_list(session: Session, path: str, params: Mapping[str, Any], deadline: Deadline) -> Items:
    """Every item of a paged list (``page``/``limit``, ``Content-Range: a-b/total``): the first
    page, then the others at once, at most ``MAX_PAGES`` pages; incomplete is an error."""
    first, headers = get_json(session, path, {**params, "page": 1, "limit": PAGE_SIZE}, deadline)
    if not isinstance(first, list):
        raise FetchError("not a list")
    match = _RANGE.search(headers.get("content-range", ""))
    total = int(match.group(1)) if match else len(first)
    pages = min(MAX_PAGES, max(1, math.ceil(total / PAGE_SIZE)))
    if pages == 1 or len(first) < PAGE_SIZE:
        return [i for i in first if isinstance(i, dict)]

    def page(number: int) -> Any:
        return get_json(session, path, {**params, "page": number, "limit": PAGE_SIZE}, deadline)[0]

    rest = in_parallel([functools.partial(page, n) for n in range(2, pages + 1)], deadline)
    items = list(first)
    for result in rest:
        if result is PENDING:
            raise FetchTimeout("out of time")
        if isinstance(result, BaseException):
            raise result
        if isinstance(result, list):
            items.extend(result)
    return [i for i in items if isinstance(i, dict)]
