"""``cartes login --password``: username or e-mail, password, and the TOTP code when the account
has one (the grant and its retries are in ``password_grant``)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from cartes_cli.errors import CredentialStoreError, UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.cli.login.login import LoginOptions
    from cartes_cli.config import Profile
    from cartes_cli.platforms import Platform


def log_in(app: AppContext, options: LoginOptions, profile: Profile, platform: Platform) -> None:
    from cartes_cli.cli.login.password_grant import login_with_password
    from cartes_cli.cli.login.storing import choose_store, finish, given_oidc_secret

    user, password = password_inputs(app, options.username, options.password_stdin)
    totp_secret = totp_secret_input(app, options.store_totp_secret)
    store = choose_store(app, options.insecure_storage)
    kept_seed = False
    if totp_secret is None:
        totp_secret = stored_totp_secret(app, profile, user)
        kept_seed = totp_secret is not None
    typed = not options.password_stdin and not os.environ.get("CARTES_PASSWORD")
    tokens = login_with_password(
        app, platform, profile, user, password, totp_secret, retype=typed and app.terminal.interactive
    )
    password = ""
    # A seed the user asked to keep stays kept across logins (the new login replaces the old).
    keep = options.store_totp_secret or kept_seed
    extra = {"totp_secret": totp_secret} if totp_secret and keep else {}
    extra.update(given_oidc_secret())
    finish(
        app,
        profile,
        platform,
        store,
        user,
        "password",
        tokens,
        platform.client_id,
        extra,
        activate=options.activate,
    )


def password_inputs(app: AppContext, username: str | None, password_stdin: bool) -> tuple[str, str]:
    term = app.terminal
    user = username or os.environ.get("CARTES_USERNAME") or None
    if user is None and term.interactive:
        user = term.prompt(_("Username or e-mail"))
    if not user or not user.strip():
        raise UsageError(
            _("No username: give --username, set CARTES_USERNAME, or run on a terminal to be asked.")
        )
    from cartes_cli.cli.login.password_grant import read_password

    return user.strip(), read_password(app, password_stdin)


def totp_secret_input(app: AppContext, store: bool) -> str | None:
    """The TOTP seed from CARTES_TOTP_SECRET, or with --store-totp-secret from a hidden prompt."""
    from cartes_cli.auth.totp import normalise_secret

    raw = os.environ.get("CARTES_TOTP_SECRET") or None
    if raw is None and store:
        if not app.terminal.interactive:
            raise UsageError(
                _("--store-totp-secret: set CARTES_TOTP_SECRET, or run on a terminal to be asked.")
            )
        raw = app.terminal.prompt(_("TOTP seed (the text under the QR code)"), secret=True)
    return normalise_secret(raw) if raw else None


def stored_totp_secret(app: AppContext, profile: Profile, user: str) -> str | None:
    if not profile.storage or profile.user != user:
        return None
    from cartes_cli.auth.store import credential_key

    try:
        return app.credential_store(profile.storage).get(credential_key(profile.name, user, "totp_secret"))
    except CredentialStoreError:
        return None
