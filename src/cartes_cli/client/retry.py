"""When and how long to retry a request (used by ``GeoplateformeClient._request``).

- Idempotent calls (GET, HEAD, OPTIONS, PUT, DELETE, and the calls a resource marks idempotent,
  such as accepting a request) are retried on 429, 500, 502, 503, 504, on connection failures and
  on read time-outs or dropped connections.
- Other calls (creating a request) are retried only when the request cannot have reached the
  server: the connection was never established (refused, DNS, connect time-out, no free pooled
  connection). A TLS verification failure is never retried: it will not fix itself.
- The wait is the server's ``Retry-After`` when it gives one (up to ``max_retry_after``; beyond,
  the error is raised at once so a bulk run can report what is left instead of hanging), otherwise
  exponential back-off with full jitter: ``random() * min(max_delay, base_delay * 2**(n-1))``.
- At most ``max_attempts`` attempts, and never past ``deadline`` seconds since the first one.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cartes_cli.transport import exception_chain

if TYPE_CHECKING:
    import httpx

__all__ = [
    "BULK_RETRY",
    "IDEMPOTENT_METHODS",
    "RETRY_STATUSES",
    "RetryPolicy",
    "retryable_exception",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 4
    """Attempts in all, the first one included (1: never retry)."""
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0
    """A ``Retry-After`` longer than this is not waited for: the error is raised at once."""
    deadline: float = 120.0
    """Seconds from the first attempt after which no new attempt starts."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.max_retry_after < 0 or self.deadline < 0:
            raise ValueError("delays must not be negative")

    @classmethod
    def never(cls) -> RetryPolicy:
        """No retry at all."""
        return cls(max_attempts=1)

    def backoff(self, attempt: int, random_value: float) -> float:
        """The full-jitter wait after failed attempt number ``attempt`` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** max(0, attempt - 1))
        return max(0.0, min(1.0, random_value)) * ceiling


def _tls_failure(exc: BaseException) -> bool:
    chain = exception_chain(exc)
    if any(isinstance(e, ssl.SSLError) for e in chain):
        return True
    text = " ".join(str(e) for e in chain).lower()
    return "certificate verify failed" in text or "[ssl" in text


def retryable_exception(exc: httpx.HTTPError, *, idempotent: bool) -> bool:
    """May a call that failed with ``exc`` be sent again?"""
    import httpx

    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return not _tls_failure(exc)  # never sent: safe for every method
    if isinstance(
        exc,
        (httpx.ReadTimeout, httpx.WriteTimeout, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError),
    ):
        return idempotent  # may have reached the server
    return False


BULK_RETRY = RetryPolicy(max_attempts=8, deadline=300.0)
"""For bulk runs: one item's transient failures are worth more patience than a single command's
(a run of a thousand decisions over a flaky network must not leave a few behind by bad luck:
at 20 % of failed calls, eight attempts leave about one item in 400,000)."""
