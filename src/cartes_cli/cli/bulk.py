"""Bulk decisions at the terminal: plan, confirm, run with bounded concurrency, report.

The engine (``client/bulk.py``) knows nothing about terminals; this module adds what a person
or a script sees: a progress bar on stderr (only on a terminal), one line per success on stdout,
one line per failure on stderr with its reason, a summary, and Ctrl-C handling (no new work is
started, what is in flight finishes, the ids left are printed, exit 130).

When stdout and stderr are the same terminal, the result lines are printed through the bar's
console: above the bar, which stays on the last line, never on the bar's own line. With
``--json``, one object per item says its outcome: the verb's past participle (``accepted``,
``rejected``, ``added``), ``unchanged``, or ``failed`` with its ``error``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cartes_cli.cli.exit_codes import ExitCode
from cartes_cli.cli.options import check_concurrency as check_concurrency
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.output import Terminal


@dataclass(frozen=True)
class Item:
    """One unit of bulk work: what to decide, and how to show it."""

    key: str  # the request id (or "community/user" on the real platform)
    label: str = ""
    data: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


def read_ids_from_stdin(stream: Any = None) -> list[str]:
    """Ids from standard input: one per line, JSON lines of objects, or one JSON array.

    Objects contribute their ``id`` (or ``_id``); blank lines and ``#`` comments are skipped.
    """
    stream = stream or sys.stdin
    text = stream.read()
    stripped = text.strip()
    if not stripped:
        return []
    if stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except ValueError as exc:
            raise UsageError(_("Standard input is not valid JSON: {reason}.").format(reason=exc)) from exc
        return [_id_of(entry, n) for n, entry in enumerate(data, 1)]
    ids: list[str] = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("{"):
            try:
                ids.append(_id_of(json.loads(line), n))
            except ValueError as exc:
                raise UsageError(_("Line {n} of standard input is not valid JSON.").format(n=n)) from exc
        else:
            ids.append(line.split()[0])
    return ids


def _id_of(entry: Any, n: int) -> str:
    if isinstance(entry, str):
        return entry.strip()
    if isinstance(entry, dict):
        value = entry.get("id") or entry.get("_id")
        if isinstance(value, str):
            return value
    raise UsageError(_("Entry {n} of standard input has no id.").format(n=n))


def dedupe(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for v in values:
        if v not in seen:
            seen.add(v)
            out.append(v)
    return out


def confirm(term: Terminal, question: str, *, yes: bool, count: int) -> None:
    """More than one item needs a confirmation on a terminal, and --yes otherwise."""
    if yes or count <= 1:
        return
    if not term.interactive:
        raise UsageError(
            _("{n} items would be changed: add --yes to confirm when not running on a terminal.").format(
                n=count
            )
        )
    if not term.agrees(question + _(" [y/N]")):
        raise UsageError(_("Cancelled; nothing was changed."))


@dataclass
class Summary:
    done: int = 0
    unchanged: int = 0
    failed: int = 0
    left: list[str] = field(default_factory=list)
    unlisted: int = 0
    """Items announced by a listing read during the run but never received (it failed)."""
    interrupted: bool = False
    halted: str | None = None
    """Why the run stopped by itself (an error every remaining item would meet), if it did."""


def run(
    term: Terminal,
    items: Iterable[Item],
    action: Callable[[Item], tuple[str, Any]],
    *,
    concurrency: int,
    verb_done: str,
    describe_error: Callable[[BaseException], str],
    success_line: Callable[[Item, str, Any], str],
    total: int | None = None,
    done_status: str = "done",
) -> tuple[Summary, int]:
    """Run ``action`` over ``items`` and report. Returns the summary and the exit code.

    ``action`` returns ``(status, result)`` with status ``done`` or ``unchanged``; it raises on
    failure. The engine bounds concurrency and stops launching new work on Ctrl-C.

    ``items`` may be a listing still being read (``total``: what it announced). After a stop the
    rest of it is read to list the ids left; if that fails, their number is given instead.
    """
    from cartes_cli import garbage_collection
    from cartes_cli.client.bulk import run_bulk

    garbage_collection.for_long_run()
    if total is None:
        items = list(items)
        total = len(items)
    progress = _Progress(term, total, verb_done)
    recorder = _Recorder(
        term,
        progress,
        describe_error=describe_error,
        success_line=success_line,
        done_status=done_status,
        streak=FailureStreak(limit=max(MIN_FAILURE_STREAK, 2 * concurrency)),
    )

    def wrapped(item: Item) -> tuple[str, Any]:
        return action(item)

    with _sigint_stops(recorder.stop, progress), progress:
        report = run_bulk(
            items,
            _adapt(wrapped),
            concurrency=concurrency,
            on_result=recorder.on_result,
            stop_event=recorder.stop,
        )
    summary = recorder.summary
    not_started = list(getattr(report, "not_started", []) or [])
    summary.left = [i.key for i in not_started]
    seen = summary.done + summary.unchanged + summary.failed + len(summary.left)
    summary.unlisted = max(0, total - seen) if report.source_error is not None else 0
    summary.interrupted = recorder.stop.is_set() and summary.halted is None
    if term.rendering == "json":
        term.print_json(recorder.results_json)
    term.info(
        _("{verb}: {done}, unchanged: {unchanged}, failed: {failed}.").format(
            verb=verb_done, done=summary.done, unchanged=summary.unchanged, failed=summary.failed
        )
    )
    return summary, _conclude(term, recorder, report.source_error, describe_error)


class Session:
    """A bulk run fed by a person, one item at a time (``cartes request review``): each item goes
    through the same engine as :func:`run` when it is decided (the client's idempotency keys,
    retries and renewed login, an ``Unchanged`` outcome for what needed nothing), into the same
    summary and exit code. The result lines are kept, not printed: the screen is the person's
    until :meth:`finish`, which prints them, the summary and what is left."""

    def __init__(
        self,
        term: Terminal,
        *,
        describe_error: Callable[[BaseException], str],
        success_line: Callable[[Item, str, Any], str],
        done_status: Callable[[Item], str],
    ) -> None:
        self.term = term
        self._log = _Kept()
        self.recorder = _Recorder(
            term,
            self._log,
            describe_error=describe_error,
            success_line=success_line,
            done_status=done_status,
            streak=FailureStreak(limit=MIN_FAILURE_STREAK),
        )

    @property
    def summary(self) -> Summary:
        return self.recorder.summary

    @property
    def stopped(self) -> bool:
        """Set by a halt (the login gone, the platform refusing more) or by Ctrl-C: decide no more."""
        return self.recorder.stop.is_set()

    def apply(self, item: Item, action: Callable[[Item], tuple[str, Any]]) -> Any:
        """Run ``action`` on ``item`` now, through the engine; its outcome (``status``,
        ``result``, ``error``), or None when it was not started (the session is stopping)."""
        from cartes_cli.client.bulk import run_bulk

        report = run_bulk(
            [item],
            _adapt(action),
            concurrency=1,
            on_result=self.recorder.on_result,
            stop_event=self.recorder.stop,
            keep_results=True,
        )
        return report.results[0] if report.results else None

    def unchanged(self, item: Item, result: Any = None) -> None:
        """An item found already decided (by someone else), counted as the engine counts it."""
        from cartes_cli.client.bulk import Outcome

        self.recorder.on_result(Outcome(item=item, index=0, status="unchanged", result=result))

    def interrupt(self) -> None:
        """Ctrl-C: nothing more is decided, and the session ends as an interrupted bulk run."""
        self.recorder.stop.set()

    def finish(self, summary_line: str, left: list[str]) -> int:
        """The kept result lines on stdout, the summary line, then what the bulk run says after it
        (why it stopped, the ids ``left``); returns the exit code."""
        summary = self.recorder.summary
        summary.left = list(left)
        summary.interrupted = self.recorder.stop.is_set() and summary.halted is None
        if self.term.rendering == "json":
            self.term.print_json(self.recorder.results_json)
        else:
            for line in self._log.out:
                self.term.stdout.write(line + "\n")
            self.term.stdout.flush()
        for line in self._log.err:
            self.term.stderr.write(line + "\n")
        self.term.info(summary_line)
        return _conclude(self.term, self.recorder, None, self.recorder.describe_error)


class _Kept:
    """What a :class:`_Progress` would print, kept for later: a session owns the screen."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.err: list[str] = []

    def advance(self) -> None:
        pass

    def log_out(self, line: str) -> None:
        self.out.append(line)

    def log_error(self, line: str) -> None:
        self.err.append(line)


