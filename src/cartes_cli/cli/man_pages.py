"""The man pages (``man/*.1``): the command model written as roff, readable by ``man -l`` and
``groff -man -ww`` without a warning, and on an ASCII terminal (``LANG=C``)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from cartes_cli.cli.command_docs import (
    DESCRIPTION,
    EXAMPLES,
    FILES,
    FILES_NOTE,
    GENERATED,
    Command,
    Param,
    environment,
    exit_status,
)

MAN_SECTION = "1"
MANUAL = "User Commands"

# Punctuation that has no fallback on an ASCII terminal (man under LANG=C): roff's own names for
# it, or plain ASCII. Letters (é, ô…) go as \[uXXXX], which every groff device can fall back from.
_PUNCTUATION = {
    "\u2026": "...",
    "\u2018": "\\[oq]",
    "\u2019": "\\[cq]",
    "\u201c": "\\[lq]",
    "\u201d": "\\[rq]",
    "\u00ab": "\\[Fo]",
    "\u00bb": "\\[Fc]",
    "\u2013": "\\[en]",
    "\u2014": "\\[em]",
    "\u2192": "\\[->]",
    "\u00a0": "\\~",
    "\u202f": "\\~",
}
_OPTION = re.compile(r"(?<![\w\\-])(--?[A-Za-z0-9][\w-]*)")
_LONE_DASH = re.compile(r"(?<![\w\\-])-(?![\w-])")


def roff(text: str) -> str:
    """Text for a roff text line or a macro argument: backslashes escaped, non-ASCII characters as
    ``\\[uXXXX]`` (no input-encoding guess by groff or mandoc), the hyphens of option names and a
    lone ``-`` (standard input) as ``\\-`` so they render, copy and search as ASCII minus."""
    text = text.replace("\\", "\\e")
    text = _OPTION.sub(lambda m: m.group(1).replace("-", "\\-"), text)
    text = _LONE_DASH.sub(r"\\-", text)
    return "".join(ch if ord(ch) < 128 else _PUNCTUATION.get(ch) or f"\\[u{ord(ch):04X}]" for ch in text)


def roff_name(name: str) -> str:
    """A command or page name: every hyphen is a minus (``cartes\\-workspace``)."""
    return roff(name.replace("-", "\0")).replace("\0", "\\-")


def _line(text: str) -> str:
    """A text line that roff will not take for a request (leading dot or apostrophe)."""
    return "\\&" + text if text[:1] in (".", "'") else text


def _roff_paragraphs(parts: Sequence[str]) -> list[str]:
    out: list[str] = []
    for i, part in enumerate(parts):
        if i:
            out.append(".PP")
        if "\n" in part:  # a \b paragraph: keep its lines
            out.append(".nf")
            out.extend(_line(roff(line)) for line in part.splitlines())
            out.append(".fi")
        else:
            out.append(_line(roff(part)))
    return out


# A metavar in a synopsis (WS, ID, OPTIONS), not the inside of an escape (\fB, \[u00E9]).
_METAVAR = re.compile(r"(?<![\\\w])([A-Z][A-Z0-9_]*)")


def _italic_metavars(text: str) -> str:
    return _METAVAR.sub(r"\\fI\1\\fR", text)


def _roff_usage(command: Command) -> str:
    usage = _italic_metavars(roff(command.usage))
    return f"\\fB{roff_name(command.name)}\\fR {usage}".rstrip()


def _roff_param(param: Param) -> str:
    if param.kind == "argument":
        return _italic_metavars(roff(param.names[0]))
    pieces: list[str] = []
    for name in param.names:
        if name == "/":
            pieces.append(" / ")
        else:
            if pieces and pieces[-1] != " / ":
                pieces.append(", ")
            pieces.append(f"\\fB{roff(name)}\\fR")
    text = "".join(pieces)
    if param.metavar:
        text += f" \\fI{roff(param.metavar)}\\fR"
    return text


def _roff_params(params: Sequence[Param]) -> list[str]:
    out: list[str] = []
    for param in params:
        out += [".TP", _line(_roff_param(param)), _line(roff(param.help))]
    return out


def _roff_command(command: Command) -> list[str]:
    """A subcommand's section: synopsis, description, arguments, options, then its own subcommands."""
    out = [f'.SS "{roff_name(command.name)}"', _line(_roff_usage(command)), ".PP"]
    out += _roff_paragraphs(command.paragraphs)
    for title, params in (("Arguments:", command.arguments), ("Options:", command.options)):
        if params:
            out += [".PP", f"\\fI{title}\\fR", ".RS", *_roff_params(params), ".RE"]
    for sub in command.commands:
        out += _roff_command(sub)
    return out


