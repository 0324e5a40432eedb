"""``cartes account 2fa disable``: turn off two-factor authentication with a current code (given,
computed from the seed in ``CARTES_TOTP_SECRET`` or the keyring, or asked), and forget the
stored seed. Without the app there is no code: ``account 2fa lost``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from cartes_cli.cli.account.browser import send_to_browser
from cartes_cli.cli.account.platform import action_url, app_context, platform_and_capabilities
from cartes_cli.cli.account.prompts import ask_code
from cartes_cli.cli.account.twofa.seed import logged_in_profile, seed_from_env
from cartes_cli.errors import CartesError, UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.config import Profile


@dataclass(frozen=True)
class DisableOptions:
    code: str | None = None
    no_browser: bool = False


def run(app: AppContext, options: DisableOptions) -> None:
    from cartes_cli.auth.totp import current_code, normalise_code

    term = app.terminal
    code = normalise_code(options.code) if options.code is not None else None
    env_seed = seed_from_env()
    platform, caps = platform_and_capabilities(app)
    if not caps.accounts:
        send_to_browser(
            app,
            action_url(platform, "CONFIGURE_TOTP"),
            _("On this platform, two-factor authentication is removed on its account page."),
            no_browser=options.no_browser,
        )
        return
    profile = logged_in_profile(app)
    stored = _stored_seed(app, profile) if code is None and env_seed is None else None
    client = app.client()
    if client.account.profile().totp is False:
        # Already off: nothing to ask, nothing to send (exit 0, as for other repeated changes).
        _already_off(app, profile)
        return
    if code is None and env_seed is None and stored is None and not term.interactive:
        raise UsageError(_("Not on a terminal: give a current code with --code (or CARTES_TOTP_SECRET)."))
    if code is None:
        seed = env_seed or stored
        code = current_code(seed) if seed else ask_code(app, _("Current 6-digit code from the app"))
    assert code is not None
    from cartes_cli.errors import Conflict, InvalidInput

    try:
        client.account.totp_disable(code)
    except InvalidInput:
        raise UsageError(_("The platform refused the code; type the current one from the app.")) from None
    except Conflict:  # turned off meanwhile (another session)
        _already_off(app, profile)
        return
    forget_totp(app, profile)
    term.success(_("Two-factor authentication is off."))


def _stored_seed(app: AppContext, profile: Profile | None) -> str | None:
    """The seed kept with the stored login, if any (a store that cannot be read: none)."""
    from cartes_cli.auth.totp import load_totp_secret

    if profile is None or not profile.user:
        return None
    try:
        return load_totp_secret(app.credential_store(profile.storage), profile.name, profile.user)
    except CartesError:
        return None


def _already_off(app: AppContext, profile: Profile | None) -> None:
    forget_totp(app, profile)
    app.terminal.success(_("Two-factor authentication is already off; nothing changed."))


def forget_totp(app: AppContext, profile: Profile | None) -> None:
    """2FA is off: forget the stored seed and the profile's note that a code is needed."""
    from cartes_cli.auth.totp import delete_totp_secret

    if profile is None or not profile.user:
        return
    try:
        delete_totp_secret(app.credential_store(profile.storage), profile.name, profile.user)
    except CartesError as exc:
        app.terminal.warn(_("The stored seed could not be forgotten: {reason}").format(reason=exc.message))
    if profile.totp:
        profile.totp = False
        app.config.save()


def command(
    ctx: typer.Context,
    code: Annotated[
        str | None, typer.Option("--code", help=_("A current code from the app."), show_default=False)
    ] = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help=_("On the real platform: print the address, open nothing."))
    ] = False,
) -> None:
    """Turn off two-factor authentication (asks for a current code) and forget the stored seed.

    Without the app, there is no current code: ask the support, geoplateforme@ign.fr, to reset
    it ('cartes account 2fa lost').
    """
    run(app_context(ctx), DisableOptions(code=code, no_browser=no_browser))
