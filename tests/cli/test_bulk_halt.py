"""A bulk run stops by itself when no further item can succeed: a long Retry-After, a lost login."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator

from cartes_cli.cli import bulk
from cartes_cli.cli.exit_codes import ExitCode
from cartes_cli.cli.output import Terminal
from cartes_cli.errors import NotFound, RateLimited, ServerError, SessionExpired, TransportError


def _terminal() -> tuple[Terminal, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    term = Terminal(format="tsv", stdout=out, stderr=err, stdout_isatty=False, stderr_isatty=False)
    return term, out, err


def _run(
    error_at: int, error: Exception, n: int = 200, concurrency: int = 4
) -> tuple[bulk.Summary, int, str, list[str]]:
    term, _out, err = _terminal()
    items = [bulk.Item(f"id-{i:03d}", f"item {i}") for i in range(n)]
    started: list[str] = []
    lock = threading.Lock()

    def action(item: bulk.Item) -> tuple[str, object]:
        with lock:
            started.append(item.key)
        time.sleep(0.002)
        if item.key == f"id-{error_at:03d}":
            raise error
        return "done", None

    summary, code = bulk.run(
        term,
        items,
        action,
        concurrency=concurrency,
        verb_done="Accepted",
        describe_error=str,
        success_line=lambda item, state, result: f"accepted\t{item.key}",
    )
    return summary, code, err.getvalue(), started


def test_a_long_retry_after_stops_the_run_and_lists_the_ids_left() -> None:
    summary, code, err, started = _run(20, RateLimited("Too many requests.", retry_after=600))
    assert code == ExitCode.FAILURE
    assert summary.halted is not None
    assert "600 s" in summary.halted
    assert summary.failed >= 1
    assert len(started) < 200  # nothing new started after the refusal (bar the queue already running)
    assert summary.left, "the ids not started are reported"
    assert set(summary.left).isdisjoint(started)
    assert summary.done + summary.failed + len(summary.left) == 200
    assert "run the same command again" in err
    for key in summary.left:
        assert f"\n{key}\n" in err or err.endswith(f"{key}\n")


def test_a_lost_login_stops_the_run_with_exit_4() -> None:
    summary, code, _err, _started = _run(10, SessionExpired("Your session has expired."))
    assert code == ExitCode.AUTH
    assert "cartes login" in (summary.halted or "")
    assert summary.left


def test_an_ordinary_failure_does_not_stop_the_run() -> None:
    summary, code, _err, started = _run(10, NotFound("No such request."))
    assert code == ExitCode.FAILURE
    assert summary.halted is None
    assert summary.left == []
    assert len(started) == 200
    assert (summary.done, summary.failed) == (199, 1)


def _run_listing(received: int, error: Exception, total: int) -> tuple[bulk.Summary, int, str, str]:
    """A run over a listing read during the run: ``received`` items, then ``error``."""
    term, out, err = _terminal()

    def listing() -> Iterator[bulk.Item]:
        for i in range(received):
            yield bulk.Item(f"id-{i:03d}", f"item {i}")
        raise error

    summary, code = bulk.run(
        term,
        listing(),
        lambda item: ("done", None),
        concurrency=4,
        verb_done="Accepted",
        describe_error=str,
        success_line=lambda item, state, result: f"accepted\t{item.key}",
        total=total,
    )
    return summary, code, out.getvalue(), err.getvalue()


def test_a_listing_that_breaks_off_reports_the_rest_and_fails() -> None:
    """``--all`` decides while the listing is read: when a page cannot be read, the received items
    are still decided, the summary says how many were never listed, and the run exits 1."""
    summary, code, out, err = _run_listing(30, TransportError("The platform could not be reached."), 100)
    assert code == ExitCode.FAILURE
    assert summary.done == 30
    assert summary.unlisted == 70
    assert "could not be read to the end (The platform could not be reached.)" in err
    assert "70 more were not listed yet" in err
    assert out.count("accepted\t") == 30


def test_a_lost_login_while_listing_exits_4() -> None:
    _summary, code, _out, err = _run_listing(1, SessionExpired("The session has expired."), 10)
    assert code == ExitCode.AUTH
    assert "9 more were not listed yet" in err


def test_a_platform_that_keeps_failing_stops_the_run_early() -> None:
    term, _out, err = _terminal()
    items = [bulk.Item(f"id-{i:03d}", f"item {i}") for i in range(300)]
    started: list[str] = []
    lock = threading.Lock()

    def action(item: bulk.Item) -> tuple[str, object]:
        with lock:
            started.append(item.key)
        if item.key < "id-005":
            return "done", None
        raise ServerError("The sandbox's disk is full.", status=507)  # every retry spent, every time

    summary, code = bulk.run(
        term,
        items,
        action,
        concurrency=4,
        verb_done="Accepted",
        describe_error=str,
        success_line=lambda item, state, result: f"accepted\t{item.key}",
    )
    assert code == ExitCode.FAILURE
    assert summary.halted is not None
    assert "the last 10 items all failed the same way" in summary.halted
    assert len(started) < 40  # not 300 items each waiting through its retries
    assert summary.left
    assert summary.done + summary.failed + len(summary.left) == 300
    assert "Run the same command again later" in err.getvalue()


def test_failures_of_single_items_do_not_stop_the_run() -> None:
    term, _out, _err = _terminal()
    items = [bulk.Item(f"id-{i:03d}", f"item {i}") for i in range(100)]

    def action(item: bulk.Item) -> tuple[str, object]:
        raise NotFound("No such request.")

    summary, _code = bulk.run(
        term,
        items,
        action,
        concurrency=4,
        verb_done="Accepted",
        describe_error=str,
        success_line=lambda item, state, result: f"accepted\t{item.key}",
    )
    assert summary.halted is None
    assert summary.failed == 100