def _th(command: Command, version: str, date: str) -> list[str]:
    title = roff_name(command.page.upper())
    return [
        f'.\\" {GENERATED}',
        f'.TH {title} {MAN_SECTION} "{date}" "cartes {roff(version)}" "{MANUAL}"',
        ".nh",  # no hyphenation: paths, options and command names stay whole
        ".ad l",
    ]


def _name_line(command: Command) -> list[str]:
    summary = command.summary.rstrip(".")
    if summary[:1].isupper() and not summary[1:2].isupper():
        summary = summary[0].lower() + summary[1:]
    return [".SH NAME", f"{roff_name(command.page)} \\- {roff(summary)}"]


def _see_also(pages: Sequence[str], exclude: str) -> list[str]:
    refs = [f"\\fB{roff_name(p)}\\fR({MAN_SECTION})" for p in pages if p != exclude]
    return [".SH SEE ALSO", ",\n".join(refs)]


def _roff_exit_status() -> list[str]:
    out = [".SH EXIT STATUS"]
    for code, name, meaning in exit_status():
        out += [".TP", f"\\fB{code}\\fR ({roff(name)})", _line(roff(meaning))]
    return out


def man_root(tree: Command, version: str, date: str) -> str:
    pages = [tree.page] + [c.page for c in tree.commands]
    out = _th(tree, version, date)
    out += _name_line(tree)
    out += [".SH SYNOPSIS", _line(_roff_usage(tree))]
    out += [".SH DESCRIPTION", *_roff_paragraphs([*tree.paragraphs, *DESCRIPTION])]
    out += [".SH OPTIONS", "These options are accepted by every command.", *_roff_params(tree.options)]
    out += [".TP", "\\fB\\-h\\fR, \\fB\\-\\-help\\fR", "Show the help of any command and exit."]
    out += [".SH COMMANDS"]
    for sub in tree.commands:
        out += [
            ".TP",
            f"\\fB{roff_name(sub.name)}\\fR",
            _line(roff(sub.summary)),
            f"See \\fB{roff_name(sub.page)}\\fR({MAN_SECTION}).",
        ]
    out += [".SH ENVIRONMENT"]
    for name, meaning in environment():
        out += [".TP", f"\\fB{roff(name)}\\fR", _line(roff(meaning))]
    out += _roff_exit_status()
    out += [
        ".PP",
        "Errors are one or two sentences on standard error, never a traceback "
        "(\\fB\\-\\-debug\\fR adds one, without secrets).",
    ]
    out += [".SH FILES"]
    for path, meaning in FILES:
        out += [".TP", f"\\fI{roff(path)}\\fR", _line(roff(meaning))]
    out += [".PP", _line(roff(FILES_NOTE))]
    out += [".SH EXAMPLES"]
    for i, (what, example) in enumerate(EXAMPLES):
        if i:
            out.append(".PP")
        out += [_line(roff(what)), ".PP", ".RS", ".nf", _line(roff(example)), ".fi", ".RE"]
    out += _see_also(pages, tree.page)
    return "\n".join(out) + "\n"


def man_command(command: Command, root: Command, version: str, date: str) -> str:
    pages = [root.page] + [c.page for c in root.commands]
    out = _th(command, version, date)
    out += _name_line(command)
    out += [".SH SYNOPSIS", _line(_roff_usage(command))]
    for sub in command.walk()[1:]:
        if not sub.commands:
            out += [".br", _line(_roff_usage(sub))]
    out += [".SH DESCRIPTION", *_roff_paragraphs(command.paragraphs)]
    out += [
        ".PP",
        "The global options of \\fBcartes\\fR(1) (\\fB\\-\\-profile\\fR, \\fB\\-\\-env\\fR, "
        "\\fB\\-\\-json\\fR, \\fB\\-\\-no\\-input\\fR...) are accepted anywhere on the command line.",
    ]
    if command.arguments:
        out += [".SH ARGUMENTS", *_roff_params(command.arguments)]
    if command.options:
        out += [".SH OPTIONS", *_roff_params(command.options)]
    if command.commands:
        out += [".SH COMMANDS"]
        for sub in command.commands:
            out += _roff_command(sub)
    out += _roff_exit_status()
    out += _see_also(pages, command.page)
    return "\n".join(out) + "\n"
