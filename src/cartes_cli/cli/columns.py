"""What a command hands the terminal besides its rows: the :class:`Column` of each field, and
the two ways a time reads (RFC 3339 for scripts, local time to the minute for people).

Imported by every command module (and so by ``cartes --help``): nothing here imports more than
the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

ESSENTIAL = 1
"""The priority of a column a table must show in full: rather than shorten it, the table becomes
one record per row."""


@dataclass(frozen=True)
class Column:
    """One output field: its JSON key, its table header, how to render it.

    On a terminal the table is fitted to the width (see :func:`cartes_cli.cli.tables.fit_columns`):
    columns of the lowest priority (the highest number) give up width first, shortened with "…"
    or, when ``wrap``, wrapped over several lines; an ``ESSENTIAL`` column is never shortened (a
    wrapped one may wrap). No column ever disappears and no header is ever cut: when even that
    does not fit, every row is printed as a record of ``KEY  value`` lines.
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


def rfc3339(value: datetime) -> str:
    """A time for scripts: RFC 3339 in UTC, whole seconds, ``Z`` (``2026-12-04T15:00:41Z``)."""
    if value.tzinfo is UTC:  # what the platform's times are read as: no conversion to make
        utc = value
    elif value.tzinfo is None:
        utc = value.replace(tzinfo=UTC)
    else:
        utc = value.astimezone(UTC)
    if utc.year < 1000:  # formatting would pad the year, strftime does not
        return utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    # Twice as quick as isoformat() of a copy without microseconds, ten times as strftime: a long
    # listing writes two times a row.
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (  # noqa: UP031 - quicker than an f-string here
        utc.year,
        utc.month,
        utc.day,
        utc.hour,
        utc.minute,
        utc.second,
    )


def human_time(value: datetime) -> str:
    """A time for people, the same in every table and record: ``2026-12-04 15:00``, local time
    (``TZ`` applies), to the minute."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone().strftime("%Y-%m-%d %H:%M")
