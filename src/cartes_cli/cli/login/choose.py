"""Which way to log in when no flag says: the password with a username, the browser on a
desktop, the device code over SSH or without a display; and the environment credential that wins
over any of them."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from cartes_cli.cli.login.common import platform_label
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.platforms import Platform


def explain_env_credential(app: AppContext, variable: str) -> None:
    """An environment credential wins: check that it works, store nothing, say so."""
    profile = app.profile()
    platform = app.platform(profile)
    manager, source = app.token_manager(profile, platform)
    client = app.client_for(platform, manager)
    me = client.users.me()
    who = me.email or getattr(me, "display_name", None) or me.id
    app.terminal.success(
        _(
            "{variable} is set: cartes uses it for every command, as {who} on {platform}, and ignores stored "
            "logins; nothing was stored. Unset it to use 'cartes login'."
        ).format(variable=source or variable, who=who, platform=platform_label(platform))
    )


def has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def over_ssh() -> bool:
    return bool(os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY") or os.environ.get("SSH_CLIENT"))


def default_flow(
    app: AppContext, platform: Platform, username: str | None, password_stdin: bool, store_totp: bool
) -> str:
    if (
        username
        or password_stdin
        or store_totp
        or os.environ.get("CARTES_USERNAME")
        or os.environ.get("CARTES_PASSWORD")
    ):
        return "password"
    if not app.terminal.interactive:
        raise UsageError(
            _(
                "Not on a terminal: say how to log in (CARTES_USERNAME and CARTES_PASSWORD, "
                "--password-stdin, --with-token, --client-credentials, or --device)."
            )
        )
    if platform.web_loopback and not over_ssh() and has_display():
        return "web"  # the browser comes back to cartes on this machine
    if platform.device_grant:
        return "device"  # over SSH, or no display: a code typed on any device
    if not platform.web_loopback:
        return "web"  # the address is pasted back: works from any browser, SSH included
    return "password"
