"""Single keys read from the terminal, for a full-screen view (``cartes request review``).

:class:`TerminalKeys` puts the terminal in character mode (no line buffering, no echo) for the
time of a ``with`` block and restores it on every way out, an exception or Ctrl-C included.
Ctrl-C still sends SIGINT (``ISIG`` is kept): it interrupts a request in flight as anywhere else
in cartes. :meth:`TerminalKeys.read` answers a printable character as itself, or a name:
``enter``, ``escape``, ``backspace``, ``left``, ``right``, ``up``, ``down``, ``pageup``,
``pagedown``, ``home``, ``end``, ``eof`` (Ctrl-D, or the terminal gone), and ``resize`` when the
terminal changed size while a key was awaited (SIGWINCH: the view redraws at the new size).

Tests give a view any object with a ``read()`` answering those names (:class:`ScriptedKeys`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from typing import Any, Protocol

_SEQUENCES = {
    "[A": "up",
    "[B": "down",
    "[C": "right",
    "[D": "left",
    "OA": "up",
    "OB": "down",
    "OC": "right",
    "OD": "left",
    "[H": "home",
    "[F": "end",
    "OH": "home",
    "OF": "end",
    "[1~": "home",
    "[4~": "end",
    "[5~": "pageup",
    "[6~": "pagedown",
    "[3~": "delete",
}
_ESCAPE_WAIT = 0.05  # seconds: a lone Escape, or the first byte of a sequence


class _Resized(Exception):
    """SIGWINCH while a key is awaited."""


class KeyReader(Protocol):
    def read(self) -> str: ...


class TerminalKeys:
    """Keys from the terminal on file descriptor ``fd`` (standard input)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._saved: list[Any] | None = None
        self._pushed: bytes | None = None  # a byte read too far (a key typed right after Escape)
        self._waiting = False
        self._previous_winch: Any = None

    def __enter__(self) -> TerminalKeys:
        import termios

        self._saved = termios.tcgetattr(self.fd)
        mode = termios.tcgetattr(self.fd)
        mode[3] &= ~(termios.ICANON | termios.ECHO)  # lflag: a key at a time, not echoed; ISIG kept
        mode[6][termios.VMIN] = 1
        mode[6][termios.VTIME] = 0
        termios.tcsetattr(self.fd, termios.TCSADRAIN, mode)
        self._watch_resize()
        return self

    def _watch_resize(self) -> None:
        import signal
        import threading

        if hasattr(signal, "SIGWINCH") and threading.current_thread() is threading.main_thread():
            self._previous_winch = signal.signal(signal.SIGWINCH, self._on_resize)

    def _on_resize(self, signum: int, frame: Any) -> None:
        if self._waiting:  # only while blocked before a key: never in the middle of one
            raise _Resized

    def __exit__(self, *exc: object) -> None:
        self.restore()

    def restore(self) -> None:
        """The terminal as it was (idempotent)."""
        import signal
        import termios

        if self._previous_winch is not None:
            signal.signal(signal.SIGWINCH, self._previous_winch)
            self._previous_winch = None
        if self._saved is not None:
            with contextlib.suppress(termios.error, OSError):
                termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def read(self) -> str:
        self._waiting = True
        try:
            first = self._byte()
        except _Resized:
            return "resize"
        finally:
            self._waiting = False
        if first is None or first == b"\x04":
            return "eof"
        if first == b"\x03":  # Ctrl-C arriving as a byte (a terminal without ISIG)
            raise KeyboardInterrupt
        if first in (b"\r", b"\n"):
            return "enter"
        if first in (b"\x7f", b"\x08"):
            return "backspace"
        if first == b"\t":
            return "tab"
        if first == b"\x1b":
            return self._sequence()
        return self._character(first)

    def _byte(self, timeout: float | None = None) -> bytes | None:
        if self._pushed is not None:
            pushed, self._pushed = self._pushed, None
            return pushed
        if timeout is not None:
            import select

            ready, _w, _x = select.select([self.fd], [], [], timeout)
            if not ready:
                return None
        try:
            data = os.read(self.fd, 1)
        except OSError:
            return None
        return data or None

    def _sequence(self) -> str:
        """After Escape: an arrow or another key's sequence, or Escape alone."""
        second = self._byte(_ESCAPE_WAIT)
        if second is None:
            return "escape"
        if second not in (b"[", b"O"):
            self._pushed = second  # Escape, then another key typed at once: read it next
            return "escape"
        text = second.decode("latin-1")
        while len(text) < 8:
            more = self._byte(_ESCAPE_WAIT)
            if more is None:
                break
            text += more.decode("latin-1")
            if more.isalpha() or more == b"~":
                break
        return _SEQUENCES.get(text, "")

    def _character(self, first: bytes) -> str:
        """One character of UTF-8 (an accented letter in a reason typed in French)."""
        lead = first[0]
        length = 1 if lead < 0xC0 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
        data = first
        while len(data) < length:
            more = self._byte(_ESCAPE_WAIT)
            if more is None:
                break
            data += more
        return data.decode("utf-8", errors="replace")


class ScriptedKeys:
    """Keys given in advance (tests, a scripted demo); ``eof`` once they run out. A key
    ``"ctrl-c"`` raises ``KeyboardInterrupt`` as the terminal's Ctrl-C does."""

    def __init__(self, keys: Iterable[str]) -> None:
        self._keys = list(keys)

    def read(self) -> str:
        if not self._keys:
            return "eof"
        key = self._keys.pop(0)
        if key == "ctrl-c":
            raise KeyboardInterrupt
        return key

    @property
    def left(self) -> list[str]:
        return list(self._keys)
