"""Global options anywhere on the command line.

Click reads a group's options only before its subcommand, but people type
``cartes workspace list --public --json`` and ``cartes login status --profile ci``. Before parsing,
we move every global option (those of the root command) to the front, walking the command tree
so that the values of a subcommand's own options are never mistaken for global options.

``--json`` takes an optional field list: ``--json`` alone means every field, ``--json=id,name``
or ``--json id,name`` selects fields. A bare word after ``--json`` is taken as a field list only
when it contains a comma or is a known field name; otherwise it stays a positional argument.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

FIELD_LIST = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*(,[A-Za-z_][A-Za-z0-9_.]*)*$")


def _option_table(command: Any) -> dict[str, bool]:
    """Map each option string of a click command to whether it takes a value."""
    table: dict[str, bool] = {}
    for param in getattr(command, "params", []):
        if getattr(param, "param_type_name", "") != "option":
            continue
        takes_value = not (getattr(param, "is_flag", False) or getattr(param, "count", False))
        for opt in [*param.opts, *param.secondary_opts]:
            table[opt] = takes_value
    return table


def hoist_global_options(root: Any, args: Sequence[str], known_fields: set[str] | None = None) -> list[str]:
    known_fields = known_fields or set()
    global_opts = _option_table(root)
    front: list[str] = []
    rest: list[str] = []
    command = root
    local_opts: dict[str, bool] = {}
    i = 0
    n = len(args)
    while i < n:
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name, has_eq, _value = arg.partition("=")
        if arg.startswith("--") and name == "--json":
            if has_eq:
                front.append(arg)
            elif i + 1 < n and _looks_like_fields(args[i + 1], command, known_fields):
                front.append(f"--json={args[i + 1]}")
                i += 1
            else:
                front.append("--json=")
            i += 1
            continue
        if arg.startswith("-") and command is not root and name in global_opts and name not in local_opts:
            front.append(arg)
            if global_opts[name] and not has_eq and i + 1 < n:
                front.append(args[i + 1])
                i += 1
            i += 1
            continue
        if arg.startswith("-") and len(arg) > 1:
            table = global_opts if command is root else local_opts
            rest.append(arg)
            if table.get(name) and not has_eq and i + 1 < n:
                rest.append(args[i + 1])
                i += 1
            i += 1
            continue
        # A positional word: descend into a subcommand when it names one.
        sub = getattr(command, "commands", {}).get(arg) if hasattr(command, "commands") else None
        if sub is not None:
            command = sub
            local_opts = _option_table(sub)
        rest.append(arg)
        i += 1
    return front + rest


def _looks_like_fields(token: str, command: Any, known_fields: set[str]) -> bool:
    if token.startswith("-") or not FIELD_LIST.match(token):
        return False
    if token in getattr(command, "commands", {}):
        return False
    return "," in token or token in known_fields


def parse_json_option(value: str | None) -> list[str] | None:
    """``None`` → no JSON; ``""`` → every field; ``"a,b"`` → those fields."""
    if value is None:
        return None
    return [f.strip() for f in value.split(",") if f.strip()]


# The root options that take a value (``--json`` takes an optional one, handled apart).
ROOT_VALUED = frozenset({"--profile", "-p", "--env", "--api-url", "--issuer", "--format"})


def first_command_word(args: Sequence[str]) -> str | None:
    """The first word that is not an option or an option's value: the command group's name."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return None
        if arg.startswith("-"):
            if arg in ROOT_VALUED:
                i += 1
            i += 1
            continue
        return arg
    return None
