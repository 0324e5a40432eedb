"""``cartes account …``: sign up, confirm the e-mail address, see and edit the profile, change the
password, turn two-factor authentication on and off.

The sandbox serves all of it as an API (capability ``accounts``). The real Géoplateforme has none:
there, these commands open the Keycloak page that does the same (registration, or the browser
actions ``UPDATE_PROFILE``, ``UPDATE_PASSWORD`` and ``CONFIGURE_TOTP``) and say so.

Secrets never travel as flag values: passwords come from hidden prompts, ``CARTES_PASSWORD``,
standard input, or a private file; they never appear in a message or a log. The TOTP seed is
shown once, on purpose, by ``account 2fa enable``.

One module per verb (``create``, ``captcha``, ``verify``, ``show``, ``update``, ``password``,
``twofa/…``), each with its options, its ``run`` and its Typer declaration; the helpers are named
by what they are (``fields``, ``prompts``, ``browser``, ``cache``, ``captcha_art``, ``qr``…).
"""

from __future__ import annotations

import typer

from cartes_cli.cli.account import captcha, create, password, show, update, verify
from cartes_cli.cli.account.captcha_art import captcha_art
from cartes_cli.cli.account.fields import FIELD_LABELS
from cartes_cli.cli.account.platform import action_url, browser_client, registration_url
from cartes_cli.cli.account.qr import qr_lines
from cartes_cli.cli.account.twofa import twofa_app
from cartes_cli.cli.account.twofa.lost import lost_factor_draft
from cartes_cli.cli.group_help import group_help

__all__ = [
    "FIELD_LABELS",
    "account_app",
    "action_url",
    "browser_client",
    "captcha_art",
    "lost_factor_draft",
    "qr_lines",
    "registration_url",
]

account_app = typer.Typer(
    help=group_help("account"),
    no_args_is_help=True,
)
account_app.add_typer(twofa_app, name="2fa")
account_app.command("create")(create.command)
account_app.command("captcha")(captcha.command)
account_app.command("verify")(verify.command)
account_app.command("show")(show.command)
account_app.command("update")(update.command)
account_app.command("password")(password.command)
