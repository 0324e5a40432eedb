"""Entry point of the ``cartes`` executable and of ``python -m cartes_cli``."""

from __future__ import annotations

import atexit
import os
import sys

TYPE_CHECKING = False  # typing itself is not imported: 8 ms of 'cartes --version'
if TYPE_CHECKING:
    from typing import NoReturn


def _lighten_imports() -> None:
    """Keep optional modules that cartes never uses out of the command's start-up.

    httpx imports its own command-line tool on import (click, pygments, rich.syntax…), and
    httpcore imports trio when it is installed (to offer a trio backend): together about 120 ms.
    pydantic's plugin discovery is switched off too (cartes has no pydantic plugin).
    This runs in the cartes process only, never when cartes_cli is imported as a library.
    """
    import types

    if "httpx" not in sys.modules and "httpx._main" not in sys.modules:
        stub = types.ModuleType("httpx._main")

        def main(*args: object, **kwargs: object) -> None:
            raise SystemExit("httpx's command-line tool is not available inside cartes.")

        stub.main = main  # type: ignore[attr-defined]
        sys.modules["httpx._main"] = stub
    sys.modules.setdefault("trio", None)  # type: ignore[arg-type]
    # pydantic looks for plugins among the entry points of every installed distribution on its
    # first model (10-15 ms, more in a crowded environment); cartes uses none.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    # Fast path: answering --version needs neither Typer nor anything else.
    if args in (["--version"], ["-V"]):
        from cartes_cli import __version__

        sys.stdout.write(f"cartes {__version__}\n")
        return 0
    _lighten_imports()
    from cartes_cli.i18n import install

    install()  # Typer's and click's own strings in the user's language: before Typer is imported
    from cartes_cli.cli.main import run

    return run(args)


def entry() -> NoReturn:
    """The ``cartes`` executable (and ``python -m cartes_cli``): :func:`main`, then a quick exit.

    The interpreter's own clean-up at exit (freeing every module and object, with full garbage
    collections) costs 70-110 ms once httpx, pydantic and Typer are loaded: as long as a lookup
    itself. cartes has nothing left to clean by then (files are written and closed by the
    commands, credentials saved, thread pools drained), so it flushes its output, runs the
    ``atexit`` handlers (logging's flush among them) and leaves with ``os._exit``.
    """
    args = sys.argv[1:]
    if os.environ.get("CARTES_WARM") and args not in (["--version"], ["-V"]):
        from cartes_cli import warm

        if warm.enabled():
            try:
                status = warm.run(sys.argv)  # None: no warm server could take it, run it here
            except KeyboardInterrupt:  # Ctrl-C before the command started (or once it ended)
                status = 130
            if status is not None:
                _leave(status)
    run_command(args)


def run_command(args: list[str]) -> NoReturn:
    """Run the command ``args`` in this process and leave with its status (the executable, and a
    warm-start child: :mod:`cartes_cli.warm_server`)."""
    from cartes_cli import garbage_collection

    garbage_collection.for_start_up()  # no garbage collection during start-up (see garbage_collection)
    try:
        code: object = main(args)
    except SystemExit as exc:  # shell completion answers and exits from inside
        code = exc.code
    except BrokenPipeError:  # 'cartes --version | true': the reader left before the answer
        code = 1
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # what sys.exit("message") would do
        sys.stderr.write(f"{code}\n")
        status = 1
    _leave(status)


def _leave(status: int) -> NoReturn:
    for stream in (sys.stdout, sys.stderr):
        try:  # noqa: SIM105 - contextlib would cost 'cartes --version' 3 ms
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can be said there
            pass
    run_exit_functions = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_functions is not None:
        run_exit_functions()
    os._exit(status)


if __name__ == "__main__":
    entry()
