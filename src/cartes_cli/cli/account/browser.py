"""Opening pages and files: the browser (a Keycloak page, a ``mailto:`` draft), the system's image
viewer or audio player (a captcha). Best effort: the address or path is printed anyway."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext


def has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_browser(url: str) -> bool:
    import webbrowser

    try:
        return bool(webbrowser.open(url))
    except Exception:  # no usable browser: the address is printed anyway
        return False


def open_file(path: Path) -> bool:
    """Show a file in the system's viewer or player; best effort, never raises."""
    if not has_display():
        return False
    try:
        if sys.platform == "win32":
            os.startfile(str(path))  # type: ignore[attr-defined]  # noqa: S606
            return True
        import shutil
        import subprocess

        opener = "open" if sys.platform == "darwin" else "xdg-open"
        if shutil.which(opener) is None:
            return False
        subprocess.Popen(
            [opener, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return True
    except Exception:
        return False


def send_to_browser(app: AppContext, url: str, explanation: str, *, no_browser: bool) -> None:
    """Say why, open the page (unless ``no_browser``), and print its address on stdout."""
    term = app.terminal
    term.info(explanation)
    opened = False if no_browser else open_browser(url)
    if opened:
        term.info(_("A browser window opened. If it did not, open this address:"))
    else:
        term.info(_("Open this address in a browser:"))
    term.out(url)
