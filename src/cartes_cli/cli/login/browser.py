"""What the browser and device logins share: the browser opened (or not), and the login kept
once the person who logged in is known."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cartes_cli.auth.store import CredentialStore
    from cartes_cli.auth.tokens import TokenSet
    from cartes_cli.cli.context import AppContext
    from cartes_cli.cli.login.login import LoginOptions
    from cartes_cli.config import Profile
    from cartes_cli.platforms import Platform


def opener(open_browser: bool) -> Callable[[str], bool]:
    def open_url(url: str) -> bool:
        if not open_browser:
            return False
        import webbrowser

        try:
            return webbrowser.open(url)
        except Exception:  # no usable browser: the URL is printed anyway
            return False

    return open_url


def keep(
    app: AppContext,
    options: LoginOptions,
    profile: Profile,
    platform: Platform,
    store: CredentialStore,
    flow: str,
    tokens: TokenSet,
) -> None:
    """A browser or a device: the identity comes with the tokens (``store`` was chosen before)."""
    from cartes_cli.cli.login.person import account_from, confirm_person
    from cartes_cli.cli.login.storing import finish, given_oidc_secret

    account = account_from(tokens)
    confirm_person(app, profile, platform, account, tokens)
    extra = given_oidc_secret()
    finish(
        app,
        profile,
        platform,
        store,
        account,
        flow,
        tokens,
        platform.web_client_id,
        extra,
        activate=options.activate,
    )
