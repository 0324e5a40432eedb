"""``cartes login switch PROFILE``: make another profile the active one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from cartes_cli.cli.options import context_of
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext


@dataclass(frozen=True)
class SwitchOptions:
    profile_name: str


def run(app: AppContext, options: SwitchOptions) -> None:
    from cartes_cli.config import validate_profile_name

    profile_name = options.profile_name
    validate_profile_name(profile_name)
    config = app.config
    if profile_name not in config.profiles:
        known = ", ".join(sorted(config.profiles)) or _("none")
        raise UsageError(
            _("Unknown profile {name!r} (known profiles: {known}).").format(name=profile_name, known=known)
        )
    config.active_profile = profile_name
    config.save()
    profile = config.profiles[profile_name]
    app.terminal.success(
        _("Active profile: {name} ({user} on {platform}).").format(
            name=profile_name,
            user=profile.user or _("not logged in"),
            platform=profile.env or profile.api_url,
        )
    )


def command(
    ctx: typer.Context,
    profile_name: Annotated[str, typer.Argument(metavar="PROFILE", help=_("The profile to make active."))],
) -> None:
    """Make another profile the active one."""
    run(context_of(ctx), SwitchOptions(profile_name))
