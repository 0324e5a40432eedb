"""Content-Range parsing and the concurrent, ordered, bounded page iterator."""

from __future__ import annotations

import random
import threading
import time

import pytest

from cartes_cli.client.pagination import LinkedPages, PageInfo, iter_pages, parse_content_range
from cartes_cli.errors import InvalidResponse


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("0-9/137", PageInfo(0, 9, 137)),
        ("items 0-9/137", PageInfo(0, 9, 137)),
        ("*/137", PageInfo(None, None, 137)),
        ("0-9/*", PageInfo(0, 9, None)),
        (" 10 - 19 / 20 ", PageInfo(10, 19, 20)),
        ("*/0", PageInfo(None, None, 0)),
        (None, PageInfo()),
        ("", PageInfo()),
        ("garbage", PageInfo()),
        ("9-0/10", PageInfo(None, None, 10)),
    ],
)
def test_parse_content_range(header: str | None, expected: PageInfo) -> None:
    assert parse_content_range(header) == expected


class FakeServer:
    """Serves ``total`` integers; ``announce`` is the total put in Content-Range (None: omitted)."""

    def __init__(
        self,
        total: int,
        *,
        announce: int | str | None = "same",
        cap: int | None = None,
        offset_by_limit_asked: bool = False,
        jitter: float = 0.0,
    ) -> None:
        self.items = list(range(total))
        self.announce = total if announce == "same" else announce
        self.cap = cap
        self.offset_by_limit_asked = offset_by_limit_asked
        self.jitter = jitter
        self.calls: list[tuple[int, int]] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0

    def __call__(self, page: int, limit: int) -> tuple[list[int], PageInfo]:
        with self.lock:
            self.calls.append((page, limit))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.jitter:
                time.sleep(random.uniform(0, self.jitter))
            size = min(limit, self.cap) if self.cap else limit
            start = (page - 1) * (limit if self.offset_by_limit_asked else size)
            chunk = self.items[start : start + size]
            total = self.announce if isinstance(self.announce, int) else None
            first, last = (start, start + len(chunk) - 1) if chunk else (None, None)
            return chunk, PageInfo(first, last, total)
        finally:
            with self.lock:
                self.in_flight -= 1


