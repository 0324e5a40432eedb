"""The exit-code contract of cartes (scripts depend on it; see ``cartes help exit-codes``)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1
    USAGE = 2
    NOT_FOUND = 3
    AUTH = 4
    PERMISSION = 5
    INTERRUPTED = 130
