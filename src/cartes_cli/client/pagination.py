"""Pagination: ``Content-Range`` pages fetched concurrently, or ``Link: rel="next"`` pages followed.

The platform pages with ``page`` (1-based) and ``limit`` and answers every list with
``Content-Range: <first>-<last>/<total>``. :func:`iter_pages` yields items strictly in order while
at most ``concurrency`` pages are requested or waiting ahead of the consumer, so memory stays
bounded however long the list. Without a total it fetches one page after another until a short or
empty page. It stops at the first page shorter than announced (items deleted meanwhile, a server
that over-counts) rather than asking for pages that cannot be right.

:class:`LinkedPages` follows ``Link: <…>; rel="next"`` (RFC 8288) from page to page instead: the
sandbox's request listings give a keyset cursor there, which rows leaving the listing meanwhile do
not shift. A bulk decision can then start on the first page while a thread reads the next ones.
"""

from __future__ import annotations

import math
import queue
import re
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from cartes_cli.errors import InvalidResponse
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = [
    "DEFAULT_CONCURRENCY",
    "PAGE_LIMIT",
    "LinkedPages",
    "PageInfo",
    "iter_pages",
    "parse_content_range",
]

T = TypeVar("T")

DEFAULT_CONCURRENCY = 4
PAGE_LIMIT = 100
"""The page size a listing asks for: what IGN's own web front end asks for every Entrepôt listing
(cartes.gouv.fr, ``src/ApiClient/ApiClient.php``, ``requestAll``, since its commit 4b8ccc47 of
2026-03). Half the requests of pages of 50, for the same items: each page costs a round trip and
about 2 ms of the client's CPU whatever its size. A server serving fewer (IGN's user guide says
50 at most) is followed: see :func:`iter_pages`."""
MAX_PAGES_WITHOUT_TOTAL = 2_000
"""A listing that gives neither a total nor an end is stopped after this many pages (200,000
items at 100 a page): a server whose pages never run short would otherwise be read forever."""

_RANGE = re.compile(
    r"^\s*(?:[A-Za-z]+\s+)?(?:(?P<first>\d+)\s*-\s*(?P<last>\d+)|\*)\s*/\s*(?P<total>\d+|\*)\s*$"
)


@dataclass(frozen=True)
class PageInfo:
    """What a ``Content-Range`` header says; every part may be unknown (None)."""

    first: int | None = None
    last: int | None = None
    total: int | None = None


def parse_content_range(value: str | None) -> PageInfo:
    """``0-9/137``, ``items 0-9/137``, ``*/137``, ``0-9/*``; missing or malformed → all unknown."""
    if not value:
        return PageInfo()
    match = _RANGE.match(value)
    if match is None:
        return PageInfo()
    first = int(match["first"]) if match["first"] is not None else None
    last = int(match["last"]) if match["last"] is not None else None
    total = int(match["total"]) if match["total"] != "*" else None
    if first is not None and last is not None and last < first:
        first = last = None
    return PageInfo(first=first, last=last, total=total)


FetchPage = Callable[[int, int], tuple[list[T], PageInfo]]