@pytest.mark.parametrize("concurrency", [1, 2, 4, 8])
@pytest.mark.parametrize("total", [0, 1, 9, 10, 11, 137])
def test_all_items_in_order(total: int, concurrency: int) -> None:
    server = FakeServer(total, jitter=0.002)
    assert list(iter_pages(server, limit=10, concurrency=concurrency)) == list(range(total))
    expected_pages = max(1, -(-total // 10))
    assert sorted(p for p, _ in server.calls) == list(range(1, expected_pages + 1))


def test_order_preserved_when_later_pages_answer_first() -> None:
    delays = {2: 0.05, 3: 0.0, 4: 0.0, 5: 0.02}
    base = FakeServer(50)

    def slow_early_pages(page: int, limit: int) -> tuple[list[int], PageInfo]:
        time.sleep(delays.get(page, 0.0))
        return base(page, limit)

    assert list(iter_pages(slow_early_pages, limit=10, concurrency=4)) == list(range(50))


def test_concurrency_is_bounded_and_used() -> None:
    server = FakeServer(200, jitter=0.01)
    assert list(iter_pages(server, limit=10, concurrency=3)) == list(range(200))
    assert server.max_in_flight <= 3
    assert server.max_in_flight >= 2  # pages really overlap


def test_memory_is_bounded_with_a_slow_consumer() -> None:
    server = FakeServer(1000)
    iterator = iter_pages(server, limit=10, concurrency=4)
    consumed = [next(iterator) for _ in range(25)]  # into page 3
    time.sleep(0.05)  # let workers run ahead as far as they may
    assert consumed == list(range(25))
    requested = max(p for p, _ in server.calls)
    assert requested <= 3 + 4, f"fetched up to page {requested} while the consumer is on page 3"
    iterator.close()


def test_early_close_stops_fetching() -> None:
    server = FakeServer(1000, jitter=0.002)
    iterator = iter_pages(server, limit=10, concurrency=4)
    assert next(iterator) == 0
    iterator.close()
    time.sleep(0.05)
    assert len(server.calls) <= 1 + 4


def test_unknown_total_fetches_until_a_short_page() -> None:
    server = FakeServer(35, announce=None)
    assert list(iter_pages(server, limit=10, concurrency=4)) == list(range(35))
    assert [p for p, _ in server.calls] == [1, 2, 3, 4]


def test_unknown_total_stops_at_an_empty_page() -> None:
    server = FakeServer(30, announce=None)
    assert list(iter_pages(server, limit=10)) == list(range(30))
    assert [p for p, _ in server.calls] == [1, 2, 3, 4]


def test_unknown_total_and_a_server_that_ignores_page() -> None:
    calls: list[int] = []

    def same_page(page: int, limit: int) -> tuple[list[int], PageInfo]:
        calls.append(page)
        return list(range(limit)), PageInfo()

    assert list(iter_pages(same_page, limit=5)) == [0, 1, 2, 3, 4]
    assert calls == [1, 2]


@pytest.mark.parametrize("concurrency", [1, 4])
def test_short_server_stops_safely(concurrency: int) -> None:
    """Announces 137 but holds 43: stop after the short page, no endless or duplicate fetching."""
    server = FakeServer(43, announce=137)
    assert list(iter_pages(server, limit=10, concurrency=concurrency)) == list(range(43))
    time.sleep(0.02)
    assert len(server.calls) <= 5 + concurrency


def test_empty_first_page_with_a_total() -> None:
    server = FakeServer(0, announce=50)
    assert list(iter_pages(server, limit=10)) == []
    assert len(server.calls) == 1


@pytest.mark.parametrize("concurrency", [1, 4])
@pytest.mark.parametrize("offset_by_limit_asked", [False, True])
def test_server_capping_the_page_size(concurrency: int, offset_by_limit_asked: bool) -> None:
    # A server serving at most 5 may count page N's offset from the 5 it serves or from the limit
    # asked: asking the following pages with limit=5 reads every item once either way.
    server = FakeServer(57, cap=5, offset_by_limit_asked=offset_by_limit_asked)
    assert list(iter_pages(server, limit=50, concurrency=concurrency)) == list(range(57))
    assert max(p for p, _ in server.calls) == 12
    assert server.calls[0] == (1, 50)
    assert {limit for _, limit in server.calls[1:]} == {5}


def test_error_surfaces_in_order() -> None:
    base = FakeServer(100)

    def broken_page_4(page: int, limit: int) -> tuple[list[int], PageInfo]:
        if page == 4:
            raise RuntimeError("page 4 failed")
        return base(page, limit)

    iterator = iter_pages(broken_page_4, limit=10, concurrency=4)
    seen = [next(iterator) for _ in range(30)]
    assert seen == list(range(30))
    with pytest.raises(RuntimeError, match="page 4 failed"):
        next(iterator)


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError, match="limit"):
        list(iter_pages(FakeServer(1), limit=0))
    with pytest.raises(ValueError, match="concurrency"):
        list(iter_pages(FakeServer(1), limit=1, concurrency=0))


# --- Link rel="next" pages -------------------------------------------------------------------


def _linked_server(
    pages: list[list[int]], *, fail_at: int | None = None
) -> tuple[LinkedPages[int], list[str]]:
    """``pages`` reached by links ``p1``, ``p2``…; the page numbered ``fail_at`` raises."""
    fetched: list[str] = []

    def fetch(url: str) -> tuple[list[int], str | None]:
        fetched.append(url)
        n = int(url[1:])
        if n == fail_at:
            raise RuntimeError(f"page {n} failed")
        return pages[n], (f"p{n + 1}" if n + 1 < len(pages) else None)

    first_next = "p1" if len(pages) > 1 else None
    total = sum(len(p) for p in pages)
    return LinkedPages(pages[0], PageInfo(0, len(pages[0]) - 1, total), first_next, fetch), fetched


def test_linked_pages_follow_the_links_in_order() -> None:
    pages = [list(range(i * 10, i * 10 + 10)) for i in range(7)]
    listing, fetched = _linked_server(pages)
    assert listing.total == 70
    assert listing.linked
    assert not listing.complete
    assert list(listing) == list(range(70))
    assert fetched == [f"p{i}" for i in range(1, 7)]


def test_a_single_page_is_complete_and_starts_no_thread() -> None:
    listing = LinkedPages([1, 2], PageInfo(0, 1, 2), None, lambda url: pytest.fail("no fetch"))
    assert listing.complete
    assert listing.linked
    before = threading.active_count()
    assert list(listing) == [1, 2]
    assert threading.active_count() == before


def test_without_links_a_longer_listing_is_not_linked() -> None:
    listing = LinkedPages([1, 2], PageInfo(0, 1, 5), None, lambda url: ([], None))
    assert not listing.linked  # the caller must read it by offset instead


def test_the_count_is_known_from_the_total_or_a_single_page() -> None:
    assert LinkedPages([1, 2], PageInfo(0, 1, 9), "p1", lambda url: ([], None)).count == 9
    assert LinkedPages([1, 2], PageInfo(), None, lambda url: ([], None)).count == 2
    assert LinkedPages([1, 2], PageInfo(), "p1", lambda url: ([], None)).count is None


def test_a_failing_page_raises_where_its_items_would_come() -> None:
    pages = [[0, 1], [2, 3], [4, 5], [6, 7]]
    listing, _ = _linked_server(pages, fail_at=2)
    received: list[int] = []
    with pytest.raises(RuntimeError, match="page 2 failed"):
        received.extend(listing)
    assert received == [0, 1, 2, 3]


def test_pages_are_read_ahead_of_a_slow_consumer_but_boundedly() -> None:
    pages = [[i] for i in range(20)]
    listing, fetched = _linked_server(pages)
    iterator = iter(listing)
    assert next(iterator) == 0
    assert next(iterator) == 1  # page 1 arrived through the reading thread
    deadline = time.monotonic() + 5
    while len(fetched) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    # One page handed over, two waiting in the queue, one more fetched and waiting for room.
    assert 3 <= len(fetched) <= 5
    iterator.close()  # the consumer goes away: the reader stops
    time.sleep(0.5)
    assert len(fetched) <= 6


# --- a lying server does not make a listing endless ----------------------------------------------


def test_a_next_link_back_to_a_page_already_read_stops_the_listing() -> None:
    def fetch(url: str) -> tuple[list[int], str | None]:
        return [3, 4], "p1"  # page p1 links to itself

    listing = LinkedPages([1, 2], PageInfo(), "p1", fetch)
    seen: list[int] = []
    with pytest.raises(InvalidResponse, match="links back to a page already read"):
        seen.extend(listing)
    assert seen == [1, 2, 3, 4]


def test_more_items_than_the_first_total_stops_the_listing() -> None:
    counter = iter(range(1000))

    def fetch(url: str) -> tuple[list[int], str | None]:
        page = next(counter)
        return [page * 2, page * 2 + 1], f"p{page + 2}"  # a new link each time, for ever

    listing = LinkedPages([-2, -1], PageInfo(0, 1, 6), "p1", fetch)
    seen: list[int] = []
    with pytest.raises(InvalidResponse, match="more items than it announced"):
        seen.extend(listing)
    assert len(seen) == 6


def test_pages_that_never_run_short_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from cartes_cli.client import pagination

    monkeypatch.setattr(pagination, "MAX_PAGES_WITHOUT_TOTAL", 5)

    def fetch_page(page: int, limit: int) -> tuple[list[int], PageInfo]:
        return [page * 10 + i for i in range(limit)], PageInfo()  # no total, never short, never equal

    with pytest.raises(InvalidResponse, match="does not end"):
        list(iter_pages(fetch_page, limit=3))
    counter = iter(range(100))
    linked = LinkedPages([0], PageInfo(), "p0", lambda url: ([1], f"p{next(counter) + 1}"))
    with pytest.raises(InvalidResponse, match="does not end"):
        list(linked)


def test_a_growing_total_is_bounded_by_the_first_page() -> None:
    calls: list[int] = []

    def fetch_page(page: int, limit: int) -> tuple[list[int], PageInfo]:
        calls.append(page)
        total = 4 + page * 100  # the total keeps growing
        return [page * 2, page * 2 + 1], PageInfo(0, 1, total)

    assert list(iter_pages(fetch_page, limit=2, concurrency=2)) == list(range(2, 106))
    assert max(calls) == 52  # 104 items announced by page 1: 52 pages, never more


@pytest.mark.parametrize("concurrency", [8, 16])
def test_every_slot_is_used_once_the_first_page_gives_the_total(concurrency: int) -> None:
    """Pages 2 to concurrency + 1 are all requested before any of them is answered (a barrier,
    not a timing: fewer in flight would break it), and never more than ``concurrency``."""
    server = FakeServer(50 * 40)
    barrier = threading.Barrier(concurrency, timeout=10)

    def gated(page: int, limit: int) -> tuple[list[int], PageInfo]:
        if 2 <= page <= concurrency + 1:
            barrier.wait()
        return server(page, limit)

    assert list(iter_pages(gated, limit=50, concurrency=concurrency)) == list(range(50 * 40))
    assert server.max_in_flight <= concurrency
