"""Where cartes keeps its files.

Everything follows the platform conventions through platformdirs (XDG on Linux). ``CARTES_HOME``
relocates all of them at once (tests, demos, several isolated set-ups side by side).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

APP_NAME = "cartes"


def _home_override() -> Path | None:
    home = os.environ.get("CARTES_HOME")
    return Path(home).expanduser() if home else None


def config_dir() -> Path:
    """Config file (``config.toml``) and, with ``--insecure-storage``, the credential file."""
    home = _home_override()
    if home:
        return home / "config"
    import platformdirs

    return platformdirs.user_config_path(APP_NAME)


def data_dir() -> Path:
    """The sandbox's default data directory lives below this one."""
    home = _home_override()
    if home:
        return home / "data"
    import platformdirs

    return platformdirs.user_data_path(APP_NAME)


def state_dir() -> Path:
    """Run-time state: the record of the running sandbox."""
    home = _home_override()
    if home:
        return home / "state"
    import platformdirs

    return platformdirs.user_state_path(APP_NAME)


def cache_dir() -> Path:
    home = _home_override()
    if home:
        return home / "cache"
    import platformdirs

    return platformdirs.user_cache_path(APP_NAME)


def sandbox_state_file() -> Path:
    """Where a running ``cartes sandbox serve`` records its URLs so ``--env sandbox`` finds it."""
    return state_dir() / "sandbox.json"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) with mode 0700 for the leaf; tighten it if it already exists."""
    path.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # e.g. a directory owned by someone else
        os.chmod(path, 0o700)
    return path
