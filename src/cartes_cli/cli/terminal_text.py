"""Text made fit for a terminal: its width, messages wrapped between words, control characters
shown rather than obeyed, JSON that a terminal cannot misread.

Pure functions of text (no Rich, no stream): :class:`~cartes_cli.cli.output.Terminal` and the
error printer of ``cli/main.py`` use them. ``json`` is imported where JSON is written, so that
``cartes --help`` does not load it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_JSON_UNSAFE_CHARS = "".join(
    chr(code) for code in (*range(0x7F, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
)
"""What ``json.dumps`` leaves raw and a terminal may obey: DEL, the C1 controls, the line and
paragraph separators, the bidi embeddings, overrides and isolates."""
_JSON_UNSAFE = re.compile(f"[{re.escape(_JSON_UNSAFE_CHARS)}]")
_UNSAFE = re.compile(rf"[\x00-\x08\x0b-\x1f{re.escape(_JSON_UNSAFE_CHARS)}]")
"""What a terminal may obey in plain text: those, and the C0 controls but line feed and tab
(in JSON, ``json.dumps`` escapes the C0 controls itself)."""
_GLUE = "\ue000"  # a private-use character: never in a message, never a break for textwrap
_QUOTED_COMMAND = re.compile(r"'cartes [^'\n]*'")


def terminal_columns() -> int:
    """The width of the terminal, 100 when it cannot be told."""
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


def json_text(value: Any, *, indent: int | None = None, default: Callable[[Any], Any] | None = None) -> str:
    """JSON of ``value``, safe on a terminal: ``json.dumps`` escapes the C0 controls but lets
    DEL, the C1 controls (a lone U+009B starts an escape sequence on some terminals) and the bidi
    overrides through; they are written as ``\\uNNNN`` escapes too, which JSON reads back the same.
    ``default`` is ``json.dumps``'s: what a value JSON cannot write becomes."""
    import json

    text = json.dumps(value, ensure_ascii=False, indent=indent, default=default)
    # 44 substring searches find nothing sooner than the pattern does: 2× on a page of requests
    # (some characters beyond Latin-1), 15× on Latin-1 text, and most text has none of them.
    if not any(unsafe in text for unsafe in _JSON_UNSAFE_CHARS):
        return text
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def neutralise(text: str) -> str:
    """Text from the server made harmless for a terminal: every control character but line
    feed and tab (escape sequences, carriage returns, bidi overrides) shown as ``\\xNN`` or
    ``\\uNNNN`` instead of being obeyed."""

    def visible(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNSAFE.sub(visible, text)
