"""The running sandbox: settings, storage, signing key, clock, counters and the request log."""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cartes_cli.sandbox.config import DB_FILENAME, KEY_FILENAME, SandboxConfig
from cartes_cli.sandbox.db import GRANT_TYPES, Store
from cartes_cli.sandbox.keys import SigningKey
from cartes_cli.sandbox.util import iso

Clock = Callable[[], float]
LOG_SIZE = 1000


@dataclass
class Stats:
    """Counters since the server started (in memory: a restart resets them)."""

    started: float
    token_grants: Counter[str] = field(default_factory=Counter)
    token_errors: Counter[str] = field(default_factory=Counter)
    refresh_reuse_detected: int = 0
    requests: int = 0
    api_requests: int = 0
    api_errors: int = 0

    def snapshot(self, now: float) -> dict[str, Any]:
        grants = {grant: self.token_grants.get(grant, 0) for grant in GRANT_TYPES}
        return {
            "started": iso(self.started),
            "uptime_seconds": round(max(0.0, now - self.started), 3),
            "token_grants": grants,
            "token_errors": dict(sorted(self.token_errors.items())),
            "refresh_reuse_detected": self.refresh_reuse_detected,
            "requests": self.requests,
            "api_requests": self.api_requests,
            "api_errors": self.api_errors,
        }

    def reset(self, now: float) -> None:
        self.started = now
        self.token_grants.clear()
        self.token_errors.clear()
        self.refresh_reuse_detected = 0
        self.requests = self.api_requests = self.api_errors = 0


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One answered request. Never bodies, headers or query strings: they may carry secrets."""

    time: float
    method: str
    path: str
    status: int
    duration_ms: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "time": iso(self.time),
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "duration_ms": self.duration_ms,
        }


class Sandbox:
    """Everything a request handler needs, hung on ``app.state.sandbox``."""

    def __init__(
        self, config: SandboxConfig, store: Store, keys: SigningKey, clock: Clock = time.time
    ) -> None:
        self.config = config
        self.store = store
        self.keys = keys
        self.clock = clock
        self.stats = Stats(started=clock())
        self.log: deque[LogEntry] = deque(maxlen=LOG_SIZE)

    @classmethod
    def open(cls, config: SandboxConfig, *, clock: Clock = time.time) -> Sandbox:
        """Open (or create) the data directory of ``config``, seeding it if asked and empty."""
        from cartes_cli.paths import ensure_private_dir
        from cartes_cli.sandbox.seed import apply_seed

        data_dir = ensure_private_dir(config.resolved_data_dir())
        store = Store.open(data_dir / DB_FILENAME)
        try:
            if config.seed:
                apply_seed(store, config.seed)
            keys = SigningKey.load_or_create(data_dir / KEY_FILENAME)
            store.purge_expired(clock())
        except BaseException:
            store.close()
            raise
        return cls(config, store, keys, clock)

    def now(self) -> float:
        return self.clock()

    def close(self) -> None:
        self.store.close()
