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


def user_sandbox_state_file() -> Path:
    """The per-user record of a running sandbox, whatever ``CARTES_HOME`` says: the file a
    sandbox started without ``CARTES_HOME`` writes anyway (the user's own state directory).
    A sandbox started with ``CARTES_HOME`` writes it too when no running sandbox holds it, so
    ``--env sandbox`` under any ``CARTES_HOME`` finds a running sandbox."""
    import platformdirs

    return platformdirs.user_state_path(APP_NAME) / "sandbox.json"


def sandbox_state_files() -> list[Path]:
    """Where ``--env sandbox`` looks, in order: ``CARTES_HOME``'s record, then the user's."""
    own = sandbox_state_file()
    user = user_sandbox_state_file()
    return [own] if user == own else [own, user]


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) with mode 0700 for the leaf; tighten it if it already exists."""
    path.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # e.g. a directory owned by someone else
        os.chmod(path, 0o700)
    return path


def write_private_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` as one step (a 0600 temporary file beside it, fsync, rename):
    a reader sees the old content or the new, never half of it. Raises ``OSError``."""
    import tempfile

    ensure_private_dir(path.parent)
    fd, tmp_name = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
