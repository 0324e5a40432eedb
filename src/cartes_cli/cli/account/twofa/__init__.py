"""``cartes account 2fa …``: two-factor authentication, one module per verb: ``enable``,
``disable``, ``lost`` (the e-mail to the support), ``reset`` (staff)."""

from __future__ import annotations

import typer

from cartes_cli.cli.account.twofa import disable, enable, lost, reset
from cartes_cli.i18n import _

twofa_app = typer.Typer(
    help=_(
        "Two-factor authentication (a 6-digit code from an authenticator app at each login). "
        "Lost the app (a new phone)? The Géoplateforme's support, geoplateforme@ign.fr, resets it: "
        "'cartes account 2fa lost' writes the e-mail."
    ),
    no_args_is_help=True,
)
twofa_app.command("enable")(enable.command)
twofa_app.command("disable")(disable.command)
twofa_app.command("lost")(lost.command)
twofa_app.command("reset")(reset.command)
