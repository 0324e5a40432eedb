"""``python -m cartes_cli.sandbox serve …``: the sandbox without the CLI (``cartes sandbox serve``)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

GROUP_TITLES = {"faults": "fault injection (see docs/reliability.md)"}


def _parser() -> argparse.ArgumentParser:
    """The options of ``serve``, one per setting that declares one (``config.OPTIONS``)."""
    from cartes_cli.sandbox.config import OPTIONS, SandboxConfig

    parser = argparse.ArgumentParser(prog="python -m cartes_cli.sandbox", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run a sandbox server in the foreground")
    groups: dict[str, Any] = {}
    types = {f.name: f.type for f in fields(SandboxConfig)}
    defaults = {f.name: f.default for f in fields(SandboxConfig)}
    for option in OPTIONS:
        target: Any = serve
        if option.group is not None:
            if option.group not in groups:
                groups[option.group] = serve.add_argument_group(GROUP_TITLES[option.group])
            target = groups[option.group]
        kind = str(types[option.setting])
        extra: dict[str, Any] = {}
        if kind == "bool":
            extra["action"] = "store_false" if option.flag.startswith("--no-") else "store_true"
        else:
            parsers = {"int": int, "int | None": int, "float": float, "Path | None": Path}
            extra["type"] = parsers.get(kind, str)
            extra["metavar"] = option.metavar
        target.add_argument(
            option.flag, dest=option.setting, default=defaults[option.setting], help=option.help, **extra
        )
    return parser


def main(argv: list[str] | None = None) -> int:
    options = vars(_parser().parse_args(argv))
    del options["command"]
    from cartes_cli.sandbox.server import serve

    return serve(**options)


if __name__ == "__main__":
    sys.exit(main())
