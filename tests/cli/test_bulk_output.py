"""What a bulk run prints: each item's outcome in --json, result lines kept off the bar's line."""

from __future__ import annotations

import io
import json

from cartes_cli.cli import bulk
from cartes_cli.cli.output import Terminal
from cartes_cli.errors import Conflict


def _run(term: Terminal, done_status: str = "accepted") -> int:
    items = [
        bulk.Item("r1", "r1", {"requester": "a@x.test", "workspace": "ddt33"}),
        bulk.Item("r2", "r2", {"requester": "b@x.test", "workspace": "ddt33"}),
        bulk.Item("r3", "r3"),
    ]

    def action(item: bulk.Item) -> tuple[str, object]:
        if item.key == "r3":
            raise Conflict("already rejected")
        return ("unchanged" if item.key == "r2" else "done"), None

    _summary, code = bulk.run(
        term,
        items,
        action,
        concurrency=1,
        verb_done="Accepted",
        describe_error=str,
        success_line=lambda item, state, result: f"{state}\t{item.key}",
        done_status=done_status,
    )
    return code


def test_json_says_each_items_outcome_not_done() -> None:
    out, err = io.StringIO(), io.StringIO()
    term = Terminal(stdout=out, stderr=err, stdout_isatty=False, stderr_isatty=False, json_fields=[])
    assert _run(term, "rejected") == 1
    assert json.loads(out.getvalue()) == [
        {"requester": "a@x.test", "workspace": "ddt33", "id": "r1", "status": "rejected"},
        {"requester": "b@x.test", "workspace": "ddt33", "id": "r2", "status": "unchanged"},
        {"id": "r3", "status": "failed", "error": "already rejected"},
    ]


def test_piped_stdout_gets_only_the_result_lines() -> None:
    out, err = io.StringIO(), io.StringIO()
    term = Terminal(stdout=out, stderr=err, stdout_isatty=False, stderr_isatty=True, color=False)
    _run(term)
    assert out.getvalue() == "done\tr1\nunchanged\tr2\n"
    assert "failed r3: already rejected" in err.getvalue()


def test_on_one_terminal_the_result_lines_go_through_the_bars_console() -> None:
    out, err = io.StringIO(), io.StringIO()
    term = Terminal(stdout=out, stderr=err, stdout_isatty=True, stderr_isatty=True, color=False)
    _run(term)
    assert out.getvalue() == ""  # not written beside the bar: printed above it, by its console
    lines = err.getvalue().splitlines()
    assert "done    r1" in lines
    assert "unchanged       r2" in lines
