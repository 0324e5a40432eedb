"""Locks shared by every cartes process of a user (``filelock``): several processes often run on
one login at once (a script's ``cartes … &``, parallel CI steps, Tab completion during a command).

- the credential file and ``config.toml`` are read, changed and rewritten under a lock, so that no
  process writes back a stale copy over another's change;
- a login's refresh runs under a lock of its own, so that one process renews the tokens and the
  others use what it stored (Keycloak's refresh-token rotation ends a session whose refresh token
  is used twice).

Lock files live beside what they guard (``config.toml.lock``) or under the state directory, never
hold a secret, and are left in place (deleting a lock file another process holds breaks it).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from cartes_cli import paths
from cartes_cli.errors import CredentialStoreError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from filelock import BaseFileLock

WAIT = 30.0
"""Seconds to wait for another cartes process to finish with a file or a refresh."""


def file_lock(path: Path, *, timeout: float = WAIT) -> BaseFileLock:
    """The lock of ``path`` (``<path>.lock``, a sibling), re-entrant within a thread."""
    from filelock import FileLock

    paths.ensure_private_dir(path.parent)
    return FileLock(str(path) + ".lock", timeout=timeout, mode=0o600)


def login_lock(*parts: str, timeout: float = WAIT) -> BaseFileLock:
    """The lock of one login (profile, account, issuer, client): taken around its refresh."""
    digest = hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:24]
    return file_lock(paths.state_dir() / "locks" / f"login-{digest}", timeout=timeout)


def timed_out(path: Path) -> CredentialStoreError:
    return CredentialStoreError(
        _("Another cartes process has held {path} for {seconds} s; try again.").format(
            path=path, seconds=f"{WAIT:g}"
        )
    )
