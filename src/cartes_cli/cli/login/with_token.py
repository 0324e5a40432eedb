"""``cartes login --with-token``: a ready bearer token read from standard input, proved to work
before it is stored."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.cli.login.login import LoginOptions
    from cartes_cli.config import Profile
    from cartes_cli.platforms import Platform


def log_in(app: AppContext, options: LoginOptions, profile: Profile, platform: Platform) -> None:
    from cartes_cli.auth.session import TokenManager
    from cartes_cli.auth.tokens import jwt_claims
    from cartes_cli.cli.login.storing import choose_store, finish

    token = read_stdin_token(app)
    store = choose_store(app, options.insecure_storage)
    manager = TokenManager.static(token, source="token")
    me = app.client_for(platform, manager).users.me()  # proves the token works before storing it
    claims = jwt_claims(token)
    account = claims.get("preferred_username") or me.email or me.id
    tokens = manager.tokens
    finish(
        app,
        profile,
        platform,
        store,
        str(account),
        "token",
        tokens,
        None,
        {"bearer_token": token},
        activate=options.activate,
    )


def read_stdin_token(app: AppContext) -> str:
    data = sys.stdin.readline().strip()
    if data.lower().startswith("bearer "):
        data = data[7:].strip()
    if not data:
        raise UsageError(_("--with-token: no token was read from standard input."))
    if any(c.isspace() for c in data):
        raise UsageError(_("--with-token: the token read from standard input is malformed."))
    from cartes_cli.auth.tokens import jwt_claims

    exp = jwt_claims(data).get("exp")
    if isinstance(exp, (int, float)) and exp < time.time():
        raise UsageError(_("--with-token: this token has already expired."))
    return data
