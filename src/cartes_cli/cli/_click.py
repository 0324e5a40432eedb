"""The click that Typer runs on.

Typer ≥ 0.29 vendors click as ``typer._click``; older releases use the ``click`` package. Import
the parser classes from here, never from either directly.
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
