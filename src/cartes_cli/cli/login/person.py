"""Whose login a browser or device flow brought back: the identity comes with the tokens, and it
may not be the profile's person."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.auth.tokens import TokenSet
    from cartes_cli.cli.context import AppContext
    from cartes_cli.config import Profile
    from cartes_cli.platforms import Platform


def account_from(tokens: TokenSet) -> str:
    return str(tokens.username or tokens.email or tokens.claims.get("sub") or "user")


def confirm_person(
    app: AppContext, profile: Profile, platform: Platform, account: str, tokens: TokenSet
) -> None:
    """A browser or device login is whoever logged in where the URL was opened: whoever saw the
    address could log this CLI into *their* account. When that is not the profile's person, say so
    and, on a terminal, ask before keeping it; refused, the new session is ended at the platform."""
    if not profile.user or profile.user == account or not app.same_platform(profile, platform):
        return
    term = app.terminal
    term.warn(
        _("This login is {who}'s, but profile {profile} was {previous}'s.").format(
            who=account, profile=profile.name, previous=profile.user
        )
    )
    if not term.interactive:
        return
    question = _("Keep {who}'s login in profile {profile}? [y/N]").format(who=account, profile=profile.name)
    if term.agrees(question):
        return
    if tokens.refresh_token is not None:
        from cartes_cli.auth.oidc import OIDCClient
        from cartes_cli.errors import CartesError

        oidc = OIDCClient(platform, client_id=platform.web_client_id, debug=app.debug_log())
        try:
            oidc.logout(tokens.refresh_token.get_secret_value())
        except CartesError:
            pass  # it expires anyway; nothing is stored
        finally:
            oidc.close()
    raise UsageError(
        _(
            "Cancelled: {who}'s session was ended and nothing was stored; profile {profile} is unchanged."
        ).format(who=account, profile=profile.name)
    )
