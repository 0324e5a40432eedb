"""The bulk engine with fake actions: bounded concurrency, lazy submission, isolation of failures,
stop semantics and interrupts."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from cartes_cli.client.bulk import BulkReport, Outcome, Unchanged, run_bulk


class Tracker:
    """An action that sleeps a little and records how many run at once."""

    def __init__(self, delay: float = 0.005) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.running = 0
        self.max_running = 0
        self.started: list[int] = []

    def __call__(self, item: int) -> int:
        with self.lock:
            self.running += 1
            self.max_running = max(self.max_running, self.running)
            self.started.append(item)
        try:
            time.sleep(self.delay * (1 + item % 3))  # uneven durations: completion order varies
            return item * 10
        finally:
            with self.lock:
                self.running -= 1


@pytest.mark.parametrize("concurrency", [1, 3, 8])
def test_concurrency_bound_is_reached_and_respected(concurrency: int) -> None:
    action = Tracker()
    outcomes: list[Outcome[int, int]] = []
    report = run_bulk(range(40), action, concurrency=concurrency, on_result=outcomes.append)
    assert action.max_running == concurrency
    assert sorted(report.done) == list(range(40))
    assert report.ok
    assert report.total == 40
    assert not report.interrupted
    assert sorted(o.index for o in outcomes) == list(range(40))
    assert all(o.result == o.item * 10 and o.status == "done" for o in outcomes)


def test_on_result_runs_in_the_callers_thread_one_at_a_time() -> None:
    caller = threading.current_thread()
    threads: set[threading.Thread] = set()
    run_bulk(
        range(20), Tracker(0.001), concurrency=5, on_result=lambda o: threads.add(threading.current_thread())
    )
    assert threads == {caller}


def test_items_are_pulled_lazily() -> None:
    """Never more than twice ``concurrency`` items taken ahead of the completed ones (the running
    calls and as many queued behind them), however long the input."""
    pulled = 0
    completed = 0
    worst = 0
    lock = threading.Lock()

    def source() -> Iterator[int]:
        nonlocal pulled, worst
        for i in range(10_000):
            with lock:
                pulled += 1
                worst = max(worst, pulled - completed)
            yield i

    def on_result(outcome: Outcome[int, int]) -> None:
        nonlocal completed
        with lock:
            completed += 1

    report = run_bulk(source(), lambda i: i, concurrency=8, on_result=on_result)
    assert len(report.done) == 10_000
    assert worst <= 16
    assert report.results == []  # results are not kept unless asked


def test_unchanged_and_failures_are_isolated() -> None:
    def action(i: int) -> int | Unchanged[int]:
        if i % 5 == 0:
            raise RuntimeError(f"boom {i}")
        if i % 2 == 0:
            return Unchanged(i)
        return i

    report: BulkReport[int, int] = run_bulk(range(20), action, concurrency=4, keep_results=True)
    assert sorted(report.unchanged) == [2, 4, 6, 8, 12, 14, 16, 18]
    assert sorted(report.done) == [1, 3, 7, 9, 11, 13, 17, 19]
    assert sorted(o.item for o in report.failed) == [0, 5, 10, 15]
    assert all(isinstance(o.error, RuntimeError) and not o.ok for o in report.failed)
    assert report.counts == {"done": 8, "unchanged": 8, "failed": 4, "not_started": 0}
    assert not report.ok
    assert len(report.results) == 20
    unchanged = next(o for o in report.results if o.item == 2)
    assert unchanged.status == "unchanged"
    assert unchanged.result == 2


def test_stop_event_launches_nothing_new_and_finishes_in_flight() -> None:
    stop = threading.Event()
    gate = threading.Event()
    started: list[int] = []
    lock = threading.Lock()

    def action(i: int) -> int:
        with lock:
            started.append(i)
            if len(started) == 3:
                stop.set()  # Ctrl-C arrives while three are running
        gate.wait(5)
        return i

    def on_result(outcome: Outcome[int, int]) -> None:
        gate.set()

    threading.Timer(0.05, gate.set).start()
    report = run_bulk(list(range(100)), action, concurrency=3, on_result=on_result, stop_event=stop)
    assert sorted(report.done) == sorted(started)
    assert len(started) == 3
    assert report.not_started == [i for i in range(100) if i not in started]
    assert report.interrupted
    assert not report.ok
    assert report.total == 100


def test_stop_before_start() -> None:
    stop = threading.Event()
    stop.set()
    report = run_bulk(range(5), lambda i: i, stop_event=stop)
    assert report.not_started == [0, 1, 2, 3, 4]
    assert report.done == []


def test_interrupt_while_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    import cartes_cli.client.bulk as bulk

    real_wait = bulk._wait_one
    raised = False

    def wait_then_interrupt(*args: object, **kwargs: object) -> object:
        nonlocal raised
        if not raised:
            raised = True
            raise KeyboardInterrupt
        return real_wait(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bulk, "_wait_one", wait_then_interrupt)
    report = run_bulk(range(30), Tracker(0.01), concurrency=4)
    assert report.interrupted
    assert len(report.done) == 4  # the four in flight finished and were recorded
    assert report.not_started == list(range(4, 30))


def test_second_interrupt_propagates_without_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's handler set the stop event on the first Ctrl-C; a second one reaching the engine
    gives up waiting for the calls in flight."""
    import cartes_cli.client.bulk as bulk

    stop = threading.Event()
    gate = threading.Event()

    def action(i: int) -> int:
        stop.set()
        gate.wait(5)
        return i

    def interrupt(*args: object, **kwargs: object) -> object:
        stop.wait(5)
        raise KeyboardInterrupt

    monkeypatch.setattr(bulk, "_wait_one", interrupt)
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run_bulk(range(10), action, concurrency=2, stop_event=stop)
    assert time.monotonic() - start < 2  # did not wait for the blocked calls
    gate.set()


def test_on_result_failure_stops_and_propagates() -> None:
    action = Tracker(0.002)

    def on_result(outcome: Outcome[int, int]) -> None:
        raise BrokenPipeError("stdout closed")

    with pytest.raises(BrokenPipeError):
        run_bulk(range(100), action, concurrency=4, on_result=on_result)
    assert len(action.started) <= 8  # nothing new after the failure


def test_bad_concurrency() -> None:
    with pytest.raises(ValueError, match="concurrency"):
        run_bulk([1], lambda i: i, concurrency=0)


def test_ten_thousand_items_quickly() -> None:
    start = time.monotonic()
    report = run_bulk(range(10_000), lambda i: Unchanged(i) if i % 2 else i, concurrency=16)
    assert len(report.done) == 5_000
    assert len(report.unchanged) == 5_000
    assert time.monotonic() - start < 10


def test_a_failing_source_stops_launching_and_finishes_what_runs() -> None:
    """A listing read during the run whose next page fails: what was received is done and
    reported, nothing is lost or left running, and the error is handed back, not raised."""

    def source() -> Iterator[int]:
        yield from range(25)
        raise ConnectionError("page 2 could not be read")

    action = Tracker(0.002)
    seen: list[int] = []
    report = run_bulk(source(), action, concurrency=4, on_result=lambda o: seen.append(o.item))
    assert isinstance(report.source_error, ConnectionError)
    assert sorted(report.done) == list(range(25))
    assert sorted(seen) == list(range(25))
    assert not report.interrupted
    assert report.not_started == []
    assert action.running == 0