class _Recorder:
    """What the run has seen so far, item by item (called from the engine's threads): the
    summary, the result lines (or the ``--json`` objects), and whether to stop starting items."""

    def __init__(
        self,
        term: Terminal,
        progress: _Progress | _Kept,
        *,
        describe_error: Callable[[BaseException], str],
        success_line: Callable[[Item, str, Any], str],
        done_status: str | Callable[[Item], str],
        streak: FailureStreak,
    ) -> None:
        self.term = term
        self.progress = progress
        self.describe_error = describe_error
        self.success_line = success_line
        self.done_status = done_status
        self.streak = streak
        self.summary = Summary()
        self.stop = threading.Event()
        self.results_json: list[dict[str, Any]] = []
        self.failure_codes: set[int] = set()
        self.halt_code: list[int] = []
        self._lock = threading.Lock()

    def on_result(self, outcome: Any) -> None:
        with self._lock:
            if outcome.status == "failed":
                self._failed(outcome.item, outcome.error)
            else:
                self._succeeded(outcome.item, outcome.status, outcome.result)
            self.progress.advance()

    def _failed(self, item: Item, error: BaseException | None) -> None:
        summary = self.summary
        summary.failed += 1
        self.failure_codes.add(exit_code_of(error))
        reason_to_halt = halting_reason(error) or self.streak.failed(error)
        if reason_to_halt is not None and summary.halted is None:
            # Every item left would meet the same refusal: start none of them.
            summary.halted = reason_to_halt
            self.halt_code.append(exit_code_of(error))
            self.stop.set()
        reason = self.describe_error(error) if error is not None else _("unknown error")
        self.progress.log_error(_("failed {key}: {reason}").format(key=item.key, reason=reason))
        self.results_json.append({**item.data, "id": item.key, "status": "failed", "error": reason})

    def _succeeded(self, item: Item, status: str, result: Any) -> None:
        self.streak.succeeded()
        if status == "unchanged":
            self.summary.unchanged += 1
        else:
            self.summary.done += 1
        line = self.success_line(item, status, result)
        if self.term.rendering == "json":
            done = self.done_status if isinstance(self.done_status, str) else self.done_status(item)
            shown = done if status == "done" else status
            self.results_json.append({**item.data, "id": item.key, "status": shown})
        else:
            self.progress.log_out(line)


