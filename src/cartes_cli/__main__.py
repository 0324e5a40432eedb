"""Entry point of the ``cartes`` executable and of ``python -m cartes_cli``."""

from __future__ import annotations

import os
import sys


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


if __name__ == "__main__":
    sys.exit(main())
