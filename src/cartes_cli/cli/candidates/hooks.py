"""Hooking the candidate providers to the command tree: each parameter gets its click
``shell_complete`` callback, chosen by its Python name; a candidate that could upset a shell is
not offered, and no error ever reaches the terminal."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cartes_cli.cli.candidates.lists import CATALOGUE, INCOMING, MY_REQUESTS, MY_WORKSPACES, load_lists
from cartes_cli.cli.candidates.session import resolve_session
from cartes_cli.cli.candidates.values import (
    Candidate,
    choice_candidates,
    comma_list_candidates,
    env_choices,
    format_choices,
    plain_choices,
    profile_candidates,
    request_candidates,
    rights_choices,
    workspace_candidates,
)

Provider = Callable[[Any, Any, str], list[Any]]


# What a candidate may be made of: the zsh script evals what cartes prints, and values and
# descriptions partly come from the platform. Ids, technical names, profile names and the option
# values all fit; anything else is not offered.
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.,@+-]{1,200}$")
_HELP_WIDTH = 80


def _clean_help(text: str | None) -> str | None:
    """One printable line of at most ``_HELP_WIDTH`` characters."""
    if not text:
        return None
    line = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return line if len(line) <= _HELP_WIDTH else line[: _HELP_WIDTH - 1] + "…"


def shell_completion() -> Any:
    """click's ``shell_completion`` module, from the click Typer runs on (see ``click_compat.py``)."""
    import importlib

    from cartes_cli.cli.click_compat import click

    return importlib.import_module(f"{click.__name__}.shell_completion")


def _root_options(ctx: Any) -> dict[str, Any]:
    return dict(ctx.find_root().params or {})


def _provider(make: Callable[[Any, Any, str], list[Candidate]]) -> Provider:
    """A click ``shell_complete`` callback: candidates as ``CompletionItem``, never an error."""

    def complete(ctx: Any, param: Any, incomplete: str) -> list[Any]:
        item = shell_completion().CompletionItem

        try:
            pairs = make(ctx, param, incomplete or "")
        except Exception:
            return []
        return [item(value, help=_clean_help(text)) for value, text in pairs if _SAFE_VALUE.match(value)]

    complete.__name__ = getattr(make, "__name__", "complete")
    return complete


def _choices(choices: Callable[[], Mapping[str, str | None]], *, comma: bool = False) -> Provider:
    def make(ctx: Any, param: Any, incomplete: str) -> list[Candidate]:
        values = choices()
        return comma_list_candidates(values, incomplete) if comma else choice_candidates(values, incomplete)

    return _provider(make)


def _profiles(ctx: Any, param: Any, incomplete: str) -> list[Candidate]:
    return profile_candidates(incomplete)


def _workspaces(scope: str) -> Provider:
    """``scope``: ``all`` (mine, then the public catalogue), ``mine``, or ``joinable`` (the
    catalogue without mine)."""

    def make(ctx: Any, param: Any, incomplete: str) -> list[Candidate]:
        session = resolve_session(_root_options(ctx))
        if session is None:
            return []
        kinds = [MY_WORKSPACES] if scope == "mine" else [MY_WORKSPACES, CATALOGUE]
        lists = load_lists(session, kinds)
        return workspace_candidates(
            lists.get(MY_WORKSPACES),
            None if scope == "mine" else lists.get(CATALOGUE),
            incomplete,
            exclude_mine=scope == "joinable",
        )

    return _provider(make)


def _requests_of(kinds: Sequence[str]) -> Provider:
    def make(ctx: Any, param: Any, incomplete: str) -> list[Candidate]:
        session = resolve_session(_root_options(ctx))
        if session is None:
            return []
        lists = load_lists(session, kinds)
        given = ctx.params.get(param.name) if param.name else None
        exclude = [g for g in given or () if isinstance(g, str)] if isinstance(given, list | tuple) else []
        return request_candidates([lists.get(k) for k in kinds], incomplete, exclude=exclude)

    return _provider(make)


def completer_for(path: tuple[str, ...], param: Any) -> Provider | None:
    """The dynamic completion of one parameter of the command at ``path`` (``("request",
    "approve")``), chosen by the parameter's Python name (stable; help and metavars get translated)."""
    name = getattr(param, "name", None)
    kind = getattr(param, "param_type_name", None)
    group = path[0] if path else ""
    if (name == "profile" and kind == "option") or (path == ("login", "switch") and name == "profile_name"):
        return _provider(_profiles)
    if name == "workspace":
        if path == ("workspace", "join"):
            return _workspaces("joinable")
        if path[:2] in (("workspace", "members"), ("workspace", "member"), ("workspace", "leave")):
            return _workspaces("mine")
        return _workspaces("all")
    if group == "request" and name == "request_id":
        return _requests_of([MY_REQUESTS, INCOMING])
    if group == "request" and name == "ids":
        return _requests_of([INCOMING])
    if name == "rights" and kind == "option":
        return _choices(rights_choices, comma=True)
    if not path and name == "env":
        return _choices(env_choices)
    if not path and name == "format":
        return _choices(format_choices)
    if group == "request" and name == "type_":
        from cartes_cli.cli.request.rows import TYPES

        return _choices(plain_choices(TYPES))
    if group == "request" and name == "status":
        from cartes_cli.cli.request.rows import STATUSES

        return _choices(plain_choices(STATUSES))
    if path == ("workspace", "create") and name == "offer":
        from cartes_cli.client.validation import OFFERS

        return _choices(plain_choices(OFFERS))
    if path == ("completion",) and name == "shell":
        from cartes_cli.cli.completion import SHELLS

        return _choices(plain_choices(SHELLS))
    if path == ("sandbox", "serve") and name == "seed":
        return _choices(plain_choices(("demo",)))
    return None


def attach(command: Any, path: tuple[str, ...] = ()) -> int:
    """Give every parameter of the click command tree its dynamic completion; how many got one."""
    count = 0
    for param in getattr(command, "params", []):
        provider = completer_for(path, param)
        if provider is not None:
            param._custom_shell_complete = provider
            count += 1
    for name, sub in (getattr(command, "commands", None) or {}).items():
        count += attach(sub, (*path, name))
    return count


def busy() -> bool:
    """Is a fetch thread still running (abandoned at its deadline)?"""
    return any(t.name == "cartes-complete" and t.is_alive() for t in threading.enumerate())
