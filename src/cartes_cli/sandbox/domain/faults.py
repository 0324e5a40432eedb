"""Fault injection: the sandbox misbehaves like a platform on a bad day (``--fault-rate``).

Each request in scope draws from one seeded ``random.Random``: with probability ``rate`` it meets
one fault, chosen uniformly among ``kinds``. The draws happen in arrival order, before anything
else awaits, so the same seed and the same order of requests give the same faults (a run can be
replayed). Out of scope, and always: the sandbox control routes (``/sandbox/…``), ``/``,
``/openapi.json`` and ``/docs``.

Kinds:

- ``500``, ``502``, ``503``: an error answer; the route does not run. (``502`` comes as a small HTML
  page, the way a gateway answers; the others in the JSON error shape of the path.)
- ``429``: "too many requests" with ``Retry-After: <retry_after>``; the route does not run.
- ``drop``: the connection is closed without an answer; the route does not run.
- ``slow``: the answer waits ``delay`` seconds (more than the client's timeout), then the route runs,
  whether or not the client is still there: the change lands late.
- ``after-500``, ``after-502``, ``after-drop``: the route runs and commits its change, then the
  client gets a 500, a 502 or a dropped connection instead of the answer. This is the case that
  breaks naive retries: the change was made, the caller does not know it.

Standard library only (the settings are validated without FastAPI).
"""

from __future__ import annotations

import random
import threading
from collections import Counter, deque
from dataclasses import dataclass, field, replace
from typing import Any

from cartes_cli.sandbox.fault_settings import (  # the injector's settings, re-exported
    AFTER_KINDS as AFTER_KINDS,
)
from cartes_cli.sandbox.fault_settings import (
    BEFORE_KINDS as BEFORE_KINDS,
)
from cartes_cli.sandbox.fault_settings import (
    DEFAULT_SCOPE as DEFAULT_SCOPE,
)
from cartes_cli.sandbox.fault_settings import (
    FAULT_KINDS as FAULT_KINDS,
)
from cartes_cli.sandbox.fault_settings import (
    FAULT_SCOPES as FAULT_SCOPES,
)
from cartes_cli.sandbox.fault_settings import (
    KIND_GROUPS as KIND_GROUPS,
)
from cartes_cli.sandbox.fault_settings import (
    FaultSettingsError as FaultSettingsError,
)
from cartes_cli.sandbox.fault_settings import (
    check_numbers as check_numbers,
)
from cartes_cli.sandbox.fault_settings import (
    parse_kinds as parse_kinds,
)
from cartes_cli.sandbox.fault_settings import (
    parse_scope as parse_scope,
)

FAULT_STATUS = {"500": 500, "502": 502, "503": 503, "429": 429, "after-500": 500, "after-502": 502}
"""The status the client sees (a dropped connection has none: recorded as 0)."""

RECORDS_KEPT = 10_000
FAULT_HEADER = "X-Sandbox-Fault"
"""Added to every injected answer: which fault it is (never on genuine answers)."""


@dataclass(frozen=True, slots=True)
class FaultSettings:
    rate: float = 0.0
    seed: int = 0
    kinds: tuple[str, ...] = FAULT_KINDS
    scope: tuple[str, ...] = DEFAULT_SCOPE
    retry_after: int = 1
    delay: float = 35.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "seed": self.seed,
            "kinds": list(self.kinds),
            "scope": list(self.scope),
            "retry_after": self.retry_after,
            "delay": self.delay,
        }


@dataclass(frozen=True, slots=True)
class FaultRecord:
    """One injected fault."""

    seq: int
    """1, 2, 3… over the server's life."""
    request: int
    """Which request in scope met it: 1 for the first since the generator was (re)seeded."""
    kind: str
    method: str
    path: str
    status: int
    """What the client got: the status, or 0 for a dropped connection (or a slow answer, which
    records the route's status)."""
    log_seq: int
    """The request's ``seq`` in ``/sandbox/log``."""
    time: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "request": self.request,
            "kind": self.kind,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "log_seq": self.log_seq,
            "time": self.time,
        }


