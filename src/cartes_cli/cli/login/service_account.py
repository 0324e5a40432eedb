"""``cartes login --client-credentials``: an IGN-issued service account (CARTES_CLIENT_ID and
CARTES_CLIENT_SECRET, or asked)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.auth.tokens import TokenSet
    from cartes_cli.cli.context import AppContext
    from cartes_cli.cli.login.login import LoginOptions
    from cartes_cli.config import Profile
    from cartes_cli.platforms import Platform


def log_in(app: AppContext, options: LoginOptions, profile: Profile, platform: Platform) -> None:
    from cartes_cli.cli.login.storing import choose_store, finish

    client_id, secret = client_credential_inputs(app)
    store = choose_store(app, options.insecure_storage)
    tokens = client_credentials_grant(app, platform, client_id, secret)
    finish(
        app,
        profile,
        platform,
        store,
        client_id,
        "client-credentials",
        tokens,
        client_id,
        {"client_secret": secret},
        activate=options.activate,
    )


def client_credential_inputs(app: AppContext) -> tuple[str, str]:
    term = app.terminal
    client_id = os.environ.get("CARTES_CLIENT_ID") or None
    secret = os.environ.get("CARTES_CLIENT_SECRET") or None
    if client_id is None and term.interactive:
        client_id = term.prompt(_("Client id"))
    if not client_id:
        raise UsageError(_("No client id: set CARTES_CLIENT_ID, or run on a terminal to be asked."))
    if secret is None and term.interactive:
        secret = term.prompt(_("Client secret"), secret=True)
    if not secret:
        raise UsageError(_("No client secret: set CARTES_CLIENT_SECRET, or run on a terminal to be asked."))
    return client_id.strip(), secret.strip()


def client_credentials_grant(app: AppContext, platform: Platform, client_id: str, secret: str) -> TokenSet:
    from dataclasses import replace

    from cartes_cli.auth.oidc import OIDCClient

    oidc = OIDCClient(replace(platform, client_id=client_id), client_secret=secret, debug=app.debug_log())
    try:
        return oidc.client_credentials()
    finally:
        oidc.close()
