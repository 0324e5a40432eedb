"""The man pages (``man/*.1``) and the Markdown command reference (``docs/reference.md``),
generated from the command tree.

    python -m cartes_cli.cli.docgen [--check] [--root DIR]      (or: scripts/gen-docs)

One pass over the tree Typer builds (the same objects ``--help`` reads) gives a small model of
every command: usage, help paragraphs, arguments and options (``command_docs.py``). Two renderers
write it as roff (``man_pages.py``: ``man -l``/``groff -man -ww`` without a warning) and as
Markdown (``markdown_reference.py``); this module drives them. The ENVIRONMENT and EXIT STATUS
sections come from ``cartes_cli.cli.help`` and ``cartes_cli.cli.exit_codes``, their one source.

The documentation is always in English, whatever the user's language: the help texts are
translated when their modules are imported, so run this in a process of its own (``main`` sets
``CARTES_LANG=en`` before importing the command tree). The output is deterministic: the version
comes from ``cartes_cli.__version__`` and the date from that version's entry in CHANGELOG.md (none
while it is unreleased), never from the clock.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from cartes_cli.cli.command_docs import command_tree, release_date
from cartes_cli.cli.man_pages import MAN_SECTION, man_command, man_root
from cartes_cli.cli.markdown_reference import reference

MAN_DIR = "man"
REFERENCE = "docs/reference.md"


def force_english() -> None:
    """English documentation, whatever the user's locale (call before the tree is imported)."""
    os.environ["CARTES_LANG"] = "en"
    from cartes_cli import i18n

    i18n.reset()


def render(root: Path) -> dict[Path, str]:
    """Every generated file, by path relative to the project root."""
    from cartes_cli import __version__

    tree = command_tree()
    date = release_date(__version__, root / "CHANGELOG.md")
    files = {Path(MAN_DIR) / f"{tree.page}.{MAN_SECTION}": man_root(tree, __version__, date)}
    for command in tree.commands:
        files[Path(MAN_DIR) / f"{command.page}.{MAN_SECTION}"] = man_command(command, tree, __version__, date)
    files[Path(REFERENCE)] = reference(tree, __version__)
    return files


def stale(root: Path, files: dict[Path, str]) -> list[str]:
    """Generated files that differ from what is on disk, and generated pages no command makes."""
    problems = []
    for rel, text in files.items():
        path = root / rel
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            problems.append(str(rel))
    for path in sorted((root / MAN_DIR).glob(f"*.{MAN_SECTION}")):
        if path.relative_to(root) not in files:
            problems.append(f"{path.relative_to(root)} (no such command any more)")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    force_english()
    parser = argparse.ArgumentParser(prog="gen-docs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="project root (default: .)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is stale")
    args = parser.parse_args(argv)
    root: Path = args.root
    files = render(root)
    if args.check:
        problems = stale(root, files)
        for problem in problems:
            sys.stderr.write(f"stale: {problem}\n")
        if problems:
            sys.stderr.write("Run scripts/gen-docs to regenerate the man pages and docs/reference.md.\n")
        return 1 if problems else 0
    for path in sorted((root / MAN_DIR).glob(f"*.{MAN_SECTION}")):
        if path.relative_to(root) not in files:
            path.unlink()
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            sys.stderr.write(f"wrote {rel}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
