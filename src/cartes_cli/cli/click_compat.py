"""The click that Typer runs on, whichever it is.

Typer has run on the ``click`` package and, in some releases, on a copy of it vendored as
``typer._click``; the two are not interchangeable (exceptions raised by one are not the other's
classes). Import the parser classes and exceptions from here, never from either directly.
"""

from __future__ import annotations

try:  # pragma: no cover - depends on the installed Typer
    from typer import _click as click
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover
    import click  # type: ignore[no-redef]
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

from typer.exceptions import Abort, Exit

__all__ = ["Abort", "Exit", "click", "click_exceptions"]
