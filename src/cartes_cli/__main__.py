"""Entry point of the ``cartes`` executable and of ``python -m cartes_cli``."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    # Fast path: answering --version needs neither Typer nor anything else.
    if args in (["--version"], ["-V"]):
        from cartes_cli import __version__

        sys.stdout.write(f"cartes {__version__}\n")
        return 0
    from cartes_cli.cli.main import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
