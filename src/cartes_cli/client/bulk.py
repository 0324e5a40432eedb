"""A terminal-agnostic engine for bulk work (approving hundreds of requests at once).

``run_bulk(items, action, concurrency=8, on_result=…, stop_event=…)`` runs ``action`` on every
item with at most ``concurrency`` calls in flight. Items are pulled from the iterable lazily, one
per free slot, so 10,000 items never make 10,000 futures; only ids (not results) are kept by
default, so memory stays small.

- ``action(item)`` returns a result (``done``), or ``Unchanged(result)`` when nothing needed doing
  (``unchanged``: "already accepted"); any exception is that item's failure (``failed``) and does
  not stop the others.
- ``on_result(outcome)`` is called in the caller's thread, one outcome at a time, in completion
  order: progress bars and output need no lock.
- ``stop_event`` set (the CLI's Ctrl-C handler does it): nothing new starts, the calls in flight
  finish and are reported, the items never started are listed in ``report.not_started``.
- The iterable raising (a listing read while the run goes, whose next page failed): nothing new
  starts, the calls in flight finish and are reported, and the error is ``report.source_error``.
  A ``KeyboardInterrupt`` reaching the engine does the same the first time (``report.interrupted``);
  if it arrives while stopping, the engine gives up waiting and lets it propagate.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

__all__ = ["BulkReport", "Outcome", "Status", "Unchanged", "run_bulk"]

T = TypeVar("T")
R = TypeVar("R")
F = TypeVar("F")

Status = Literal["done", "unchanged", "failed"]

_POLL = 0.2  # seconds between checks of the stop event while calls are in flight


@dataclass(frozen=True)
class Unchanged(Generic[R]):
    """What an action returns when the item needed nothing (already in the wanted state)."""

    value: R


@dataclass(frozen=True)
class Outcome(Generic[T, R]):
    """The result of one item. ``index`` is its position in the input."""

    item: T
    index: int
    status: Status
    result: R | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.status != "failed"


@dataclass
class BulkReport(Generic[T, R]):
    """What a bulk run did. ``done``/``unchanged`` list items, ``failed`` the failing outcomes,
    ``not_started`` the items never launched (after a stop). ``results`` is filled only with
    ``keep_results=True``."""

    done: list[T] = field(default_factory=list)
    unchanged: list[T] = field(default_factory=list)
    failed: list[Outcome[T, R]] = field(default_factory=list)
    not_started: list[T] = field(default_factory=list)
    interrupted: bool = False
    """True when the run was stopped (stop event or Ctrl-C) before every item was launched."""
    source_error: Exception | None = None
    """What the items' iterable raised, if it did: the items after that point were never seen."""
    results: list[Outcome[T, R]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.done) + len(self.unchanged) + len(self.failed) + len(self.not_started)

    @property
    def ok(self) -> bool:
        """Every item succeeded (done or unchanged) and none was left."""
        return not self.failed and not self.not_started

    @property
    def counts(self) -> dict[str, int]:
        return {
            "done": len(self.done),
            "unchanged": len(self.unchanged),
            "failed": len(self.failed),
            "not_started": len(self.not_started),
        }

    def _add(self, outcome: Outcome[T, R], keep_result: bool) -> None:
        if outcome.status == "done":
            self.done.append(outcome.item)
        elif outcome.status == "unchanged":
            self.unchanged.append(outcome.item)
        else:
            self.failed.append(outcome)
        if keep_result:
            self.results.append(outcome)


def _call(action: Callable[[T], R | Unchanged[R]], item: T) -> tuple[Status, R | None, BaseException | None]:
    try:
        value = action(item)
    except Exception as exc:
        return "failed", None, exc
    if isinstance(value, Unchanged):
        return "unchanged", value.value, None
    return "done", value, None


def _wait_one(finished: queue.SimpleQueue[F], timeout: float) -> F | None:
    """The next finished call, or None after ``timeout`` seconds."""
    try:
        return finished.get(timeout=timeout)
    except queue.Empty:
        return None


Call = Future[tuple[Status, R | None, BaseException | None]]


