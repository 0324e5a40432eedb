"""The account package's pictures: the terminal draws its frames and pictures (``Terminal.draw``)
on the right stream. (Its modules' imports are checked with every command module's, in
``tests/cli/test_startup.py``.)"""

from __future__ import annotations

import io

import pytest

from cartes_cli.cli.output import Terminal


def _terminal(tty: bool) -> tuple[Terminal, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    term = Terminal(stdout=out, stderr=err, stdout_isatty=tty, stderr_isatty=tty, color=tty, width=60)
    return term, out, err


def test_the_wizard_frame_is_drawn_on_stderr(account_world) -> None:
    from cartes_cli.cli.account.wizard import panel

    h = account_world()
    panel(h.app, "Step 1/5 · Profile", ["first line", "second line"])
    err = h.stderr.getvalue()
    lines = err.splitlines()
    assert h.stdout.getvalue() == ""
    assert lines[0].startswith("╭─ Step 1/5 · Profile ")
    assert lines[1].startswith("│ first line ")
    assert lines[2].startswith("│ second line ")
    assert lines[3].startswith("╰")
    assert "\x1b[" not in err  # not a terminal: no escape sequences


def test_draw_gives_the_room_and_draws_what_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.text import Text

    monkeypatch.setenv("TERM", "xterm-256color")
    seen: list[tuple[int, bool]] = []

    def picture(width: int, colour: bool) -> Text:
        seen.append((width, colour))
        return Text("▀▄", style="black on white")

    term, out, err = _terminal(tty=True)
    assert term.draw(picture, stdout=True) is True
    assert seen == [(60, True)]
    assert "▀▄" in out.getvalue()
    assert "\x1b[" in out.getvalue()  # a terminal that shows colours gets them
    assert err.getvalue() == ""
    plain, out, err = _terminal(tty=False)
    assert plain.draw(picture) is True
    assert seen[-1] == (60, False)
    assert err.getvalue() == "▀▄\n"


def test_draw_draws_nothing_when_nothing_is_made() -> None:
    term, out, err = _terminal(tty=False)
    assert term.draw(lambda width, colour: None) is False
    assert out.getvalue() + err.getvalue() == ""


def test_without_colours_the_qr_code_is_light_blocks_on_stdout() -> None:
    from cartes_cli.cli.account.qr import print_qr, qr_lines

    term, out, err = _terminal(tty=False)
    print_qr(term, "otpauth://totp/x?secret=JBSWY3DP")
    assert out.getvalue().splitlines() == qr_lines("otpauth://totp/x?secret=JBSWY3DP", invert=True)
    assert err.getvalue() == ""
