"""The sign-up captcha drawn with characters, on a terminal, next to the image file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cartes_cli.cli.account.qr import half_block

if TYPE_CHECKING:
    from PIL.Image import Image
    from rich.text import Text

Pixel = tuple[int, ...]


def captcha_art(image: bytes, *, max_width: int = 72, color: bool = True) -> Text | None:
    """The captcha as half-block characters (two pixels per character cell), or None without
    Pillow. In colour: true colours; otherwise dark pixels as filled blocks."""
    try:
        from PIL import Image as PILImage
    except ImportError:
        return None
    import io

    try:
        picture = PILImage.open(io.BytesIO(image)).convert("RGB")
    except Exception:
        return None
    width, height = picture.size
    if width < 1 or height < 1:
        return None
    columns = max(8, min(max_width, width))
    rows = max(2, round(height * columns / width))
    rows += rows % 2
    return _draw(picture.resize((columns, rows)), color=color)


def _draw(picture: Image, *, color: bool) -> Text:
    from rich.color import Color
    from rich.style import Style
    from rich.text import Text

    columns, rows = picture.size
    pixels = picture.load()
    assert pixels is not None
    dark = _ink_threshold(picture) if not color else 0.0
    art = Text()
    for y in range(0, rows, 2):
        for x in range(columns):
            top: Pixel = pixels[x, y]  # type: ignore[assignment]
            bottom: Pixel = pixels[x, y + 1]  # type: ignore[assignment]
            if color:
                style = Style(color=Color.from_rgb(*top[:3]), bgcolor=Color.from_rgb(*bottom[:3]))
                art.append("▀", style=style)
            else:
                art.append(half_block(_luminance(top) < dark, _luminance(bottom) < dark))
        art.append("\n")
    art.rstrip()
    return art


def _luminance(pixel: Pixel) -> float:
    r, g, b = pixel[:3]
    return float(0.299 * r + 0.587 * g + 0.114 * b)


def _ink_threshold(picture: Image) -> float:
    """Half-way between the background (the median) and the ink (the darkest few per cent): a
    captcha's letters are mid-grey on white, and shrinking the image greys them further."""
    values = sorted(picture.convert("L").tobytes())  # the same weights as _luminance
    background = values[len(values) // 2]
    ink = values[len(values) // 50]
    if background - ink < 16:
        return 0.0  # no contrast: nothing to draw
    return (background + ink) / 2
