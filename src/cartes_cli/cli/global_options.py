"""Global options anywhere on the command line.

Click reads a group's options only before its subcommand, but people type
``cartes workspace list --public --json`` and ``cartes login status --profile ci``. Before parsing,
we move every global option (those of the root command) to the front, walking the command tree
so that the values of a subcommand's own options are never mistaken for global options.

``--json`` takes an optional field list: ``--json`` alone means every field, ``--json=id,name``
or ``--json id,name`` selects fields. A bare word after ``--json`` is taken as a field list when
it contains a comma or is a known field name. Any other word is a positional argument when the
command has room for one more (``cartes workspace show --json tutoriels``: the workspace), and
a field list otherwise (``cartes workspace list --json badfield``: an unknown field, said so).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Sequence
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


def hoist_global_options(
    root: Any, args: Sequence[str], known_fields: Container[str] | None = None
) -> list[str]:
    known_fields = set() if known_fields is None else known_fields
    global_opts = _option_table(root)
    front: list[str] = []
    rest: list[str] = []
    command = root
    local_opts: dict[str, bool] = {}
    positionals = 0  # positional words given to the current command so far
    undecided: tuple[int, int, str] | None = None  # (index in front, index in rest, word)
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
            elif i + 1 < n and _may_be_fields(args[i + 1], command):
                # A positional argument or a mistyped field: decided once the command is known.
                undecided = (len(front), len(rest), args[i + 1])
                front.append("--json=")
                rest.append(args[i + 1])
                positionals += 1
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
            positionals = 0
            undecided = None  # a word before the subcommand was not its argument
        else:
            positionals += 1
        rest.append(arg)
        i += 1
    if undecided is not None and positionals > _positional_room(command):
        # The command cannot take that word as an argument: it was meant as a field list.
        at_front, at_rest, word = undecided
        front[at_front] = f"--json={word}"
        del rest[at_rest]
    return front + rest


def _positional_room(command: Any) -> float:
    """How many positional words a (leaf) command takes; a group: unlimited (its subcommand)."""
    if hasattr(command, "commands"):
        return float("inf")
    room = 0.0
    for param in getattr(command, "params", []):
        if getattr(param, "param_type_name", "") == "argument":
            nargs = getattr(param, "nargs", 1)
            room += float("inf") if nargs < 0 else nargs
    return room


def _may_be_fields(token: str, command: Any) -> bool:
    """Could ``token`` be a (mistyped) field list? Not an option, not a subcommand."""
    if token.startswith("-") or not FIELD_LIST.match(token):
        return False
    return token not in getattr(command, "commands", {})


def _looks_like_fields(token: str, command: Any, known_fields: Container[str]) -> bool:
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


class FieldsOnDemand:
    """The known field names, completed by ``load`` the first time one is looked up.

    A command built for its verb alone has not imported its siblings' modules, which register
    their fields at import (``output.register_fields``); a bare word after ``--json`` is checked
    against the whole group's fields, as before, by importing them then (rarely: ``--json=…`` and
    lists with a comma are never checked).
    """

    def __init__(self, fields: Container[str], load: Callable[[], object]) -> None:
        self._fields = fields
        self._load: Callable[[], object] | None = load

    def __contains__(self, name: object) -> bool:
        if self._load is not None:
            load, self._load = self._load, None
            load()
        return name in self._fields


# The root options that take a value (``--json`` takes an optional one, handled apart).
ROOT_VALUED = frozenset({"--profile", "-p", "--env", "--api-url", "--issuer", "--format"})
# The root's other options, but for the help (``--json``'s value is never a command word).
ROOT_FLAGS = frozenset({"--json", "--no-input", "--debug", "--no-color", "--version", "-V"})


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


def command_words(args: Sequence[str]) -> list[str]:
    """The words that name the command (``['workspace', 'member', 'add', …]``): the leading words
    that are not options, root options and their values skipped. Any other option ends them
    (``cartes workspace --help list``: the group's help; an option of the group's callback, whose
    value may look like a verb), and so does ``--``; the words after the command's name are its
    arguments, which the groups do not look at."""
    words: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            break
        if arg.startswith("-"):
            name, has_eq, _value = arg.partition("=")
            if arg in ROOT_VALUED:
                i += 2
            elif arg in ROOT_FLAGS or (arg.startswith("--") and has_eq and name in ROOT_VALUED | ROOT_FLAGS):
                i += 1
            else:
                break
            continue
        words.append(arg)
        i += 1
    return words


# Options whose text may span lines: line feeds and tabs are kept there (never other controls).
MULTILINE_OPTIONS = frozenset({"--message", "-m", "--description", "--justification", "--reason"})
# Environment variables that are typed names (profile, username), checked like arguments.
CHECKED_VARIABLES = ("CARTES_PROFILE", "CARTES_USERNAME")


def control_character_problem(args: Sequence[str], environ: Any = None) -> str | None:
    """One line saying which argument holds a control character, or None.

    Every word typed (names, descriptions, messages, answers, profile names, usernames…) is
    checked before anything runs: escape sequences, carriage returns, NUL or bidirectional
    overrides are never meant, would be stored and shown to others, and can rewrite a terminal.
    The options of :data:`MULTILINE_OPTIONS` may hold line feeds and tabs.
    """
    from cartes_cli.i18n import _
    from cartes_cli.textcontrols import MULTILINE_OK, control_character

    previous: str | None = None
    for arg in args:
        if arg == "--":
            previous = None
            continue
        name, has_eq, value = arg.partition("=")
        if arg.startswith("--") and has_eq:
            option, text = name, value
        elif previous is not None:
            option, text = previous, arg
        else:
            option, text = None, arg
        previous = arg if arg.startswith("-") and not has_eq and len(arg) > 1 else None
        found = control_character(text, MULTILINE_OK if option in MULTILINE_OPTIONS else "")
        if found is None:
            continue
        if option is None or not option.startswith("-"):
            return _("An argument contains a control character ({char}); type it without.").format(char=found)
        return _("The value of {option} contains a control character ({char}); type it without.").format(
            option=option, char=found
        )
    env = environ if environ is not None else {}
    for variable in CHECKED_VARIABLES:
        found = control_character(env.get(variable, ""))
        if found:
            return _("{variable} contains a control character ({char}); set it without.").format(
                variable=variable, char=found
            )
    return None
