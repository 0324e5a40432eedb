"""``cartes sandbox …``: the self-contained Géoplateforme for demos, tests and offline scripts.

One module per verb: ``serving`` (``serve``, whose options are the sandbox's settings), ``outbox``
and ``captcha``, each with its options, its ``run`` and its Typer declaration. The sandbox itself
(``cartes_cli.sandbox``: FastAPI, uvicorn) is imported only when ``serve`` runs. This module only
assembles the group, importing a verb's module when the group is built with it (``build``,
``cli/verbs.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer

from cartes_cli.cli.group_help import group_help
from cartes_cli.cli.verbs import Registry, Verb, assemble, imported, lazy_attribute

__all__ = ["build", "sandbox_app", "serve"]


def build(words: Sequence[str] | None = None) -> typer.Typer:
    """``cartes sandbox``: with the verb ``words[0]`` names only, or with every verb."""
    group = typer.Typer(help=group_help("sandbox"), no_args_is_help=True)
    return assemble(group, __name__, VERBS, words)


# The verbs, in --help order: name → Verb(module, Typer function).
VERBS: Registry = {
    "serve": Verb("serving", "serve"),
    "outbox": Verb("outbox"),
    "captcha": Verb("captcha"),
}


def __getattr__(name: str) -> Any:
    """``sandbox_app``, the whole group, built on first use; ``serve``, the sandbox's command."""
    return lazy_attribute(
        globals(), name, {"sandbox_app": build, "serve": imported(f"{__name__}.serving", "serve")}
    )
