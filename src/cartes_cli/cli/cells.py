"""One value of a :class:`~cartes_cli.cli.output.Column`, as each rendering writes it.

* :func:`json_value`: for ``--json`` (RFC 3339 times in UTC, enums as their value);
* :func:`plain` and :func:`tsv_cell`: for TSV and CSV (comma-joined lists, ``true``/``false``);
* :func:`human_text`: for a table or a record on a terminal (local times to the minute, yes/no).

Every cell shown on a terminal or written to a pipe passes through :func:`plain`, which shows
control characters rather than letting the terminal obey them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cartes_cli.cli.columns import human_time, rfc3339
from cartes_cli.cli.terminal_text import neutralise
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from collections.abc import Callable

    from cartes_cli.cli.columns import Column


_SCALARS = frozenset({str, int, float, bool, type(None)})


def json_value(value: Any) -> Any:
    if type(value) in _SCALARS:  # most cells, and what a long listing spends its time on
        return value
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if hasattr(value, "value") and not isinstance(value, (str, int, float, bool)):
        return value.value  # enums
    return value


def json_default(value: Any) -> Any:
    """What ``json.dumps`` calls for a value it cannot write itself (``default=``): what
    :func:`json_value` makes of it (times, enums that are not strings), so that a listing converts
    none of the cells JSON writes as they are; a value it leaves as it is cannot be written."""
    converted = json_value(value)
    if converted is value:
        raise TypeError(f"{type(value).__name__} is not JSON")
    return converted


def json_converter(column: Column) -> Callable[[Any], Any]:
    """:func:`json_value` of a column's values, chosen once per column rather than per cell (a
    long listing writes tens of thousands of cells): a datetime column also reads RFC 3339 text
    and epoch seconds (:func:`as_time`)."""
    if column.kind != "datetime":
        return json_value

    def time_value(value: Any) -> Any:
        if type(value) is datetime:
            return rfc3339(value)
        return json_value(as_time(value, column))

    return time_value


def as_time(value: Any, column: Column) -> Any:
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


def plain(value: Any, column: Column) -> str:
    """Machine rendering (TSV/CSV): RFC 3339 times, comma-joined lists, true/false. Control
    characters (escape sequences, OSC 8 links, carriage returns, bidi overrides) are shown, never
    obeyed: this is where every table, record, TSV and CSV cell passes."""
    return neutralise(_plain_text(value, column))


def _plain_text(value: Any, column: Column) -> str:
    value = as_time(value, column)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return rfc3339(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(plain(v, column) for v in value)
    if hasattr(value, "value") and not isinstance(value, (str, int, float)):
        return str(value.value)
    return str(value)


def tsv_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def human_text(value: Any, column: Column, *, record: bool = False) -> tuple[str, str | None]:
    """Terminal rendering, as plain text and a style: local times to the minute, yes/no, lists
    joined with ", " (so that they wrap between items), "key: value" lines for a mapping in a
    record, a dim "—" for nothing."""
    value = as_time(value, column)
    if value is None or value == "" or value == [] or value == {}:
        return "—", "dim"
    if isinstance(value, datetime):
        return human_time(value), None
    if isinstance(value, bool):
        return (_("yes") if value else _("no")), None
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v, column) for v in value), None
    if isinstance(value, dict):
        pairs = [f"{k}: {plain(v, column)}" for k, v in value.items()]
        return ("\n" if record else "; ").join(pairs), None
    return plain(value, column), None
