"""``cartes workspace …``: the workspaces (communities and their datastores).

One module per verb (``list``, ``show``, ``form``, ``members``, ``member`` for add/set/remove,
``update``, ``supervisor``, ``join``, ``create``, ``leave``), each with its options object, its
``run`` and its Typer function; ``common`` holds what several of them share. This module only
assembles the group, importing a verb's module when the group is built with it (``build``: the
verb a command names, or every verb for the group's help; ``cli/verbs.py``); the verb modules
import the client, httpx and pydantic inside their function bodies only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer

from cartes_cli.cli.group_help import group_help
from cartes_cli.cli.verbs import Registry, SubGroup, Verb, assemble, lazy_attribute
from cartes_cli.i18n import _

__all__ = ["build", "build_member", "member_app", "workspace_app"]


def build(words: Sequence[str] | None = None) -> typer.Typer:
    """``cartes workspace``: with the verb ``words[0]`` names only, or with every verb."""
    group = typer.Typer(help=group_help("workspace"), no_args_is_help=True)
    return assemble(group, __name__, VERBS, words)


def build_member(words: Sequence[str] | None = None) -> typer.Typer:
    """``cartes workspace member``: add, set and remove (one module)."""
    group = typer.Typer(
        help=_("Add, change or remove a member (needs the COMMUNITY right)."), no_args_is_help=True
    )
    return assemble(group, __name__, MEMBER_VERBS, words)


# The verbs, in --help order: name → Verb(module, Typer function) or a sub-group.
VERBS: Registry = {
    "list": Verb("list"),
    "show": Verb("show"),
    "form": Verb("form"),
    "members": Verb("members"),
    "member": SubGroup(build_member),
    "update": Verb("update"),
    "supervisor": Verb("supervisor"),
    "join": Verb("join"),
    "create": Verb("create"),
    "leave": Verb("leave"),
}
MEMBER_VERBS: Registry = {
    "add": Verb("member", "add_command"),
    "set": Verb("member", "set_command"),
    "remove": Verb("member", "remove_command"),
}


def __getattr__(name: str) -> Any:
    """``workspace_app`` and ``member_app``: the whole groups, built on first use."""
    return lazy_attribute(globals(), name, {"workspace_app": build, "member_app": build_member})
