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
by what they are (``fields``, ``prompts``, ``browser``, ``cache``, ``captcha_art``, ``qr``…). This
module only assembles the group, importing a verb's module when the group is built with it
(``build``, ``cli/verbs.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer

from cartes_cli.cli.group_help import group_help
from cartes_cli.cli.verbs import Registry, SubGroup, Verb, assemble, imported, lazy_attribute

__all__ = [
    "FIELD_LABELS",
    "account_app",
    "action_url",
    "browser_client",
    "build",
    "lost_factor_draft",
    "qr_lines",
    "registration_url",
]


def build(words: Sequence[str] | None = None) -> typer.Typer:
    """``cartes account``: with the verb ``words[0]`` names only, or with every verb."""
    group = typer.Typer(help=group_help("account"), no_args_is_help=True)
    return assemble(group, __name__, VERBS, words)


def _twofa(words: Sequence[str] | None) -> typer.Typer:
    from cartes_cli.cli.account import twofa

    return twofa.build(words)


# The verbs, in --help order: name → Verb(module, Typer function) or a sub-group.
VERBS: Registry = {
    "2fa": SubGroup(_twofa),
    "create": Verb("create"),
    "captcha": Verb("captcha"),
    "verify": Verb("verify"),
    "show": Verb("show"),
    "update": Verb("update"),
    "password": Verb("password"),
}

# Helpers other code reads from the package, imported when asked for. (``captcha_art`` is not one:
# the function would be hidden by its module, ``account.captcha_art``, once that is imported.)
_HELPERS = {
    "FIELD_LABELS": "fields",
    "action_url": "platform",
    "browser_client": "platform",
    "registration_url": "platform",
    "qr_lines": "qr",
    "lost_factor_draft": "twofa.lost",
}


def __getattr__(name: str) -> Any:
    """``account_app``, the whole group, built on first use; the helpers of ``_HELPERS``."""
    makers = {key: imported(f"{__name__}.{module}", key) for key, module in _HELPERS.items()}
    return lazy_attribute(globals(), name, {"account_app": build, **makers})
