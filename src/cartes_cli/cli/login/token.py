"""``cartes login token``: print a valid access token (renewed if needed), and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from cartes_cli.cli.options import context_of

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext


@dataclass(frozen=True)
class TokenOptions:
    """``login token`` takes no option of its own (the profile is a global option)."""


def run(app: AppContext, options: TokenOptions) -> None:
    profile = app.profile()
    platform = app.platform(profile)
    manager, _source = app.token_manager(profile, platform)
    app.terminal.out(manager.access_token())


def command(ctx: typer.Context) -> None:
    """Print a valid access token (renewed if needed), and nothing else.

    For other tools: cartes login token | other-tool --password-stdin
    """
    run(context_of(ctx), TokenOptions())
