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
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, Literal, TextIO, cast

from cartes_cli.errors import UsageError
from cartes_cli.i18n import _, language

Format = Literal["auto", "table", "tsv", "csv", "json"]
FORMATS: tuple[str, ...] = ("auto", "table", "tsv", "csv", "json")

# Every field name any command can output: lets ``--json name`` take a field list while
# ``--json tutoriels`` leaves a positional argument alone (see cli/global_options.py).
KNOWN_FIELDS: set[str] = set()


def register_fields(*names: str) -> None:
    KNOWN_FIELDS.update(names)


ESSENTIAL = 1
"""The priority of a column a table must show in full: rather than shorten it, the table becomes
one record per row."""


@dataclass(frozen=True)
class Column:
    """One output field: its JSON key, its table header, how to render it.

    On a terminal the table is fitted to the width (see :func:`fit_columns`): columns of the
    lowest priority (the highest number) give up width first, shortened with "…" or, when
    ``wrap``, wrapped over several lines; an ``ESSENTIAL`` column is never shortened (a wrapped
    one may wrap). No column ever disappears and no header is ever cut: when even that does not
    fit, every row is printed as a record of ``KEY  value`` lines.
    """

    key: str
    header: str
    kind: Literal["text", "datetime", "bool", "list", "int"] = "text"
    table: bool = True  # shown in the terminal table (JSON always has every field)
    tsv: bool | None = None  # shown in TSV/CSV; None: as in the table
    style: str | None = None
    max_width: int | None = None  # on a terminal, never wider than this (shortened with "…")
    no_wrap: bool = False  # kept for older column lists: the same as wrap=False
    min_width: int | None = None  # the narrowest it may be shortened (or wrapped) to
    priority: int = 2  # ESSENTIAL (1) is never shortened; 3 gives up width before 2
    wrap: bool | None = None  # wrap long values rather than shorten them; None: not no_wrap
    record: bool | None = None  # shown by print_object on a terminal; None: as in the table

    @property
    def wraps(self) -> bool:
        return self.wrap if self.wrap is not None else not (self.no_wrap or self.max_width)

    @property
    def in_record(self) -> bool:
        return self.record if self.record is not None else bool(self.table or self.tsv)


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
        mode = self.rendering
        if mode == "json":
            selected = self._select(columns)
            items = [{c.key: _json_value(_as_time(row.get(c.key), c)) for c in selected} for row in rows]
            self._write_json(items)
            return len(items)
        if mode in ("tsv", "csv"):
            shown = [c for c in columns if (c.table if c.tsv is None else c.tsv)]
            count = 0
            if mode == "csv":
                writer = csv.writer(self.stdout, lineterminator="\n")
                writer.writerow([c.key for c in shown])
                for row in rows:
                    writer.writerow([_plain(row.get(c.key), c) for c in shown])
                    count += 1
            else:
                for row in rows:
                    self.stdout.write("\t".join(_tsv_cell(_plain(row.get(c.key), c)) for c in shown) + "\n")
                    count += 1
            self.stdout.flush()
            return count
        materialised = list(rows)
        if not materialised:
            if empty:
                self.info(empty)
            return 0
        self._rich_table(materialised, [c for c in columns if c.table], title)
        return len(materialised)

    def print_object(
        self, data: dict[str, Any], columns: Sequence[Column], *, title: str | None = None
    ) -> None:
        """Render one record: key/value lines on a terminal and when piped, an object in JSON."""
        mode = self.rendering
        if mode == "json":
            selected = self._select(columns)
            self._write_json({c.key: _json_value(_as_time(data.get(c.key), c)) for c in selected})
            return
        if mode in ("tsv", "csv"):
            for c in columns:
                if c.table or c.tsv:
                    self.stdout.write(f"{c.key}\t{_tsv_cell(_plain(data.get(c.key), c))}\n")
            self.stdout.flush()
            return
        console = self._console(self.stdout)
        if title:
            console.print(f"[bold]{_escape(title)}[/bold]")
        _print_record(console, data, [c for c in columns if c.in_record])

    def print_json(self, value: Any) -> None:
        self._write_json(_json_value(value))  # times as RFC 3339 in UTC, like every list

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
        from cartes_cli.hints import runnable

        message = runnable(message)  # a command it names works as printed (same platform, profile)
        message = neutralise(message)  # it may quote the server: shown, never obeyed by the terminal
        if self.stderr_isatty:  # read by a person: wrapped between words, not cut mid-word by the terminal
            message = wrap_for_terminal(message, self.width or _terminal_columns())
        use_color = bool(self.stderr_isatty) and self.color is not False and "NO_COLOR" not in os.environ
        if style and use_color:
            self.stderr.write(f"\x1b[{_ANSI[style]}m{message}\x1b[0m\n")
        else:
            self.stderr.write(message + "\n")
        self.stderr.flush()

    def out(self, text: str) -> None:
        """Write a line of data (or a token) to stdout, control characters neutralised."""
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

    def _write_json(self, value: Any) -> None:
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

    def _rich_table(self, rows: list[dict[str, Any]], columns: Sequence[Column], title: str | None) -> None:
        """A table as wide as the terminal at most; one record per row when its essential
        columns cannot be shown in full side by side."""
        from rich import box
        from rich.table import Table

        console = self._console(self.stdout)
        cells = [[_human_text(row.get(c.key), c) for c in columns] for row in rows]
        widths = fit_columns(columns, [[text for text, _style in line] for line in cells], console.width)
        if widths is None:
            if title:
                console.print(f"[bold]{_escape(title)}[/bold]")
            for n, row in enumerate(rows):
                if n:
                    console.print()
                _print_record(console, row, columns)
            return
        table = Table(
            box=box.SIMPLE_HEAD,
            title=title,
            title_justify="left",
            expand=False,
            show_edge=False,
            pad_edge=False,
            padding=(0, 1, 0, 0),
        )
        for c, width in zip(columns, widths, strict=True):
            table.add_column(
                c.header,
                style=c.style,
                width=width,
                no_wrap=not c.wraps,
                overflow="fold" if c.wraps else "ellipsis",
            )
        from rich.text import Text

        for line in cells:
            table.add_row(*[Text(text, style=style or "") for text, style in line])
        console.print(table)


