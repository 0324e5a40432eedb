"""Run the command tree and turn whatever happens into the exit-code contract."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from cartes_cli.cli.click_compat import Abort, Exit, click_exceptions
from cartes_cli.cli.exit_codes import ExitCode
from cartes_cli.i18n import _, translate_help


def run(args: Sequence[str]) -> int:
    import typer

    from cartes_cli import hints
    from cartes_cli.cli.app import GROUPS, VERB_GROUPS, make_app
    from cartes_cli.cli.global_options import (
        FieldsOnDemand,
        command_words,
        control_character_problem,
        first_command_word,
        hoist_global_options,
    )
    from cartes_cli.cli.output import KNOWN_FIELDS

    hints.forget()  # the root command remembers this invocation's options
    if os.environ.get("_CARTES_COMPLETE"):
        from cartes_cli.cli.completion_request import answer_completion_request

        answer_completion_request()  # prints the candidates and exits
    word = first_command_word(list(args))
    # 'cartes', 'cartes --help': the root's help needs only the groups' names and help texts.
    outline = word is None and (not args or any(a in ("-h", "--help") for a in args))
    group = word if word in GROUPS else None
    # 'cartes workspace list …': the group with that verb only (its siblings' modules unread).
    path = command_words(list(args))
    words = path[1:] if group in VERB_GROUPS and path[:1] == [group] else None
    command = typer.main.get_command(make_app(group, outline=outline, words=words))
    translate_help(command)  # the help Typer took from docstrings (French only)
    # A bare word after --json is checked against the fields of the whole group, as it was when
    # every verb was loaded: the siblings' modules are imported for it (rarely) then.
    fields = KNOWN_FIELDS if words is None else FieldsOnDemand(KNOWN_FIELDS, lambda: make_app(group))
    argv = hoist_global_options(command, list(args), fields)
    debug = "--debug" in argv or bool(os.environ.get("CARTES_DEBUG"))
    problem = control_character_problem(argv, os.environ)
    if problem:  # before parsing: nothing runs, nothing is sent
        _print_error(problem)
        return ExitCode.USAGE
    try:
        result = command.main(args=argv, prog_name="cartes", standalone_mode=False)
    except click_exceptions.NoArgsIsHelpError as exc:
        sys.stdout.write(exc.ctx.get_help() + "\n") if exc.ctx else None
        return ExitCode.OK
    except click_exceptions.UsageError as exc:
        return _usage_error(exc)
    except click_exceptions.ClickException as exc:
        _print_error(exc.format_message())
        return ExitCode.USAGE
    except Exit as exc:
        return int(exc.exit_code)
    except Abort:
        sys.stderr.write("\n" + _("Cancelled.") + "\n")
        return ExitCode.INTERRUPTED
    except KeyboardInterrupt:
        sys.stderr.write("\n" + _("Interrupted.") + "\n")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        _silence_broken_pipe()
        return ExitCode.FAILURE
    except Exception as exc:
        from cartes_cli.cli.errors import describe

        code, message = describe(exc)
        if debug:
            _print_traceback(exc)
        if message:
            _print_error(message)
        return int(code)
    if isinstance(result, int):
        return result
    return ExitCode.OK


def _usage_error(exc: click_exceptions.UsageError) -> int:
    command_path = exc.ctx.command_path if exc.ctx else "cartes"
    _print_error(exc.format_message())
    sys.stderr.write(_("Run '{command} --help' for usage.").format(command=command_path) + "\n")
    return ExitCode.USAGE


def _print_error(message: str) -> None:
    from cartes_cli.cli.terminal_text import neutralise, terminal_columns, wrap_for_terminal
    from cartes_cli.hints import runnable

    message = neutralise(runnable(message))  # it may quote the server: shown, never obeyed
    prefix = _("Error:")
    stream = sys.stderr
    tty = stream.isatty()
    if tty:  # read by a person: wrapped between words (the prefix is measured in)
        message = wrap_for_terminal(f"{prefix} {message}", terminal_columns())[len(prefix) + 1 :]
    use_color = tty and "NO_COLOR" not in os.environ and "--no-color" not in sys.argv
    if use_color:
        stream.write(f"\x1b[31m{prefix}\x1b[0m {message}\n")
    else:
        stream.write(f"{prefix} {message}\n")
    stream.flush()


def _print_traceback(exc: BaseException) -> None:
    """--debug: the traceback, without local variables (they may hold secrets)."""
    import traceback

    sys.stderr.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))


def _silence_broken_pipe() -> None:
    # Python flushes stdout at exit; point it at devnull so a closed pipe stays quiet.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
