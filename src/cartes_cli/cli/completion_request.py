"""Answering a completion script's call back: the candidates for the word being completed.

``cartes completion SHELL`` (``completion.py``) prints the scripts; they run ``cartes`` again with
``_CARTES_COMPLETE`` set, and ``cli/main.py`` hands that run to :func:`answer_completion_request`.
The dynamic candidates themselves come from ``candidates/``. This module sits above both, so
that neither imports the other back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import typer

from cartes_cli.cli.completion import COMPLETE_VAR, SHELLS


def answer_completion_request() -> None:
    """When a completion script calls cartes back, print the candidates and exit.

    Global options are understood anywhere on the line, as when a command runs (``argv.py``).
    Only the command group being completed is built (an outline of them all while the command
    word itself is typed). The dynamic candidates (profiles, workspaces, pending requests, option
    values: see ``candidates/``) are hooked onto the parameters here, so ordinary runs never pay
    for them.
    """
    import os
    import sys

    from typer import _completion_classes

    from cartes_cli.cli import candidates
    from cartes_cli.cli.app import GROUPS, make_app
    from cartes_cli.cli.global_options import first_command_word

    instruction = os.environ.get(COMPLETE_VAR, "")
    first, _sep, second = instruction.partition("_")
    if first in (*SHELLS, "pwsh") and second in ("complete", "source"):
        instruction = os.environ[COMPLETE_VAR] = f"{second}_{first}"  # Click's spelling works too
    _register_completion_classes()
    # Typer passes each candidate's help through Rich to strip markup (100 ms of imports);
    # cartes has no markup in its help (rich_markup_mode=None), so the text goes out as it is.
    _completion_classes._sanitize_help_text = _as_is
    group = None
    shell_class = candidates.shell_completion().get_completion_class(instruction.partition("_")[2])
    if shell_class is not None and instruction.startswith("complete_"):
        with contextlib.suppress(Exception):
            words, _incomplete = shell_class(None, {}, "cartes", COMPLETE_VAR).get_completion_args()
            group = first_command_word(words)
    # Before the command word is complete, only the root is completed (command names, global
    # options and their values): the outline of the groups (their names and help) is enough.
    app = make_app(group) if group in GROUPS else make_app(outline=True)
    command = typer.main.get_command(app)
    candidates.attach(command)
    code = 0
    try:
        command.main(args=[], prog_name="cartes", complete_var=COMPLETE_VAR)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    if candidates.busy():
        # A fetch thread outlived its deadline: leave without waiting for it (it only reads).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    raise SystemExit(code)


def _as_is(text: str) -> str:
    return text


def _register_completion_classes() -> None:
    """Typer's four shells, each reading the words with the global options moved to the front."""
    from typer._completion_classes import BashComplete, FishComplete, PowerShellComplete, ZshComplete

    from cartes_cli.cli.candidates import shell_completion

    for base, names in (
        (BashComplete, ("bash",)),
        (ZshComplete, ("zsh",)),
        (FishComplete, ("fish",)),
        (PowerShellComplete, ("powershell", "pwsh")),
    ):
        cls = type(base.__name__, (base,), {"get_completion_args": _hoisted(base.get_completion_args)})
        for name in names:
            shell_completion().add_completion_class(cls, name)


def _hoisted(read: Callable[[Any], tuple[list[str], str]]) -> Callable[[Any], tuple[list[str], str]]:
    def get_completion_args(self: Any) -> tuple[list[str], str]:
        args, incomplete = read(self)
        if self.cli is None:
            return args, incomplete
        return hoist_for_completion(self.cli, args), incomplete

    return get_completion_args


def hoist_for_completion(root: Any, args: list[str]) -> list[str]:
    """The words before the one being completed, global options moved to the front. When that word
    is the value of a global option typed after the command (``cartes workspace show --profile
    <TAB>``), only the root's options are kept, so that the root completes it."""
    from cartes_cli.cli.global_options import hoist_global_options
    from cartes_cli.cli.output import KNOWN_FIELDS

    marker = "\0cartes-completing\0"
    try:
        moved = hoist_global_options(root, [*args, marker], KNOWN_FIELDS)
        at = moved.index(marker)
    except Exception:
        return args
    return moved[:at] if at < len(moved) - 1 else moved[:-1]
