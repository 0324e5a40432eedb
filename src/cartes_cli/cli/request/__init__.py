"""``cartes request …``: requests to join a workspace or to create one, and their decisions.

One module per verb: ``list``, ``show``, ``cancel``, ``decide`` for ``approve`` and
``reject`` (what they act on: ``targets``), and ``review`` to decide them one at a time at the
terminal (drawn by ``review_screen``, the reasons remembered by ``reasons``); ``rows`` shows a
request, ``common`` checks what the commands take. This module only assembles the group,
importing a verb's module when the group is built with it (``build``, ``cli/verbs.py``); heavy
imports stay in function bodies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer

from cartes_cli.cli.group_help import group_help
from cartes_cli.cli.verbs import Registry, Verb, assemble, imported, lazy_attribute

__all__ = ["REQUEST_COLUMNS", "STATUSES", "TYPES", "build", "request_app", "request_row"]


def build(words: Sequence[str] | None = None) -> typer.Typer:
    """``cartes request``: with the verb ``words[0]`` names only, or with every verb."""
    group = typer.Typer(help=group_help("request"), no_args_is_help=True)
    return assemble(group, __name__, VERBS, words)


# The verbs, in --help order: name → Verb(module, Typer function).
VERBS: Registry = {
    "list": Verb("list"),
    "show": Verb("show"),
    "cancel": Verb("cancel"),
    "approve": Verb("decide", "approve_command"),
    "reject": Verb("decide", "reject_command"),
    "review": Verb("review"),
}


def __getattr__(name: str) -> Any:
    """``request_app``, the whole group, built on first use; what ``rows`` shows requests with."""
    rows = f"{__name__}.rows"
    makers = {
        "request_app": build,
        **{key: imported(rows, key) for key in ("REQUEST_COLUMNS", "STATUSES", "TYPES", "request_row")},
    }
    return lazy_attribute(globals(), name, makers)