def iter_pages(
    fetch_page: Callable[[int, int], tuple[list[T], PageInfo]],
    limit: int = PAGE_LIMIT,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> Iterator[T]:
    """Every item of a paginated list, in order.

    ``fetch_page(page, limit)`` returns the page's items and its :class:`PageInfo`; errors it raises
    surface when the consumer reaches that page. Closing the iterator early cancels the pages not
    yet started (requests already in flight finish in the background and are discarded).

    If page 1 is shorter than ``limit`` while the total says more exist, the server capped the page
    size: the following pages are asked with that size as their ``limit``, so that page N starts
    at item (N − 1) × size whether the server counts its offset from the limit asked or from the
    limit it serves.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")

    items, info = fetch_page(1, limit)
    yield from items
    if not items:
        return
    total = info.total
    if total is None:
        yield from _sequential(fetch_page, limit, first_items=items)
        return

    page_size = limit
    if len(items) < limit:
        if total <= len(items):
            return  # the only page
        page_size = len(items)  # the server caps the page size
    pages = math.ceil(total / page_size)
    if pages <= 1:
        return

    def expected(page: int) -> int:
        return min(page_size, total - (page - 1) * page_size)

    if concurrency == 1:
        for page in range(2, pages + 1):
            items, _info = fetch_page(page, page_size)
            yield from items
            if len(items) < expected(page):
                return
        return

    # Imported here: most listings fit in one page, and their commands need no thread pool.
    from concurrent.futures import ThreadPoolExecutor

    executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="cartes-page")
    pending: deque[tuple[int, Future[tuple[list[T], PageInfo]]]] = deque()
    next_page = 2
    try:
        while next_page <= pages and len(pending) < concurrency:
            pending.append((next_page, executor.submit(fetch_page, next_page, page_size)))
            next_page += 1
        while pending:
            page, future = pending.popleft()
            items, _info = future.result()
            short = len(items) < expected(page)
            # Refill before yielding, so the consumer's time overlaps the next requests.
            if not short and next_page <= pages:
                pending.append((next_page, executor.submit(fetch_page, next_page, page_size)))
                next_page += 1
            yield from items
            if short:
                return  # the server has fewer items than it announced: stop here
    finally:
        for _, future in pending:
            future.cancel()
        executor.shutdown(wait=False, cancel_futures=True)


def _sequential(
    fetch_page: Callable[[int, int], tuple[list[T], PageInfo]], limit: int, *, first_items: list[T]
) -> Iterator[T]:
    """Unknown total: one page after another until a short or empty page.

    A page identical to the previous one means the server ignores ``page``: stop rather than loop.
    """
    previous = first_items
    if len(previous) < limit:
        return
    page = 2
    while True:
        if page > MAX_PAGES_WITHOUT_TOTAL:
            raise _endless(page - 1)
        items, _info = fetch_page(page, limit)
        if not items or items == previous:
            return
        yield from items
        if len(items) < limit:
            return
        previous = items
        page += 1


def _endless(pages: int) -> InvalidResponse:
    return InvalidResponse(
        _("The platform's listing does not end: stopped after {pages} pages that never ran short.").format(
            pages=pages
        )
    )


FetchLinked = Callable[[str], tuple[list[T], str | None]]

_END = object()
_POLL = 0.2  # seconds between checks, by a producer waiting for room, that the consumer is still there


class LinkedPages(Generic[T]):
    """A listing read by following each page's ``Link: rel="next"``, with its first page in hand.

    ``total`` is what the first page's ``Content-Range`` announced (None if nothing). Iterating
    yields the first page's items, then the following pages', which a thread fetches one after
    another up to ``ahead`` pages in advance of the consumer, so the consumer's work overlaps the
    requests. An error fetching a page is raised where that page's items would come.
    """

    def __init__(
        self,
        first: list[T],
        info: PageInfo,
        next_url: str | None,
        fetch: FetchLinked[T],
        *,
        ahead: int = 2,
    ) -> None:
        if ahead < 1:
            raise ValueError("ahead must be at least 1")
        self.first = first
        self.total = info.total
        self.next_url = next_url
        self._fetch = fetch
        self._ahead = ahead

    @property
    def complete(self) -> bool:
        """The first page is the whole listing."""
        return self.next_url is None and (self.total is None or self.total <= len(self.first))

    @property
    def count(self) -> int | None:
        """How many items the listing holds, when known before reading it all."""
        if self.complete:
            return len(self.first)
        return self.total

    @property
    def linked(self) -> bool:
        """Every item is reachable by following links (a server without them needs ``iter_pages``)."""
        return self.next_url is not None or self.complete

    def __iter__(self) -> Iterator[T]:
        if self.next_url is None:
            yield from self.first
            return
        pages: queue.Queue[object] = queue.Queue(maxsize=self._ahead)
        done = threading.Event()  # the consumer went away: the producer stops

        def put(entry: object) -> None:
            while not done.is_set():
                try:
                    pages.put(entry, timeout=_POLL)
                    return
                except queue.Full:
                    continue

        def produce(url: str | None) -> None:
            # A lying server must not make the listing endless: a link back to a page already
            # read, more items than the first page announced, or pages without end all stop it.
            seen: set[str] = set()
            count = len(self.first)
            try:
                while url is not None and not done.is_set():
                    if url in seen:
                        raise InvalidResponse(
                            _("The platform's listing links back to a page already read; stopped there.")
                        )
                    if len(seen) >= MAX_PAGES_WITHOUT_TOTAL:
                        raise _endless(len(seen) + 1)
                    seen.add(url)
                    items, url = self._fetch(url)
                    count += len(items)
                    if self.total is not None and count > self.total:
                        raise InvalidResponse(
                            _(
                                "The platform's listing holds more items than it announced ({total}); "
                                "stopped there."
                            ).format(total=self.total)
                        )
                    put(items)
            except BaseException as exc:  # handed over to the consumer's thread
                put(exc)
                return
            put(_END)

        # Started before the first page is handed out: the second one arrives while it is used.
        threading.Thread(target=produce, args=(self.next_url,), name="cartes-pages", daemon=True).start()
        try:
            yield from self.first
            while True:
                entry = pages.get()
                if entry is _END:
                    return
                if isinstance(entry, BaseException):
                    raise entry
                assert isinstance(entry, list)
                yield from entry
        finally:
            done.set()
