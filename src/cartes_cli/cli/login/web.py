"""``cartes login --web``: authorization code + PKCE in the browser (FranceConnect and ProConnect
live there). The browser comes back to cartes on this machine (a loopback address) when the
platform's client allows it; otherwise the address is pasted back (``pasted``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

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
    tokens = web_login(app, platform, open_browser=not options.no_browser)
    keep(app, options, profile, platform, store, "web", tokens)


def web_login(app: AppContext, platform: Platform, *, open_browser: bool) -> TokenSet:
    from cartes_cli.auth.oidc import OIDCClient
    from cartes_cli.cli.login.browser import opener
    from cartes_cli.cli.login.choose import has_display
    from cartes_cli.cli.login.pasted import pasted_login

    oidc = OIDCClient(platform, debug=app.debug_log())
    try:
        if platform.web_loopback:
            return loopback_login(app, oidc, platform, opener(open_browser and has_display()))
        return pasted_login(app, oidc, platform, opener(open_browser and has_display()))
    finally:
        oidc.close()


def loopback_login(app: AppContext, oidc: Any, platform: Platform, opener: Callable[[str], bool]) -> TokenSet:
    from cartes_cli.auth.web import WebLogin

    term = app.terminal
    flow = WebLogin(oidc, client_id=platform.web_client_id, open_browser=None)
    try:
        flow.check()
        url = flow.authorization_url
        if opener(url):
            term.info(_("A browser window opened to log in. If it did not, open this address:"))
        else:
            term.info(_("Open this address in a browser to log in:"))
        term.info(f"  {url}")
        term.info(_("Waiting for the browser… (Ctrl-C to cancel)"))
        return flow.wait()
    finally:
        flow.close()
