"""``cartes login refresh``: renew the access token now (and the stored refresh token)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from cartes_cli.cli.options import context_of
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext


@dataclass(frozen=True)
class RefreshOptions:
    """``login refresh`` takes no option of its own (the profile is a global option)."""


def run(app: AppContext, options: RefreshOptions) -> None:
    profile = app.profile()
    platform = app.platform(profile)
    manager, source = app.token_manager(profile, platform)
    if not manager.can_refresh:
        raise UsageError(
            _("This login ({source}) cannot be renewed; give a new token.").format(source=source)
        )
    tokens = manager.refresh()
    minutes = max(0, int((tokens.expires_at - time.time()) // 60)) if tokens.expires_at else 0
    app.terminal.success(
        _("Token renewed for {user} (profile {profile}); it expires in {n} min.").format(
            user=tokens.username or profile.user, profile=profile.name, n=minutes
        )
    )


def command(ctx: typer.Context) -> None:
    """Renew the access token now (and the stored refresh token)."""
    run(context_of(ctx), RefreshOptions())
