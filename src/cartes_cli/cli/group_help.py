"""The help text of each command group, in one light module.

``cartes --help`` shows one line per group; importing a group's package for it would import
every verb module the group registers (dozens of modules, tens of milliseconds, on every
``--help``). So the texts live here: the groups' packages use them, and the root's outline
reads them without importing any group (``cli/app.py``).
"""

from __future__ import annotations

from cartes_cli.i18n import _

__all__ = ["LOGOUT_HELP", "group_help"]


def group_help(name: str) -> str:
    """The help of group ``name`` (``login``, ``account``, ``workspace``, ``request``,
    ``sandbox``), in the user's language."""
    texts = {
        "login": _("Log in to the Géoplateforme, and manage the stored logins."),
        "account": _("Your Géoplateforme account: sign up, confirm your e-mail, profile, password, 2FA."),
        "workspace": _("Workspaces (espaces de travail): browse, inspect, join, create, manage."),
        "request": _("Requests: to join a workspace, or to create one; approve or reject them in bulk."),
        "sandbox": _(
            "A self-contained Géoplateforme on this machine (OpenID Connect + Entrepôt API, SQLite)."
        ),
    }
    return texts[name]


def logout_help() -> str:
    return _("Log out: end the session at the platform and forget the stored credentials.")


LOGOUT_HELP = logout_help()
"""Kept as a name for the modules that declare the command (computed once, at their import)."""
