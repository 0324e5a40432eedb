"""Control characters in text typed or read: which ones, and finding the first.

Every word typed on the command line is checked before anything runs (``cli/global_options``),
and so is every free text the client sends (``client/validation``): one definition for both.
Standard library only, cheap to import (every command loads it).
"""

from __future__ import annotations

import unicodedata

__all__ = ["BIDI_CONTROLS", "MULTILINE_OK", "control_character"]

MULTILINE_OK = "\n\t"
"""Free texts that may span lines (messages, descriptions) keep line feeds and tabs."""
BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Bidirectional marks and overrides: they can reorder what a terminal shows."""


def control_character(text: str, allowed: str = "") -> str | None:
    """The first control character of ``text`` (C0, DEL, C1, or a bidirectional override, which
    can reorder what a terminal shows), as ``U+XXXX``; None when there is none."""
    for ch in text:
        if ch in allowed:
            continue
        if unicodedata.category(ch) == "Cc" or ch in BIDI_CONTROLS:
            return f"U+{ord(ch):04X}"
    return None
