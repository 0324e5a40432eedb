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
    stop = stop_event if stop_event is not None else threading.Event()
    report: BulkReport[T, R] = BulkReport()
    source: Iterator[T] = iter(items)
    in_flight: dict[Future[tuple[Status, R | None, BaseException | None]], tuple[int, T]] = {}
    next_index = 0
    exhausted = False
    callback_error: BaseException | None = None
    # Calls queued ahead in the pool (still at most ``concurrency`` running), so that a worker
    # that finishes starts the next call at once instead of waiting for this thread to be
    # scheduled (with the GIL, that wait costs milliseconds per call). Queued calls that have
    # not started when the run stops are cancelled and reported as not started.
    depth = concurrency * 2
    unstarted: list[tuple[int, T]] = []

    def cancel_queued() -> None:
        for future, entry in list(in_flight.items()):
            if future.cancel():
                del in_flight[future]
                unstarted.append(entry)

    # Finished calls, in completion order: waiting on this queue costs the same for 2 or 64 calls in
    # flight, where concurrent.futures.wait() registers with every pending future on each round.
    finished: queue.SimpleQueue[Future[tuple[Status, R | None, BaseException | None]]] = queue.SimpleQueue()

    def record(future: Future[tuple[Status, R | None, BaseException | None]]) -> None:
        nonlocal callback_error
        if future not in in_flight:
            return  # cancelled before it started: already listed as not started
        index, item = in_flight.pop(future)
        status, result, error = future.result()
        outcome: Outcome[T, R] = Outcome(item=item, index=index, status=status, result=result, error=error)
        report._add(outcome, keep_results)
        if on_result is not None and callback_error is None:
            try:
                on_result(outcome)
            except BaseException as exc:
                callback_error = exc
                stop.set()

    def collect() -> None:
        """Record one finished call (waiting at most ``_POLL``), then any others already done."""
        first = _wait_one(finished, _POLL)
        if first is None:
            return
        record(first)
        while True:
            try:
                record(finished.get_nowait())
            except queue.Empty:
                return

    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="cartes-bulk")
    try:
        try:
            while True:
                if stop.is_set():
                    cancel_queued()
                while not exhausted and not stop.is_set() and len(in_flight) < depth:
                    try:
                        item = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    except Exception as exc:  # the source failed: finish what runs, start nothing
                        report.source_error = exc
                        exhausted = True
                        break
                    future: Future[tuple[Status, R | None, BaseException | None]] = pool.submit(
                        _call, action, item
                    )
                    in_flight[future] = (next_index, item)
                    future.add_done_callback(lambda f: finished.put(f))
                    next_index += 1
                if not in_flight:
                    break
                collect()
        except KeyboardInterrupt:
            if stop.is_set():
                raise  # a second interrupt: stop waiting
            stop.set()
            report.interrupted = True
            cancel_queued()
            while in_flight:  # finish what was started; another Ctrl-C propagates
                collect()
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    if callback_error is not None:
        raise callback_error
    if unstarted or not exhausted:
        report.not_started = [item for _index, item in sorted(unstarted, key=lambda e: e[0])]
        if not exhausted:
            try:
                report.not_started.extend(source)
            except Exception as exc:
                report.source_error = exc
        report.interrupted = True
    return report