COLUMN_GAP = 2
"""Between two columns of a table: one space of padding, one of separator."""
SHORTEST = 10
"""A shortened or wrapped value keeps this many characters at least (or its header's width)."""


def fit_columns(columns: Sequence[Column], cells: Sequence[Sequence[str]], width: int) -> list[int] | None:
    """The width of each column so that the table fits ``width``, or None when it cannot.

    Each column starts as wide as its longest value (or header). While the table is too wide,
    the columns of the least priority give up width first, the widest of them first, down to
    their floor: the header's width (headers are never cut), ``min_width``, or ``SHORTEST``.
    An essential column is never shortened; if it wraps, it may wrap down to its floor. None
    (print records) when the floors of every column, side by side, are wider than ``width``.
    """
    from rich.cells import cell_len

    natural: list[int] = []
    floors: list[int] = []
    for i, c in enumerate(columns):
        header = cell_len(c.header)
        longest = max((cell_len(part) for line in cells for part in line[i].split("\n")), default=0)
        if c.max_width:
            longest = min(longest, max(c.max_width, header))
        wide = max(header, longest, c.min_width or 0)
        natural.append(wide)
        if (c.priority <= ESSENTIAL and not c.wraps) or c.kind in ("datetime", "bool", "int"):
            floors.append(wide)  # a time, a yes/no or a number cut short says nothing
        else:
            floors.append(min(wide, max(header, c.min_width or SHORTEST)))
    widths = list(natural)
    room = width - COLUMN_GAP * (len(columns) - 1)
    if sum(floors) > room:
        return None
    for level in sorted({c.priority for c in columns}, reverse=True):
        group = [i for i, c in enumerate(columns) if c.priority == level]
        while sum(widths) > room:
            shrinkable = [i for i in group if widths[i] > floors[i]]
            if not shrinkable:
                break
            widest = max(shrinkable, key=lambda i: widths[i])
            widths[widest] -= 1
        if sum(widths) <= room:
            break
    return widths


