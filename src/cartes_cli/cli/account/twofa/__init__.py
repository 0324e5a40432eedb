"""``cartes account 2fa …``: two-factor authentication, one module per verb: ``enable``,
``disable``, ``lost`` (the e-mail to the support), ``reset`` (staff). This module only assembles
the group, importing a verb's module when the group is built with it (``cli/verbs.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer

from cartes_cli.cli.verbs import Registry, Verb, assemble, lazy_attribute
from cartes_cli.i18n import _

__all__ = ["build", "twofa_app"]


def build(words: Sequence[str] | None = None) -> typer.Typer:
    """``cartes account 2fa``: with the verb ``words[0]`` names only, or with every verb."""
    group = typer.Typer(
        help=_(
            "Two-factor authentication (a 6-digit code from an authenticator app at each login). "
            "Lost the app (a new phone)? The Géoplateforme's support, geoplateforme@ign.fr, resets it: "
            "'cartes account 2fa lost' writes the e-mail."
        ),
        no_args_is_help=True,
    )
    return assemble(group, __name__, VERBS, words)


# The verbs, in --help order: name → Verb(module, Typer function).
VERBS: Registry = {
    "enable": Verb("enable"),
    "disable": Verb("disable"),
    "lost": Verb("lost"),
    "reset": Verb("reset"),
}


def __getattr__(name: str) -> Any:
    """``twofa_app``, the whole group, built on first use."""
    return lazy_attribute(globals(), name, {"twofa_app": build})
