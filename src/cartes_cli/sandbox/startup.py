"""Opening a sandbox's data: above the domain and the seeds, which both need the settings.

The domain (``domain/context.py``) holds a running sandbox; the seeds (``seed/``) fill a database
with the domain's rules (hashes, offers, mail). Opening a data directory needs both, so it lives
here, beside the server and the app that call it, and neither imports the other.
"""

from __future__ import annotations

import time

from cartes_cli.sandbox.config import DB_FILENAME, KEY_FILENAME, SandboxConfig
from cartes_cli.sandbox.domain.context import Clock, Sandbox
from cartes_cli.sandbox.domain.keys import SigningKey
from cartes_cli.sandbox.store import Store

__all__ = ["open_sandbox"]


def open_sandbox(config: SandboxConfig, *, clock: Clock = time.time) -> Sandbox:
    """Open (or create) the data directory of ``config``, seeding it if asked and empty."""
    from cartes_cli.paths import ensure_private_dir
    from cartes_cli.sandbox.seed import apply_seed

    data_dir = ensure_private_dir(config.resolved_data_dir())
    store = Store.open(data_dir / DB_FILENAME)
    try:
        if config.seed:
            apply_seed(store, config.seed)
        keys = SigningKey.load_or_create(data_dir / KEY_FILENAME)
        store.sessions.purge_expired(clock())
    except BaseException:
        store.close()
        raise
    return Sandbox(config, store, keys, clock)
