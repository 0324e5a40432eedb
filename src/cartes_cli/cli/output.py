"""All terminal I/O of cartes goes through :class:`Terminal`.

One data model, three renderings:

* on a terminal: a table fitted to the width (or one record per row when it cannot hold the
  essential columns), times as ``2026-12-04 15:00`` in local time, colour;
* piped: tab-separated values, no header, RFC 3339 times in UTC (whole seconds), no colour, no
  truncation;
* ``--json [FIELDS]``: JSON for scripts, lists as arrays of objects.

Commands hand rows (dicts of plain values) and column descriptions to the terminal; they never
print directly. Tests build a Terminal on string buffers and assert exact output (the seam of
httpie's ``Environment`` and gh's ``IOStreams``). Rich is imported only when a table is drawn.

The columns and the two time formats are in ``cli/columns.py`` (re-exported here); what a value
looks like in each rendering is in ``cli/cells.py``, how a table is fitted and drawn
in ``cli/tables.py``, the text helpers (wrapping, neutralising control characters, safe JSON) in
``cli/terminal_text.py``: imported when something is printed, not when ``--help`` is.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, Literal, TextIO, cast

from cartes_cli.cli.columns import ESSENTIAL as ESSENTIAL
from cartes_cli.cli.columns import Column as Column
from cartes_cli.cli.columns import human_time as human_time
from cartes_cli.cli.columns import rfc3339 as rfc3339
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _, language

Format = Literal["auto", "table", "tsv", "csv", "json"]
FORMATS: tuple[str, ...] = ("auto", "table", "tsv", "csv", "json")

# Every field name any command can output: lets ``--json name`` take a field list while
# ``--json tutoriels`` leaves a positional argument alone (see cli/global_options.py).
KNOWN_FIELDS: set[str] = set()


def register_fields(*names: str) -> None:
    KNOWN_FIELDS.update(names)


YES_ANSWERS = frozenset({"y", "yes", "o", "oui"})
"""What a person types to say yes, in English or French."""


@dataclass
class Terminal:
    stdout: IO[str] = field(default_factory=lambda: sys.stdout)
    stderr: IO[str] = field(default_factory=lambda: sys.stderr)
    stdin: IO[str] = field(default_factory=lambda: sys.stdin)
    stdout_isatty: bool | None = None
    stderr_isatty: bool | None = None
    stdin_isatty: bool | None = None
    color: bool | None = None
    format: Format = "auto"
    json_fields: list[str] | None = None  # None: no --json; []: every field
    no_input: bool = False
    width: int | None = None

    def __post_init__(self) -> None:
        if self.stdout_isatty is None:
            self.stdout_isatty = _isatty(self.stdout)
        if self.stderr_isatty is None:
            self.stderr_isatty = _isatty(self.stderr)
        if self.stdin_isatty is None:
            self.stdin_isatty = _isatty(self.stdin)
        if self.color is None:
            self.color = bool(self.stdout_isatty) and "NO_COLOR" not in os.environ
        if self.json_fields is not None:
            self.format = "json"

    # --- modes --------------------------------------------------------------------------------

    @property
    def interactive(self) -> bool:
        """May we prompt? Never with --no-input, in CI, or when stdin or stdout is not a terminal."""
        if self.no_input or os.environ.get("CI") or os.environ.get("CARTES_NO_INPUT"):
            return False
        return bool(self.stdin_isatty and self.stdout_isatty)

    @property
    def rendering(self) -> str:
        if self.format == "auto":
            return "table" if self.stdout_isatty else "tsv"
        return self.format

    # --- data ---------------------------------------------------------------------------------

    def print_list(
        self,
        rows: Iterable[dict[str, Any]],
        columns: Sequence[Column],
        *,
        empty: str | None = None,
        title: str | None = None,
    ) -> int:
        """Render rows; return how many were written."""
        from cartes_cli.cli.cells import plain, tsv_cell

        mode = self.rendering
        if mode == "json":
            return self._stream_json(_json_items(rows, self._select(columns)))
        if mode in ("tsv", "csv"):
            shown = [c for c in columns if (c.table if c.tsv is None else c.tsv)]
            count = 0
            if mode == "csv":
                import csv

                writer = csv.writer(self.stdout, lineterminator="\n")
                writer.writerow([c.key for c in shown])
                for row in rows:
                    writer.writerow([plain(row.get(c.key), c) for c in shown])
                    count += 1
            else:
                for row in rows:
                    self.stdout.write("\t".join(tsv_cell(plain(row.get(c.key), c)) for c in shown) + "\n")
                    count += 1
            self.stdout.flush()
            return count
        materialised = list(rows)
        if not materialised:
            if empty:
                self.info(empty)
            return 0
        from cartes_cli.cli.tables import draw_table

        draw_table(self._console(self.stdout), materialised, [c for c in columns if c.table], title)
        return len(materialised)

    def print_object(
        self, data: dict[str, Any], columns: Sequence[Column], *, title: str | None = None
    ) -> None:
        """Render one record: key/value lines on a terminal and when piped, an object in JSON."""
        from cartes_cli.cli.cells import as_time, json_value, plain, tsv_cell

        mode = self.rendering
        if mode == "json":
            selected = self._select(columns)
            self._write_json({c.key: json_value(as_time(data.get(c.key), c)) for c in selected})
            return
        if mode in ("tsv", "csv"):
            for c in columns:
                if c.table or c.tsv:
                    self.stdout.write(f"{c.key}\t{tsv_cell(plain(data.get(c.key), c))}\n")
            self.stdout.flush()
            return
        from rich.markup import escape

        from cartes_cli.cli.tables import print_record

        console = self._console(self.stdout)
        if title:
            console.print(f"[bold]{escape(title)}[/bold]")
        print_record(console, data, [c for c in columns if c.in_record])

    def print_json(self, value: Any) -> None:
        from cartes_cli.cli.cells import json_value

        self._write_json(json_value(value))  # times as RFC 3339 in UTC, like every list

    # --- messages (always stderr, so stdout stays clean for data) --------------------------------

    def info(self, message: str) -> None:
        self._message(message, None)

    def success(self, message: str) -> None:
        self._message(message, "green")

    def warn(self, message: str) -> None:
        self._message(message, "yellow")

    def error(self, message: str) -> None:
        self._message(message, "red")

    def _message(self, message: str, style: str | None) -> None:
        from cartes_cli.cli.terminal_text import neutralise, terminal_columns, wrap_for_terminal
        from cartes_cli.hints import runnable

        message = runnable(message)  # a command it names works as printed (same platform, profile)
        message = neutralise(message)  # it may quote the server: shown, never obeyed by the terminal
        if self.stderr_isatty:  # read by a person: wrapped between words, not cut mid-word by the terminal
            message = wrap_for_terminal(message, self.width or terminal_columns())
        use_color = bool(self.stderr_isatty) and self.color is not False and "NO_COLOR" not in os.environ
        if style and use_color:
            self.stderr.write(f"\x1b[{_ANSI[style]}m{message}\x1b[0m\n")
        else:
            self.stderr.write(message + "\n")
        self.stderr.flush()

    def out(self, text: str) -> None:
        """Write a line of data (or a token) to stdout, control characters neutralised."""
        from cartes_cli.cli.terminal_text import neutralise

        self.stdout.write(neutralise(text) + "\n")
        self.stdout.flush()

    def draw(self, picture: Callable[[int, bool], Any], *, stdout: bool = False) -> bool:
        """Draw what ``picture(width, colour)`` makes of the room (a Rich renderable: a frame, a
        captcha, a QR code) on stderr, or stdout; nothing, and False, when it makes None."""
        console = self._console(self.stdout if stdout else self.stderr)
        made = picture(console.width, console.color_system is not None)
        if made is not None:
            console.print(made)
        return made is not None

    # --- prompts ------------------------------------------------------------------------------

    def prompt(self, label: str, *, secret: bool = False, default: str | None = None) -> str:
        if not self.interactive:
            raise UsageError(_("Cannot ask for {what}: not running on a terminal.").format(what=label))
        if secret:
            import getpass

            stream = cast("TextIO", self.stderr)  # getpass wants a TextIO; any text stream does
            value = getpass.getpass(_("{label}: ").format(label=label), stream=stream)
        else:
            suffix = f" [{default}]" if default else ""
            self.stderr.write(_("{label}: ").format(label=f"{label}{suffix}"))
            self.stderr.flush()
            line = self.stdin.readline()
            if not line:
                raise EOFError
            value = line.rstrip("\n")
        if not value and default is not None:
            return default
        return value

    def agrees(self, question: str) -> bool:
        """``question`` asked once; True for a yes in English or French (anything else is a no)."""
        return self.prompt(question).strip().lower() in YES_ANSWERS

    def screen_console(self) -> Any:
        """The Rich console a full-screen view draws on: stdout, a terminal, its size read at
        each draw (or ``width`` when set, as in tests)."""
        return self._console(self.stdout)

    def progress_console(self) -> Any:
        """The Rich console a progress bar draws on: stderr, as Rich sees it (its own idea of a
        terminal and of the width), without colour when the terminal has none."""
        from rich.console import Console

        return Console(file=self.stderr, no_color=not self.color)

    # --- internals ----------------------------------------------------------------------------

    def _select(self, columns: Sequence[Column]) -> list[Column]:
        if not self.json_fields:
            return list(columns)
        by_key = {c.key: c for c in columns}
        unknown = [f for f in self.json_fields if f not in by_key]
        if unknown:
            raise UsageError(
                _("Unknown field {fields} for --json; available fields: {available}.").format(
                    fields=", ".join(repr(u) for u in unknown), available=", ".join(by_key)
                )
            )
        return [by_key[f] for f in self.json_fields]

    def _stream_json(self, items: Iterable[Any], chunk: int = 50) -> int:
        """A JSON array written as its items come, ``chunk`` at a time (a long listing's first
        rows go out before its last page arrives, and memory stays bounded); the same bytes as
        :meth:`_write_json` of the whole list. Returns how many items were written."""
        from itertools import islice

        from cartes_cli.cli.cells import json_default
        from cartes_cli.cli.terminal_text import json_text

        indent = 2 if self.stdout_isatty else None
        separator = ",\n" if indent else ", "
        iterator = iter(items)
        count = 0
        while batch := list(islice(iterator, chunk)):
            text = json_text(batch, indent=indent, default=json_default)
            # "[a, b]" or "[\n  a,\n  b\n]": the items without the brackets, continued by the next batch
            inner = text[2:-2] if indent else text[1:-1]
            self.stdout.write(("[\n" if indent else "[") if not count else separator)
            self.stdout.write(inner)
            count += len(batch)
        self.stdout.write(("\n]" if indent else "]") + "\n" if count else "[]\n")
        self.stdout.flush()
        return count

    def _write_json(self, value: Any) -> None:
        from cartes_cli.cli.terminal_text import json_text

        indent = 2 if self.stdout_isatty else None
        self.stdout.write(json_text(value, indent=indent) + "\n")
        self.stdout.flush()

    def _console(self, file: IO[str]) -> Any:
        from rich.console import Console

        return Console(
            file=file,
            force_terminal=bool(self.stdout_isatty if file is self.stdout else self.stderr_isatty),
            no_color=not self.color,
            color_system="auto" if self.color else None,
            width=self.width,
            highlight=False,
            soft_wrap=False,
        )


_ANSI = {"green": "32", "yellow": "33", "red": "31"}


def _json_items(rows: Iterable[dict[str, Any]], columns: Sequence[Column]) -> Iterator[dict[str, Any]]:
    """The rows as the objects of a JSON listing, for :meth:`Terminal._stream_json`: the columns'
    fields in their order. A cell is left as it is, for ``json.dumps`` to write or to hand to
    :func:`~cartes_cli.cli.cells.json_default` (times, enums), except in a time column a value
    that is not a datetime yet (RFC 3339 text, epoch seconds), read as one: the same JSON as
    :func:`~cartes_cli.cli.cells.json_value` of each cell, without a call per cell (a long listing
    writes hundreds of thousands)."""
    from cartes_cli.cli.cells import json_converter

    keys = [c.key for c in columns]
    times = [(c.key, json_converter(c)) for c in columns if c.kind == "datetime"]
    for row in rows:
        item = {key: row.get(key) for key in keys}
        for key, convert in times:
            value = item[key]
            if value is not None and type(value) is not datetime:
                item[key] = convert(value)
        yield item


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def relative_time(value: datetime, now: datetime | None = None) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    seconds = (now - value).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    units = (
        (365 * 86400, _("{n} year"), _("{n} years")),
        (30 * 86400, _("{n} month"), _("{n} months")),
        (86400, _("{n} day"), _("{n} days")),
        (3600, _("{n} hour"), _("{n} hours")),
        (60, _("{n} minute"), _("{n} minutes")),
    )
    for size, one, many in units:
        if seconds >= size:
            n = int(seconds // size)
            amount = (one if n == 1 else many).format(n=n)
            return (_("in {amount}") if future else _("{amount} ago")).format(amount=amount)
    return _("just now")


def terminal_for_tests(
    *, tty: bool = False, format: Format = "auto", json_fields: list[str] | None = None, width: int = 100
) -> tuple[Terminal, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    term = Terminal(
        stdout=out,
        stderr=err,
        stdin=io.StringIO(),
        stdout_isatty=tty,
        stderr_isatty=tty,
        stdin_isatty=tty,
        color=False,
        format=format,
        json_fields=json_fields,
        width=width,
    )
    return term, out, err


def human_size(n: Any) -> str:
    """Bytes for people: ``222.7 GB``, or ``222,7 Go`` in French (decimal units, one decimal)."""
    if n is None:
        return "—"
    value = float(n)
    units = (_("B"), _("KB"), _("MB"), _("GB"), _("TB"))
    for index, unit in enumerate(units):
        if abs(value) < 1000 or index == len(units) - 1:
            text = f"{value:.0f}" if index == 0 else f"{value:.1f}"
            return f"{text.replace('.', ',') if language() == 'fr' else text} {unit}"
        value /= 1000
    return str(n)  # pragma: no cover - the loop always returns
