"""The exit-code contract of cartes (scripts depend on it; see ``cartes help exit-codes``).

This module is the single source of the codes and of their one-line meanings: ``cartes help
exit-codes``, the man pages and the command reference are all generated from it.
"""

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

    @property
    def meaning(self) -> str:
        """One line, in the user's language."""
        return meanings()[self]


def meanings() -> dict[ExitCode, str]:
    """Every code and its meaning, in the user's language (built on demand: the catalogue may
    change between calls, and the start-up path never pays for it)."""
    from cartes_cli.i18n import _

    return {
        ExitCode.OK: _("Success (also: nothing to do, no results)"),
        ExitCode.FAILURE: _("Failure, including a bulk run where any item failed"),
        ExitCode.USAGE: _("Usage error or invalid input, caught before any request"),
        ExitCode.NOT_FOUND: _("Not found (an unknown workspace, request or user, in every command)"),
        ExitCode.AUTH: _("Authentication required or refused (run 'cartes login')"),
        ExitCode.PERMISSION: _("Permission denied (a right is missing)"),
        ExitCode.INTERRUPTED: _("Interrupted (Ctrl-C); a bulk run prints what was done and what remains"),
    }
