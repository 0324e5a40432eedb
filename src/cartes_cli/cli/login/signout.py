"""``cartes logout`` (also ``cartes login logout``): end the session at the platform and forget
the stored credentials, of the profile or of every profile (``--all``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from cartes_cli.cli.options import context_of
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.platforms import Platform


@dataclass(frozen=True)
class LogoutOptions:
    all_profiles: bool = False


def run(app: AppContext, options: LogoutOptions) -> None:
    from cartes_cli.cli.login.common import profile_platform
    from cartes_cli.cli.login.storing import forget

    term = app.terminal
    profiles = list(app.config.profiles.values()) if options.all_profiles else [app.profile()]
    done = 0
    for profile in profiles:
        if not profile.logged_in:
            continue
        try:
            platform: Platform | None = profile_platform(profile)
        except Exception:  # the platform is gone (a stopped sandbox): forget locally
            platform = None
        forget(app, profile, revoke_with=platform)
        term.success(
            _("Logged out {user} (profile {profile}).").format(user=profile.user, profile=profile.name)
        )
        profile.user = None
        profile.storage = None
        profile.flow = None
        done += 1
    if done:
        app.config.save()
    else:
        term.info(_("Not logged in; nothing to do."))
    if os.environ.get("CARTES_TOKEN") or os.environ.get("CARTES_CLIENT_ID"):
        term.warn(_("Note: an environment credential (CARTES_TOKEN or CARTES_CLIENT_ID) is still set."))


def logout(
    ctx: typer.Context,
    all_profiles: Annotated[bool, typer.Option("--all", help=_("Log out of every profile."))] = False,
) -> None:
    """Log out: end the session at the platform and forget the stored credentials."""
    run(context_of(ctx), LogoutOptions(all_profiles=all_profiles))
