"""Command groups whose verb modules are imported on demand.

A group package (``workspace``, ``request``, ``account`` and its ``2fa``, ``login``,
``sandbox``) lists its verbs in a registry, in ``--help`` order: each verb's name and where its
Typer function lives (a module of the package and an attribute), or a sub-group and the function
that builds it. :func:`assemble` registers them on the group's Typer: all of them when no verb is
named (the group's help, an unknown verb, completion, the docs, the tests), and only the named
one otherwise, so that ``cartes workspace list`` imports ``workspace/list.py`` and not the nine
other verbs' modules. Registering a verb is the same Typer call either way: the command a verb
gets, its help, its options and its errors do not depend on which siblings were registered
(``tests/cli/test_startup.py`` compares both builds). See docs/design.md, "Verbs loaded on demand".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import typer

from cartes_cli.lazy_exports import import_module
from cartes_cli.lazy_exports import imported as imported
from cartes_cli.lazy_exports import lazy_attribute as lazy_attribute

__all__ = ["SubGroup", "Verb", "assemble", "imported", "lazy_attribute"]


class Verb:
    """A command: ``attribute`` of ``module`` (relative to the group's package), registered with
    ``help`` when given (otherwise Typer reads the function's docstring)."""

    # A plain class: a dataclass is built with exec() at import (6 million instructions of start-up).
    __slots__ = ("attribute", "help", "module")

    def __init__(self, module: str, attribute: str = "command", help: str | None = None) -> None:
        self.module = module
        self.attribute = attribute
        self.help = help


class SubGroup:
    """A group inside the group (``workspace member``, ``account 2fa``), built by ``build`` for
    the words that follow its name (``None``: with every verb)."""

    __slots__ = ("build",)

    def __init__(self, build: Callable[[Sequence[str] | None], typer.Typer]) -> None:
        self.build = build


Registry = Mapping[str, Verb | SubGroup]


def assemble(group: typer.Typer, package: str, verbs: Registry, words: Sequence[str] | None) -> typer.Typer:
    """Register on ``group`` the verbs of ``verbs``: only the one ``words[0]`` names, or every
    one when ``words`` names none (``None``, empty, or a word that is not a verb)."""
    wanted = words[0] if words and words[0] in verbs else None
    for name, verb in verbs.items():
        if wanted is not None and name != wanted:
            continue
        if isinstance(verb, SubGroup):
            group.add_typer(verb.build(words[1:] if words and wanted else None), name=name)
            continue
        module = import_module(f"{package}.{verb.module}")
        group.command(name, help=verb.help)(getattr(module, verb.attribute))
    return group
