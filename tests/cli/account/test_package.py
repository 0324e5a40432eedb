"""The account package as a whole: its modules keep heavy imports inside functions (the rule
``tests/cli/test_startup.py`` applies to ``cli/*.py``), and the terminal draws its frames and
pictures (``Terminal.panel``, ``canvas``, ``draw``) on the right stream."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest

from cartes_cli.cli.output import Terminal

PACKAGE = Path(__file__).resolve().parents[3] / "src" / "cartes_cli" / "cli" / "account"
HEAVY = ("httpx", "pydantic", "keyring", "rich", "PIL", "segno", "cartes_cli.sandbox", "jwt")


def test_account_modules_have_no_top_level_heavy_imports() -> None:
    offenders = []
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 15
    for path in modules:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:  # TYPE_CHECKING blocks are ast.If
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if any(name == h or name.startswith(h + ".") for h in HEAVY) or name.startswith(
                    ("cartes_cli.client", "cartes_cli.auth")
                ):
                    offenders.append(f"{path.relative_to(PACKAGE)}: {name}")
    assert offenders == []


def _terminal(tty: bool) -> tuple[Terminal, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    term = Terminal(stdout=out, stderr=err, stdout_isatty=tty, stderr_isatty=tty, color=tty, width=60)
    return term, out, err


def test_a_panel_is_a_titled_frame_on_stderr() -> None:
    term, out, err = _terminal(tty=False)
    term.panel("Step 1/5 · Profile", ["first line", "second line"])
    lines = err.getvalue().splitlines()
    assert out.getvalue() == ""
    assert lines[0].startswith("╭─ Step 1/5 · Profile ")
    assert lines[1].startswith("│ first line ")
    assert lines[2].startswith("│ second line ")
    assert lines[1].endswith("│")
    assert lines[3].startswith("╰")
    assert "\x1b[" not in err.getvalue()  # not a terminal: no escape sequences


def test_the_canvas_says_where_colours_show(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    term, _out, _err = _terminal(tty=False)
    assert term.canvas() == (60, False)
    assert term.canvas(stdout=True) == (60, False)
    coloured, _o, _e = _terminal(tty=True)
    assert coloured.canvas(stdout=True)[1] is True


def test_draw_writes_on_the_stream_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    from rich.text import Text

    term, out, err = _terminal(tty=True)
    term.draw(Text("▀▄", style="black on white"), stdout=True)
    assert "▀▄" in out.getvalue()
    assert "\x1b[" in out.getvalue()  # a terminal that shows colours gets them
    assert err.getvalue() == ""
