"""``cartes request review``: the pending requests one at a time at the terminal, each decided
with a key.

Each decision is applied when it is made, through the bulk engine (``bulk.Session``: the
client's idempotency keys, retries and renewed login, the same outcomes and summary as
``request approve``): quitting, or Ctrl-C, loses nothing already decided, and the next review
lists only what is still pending. A request decided by someone else meanwhile (the request read
again when it is shown, or the platform's answer to the decision) is shown as such and counted
as unchanged, as a bulk run counts it. Drawn by ``review_screen``; keys by ``cli/keys.py``;
the reasons offered again by ``reasons``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cartes_cli.cli.options import context_of, exit_with
from cartes_cli.cli.request import reasons, targets
from cartes_cli.cli.request import review_screen as screen
from cartes_cli.cli.request.common import check_choice, require_requests_api
from cartes_cli.cli.request.rows import TYPES, person_name
from cartes_cli.cli.terminal_text import neutralise
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.bulk import Item, Session
    from cartes_cli.cli.context import AppContext
    from cartes_cli.cli.keys import KeyReader
    from cartes_cli.client import GeoplateformeClient
    from cartes_cli.client.models import Request

NEXT = ("s", " ", "right", "n", "pagedown")
BACK = ("b", "left", "p", "pageup")
DETAILS = ("i", "enter")
QUIT = ("q", "eof")
APPROVE = ("a",)
APPROVE_WITH_RIGHTS = ("r", "A")
REJECT = ("x", "d")


def keys_line() -> str:
    return _("a approve · r rights · x reject · s skip · b back · i details · ? help · q quit")


def help_text() -> str:
    return _(
        "a: approve with the default rights (UPLOAD, PROCESSING, BROADCAST, ANNEX)\n"
        "r: approve, choosing the rights\n"
        "x or d: reject, with a reason (or one of the last five)\n"
        "s, space or →: skip (it stays pending) · b or ←: back\n"
        "i or Enter: the whole request and its requester · q: quit\n"
        "Each decision is made at once; Ctrl-C or q keeps what is decided."
    )


@dataclass(frozen=True)
class ReviewOptions:
    """Which pending requests to review: in one workspace, of one type."""

    workspace: str | None = None
    type: str | None = None


@dataclass
class _Entry:
    request: Request
    item: Item
    decided: str | None = None
    """The status once decided (by this session, or found decided by someone else)."""
    by_me: bool = False


def run(app: AppContext, options: ReviewOptions, keys: KeyReader | None = None) -> int | None:
    from cartes_cli.client.retry import BULK_RETRY

    term = app.terminal
    if not term.interactive:  # before any request
        raise UsageError(
            _(
                "'cartes request review' needs a terminal (standard input and output); in a script, "
                "decide with 'cartes request approve' or 'cartes request reject'."
            )
        )
    type_v = check_choice(options.type, TYPES, "--type")
    client = app.client(retry=BULK_RETRY)
    require_requests_api(client)
    pending = targets.incoming_requests(client, options.workspace, "pending", type_v)
    if not pending:
        term.info(_("Nothing to review: no request is pending."))
        return None
    review = _Review(app, client, pending)
    if keys is not None:
        with review.screen():
            review.loop(keys)
    else:
        from cartes_cli.cli.keys import TerminalKeys

        with TerminalKeys(term.stdin.fileno()) as terminal_keys, review.screen():
            review.loop(terminal_keys)
    return review.finish()


class _Review:
    """One session: the requests listed when it started, where the person is, what was decided."""

    def __init__(self, app: AppContext, client: GeoplateformeClient, requests: list[Request]) -> None:
        from cartes_cli.cli import bulk

        self.term = app.terminal
        self.client = client
        self.entries = [_Entry(r, targets.item_of(r)) for r in requests]
        self.index = 0
        self.shown = -1
        self.message = ""
        self.style = "cyan"
        self.started = time.time()
        self.verbs: dict[str, str] = {}
        self.counts = {"approve": 0, "reject": 0}
        self.console = self.term.screen_console()
        self.session: Session = bulk.Session(
            self.term,
            describe_error=_describe,
            success_line=self._line,
            done_status=lambda item: targets.DECIDED[self.verbs.get(item.key, "approve")],
        )

    # --- the session ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def screen(self) -> Iterator[None]:
        """The alternate screen while reviewing; the terminal's own screen back on every way out."""
        console = self.console
        alternate = bool(console.is_terminal)
        if alternate:
            console.set_alt_screen(True)
            console.show_cursor(False)
        try:
            yield
        except KeyboardInterrupt:
            self.session.interrupt()  # Ctrl-C between decisions: end as an interrupted bulk run
        finally:
            if alternate:
                console.show_cursor(True)
                console.set_alt_screen(False)

    def loop(self, keys: KeyReader) -> None:
        while not self.session.stopped:
            if self.index >= len(self.entries):
                if not self._at_the_end(keys):
                    return
                continue
            entry = self.entries[self.index]
            if self.shown != self.index:
                self.shown = self.index
                if entry.decided is None:
                    self._refresh(entry)
            self._draw(entry)
            key = keys.read()
            self.message, self.style = "", "cyan"
            if key in QUIT:
                return
            self._on_key(entry, key, keys)

    def _on_key(self, entry: _Entry, key: str, keys: KeyReader) -> None:
        if key == "resize":
            return  # drawn again at the new size
        if key == "?":
            self.message = help_text()
        elif key in NEXT:
            self.index += 1
        elif key in BACK:
            if self.index:
                self.index -= 1
            else:
                self.message = _("This is the first request.")
        elif key in DETAILS:
            self._details(entry, keys)
        elif key in APPROVE + APPROVE_WITH_RIGHTS + REJECT:
            if entry.decided is not None:
                self._say(_("Already decided ({status}): nothing to do.").format(status=self._status(entry)))
            elif key in APPROVE:
                self._decide(entry, "approve")
            elif key in APPROVE_WITH_RIGHTS:
                rights = self._ask_rights(entry, keys)
                if rights is not None:
                    self._decide(entry, "approve", rights=rights)
            else:
                reason = self._ask_reason(entry, keys)
                if reason is not None:
                    self._decide(entry, "reject", reason=reason)
        elif key:
            self._say(_("Unknown key {key}: press ? for help.").format(key=repr(key)))

    def finish(self) -> int:
        """The result lines, the bulk run's summary and what it says after it; the exit code."""
        summary = self.session.summary
        left = [e.item.key for e in self.entries if e.decided is None]
        counts = _("Accepted: {accepted}, rejected: {rejected}, unchanged: {unchanged}, failed: {failed}.")
        line = counts.format(
            accepted=self.counts["approve"],
            rejected=self.counts["reject"],
            unchanged=summary.unchanged,
            failed=summary.failed,
        )
        code = self.session.finish(line, left)
        if left and not summary.interrupted and summary.halted is None:
            self.term.info(
                _("{n} still pending: run 'cartes request review' again to see them.").format(n=len(left))
            )
        return code

    # --- deciding -----------------------------------------------------------------------------------

    def _decide(self, entry: _Entry, verb: str, *, rights: list[str] | None = None, reason: str = "") -> None:
        if verb == "approve":
            act = targets.accept_action(self.client, rights, self.started)
        else:
            act = targets.reject_action(self.client, reason or None, self.started)
        self.verbs[entry.item.key] = verb
        outcome = self.session.apply(entry.item, self._decided_elsewhere(act))
        if outcome is None:  # stopping (Ctrl-C, or the login gone): nothing was sent
            return
        if outcome.status == "failed":
            self._say(_("Failed: {reason}").format(reason=_describe(outcome.error)), "red")
            return
        result: Request = outcome.result
        entry.request = result
        entry.decided = screen.value_of(result.status)
        if outcome.status == "unchanged":
            self._say(
                _("Already decided by someone else ({status}): nothing changed.").format(
                    status=self._status(entry)
                ),
                "yellow",
            )
            return
        entry.by_me = True
        self.counts[verb] += 1
        done = _("Accepted: {label}.") if verb == "approve" else _("Rejected: {label}.")
        self._say(done.format(label=targets.label(entry.item)), "green")
        if reason:
            reasons.remember(reason)
        self.index += 1

    def _decided_elsewhere(
        self, act: Callable[[Item], tuple[str, Request]]
    ) -> Callable[[Item], tuple[str, Request]]:
        """A refusal because the request is no longer pending (someone decided it, the requester
        cancelled it) is no failure: the request as it is now, unchanged."""
        from cartes_cli.errors import Conflict

        def run(item: Item) -> tuple[str, Request]:
            try:
                return act(item)
            except Conflict:
                current = self.client.requests.get(item.key)
                if screen.value_of(current.status) == "pending":
                    raise
                return "unchanged", current

        return run

    def _refresh(self, entry: _Entry) -> None:
        """The request read again as it is shown: decided meanwhile, it says so (and counts as
        unchanged). Not read, the listing's copy is shown; the decision will tell."""
        try:
            current = self.client.requests.get(entry.item.key)
        except Exception:  # shown from the listing; deciding reports any error
            return
        entry.request = current
        status = screen.value_of(current.status)
        if status != "pending":
            entry.decided = status
            self.session.unchanged(entry.item, current)
            self._say(
                _("Decided by someone else meanwhile ({status}): nothing to do.").format(
                    status=self._status(entry)
                ),
                "yellow",
            )

    # --- asking -------------------------------------------------------------------------------------

    def _ask_reason(self, entry: _Entry, keys: KeyReader) -> str | None:
        offered = reasons.remembered()
        lines = [_("Reason for rejecting (sent to the requester); Enter: reject, Esc: cancel.")]
        if offered:
            lines.append(_("Type it, or the number of one used before:"))
            lines += [f" {n}. {neutralise(r)}" for n, r in enumerate(offered, 1)]
        typed = self._read_line(entry, keys, lines, "")
        if typed is None:
            return None
        if typed.isdigit() and 1 <= int(typed) <= len(offered):
            return offered[int(typed) - 1]
        return typed

    def _ask_rights(self, entry: _Entry, keys: KeyReader) -> list[str] | None:
        from cartes_cli.cli.request.decide import DEFAULT_RIGHTS
        from cartes_cli.client.validation import parse_rights

        if screen.value_of(entry.request.type) == "datastore":
            self._say(_("Rights go with requests to join; press a to approve."), "yellow")
            return None
        lines = [
            _("Rights, comma-separated: COMMUNITY (administrator), UPLOAD, PROCESSING, BROADCAST, ANNEX."),
            _("Enter: approve with them, Esc: cancel."),
        ]
        typed: str | None = ",".join(DEFAULT_RIGHTS)
        while True:
            typed = self._read_line(entry, keys, lines, typed or "")
            if typed is None:
                return None
            try:
                return [str(getattr(r, "value", r)) for r in parse_rights(typed)]
            except UsageError as exc:
                lines = [*lines[:2], str(exc)]

    def _read_line(self, entry: _Entry, keys: KeyReader, lines: list[str], text: str) -> str | None:
        """A line typed under the request: Enter gives it, Esc (or the end of input) none."""
        while True:
            self.message = "\n".join([*lines, "> " + neutralise(text) + "▏"])
            self.style = "cyan"
            self._draw(entry)
            key = keys.read()
            if key == "enter":
                self.message = ""
                return text.strip()
            if key == "resize":
                continue
            if key in ("escape", "eof"):
                self.message = _("Cancelled; nothing was sent.")
                return None
            if key == "backspace":
                text = text[:-1]
            elif len(key) == 1 and key.isprintable():
                text += key

    # --- showing ------------------------------------------------------------------------------------

    def _draw(self, entry: _Entry) -> None:
        r = entry.request
        kind = _("new workspace") if screen.value_of(r.type) == "datastore" else _("join")
        title = _("Request {n}/{total} · {kind}").format(n=self.index + 1, total=len(self.entries), kind=kind)
        decided = self._status(entry) if entry.decided else None
        style = "green" if entry.by_me else "yellow" if entry.decided else "cyan"
        screen.draw(
            self.console,
            screen.Screen(
                title,
                screen.request_grid(r, decided=decided),
                message=self.message,
                keys=keys_line(),
                style=style,
            ),
        )

    def _status(self, entry: _Entry) -> str:
        """``accepted``, with who decided when the platform says."""
        word = screen.status_word(entry.decided or "pending")
        who = person_name(entry.request.decided_by) if not isinstance(entry.request.decided_by, str) else None
        if entry.by_me:
            return _("{status} by you").format(status=word)
        if who:
            return _("{status} by {who}").format(status=word, who=neutralise(who))
        return word

    def _at_the_end(self, keys: KeyReader) -> bool:
        """The last screen: what was done; ``b`` goes back (True), anything else ends."""
        from rich.text import Text

        skipped = sum(1 for e in self.entries if e.decided is None)
        body = Text(
            _(
                "Every pending request was shown: {accepted} accepted, {rejected} rejected, {skipped} "
                "still pending, {other} decided by someone else."
            ).format(
                accepted=self.counts["approve"],
                rejected=self.counts["reject"],
                skipped=skipped,
                other=self.session.summary.unchanged,
            )
        )
        title = _("End of the review ({total} requests)").format(total=len(self.entries))
        screen.draw(self.console, screen.Screen(title, body, message=self.message, keys=_("b back · q quit")))
        key = keys.read()
        if key == "resize":
            return True
        self.message = ""
        if key in BACK:
            self.index = len(self.entries) - 1
            return True
        return False

    def _details(self, entry: _Entry, keys: KeyReader) -> None:
        """The whole request and its requester, scrolled with the arrows; any other key returns."""
        others = self._their_requests(entry.request)
        decided = self._status(entry) if entry.decided else None
        width = self.console.size[0]
        lines = screen.render_lines(self.console, screen.details_grid(entry.request, others, decided), width)
        title = _("Request {n}/{total}: everything").format(n=self.index + 1, total=len(self.entries))
        hint = _("↑↓ PgUp PgDn: scroll · any other key: back")
        top = 0
        while True:
            room = max(1, self.console.size[1] - 3)
            top = max(0, min(top, len(lines) - room))
            screen.draw_scroll(self.console, title, lines, top, hint)
            key = keys.read()
            if key in ("down", "j"):
                top += 1
            elif key in ("up", "k"):
                top -= 1
            elif key in ("pagedown", " "):
                top += room
            elif key == "pageup":
                top -= room
            elif key == "home":
                top = 0
            elif key == "end":
                top = len(lines)
            elif key == "resize":
                width = self.console.size[0]
                details = screen.details_grid(entry.request, others, decided)
                lines = screen.render_lines(self.console, details, width)
            else:
                return

    def _their_requests(self, r: Request) -> list[Request] | None:
        """The requester's other requests that the caller can see (None: could not be read)."""
        requester = getattr(r.requester, "id", None)
        if requester is None:
            return []
        try:
            return [
                o
                for o in self.client.requests.incoming()
                if getattr(o.requester, "id", None) == requester and o.id != r.id
            ]
        except Exception:  # the details are shown without them
            return None

    def _say(self, message: str, style: str = "cyan") -> None:
        self.message, self.style = message, style

    def _line(self, item: Item, state: str, result: Any) -> str:
        from cartes_cli.cli.request.decide import success_line

        return success_line(self.verbs.get(item.key, "approve"), False)(item, state, result)


def _describe(exc: BaseException | None) -> str:
    from cartes_cli.cli.errors import describe

    return describe(exc)[1] if exc is not None else _("unknown error")


def command(
    ctx: typer.Context,
    workspace: Annotated[
        str | None,
        typer.Option(
            "--workspace", "-w", help=_("Only the requests to join this workspace."), show_default=False
        ),
    ] = None,
    type_: Annotated[
        str | None, typer.Option("--type", help=_("Only this type: join or datastore."), show_default=False)
    ] = None,
) -> None:
    """Review the pending requests one at a time on the terminal, and decide each with a key.

    Keys: a approve, r approve choosing the rights, x reject (asks a reason), s skip, b back,
    i the whole request and its requester, ? help, q quit. Each decision is applied when it is
    made: quitting or Ctrl-C keeps what is decided, and the next review shows only what is still
    pending. Without a terminal, decide with 'cartes request approve' or 'cartes request reject'.
    """
    exit_with(run(context_of(ctx), ReviewOptions(workspace=workspace, type=type_)))