@dataclass
class FaultInjector:
    """The sandbox's fault generator and its record (one per server, switched at run time)."""

    settings: FaultSettings = field(default_factory=FaultSettings)
    token_path: str = ""
    api_prefix: str = "/api"
    realm_prefix: str = "/realms/"
    rate: float = field(init=False, default=0.0)
    """Copy of ``settings.rate`` read on every request (0: nothing else is looked at)."""
    considered: int = field(init=False, default=0)
    """Requests in scope since the generator was (re)seeded."""
    records: deque[FaultRecord] = field(init=False, default_factory=lambda: deque(maxlen=RECORDS_KEPT))
    injected: int = field(init=False, default=0)
    counts: Counter[str] = field(init=False, default_factory=Counter)
    """Injected faults by kind, over the server's life."""
    _rng: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.settings.seed)
        self.rate = self.settings.rate

    @classmethod
    def from_config(
        cls, config: Any, *, token_path: str, api_prefix: str, realm_prefix: str
    ) -> FaultInjector:
        seed = config.fault_seed
        if seed is None:
            seed = random.SystemRandom().randrange(1, 2**31)
        settings = FaultSettings(
            rate=config.fault_rate,
            seed=seed,
            kinds=tuple(config.fault_kinds),
            scope=tuple(config.fault_scope),
            retry_after=config.fault_retry_after,
            delay=config.fault_delay,
        )
        return cls(settings, token_path=token_path, api_prefix=api_prefix, realm_prefix=realm_prefix)

    def in_scope(self, path: str) -> bool:
        scope = self.settings.scope
        if "api" in scope and (path == self.api_prefix or path.startswith(self.api_prefix + "/")):
            return True
        if "oidc" in scope and path.startswith(self.realm_prefix):
            return True
        return "token" in scope and path == self.token_path

    def draw(self, path: str) -> str | None:
        """The fault this request meets, or None. Call only when ``rate`` is not 0."""
        if not self.in_scope(path):
            return None
        with self._lock:
            settings = self.settings
            self.considered += 1
            # Always two draws per request in scope: the sequence depends on the order only.
            hit = self._rng.random() < settings.rate
            pick = self._rng.random()
        if not hit:
            return None
        kinds = settings.kinds
        return kinds[min(int(pick * len(kinds)), len(kinds) - 1)]

    def record(self, *, kind: str, method: str, path: str, status: int, log_seq: int, time: str) -> None:
        with self._lock:
            self.injected += 1
            self.counts[kind] += 1
            self.records.append(
                FaultRecord(
                    seq=self.injected,
                    request=self.considered,
                    kind=kind,
                    method=method,
                    path=path,
                    status=status,
                    log_seq=log_seq,
                    time=time,
                )
            )

    def update(self, **changes: Any) -> FaultSettings:
        """Change settings at run time; a ``seed`` (even the same one) restarts the sequence."""
        with self._lock:
            reseed = "seed" in changes
            settings = replace(self.settings, **changes)
            self.settings = settings
            self.rate = settings.rate
            if reseed:
                self._rng = random.Random(settings.seed)
                self.considered = 0
        return settings

    def state(self, *, since: int | None = None, limit: int = 1000) -> dict[str, Any]:
        with self._lock:
            records = list(self.records)
            considered, injected = self.considered, self.injected
            settings = self.settings
            by_kind = {kind: self.counts.get(kind, 0) for kind in FAULT_KINDS}
        if limit <= 0:
            chosen = []
        elif since is None:
            chosen = records[-limit:]
        else:
            chosen = [r for r in records if r.seq > since][:limit]
        return {
            **settings.as_dict(),
            "considered": considered,
            "injected": injected,
            "by_kind": by_kind,
            "records": [r.as_dict() for r in chosen],
        }
