"""What the account commands remember between runs, in private files of the cartes cache: the
last captcha (``captcha.json``, so that ``account create`` needs no ``--captcha-id``) and the
last sign-up's address (``signup.json``, the default of ``account verify``). Losing them only
means giving the value again."""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.platforms import Platform

CAPTCHA = "captcha.json"
SIGNUP = "signup.json"

JsonObject = dict[str, str | float | None]


def account_cache() -> Path:
    from cartes_cli import paths

    return paths.ensure_private_dir(paths.cache_dir() / "account")


def write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def save_json(name: str, data: JsonObject) -> None:
    with contextlib.suppress(OSError):  # a cache: losing it only means giving the value again
        write_private(account_cache() / name, json.dumps(data).encode("utf-8"))


def load_json(name: str) -> dict[str, object] | None:
    try:
        data = json.loads((account_cache() / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def forget(name: str) -> None:
    with contextlib.suppress(OSError):
        (account_cache() / name).unlink()


def cached_captcha_id(platform: Platform) -> str | None:
    """The last 'cartes account captcha' of this platform (exit 2 once it has expired)."""
    cached = load_json(CAPTCHA)
    if not cached or cached.get("api_url") != platform.api_url:
        return None
    expires = cached.get("expires_at")
    if isinstance(expires, (int, float)) and expires < time.time():
        raise UsageError(_("The saved captcha has expired; get a new one with 'cartes account captcha'."))
    value = cached.get("id")
    return str(value) if value else None


def last_signup_email(platform: Platform) -> str | None:
    """The address of the last sign-up (or e-mail change) on this platform."""
    cached = load_json(SIGNUP)
    if cached and cached.get("api_url") == platform.api_url and cached.get("email"):
        return str(cached["email"])
    return None