@contextlib.contextmanager
def _sigint_stops(stop: threading.Event, progress: _Progress) -> Iterator[None]:
    """Ctrl-C during the run: start no new item (a second one gives up waiting). Only the main
    thread can receive signals; elsewhere nothing changes."""
    previous = signal.getsignal(signal.SIGINT)

    def on_sigint(signum: int, frame: Any) -> None:
        if not stop.is_set():
            stop.set()
            progress.log_error(_("Interrupted: finishing the requests in flight, starting no new one…"))
        else:  # a second Ctrl-C: give up waiting
            raise KeyboardInterrupt

    in_main_thread = threading.current_thread() is threading.main_thread()
    if in_main_thread:
        signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)


def _conclude(
    term: Terminal,
    recorder: _Recorder,
    source_error: BaseException | None,
    describe_error: Callable[[BaseException], str],
) -> ExitCode:
    """After the summary line: why the run stopped early if it did, the ids left, the exit code."""
    summary = recorder.summary
    if summary.halted is not None:
        term.info(summary.halted)
        _print_left(term, summary, _("Not started ({n}); run the same command again to finish:"))
        halt_code = recorder.halt_code[0]
        return ExitCode(halt_code) if halt_code == ExitCode.AUTH else ExitCode.FAILURE
    if summary.interrupted:
        _print_left(term, summary, _("Not started ({n}):"))
        return ExitCode.INTERRUPTED
    if source_error is not None:
        # The listing broke off: what was received is decided, the rest was never seen.
        term.info(
            _(
                "The list of requests could not be read to the end ({reason}); run the same command "
                "again to finish."
            ).format(reason=describe_error(source_error))
        )
        _print_left(term, summary, _("Not started ({n}):"))
        code = exit_code_of(source_error)
        return ExitCode(code) if code in (ExitCode.AUTH, ExitCode.PERMISSION) else ExitCode.FAILURE
    if not summary.failed:
        return ExitCode.OK
    # Every item failed for one reason that has its own code (not logged in, permission denied,
    # not found): that code says more than "failure", e.g. one approval without the right → 5.
    nothing_done = summary.done == 0 and summary.unchanged == 0
    if nothing_done and len(recorder.failure_codes) == 1:
        (only,) = recorder.failure_codes
        if only in (ExitCode.AUTH, ExitCode.PERMISSION, ExitCode.NOT_FOUND):
            return ExitCode(only)
    return ExitCode.FAILURE


