"""``cartes login --device``: RFC 8628, for SSH sessions and machines without a display (a code
typed on any device)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cartes_cli.cli.login.common import platform_label
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.auth.tokens import TokenSet
    from cartes_cli.cli.context import AppContext
    from cartes_cli.cli.login.login import LoginOptions
    from cartes_cli.config import Profile
    from cartes_cli.platforms import Platform


def log_in(app: AppContext, options: LoginOptions, profile: Profile, platform: Platform) -> None:
    from cartes_cli.cli.login.browser import keep
    from cartes_cli.cli.login.storing import choose_store

    store = choose_store(app, options.insecure_storage)
    tokens = device_login(app, platform, open_browser=not options.no_browser)
    keep(app, options, profile, platform, store, "device", tokens)


def device_login(app: AppContext, platform: Platform, *, open_browser: bool) -> TokenSet:
    from cartes_cli.auth.device import DeviceLogin
    from cartes_cli.auth.oidc import OIDCClient

    term = app.terminal
    if not platform.device_grant:
        raise UsageError(
            _(
                "The device login is not available on {platform}: its OIDC client {client} does not have "
                "the device grant. Use 'cartes login --web' (it works over SSH too), or set "
                "CARTES_OIDC_CLIENT_ID to a client that has it (oidc_device = true in the profile)."
            ).format(platform=platform_label(platform), client=platform.web_client_id)
        )
    oidc = OIDCClient(platform, debug=app.debug_log())
    try:
        flow = DeviceLogin(oidc, client_id=platform.web_client_id)
        auth = flow.start()
        term.info("")
        term.info(_("First copy your one-time code:  {code}").format(code=auth.user_code))
        term.info(_("Then open {url} on any device and enter it.").format(url=auth.verification_uri))
        if auth.verification_uri_complete:
            term.info(_("(or open {url} directly)").format(url=auth.verification_uri_complete))
        term.info(_("Waiting for the authorization… (Ctrl-C to cancel)"))
        return flow.poll(auth)
    finally:
        oidc.close()
