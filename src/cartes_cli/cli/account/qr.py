"""A QR code drawn with characters (the ``otpauth://`` URI of ``account 2fa enable``), two modules
per character cell with half blocks."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

    from cartes_cli.cli.output import Terminal


def half_block(top: bool, bottom: bool) -> str:
    """The character that fills the top half, the bottom half, both, or neither of a cell."""
    if top and bottom:
        return "█"
    if top:
        return "▀"
    if bottom:
        return "▄"
    return " "


def qr_lines(data: str, *, invert: bool = True, border: int = 2) -> list[str]:
    """A QR code as half-block text, two modules per character: at most 80 columns for an
    ``otpauth://`` URI. ``invert`` (the default) draws the LIGHT modules as blocks, for terminals
    with a dark background; ``invert=False`` draws the dark ones."""
    import segno

    code = segno.make(data, error="l", micro=False)
    matrix = [[bool(cell) for cell in row] for row in code.matrix_iter(scale=1, border=border)]
    if len(matrix) % 2:
        matrix.append([False] * len(matrix[0]))
    lines = []
    for y in range(0, len(matrix), 2):
        top_row, bottom_row = matrix[y], matrix[y + 1]
        lines.append(
            "".join(
                half_block(top != invert, bottom != invert)
                for top, bottom in zip(top_row, bottom_row, strict=True)
            )
        )
    return lines


def print_qr(term: Terminal, uri: str) -> None:
    """The QR code on stdout: black on white where colours show (right on any terminal theme),
    else the light modules as blocks (for the usual dark background)."""

    def coloured(_width: int, colour: bool) -> Text | None:
        from rich.text import Text

        return Text("\n".join(qr_lines(uri, invert=False)), style="black on white") if colour else None

    if not term.draw(coloured, stdout=True):
        for line in qr_lines(uri, invert=True):
            term.out(line)
