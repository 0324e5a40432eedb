"""``Content-Range`` pagination: read the total from page 1, fetch the rest concurrently, in order.

The platform pages with ``page`` (1-based) and ``limit`` and answers every list with
``Content-Range: <first>-<last>/<total>``. :func:`iter_pages` yields items strictly in order while
at most ``concurrency`` pages are requested or waiting ahead of the consumer, so memory stays
bounded however long the list. Without a total it fetches one page after another until a short or
empty page. It stops at the first page shorter than announced (items deleted meanwhile, a server
that over-counts) rather than asking for pages that cannot be right.
"""

from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["DEFAULT_CONCURRENCY", "PageInfo", "iter_pages", "parse_content_range"]

T = TypeVar("T")

DEFAULT_CONCURRENCY = 4

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
    limit: int = 50,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> Iterator[T]:
    """Every item of a paginated list, in order.

    ``fetch_page(page, limit)`` returns the page's items and its :class:`PageInfo`; errors it raises
    surface when the consumer reaches that page. Closing the iterator early cancels the pages not
    yet started (requests already in flight finish in the background and are discarded).

    If page 1 is shorter than ``limit`` while the total says more exist, the server capped the page
    size: that size is then expected for every following page.
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
            items, _ = fetch_page(page, limit)
            yield from items
            if len(items) < expected(page):
                return
        return

    executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="cartes-page")
    pending: deque[tuple[int, Future[tuple[list[T], PageInfo]]]] = deque()
    next_page = 2
    try:
        while next_page <= pages and len(pending) < concurrency:
            pending.append((next_page, executor.submit(fetch_page, next_page, limit)))
            next_page += 1
        while pending:
            page, future = pending.popleft()
            items, _ = future.result()
            short = len(items) < expected(page)
            # Refill before yielding, so the consumer's time overlaps the next requests.
            if not short and next_page <= pages:
                pending.append((next_page, executor.submit(fetch_page, next_page, limit)))
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
        items, _ = fetch_page(page, limit)
        if not items or items == previous:
            return
        yield from items
        if len(items) < limit:
            return
        previous = items
        page += 1
