"""Keycloak's brute-force detection and one-time codes, as the sandbox applies them.

Keycloak (realm settings, "Brute force detection", temporary lockout) counts a user's login
failures; every ``failure_factor`` failures it locks the account for ``wait_increment`` seconds
more (up to ``max_wait``). While locked, even the right password is refused, with the same answer
as a wrong one ("Invalid user credentials"), and the server logs it. A success resets the count.
A wrong TOTP code counts as a failure too.

A one-time code is accepted once: Keycloak's OTP policy has "reusable code" off by default
(``OTPPolicy.DEFAULT_IS_REUSABLE = false``, realm attribute ``realmReusableOtpCode``), and it keeps
each accepted code in its single-use store for as long as the code could still be accepted. Presented
again, the code is refused with the answer of a wrong code, and counts as a failure.

Kept in memory, like Keycloak's login-failure and single-use caches: a restart forgets them.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

logger = logging.getLogger("cartes.sandbox")


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0


class LoginGuard:
    """Failures and lockouts per user id."""

    def __init__(
        self, *, failure_factor: int = 30, wait_increment: float = 60.0, max_wait: float = 900.0
    ) -> None:
        self.failure_factor = max(1, failure_factor)
        self.wait_increment = wait_increment
        self.max_wait = max_wait
        self._failures: dict[str, _Failures] = {}
        self._lock = threading.Lock()

    def locked(self, user_id: str, now: float) -> bool:
        with self._lock:
            entry = self._failures.get(user_id)
            return entry is not None and entry.locked_until > now

    def failed(self, user_id: str, username: str, now: float) -> None:
        with self._lock:
            entry = self._failures.setdefault(user_id, _Failures())
            entry.count += 1
            if entry.count % self.failure_factor == 0:
                wait = min(self.max_wait, self.wait_increment * (entry.count // self.failure_factor))
                entry.locked_until = now + wait
                logger.warning(
                    "brute force: %s temporarily locked for %.0f s after %d failures",
                    username,
                    wait,
                    entry.count,
                )

    def succeeded(self, user_id: str) -> None:
        with self._lock:
            self._failures.pop(user_id, None)


class ResendLimit:
    """How often one account may have a new e-mail verification code sent: at most once every
    ``interval`` seconds and ``per_hour`` times an hour (each code brings its five tries)."""

    def __init__(self, *, interval: float = 60.0, per_hour: int = 5) -> None:
        self.interval = interval
        self.per_hour = per_hour
        self._sent: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def allow(self, user_id: str, now: float) -> bool:
        with self._lock:
            recent = [t for t in self._sent.get(user_id, []) if now - t < 3600]
            if (recent and now - recent[-1] < self.interval) or len(recent) >= self.per_hour:
                self._sent[user_id] = recent
                logger.warning("verification code resend refused for %s (too many, too often)", user_id)
                return False
            recent.append(now)
            self._sent[user_id] = recent
            return True


class UsedCodes:
    """The one-time codes each user has logged in with, kept ``lifespan`` seconds (the previous,
    current and next 30 s windows are accepted, so 90 s covers every window a code is valid in)."""

    def __init__(self, *, lifespan: float = 90.0) -> None:
        self.lifespan = lifespan
        self._used: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def claim(self, user_id: str, code: str, now: float) -> bool:
        """True the first time ``code`` is presented for ``user_id``; False (and a log line) after."""
        with self._lock:
            self._used = {key: until for key, until in self._used.items() if until > now}
            key = (user_id, code)
            if key in self._used:
                logger.warning("one-time code reused for user %s: refused", user_id)
                return False
            self._used[key] = now + self.lifespan
            return True
