"""The Markdown command reference (``docs/reference.md``): the command model as one page with a
table of contents, an anchor per command, and the environment, exit status and files."""

from __future__ import annotations

import re
from collections.abc import Sequence

from cartes_cli.cli.command_docs import (
    DESCRIPTION,
    FILES,
    FILES_NOTE,
    GENERATED,
    Command,
    Param,
    environment,
    exit_status,
)


def md(text: str) -> str:
    text = text.replace("\\", "\\\\")
    text = re.sub(r"([*`<>~]|\[(?=[^\]]*\]\())", r"\\\1", text)  # [x](y) only: [default: 8] stays
    if re.match(r"([#+>-]|\d+[.)])(\s|$)", text):
        text = "\\" + text
    return text


def _md_cell(text: str) -> str:
    return md(text).replace("|", "\\|")


def _md_paragraphs(parts: Sequence[str]) -> list[str]:
    out: list[str] = []
    for part in parts:
        out += ["  \n".join(md(line) for line in part.splitlines()), ""]
    return out


def _md_param(param: Param) -> str:
    if param.kind == "argument":
        return f"`{param.names[0]}`"
    groups = " ".join(param.names).split(" / ")
    names = " / ".join(", ".join(group.split()) for group in groups)
    if param.metavar:
        names += f" {param.metavar}"
    return f"`{names}`"


def _md_table(title: str, params: Sequence[Param]) -> list[str]:
    if not params:
        return []
    out = [f"{title}:", "", f"| {title[:-1] if title.endswith('s') else title} | Description |", "|---|---|"]
    for param in params:
        out.append("| " + _md_param(param).replace("|", "\\|") + f" | {_md_cell(param.help)} |")
    return [*out, ""]


def _anchor(command: Command) -> str:
    return "-".join(command.path)


def _md_command(command: Command, level: int) -> list[str]:
    out = [f'<a id="{_anchor(command)}"></a>', "", f"{'#' * level} {command.name}", ""]
    out += ["```", f"{command.name} {command.usage}".rstrip(), "```", ""]
    out += _md_paragraphs(command.paragraphs)
    out += _md_table("Arguments", command.arguments)
    out += _md_table("Options", command.options)
    if command.commands:
        out += ["Commands:", ""]
        for sub in command.commands:
            out.append(f"- [`{sub.name}`](#{_anchor(sub)}): {md(sub.summary)}")
        out.append("")
    for sub in command.commands:
        out += _md_command(sub, min(level + 1, 6))
    return out


def reference(tree: Command, version: str) -> str:
    out = [
        f"<!-- {GENERATED} -->",
        "",
        "# cartes command reference",
        "",
        f"Version {version}. The same reference is in the man pages (`man cartes`, "
        "`man cartes-workspace`…) and in `cartes help COMMAND…`.",
        "",
    ]
    for command in tree.walk():
        indent = "  " * (len(command.path) - 1)
        out.append(f"{indent}- [`{command.name}`](#{_anchor(command)})")
    out += ["- [Environment](#environment)", "- [Exit status](#exit-status)", "- [Files](#files)", ""]
    out += [f'<a id="{_anchor(tree)}"></a>', "", "## cartes", ""]
    out += ["```", f"cartes {tree.usage}", "```", ""]
    out += _md_paragraphs([*tree.paragraphs, *DESCRIPTION])
    out += _md_table("Global options", tree.options)[:-1]
    out += ["| `-h, --help` | Show the help of any command and exit. |", ""]
    out += ["Commands:", ""]
    for sub in tree.commands:
        out.append(f"- [`{sub.name}`](#{_anchor(sub)}): {md(sub.summary)}")
    out.append("")
    for sub in tree.commands:
        out += _md_command(sub, 2)
    out += ["## Environment", "", "| Variable | Meaning |", "|---|---|"]
    out += [f"| `{name}` | {_md_cell(meaning)} |" for name, meaning in environment()]
    out += ["", "## Exit status", "", "| Code | Name | Meaning |", "|---|---|---|"]
    out += [f"| {code} | `{name}` | {_md_cell(meaning)} |" for code, name, meaning in exit_status()]
    out += ["", "## Files", "", "| Path | What |", "|---|---|"]
    out += [f"| `{path}` | {_md_cell(meaning)} |" for path, meaning in FILES]
    out += ["", md(FILES_NOTE), ""]
    return "\n".join(out)
