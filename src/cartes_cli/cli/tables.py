"""Rows drawn on a terminal: a table fitted to its width, or, when even the narrowest table
cannot hold the essential columns, one record of ``KEY  value`` lines per row.

Rich is imported inside the functions: only a terminal that draws a table pays for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cartes_cli.cli.cells import human_text
from cartes_cli.cli.columns import ESSENTIAL

if TYPE_CHECKING:
    from cartes_cli.cli.columns import Column

COLUMN_GAP = 2
"""Between two columns of a table: one space of padding, one of separator."""
SHORTEST = 10
"""A shortened or wrapped value keeps this many characters at least (or its header's width)."""


def draw_table(
    console: Any, rows: list[dict[str, Any]], columns: Sequence[Column], title: str | None
) -> None:
    """A table as wide as the console at most; one record per row when its essential columns
    cannot be shown in full side by side."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    cells = [[human_text(row.get(c.key), c) for c in columns] for row in rows]
    widths = fit_columns(columns, [[text for text, _style in line] for line in cells], console.width)
    if widths is None:
        if title:
            console.print(f"[bold]{escape(title)}[/bold]")
        for n, row in enumerate(rows):
            if n:
                console.print()
            print_record(console, row, columns)
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
    for line in cells:
        table.add_row(*[Text(text, style=style or "") for text, style in line])
    console.print(table)


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


def print_record(console: Any, row: dict[str, Any], columns: Sequence[Column]) -> None:
    """One ``KEY  value`` line per column (long values wrap under themselves), as
    ``kubectl describe`` prints an object: nothing is cut."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2, 0, 0))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for c in columns:
        text, style = human_text(row.get(c.key), c, record=True)
        grid.add_row(Text(c.header), Text(text, style=style or ""))
    console.print(grid)