def _print_record(console: Any, row: dict[str, Any], columns: Sequence[Column]) -> None:
    """One ``KEY  value`` line per column (long values wrap under themselves), as
    ``kubectl describe`` prints an object: nothing is cut."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2, 0, 0))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for c in columns:
        text, style = _human_text(row.get(c.key), c, record=True)
        grid.add_row(Text(c.header), Text(text, style=style or ""))
    console.print(grid)


_ANSI = {"green": "32", "yellow": "33", "red": "31"}


_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _terminal_columns() -> int:
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


def wrap_for_terminal(message: str, width: int) -> str:
    """Each line of ``message`` wrapped between words to ``width`` (continuations keep the line's
    indentation); a word longer than the width (an address, a token) is never broken, so that it
    can still be copied whole."""
    import textwrap

    if width < 20:
        return message
    # A command to run ('cartes …', as the hints quote it) stays on one line, to be copied whole.
    message = _QUOTED_COMMAND.sub(lambda m: m.group().replace(" ", _GLUE), message)
    lines = []
    for line in message.split("\n"):
        if len(line) <= width:
            lines.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip(" "))]
        lines.append(
            textwrap.fill(
                line,
                width=width - 1,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(lines).replace(_GLUE, " ")


_GLUE = "\ue000"  # a private-use character: never in a message, never a break for textwrap
_QUOTED_COMMAND = re.compile(r"'cartes [^'\n]*'")


_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_text(value: Any, *, indent: int | None = None) -> str:
    """JSON of ``value``, safe on a terminal: ``json.dumps`` escapes the C0 controls but lets
    DEL, the C1 controls (a lone U+009B starts an escape sequence on some terminals) and the bidi
    overrides through; they are written as ``\\uNNNN`` escapes too, which JSON reads back the same."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def neutralise(text: str) -> str:
    """Text from the server made harmless for a terminal: every control character but line
    feed and tab (escape sequences, carriage returns, bidi overrides) shown as ``\\xNN`` or
    ``\\uNNNN`` instead of being obeyed."""

    def visible(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNSAFE.sub(visible, text)


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if hasattr(value, "value") and not isinstance(value, (str, int, float, bool)):
        return value.value  # enums
    return value


def rfc3339(value: datetime) -> str:
    """A time for scripts: RFC 3339 in UTC, whole seconds, ``Z`` (``2026-12-04T15:00:41Z``)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def human_time(value: datetime) -> str:
    """A time for people, the same in every table and record: ``2026-12-04 15:00``, local time
    (``TZ`` applies), to the minute."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def _as_time(value: Any, column: Column) -> Any:
    """A datetime column's value as a datetime, when it came as RFC 3339 text or epoch seconds."""
    if column.kind != "datetime" or isinstance(value, datetime) or value in (None, ""):
        return value
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    return value


def _plain(value: Any, column: Column) -> str:
    """Machine rendering (TSV/CSV): RFC 3339 times, comma-joined lists, true/false. Control
    characters (escape sequences, OSC 8 links, carriage returns, bidi overrides) are shown, never
    obeyed: this is where every table, record, TSV and CSV cell passes."""
    return neutralise(_plain_text(value, column))


def _plain_text(value: Any, column: Column) -> str:
    value = _as_time(value, column)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(_plain(v, column) for v in value)
    if hasattr(value, "value") and not isinstance(value, (str, int, float)):
        return str(value.value)
    return str(value)


def _tsv_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _human_text(value: Any, column: Column, *, record: bool = False) -> tuple[str, str | None]:
    """Terminal rendering, as plain text and a style: local times to the minute, yes/no, lists
    joined with ", " (so that they wrap between items), "key: value" lines for a mapping in a
    record, a dim "—" for nothing."""
    value = _as_time(value, column)
    if value is None or value == "" or value == [] or value == {}:
        return "—", "dim"
    if isinstance(value, datetime):
        return human_time(value), None
    if isinstance(value, bool):
        return (_("yes") if value else _("no")), None
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v, column) for v in value), None
    if isinstance(value, dict):
        pairs = [f"{k}: {_plain(v, column)}" for k, v in value.items()]
        return ("\n" if record else "; ").join(pairs), None
    return _plain(value, column), None


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
