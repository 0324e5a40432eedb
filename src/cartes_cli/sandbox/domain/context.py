"""The running sandbox: settings, storage, signing key, clock, counters and the request log."""

from __future__ import annotations

import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cartes_cli.platforms import REALM_PATH
from cartes_cli.sandbox.config import SandboxConfig
from cartes_cli.sandbox.domain.bruteforce import LoginGuard, ResendLimit, UsedCodes
from cartes_cli.sandbox.domain.captchas import Captchas
from cartes_cli.sandbox.domain.credentials import verify_totp
from cartes_cli.sandbox.domain.faults import FAULT_KINDS, FaultInjector
from cartes_cli.sandbox.domain.flows import Flows
from cartes_cli.sandbox.domain.keys import SigningKey
from cartes_cli.sandbox.store import Store
from cartes_cli.sandbox.store.records import GRANT_TYPES, User
from cartes_cli.sandbox.util import iso, parse_iso

Clock = Callable[[], float]
LOG_SIZE = 10_000
REFRESH_SESSIONS_KEPT = 1000
REFRESHES_KEPT_PER_SESSION = 1000


@dataclass
class SessionRefreshes:
    """The successful refresh grants of one login session."""

    user: str
    client_id: str
    times: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "user": self.user,
            "client_id": self.client_id,
            "count": len(self.times),
            "times": [iso(t) for t in self.times],
        }


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
    faults: Counter[str] = field(default_factory=Counter)
    refreshes: OrderedDict[str, SessionRefreshes] = field(default_factory=OrderedDict)

    def record_refresh(self, session_id: str, *, user: str, client_id: str, when: float) -> None:
        """One successful refresh grant of ``session_id`` (bounded: the oldest sessions go first)."""
        entry = self.refreshes.get(session_id)
        if entry is None:
            entry = self.refreshes[session_id] = SessionRefreshes(user=user, client_id=client_id)
            while len(self.refreshes) > REFRESH_SESSIONS_KEPT:
                self.refreshes.popitem(last=False)
        entry.times.append(when)
        del entry.times[:-REFRESHES_KEPT_PER_SESSION]

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
            "faults_injected": {kind: self.faults.get(kind, 0) for kind in FAULT_KINDS},
            "refresh_by_session": {sid: entry.as_dict() for sid, entry in self.refreshes.items()},
        }

    def reset(self, now: float) -> None:
        self.started = now
        self.token_grants.clear()
        self.token_errors.clear()
        self.refresh_reuse_detected = 0
        self.requests = self.api_requests = self.api_errors = 0
        self.faults.clear()
        self.refreshes.clear()


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One answered request. Never bodies, headers or query strings: they may carry secrets."""

    seq: int
    """1, 2, 3… in the order requests were answered, never reused (a reset does not restart it)."""
    time: float
    method: str
    path: str
    status: int
    """What the client got; 0: the connection was dropped without an answer."""
    duration_ms: float
    fault: str | None = None
    """The injected fault, if any (see ``cartes_cli.sandbox.domain.faults``)."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": iso(self.time),
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "duration_ms": self.duration_ms,
            "fault": self.fault,
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
        self.log_seq = 0
        self.flows = Flows()
        self.captchas = Captchas()
        self.login_guard = LoginGuard(
            failure_factor=config.lockout_failures, wait_increment=config.lockout_wait
        )
        self.resends = ResendLimit()
        self.used_codes = UsedCodes()
        self.disk_full_at: float | None = None
        """When a write last failed for want of space (``/sandbox/health`` reports it a minute)."""
        self.faults = FaultInjector.from_config(
            config,
            token_path=REALM_PATH + "/protocol/openid-connect/token",
            api_prefix="/api",
            realm_prefix=REALM_PATH + "/",
        )

    def add_log(
        self, *, method: str, path: str, status: int, duration_ms: float, fault: str | None = None
    ) -> int:
        """Append one answered request; returns its sequence number."""
        self.log_seq += 1
        self.log.append(
            LogEntry(
                seq=self.log_seq,
                time=self.now(),
                method=method,
                path=path,
                status=status,
                duration_ms=duration_ms,
                fault=fault,
            )
        )
        return self.log_seq

    def now(self) -> float:
        return self.clock()

    def accept_one_time_code(self, user: User, code: str) -> bool:
        """A login's second factor: a valid code of the account's seed, not used before (Keycloak
        refuses a code already accepted, with the answer of a wrong one)."""
        now = self.now()
        if not user.totp_secret or not verify_totp(user.totp_secret, code, at=now):
            return False
        return self.used_codes.claim(user.id, code.strip(), now)

    def password_expires_at(self, user: User) -> float | None:
        """When the account's password must be renewed (epoch); None: it never expires."""
        if user.password_hash is None or not user.password_changed:
            return None
        return parse_iso(user.password_changed) + self.config.password_max_age_days * 86400

    def required_actions(self, user: User) -> tuple[str, ...]:
        """Keycloak required actions due now: the stored ones, VERIFY_EMAIL for an unverified
        address, UPDATE_PASSWORD for a password older than ``password_max_age_days``."""
        actions = list(user.pending_actions)
        expires = self.password_expires_at(user)
        if "UPDATE_PASSWORD" not in actions and expires is not None and self.now() >= expires:
            actions.append("UPDATE_PASSWORD")
        return tuple(actions)

    def close(self) -> None:
        self.store.close()
