"""``cartes login`` and its subcommands, and ``cartes logout``.

Every way a person or a pipeline proves who it is:

* ``--web``: authorization code + PKCE in the browser (FranceConnect and ProConnect live there);
* ``--device``: RFC 8628, for SSH sessions and machines without a display;
* ``--password``: username or e-mail, password, and the TOTP code when the account has one;
* ``--client-credentials``: an IGN-issued service account;
* ``--with-token``: a ready bearer token read from standard input.

``CARTES_TOKEN`` and ``CARTES_CLIENT_ID``/``CARTES_CLIENT_SECRET`` win over any stored login and
are never written anywhere.

One module per verb (``login`` itself, ``status``, ``token``, ``refresh``, ``switch``,
``signout`` for ``logout``), each with its options, its ``run`` and its Typer declaration; one
module per flow of ``login`` (``password`` with ``password_grant``, ``with_token``,
``service_account``, ``web`` with ``pasted``, ``device``); the helpers are named by what they are
(``choose``, ``storing``, ``person``, ``browser``, ``common``).
"""

from __future__ import annotations

import typer

from cartes_cli.cli.group_help import LOGOUT_HELP, group_help
from cartes_cli.cli.login import login, refresh, signout, status, switch, token
from cartes_cli.cli.login.signout import logout

__all__ = ["LOGOUT_HELP", "login_app", "logout"]

login_app = typer.Typer(
    help=group_help("login"),
    invoke_without_command=True,
    no_args_is_help=False,
)
login_app.callback()(login.command)
login_app.command("logout", help=LOGOUT_HELP)(signout.logout)
login_app.command("status")(status.command)
login_app.command("token")(token.command)
login_app.command("refresh")(refresh.command)
login_app.command("switch")(switch.command)