class _Run(Generic[T, R]):
    """The state of one :func:`run_bulk`: the items pulled so far, the calls in flight, the report."""

    def __init__(
        self,
        items: Iterable[T],
        action: Callable[[T], R | Unchanged[R]],
        *,
        concurrency: int,
        on_result: Callable[[Outcome[T, R]], None] | None,
        stop: threading.Event,
        keep_results: bool,
    ) -> None:
        self.action = action
        self.on_result = on_result
        self.stop = stop
        self.keep_results = keep_results
        self.report: BulkReport[T, R] = BulkReport()
        self.source: Iterator[T] = iter(items)
        self.in_flight: dict[Call[R], tuple[int, T]] = {}
        self.next_index = 0
        self.exhausted = False
        self.callback_error: BaseException | None = None
        # Calls queued ahead in the pool (still at most ``concurrency`` running), so that a worker
        # that finishes starts the next call at once instead of waiting for this thread to be
        # scheduled (with the GIL, that wait costs milliseconds per call). Queued calls that have
        # not started when the run stops are cancelled and reported as not started.
        self.depth = concurrency * 2
        self.unstarted: list[tuple[int, T]] = []
        # Finished calls, in completion order: waiting on this queue costs the same for 2 or 64 calls
        # in flight, where concurrent.futures.wait() registers with every pending future on each round.
        self.finished: queue.SimpleQueue[Call[R]] = queue.SimpleQueue()

    def cancel_queued(self) -> None:
        for future, entry in list(self.in_flight.items()):
            if future.cancel():
                del self.in_flight[future]
                self.unstarted.append(entry)

    def record(self, future: Call[R]) -> None:
        if future not in self.in_flight:
            return  # cancelled before it started: already listed as not started
        index, item = self.in_flight.pop(future)
        status, result, error = future.result()
        outcome: Outcome[T, R] = Outcome(item=item, index=index, status=status, result=result, error=error)
        self.report._add(outcome, self.keep_results)
        if self.on_result is not None and self.callback_error is None:
            try:
                self.on_result(outcome)
            except BaseException as exc:
                self.callback_error = exc
                self.stop.set()

    def collect(self) -> None:
        """Record one finished call (waiting at most ``_POLL``), then any others already done."""
        first = _wait_one(self.finished, _POLL)
        if first is None:
            return
        self.record(first)
        while True:
            try:
                self.record(self.finished.get_nowait())
            except queue.Empty:
                return

    def fill(self, pool: ThreadPoolExecutor) -> None:
        """Start calls until ``depth`` are in flight, the items run out or the run stops."""
        while not self.exhausted and not self.stop.is_set() and len(self.in_flight) < self.depth:
            try:
                item = next(self.source)
            except StopIteration:
                self.exhausted = True
                break
            except Exception as exc:  # the source failed: finish what runs, start nothing
                self.report.source_error = exc
                self.exhausted = True
                break
            future: Call[R] = pool.submit(_call, self.action, item)
            self.in_flight[future] = (self.next_index, item)
            future.add_done_callback(lambda f: self.finished.put(f))
            self.next_index += 1

    def drive(self, pool: ThreadPoolExecutor) -> None:
        """Run until every started call is recorded; the first Ctrl-C stops starting new ones."""
        try:
            while True:
                if self.stop.is_set():
                    self.cancel_queued()
                self.fill(pool)
                if not self.in_flight:
                    break
                self.collect()
        except KeyboardInterrupt:
            if self.stop.is_set():
                raise  # a second interrupt: stop waiting
            self.stop.set()
            self.report.interrupted = True
            self.cancel_queued()
            while self.in_flight:  # finish what was started; another Ctrl-C propagates
                self.collect()

    def result(self) -> BulkReport[T, R]:
        """The report, once the pool is shut down: what never started is listed."""
        if self.callback_error is not None:
            raise self.callback_error
        report = self.report
        if self.unstarted or not self.exhausted:
            report.not_started = [item for _index, item in sorted(self.unstarted, key=lambda e: e[0])]
            if not self.exhausted:
                try:
                    report.not_started.extend(self.source)
                except Exception as exc:
                    report.source_error = exc
            report.interrupted = True
        return report


def run_bulk(
    items: Iterable[T],
    action: Callable[[T], R | Unchanged[R]],
    *,
    concurrency: int = 8,
    on_result: Callable[[Outcome[T, R]], None] | None = None,
    stop_event: threading.Event | None = None,
    keep_results: bool = False,
) -> BulkReport[T, R]:
    """Run ``action`` over ``items`` with bounded concurrency; see the module docstring.

    If ``on_result`` raises (a closed pipe…), nothing new starts, the calls in flight finish
    (their outcomes are recorded but not passed to ``on_result``) and the exception propagates.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    run: _Run[T, R] = _Run(
        items,
        action,
        concurrency=concurrency,
        on_result=on_result,
        stop=stop_event if stop_event is not None else threading.Event(),
        keep_results=keep_results,
    )
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="cartes-bulk")
    try:
        run.drive(pool)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return run.result()
