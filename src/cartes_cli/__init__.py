"""cartes: the command-line administration tool for the Géoplateforme (cartes.gouv.fr)."""

__version__ = "0.1.0"


def _skip_httpx_command_line() -> None:
    """httpx imports its own command-line tool on import (click, pygments, rich.syntax…), which
    cartes never uses: a stub in its place keeps about 40 ms off every command's start-up."""
    import sys

    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return
    import types

    stub = types.ModuleType("httpx._main")

    def main(*args: object, **kwargs: object) -> None:
        raise SystemExit("httpx's command-line tool is not available inside cartes.")

    stub.main = main  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = stub


_skip_httpx_command_line()