def _print_left(term: Terminal, summary: Summary, heading: str) -> None:
    """The ids not started (on stderr, one per line), and how many were not even listed yet."""
    if summary.left:
        term.info(heading.format(n=len(summary.left)))
        for key in summary.left:
            term.stderr.write(key + "\n")
        term.stderr.flush()
    if summary.unlisted:
        term.info(
            _("{n} more were not listed yet; run the same command again to finish them.").format(
                n=summary.unlisted
            )
        )


MIN_FAILURE_STREAK = 10


class FailureStreak:
    """Failures of one kind in a row, each after its own patient retries: past ``limit`` the
    platform is failing, not the items (a full disk, a broken back end), and every item left would
    wait through the same retries to fail the same way. A success ends the streak."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._kind: tuple[str, object] | None = None
        self._count = 0

    def succeeded(self) -> None:
        self._kind, self._count = None, 0

    def failed(self, error: BaseException | None) -> str | None:
        from cartes_cli.errors import ServerError, TransportError

        if not isinstance(error, (ServerError, TransportError)):
            self.succeeded()  # a refusal of that one item (not found, a conflict): the platform works
            return None
        kind = (type(error).__name__, getattr(error, "status", None))
        self._count = self._count + 1 if kind == self._kind else 1
        self._kind = kind
        if self._count < self.limit:
            return None
        return _(
            "Stopped: the last {n} items all failed the same way, each after its retries ({reason}); the "
            "platform cannot serve them now. Run the same command again later to finish."
        ).format(n=self._count, reason=_reason_of(error))


def _reason_of(error: BaseException) -> str:
    from cartes_cli.cli.errors import describe

    return describe(error)[1].rstrip(".")


def halting_reason(error: BaseException | None) -> str | None:
    """A sentence when ``error`` means that no further item can succeed now: the login is gone,
    or the platform asks to wait longer than cartes waits (a long ``Retry-After``)."""
    from cartes_cli.errors import AuthRequired, RateLimited

    if isinstance(error, AuthRequired):
        return _("Stopped: the login is no longer valid; run 'cartes login', then the same command again.")
    if isinstance(error, RateLimited):
        wait = getattr(error, "retry_after", None)
        if wait is not None:
            return _(
                "Stopped: the platform asks to wait {seconds} s before any new request; run the same "
                "command again later to finish."
            ).format(seconds=round(wait))
        return _("Stopped: the platform refuses more requests for now; run the same command again later.")
    return None


def exit_code_of(error: BaseException | None) -> int:
    if error is None:
        return int(ExitCode.FAILURE)
    from cartes_cli.cli.errors import describe

    return int(describe(error)[0])


def _adapt(fn: Callable[[Item], tuple[str, Any]]) -> Callable[[Item], Any]:
    """The engine's action returns an Outcome status through a marker object."""
    from cartes_cli.client.bulk import Unchanged

    def action(item: Item) -> Any:
        status, result = fn(item)
        if status == "unchanged":
            return Unchanged(result)
        return result

    return action


class _Progress:
    """A Rich progress bar on stderr when stderr is a terminal; plain lines otherwise."""

    def __init__(self, term: Terminal, total: int, description: str) -> None:
        self.term = term
        self.total = total
        self.description = description
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if self.term.stderr_isatty and self.total > 1:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            console = self.term.progress_console()
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task(self.description, total=self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)

    def advance(self) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)

    def log_out(self, line: str) -> None:
        if self._progress is not None and self._shares_terminal():
            # Through the bar's console: the bar is lifted, the line printed, the bar redrawn.
            self._progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
            return
        self.term.stdout.write(line + "\n")
        self.term.stdout.flush()

    def _shares_terminal(self) -> bool:
        """Do stdout and stderr (the bar) show on the same terminal? (Then the two streams share
        the screen's lines.) Piped or redirected, stdout gets only its result lines."""
        if not self.term.stdout_isatty:
            return False
        try:
            out, err = os.fstat(self.term.stdout.fileno()), os.fstat(self.term.stderr.fileno())
        except (AttributeError, OSError, ValueError):
            return True  # test streams that say they are terminals
        return (out.st_dev, out.st_ino, out.st_rdev) == (err.st_dev, err.st_ino, err.st_rdev)

    def log_error(self, line: str) -> None:
        if self._progress is not None:
            self._progress.console.print(line, markup=False, highlight=False)
        else:
            self.term.stderr.write(line + "\n")
            self.term.stderr.flush()
