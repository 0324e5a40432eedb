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
(``choose``, ``storing``, ``person``, ``browser``, ``common``). This module only assembles the
group, importing a verb's module when the group is built with it (``build``, ``cli/verbs.py``);
``login`` itself, the group's callback, is always imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer

from cartes_cli.cli.group_help import LOGOUT_HELP, group_help
from cartes_cli.cli.verbs import Registry, Verb, assemble, imported, lazy_attribute

__all__ = ["LOGOUT_HELP", "build", "login_app", "logout"]


def build(words: Sequence[str] | None = None) -> typer.Typer:
    """``cartes login``: its callback (``login`` itself) with the verb ``words[0]`` names only, or
    with every verb."""
    from cartes_cli.cli.login import login

    group = typer.Typer(help=group_help("login"), invoke_without_command=True, no_args_is_help=False)
    group.callback()(login.command)
    return assemble(group, __name__, VERBS, words)


# The verbs, in --help order: name → Verb(module, Typer function, help).
VERBS: Registry = {
    "logout": Verb("signout", "logout", help=LOGOUT_HELP),
    "status": Verb("status"),
    "token": Verb("token"),
    "refresh": Verb("refresh"),
    "switch": Verb("switch"),
}


def __getattr__(name: str) -> Any:
    """``login_app``, the whole group, built on first use; ``logout``, for ``cartes logout``."""
    return lazy_attribute(
        globals(), name, {"login_app": build, "logout": imported(f"{__name__}.signout", "logout")}
    )
