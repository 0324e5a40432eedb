"""``TokenManager``: a valid access token on demand, refreshed once for all threads.

Single flight: the check-and-refresh runs under one lock, so when 16 workers find the token
expired at the same moment, one of them calls the token endpoint and the others wait and reuse
its result. ``on_refresh`` sees every new token set (still under the lock, so calls are ordered
and the last one holds the newest refresh token, which is what the CLI persists).

Three kinds of manager:

- a user login (``TokenManager(oidc, tokens)``): renews with the refresh token; it may start from
  a stored refresh token alone (``TokenSet.from_refresh_token``) or from a cached access token plus
  the refresh token (``TokenSet.from_cache``), refreshing only when the access token nears expiry;
- a service account (``TokenManager.for_client_credentials(oidc)``): no refresh token, renews by
  running the client_credentials grant again;
- a ready bearer token (``TokenManager.static``, ``CARTES_TOKEN``): never renewed.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Literal

from cartes_cli.auth.tokens import TokenSet
from cartes_cli.errors import AuthRequired
from cartes_cli.i18n import _
from cartes_cli.secret import SecretLike, reveal

if TYPE_CHECKING:
    from cartes_cli.auth.oidc import OIDCClient

__all__ = ["Renewal", "TokenManager"]

Renewal = Literal["refresh_token", "client_credentials"]


class TokenManager:
    """Holds the current :class:`TokenSet` and renews it through ``oidc`` when needed.

    ``skew``: refresh this many seconds before expiry, but never more than half the token's
    lifetime (a 20 s token is refreshed after 10 s, not immediately and forever).

    ``on_refresh`` failures (a keyring that hangs…) do not fail the request that triggered the
    refresh: the new tokens are used in memory and the error is kept in :attr:`persist_error`
    for the caller to report.
    """

    def __init__(
        self,
        oidc: OIDCClient | None,
        tokens: TokenSet,
        *,
        on_refresh: Callable[[TokenSet], None] | None = None,
        skew: float = 30.0,
        clock: Callable[[], float] = time.time,
        static: bool = False,
        source: str | None = None,
        renewal: Renewal = "refresh_token",
        coordinate: Callable[[], AbstractContextManager[object]] | None = None,
        reload: Callable[[], TokenSet | None] | None = None,
        oidc_factory: Callable[[], OIDCClient] | None = None,
        refresh_in_store: bool = False,
    ) -> None:
        if renewal not in ("refresh_token", "client_credentials"):
            raise ValueError(f"unknown renewal {renewal!r}")
        self._oidc = oidc
        self._renewal: Renewal = renewal
        self._tokens = tokens
        self._on_refresh = on_refresh
        self._skew = max(0.0, skew)
        self._clock = clock
        self._static = static
        self.source = source
        """Where the token came from, for messages and ``login status`` (``CARTES_TOKEN``…)."""
        self._lock = threading.Lock()
        self._coordinate = coordinate
        """A lock shared with the other processes on this login (``cartes_cli.locks.login_lock``)."""
        self._reload = reload
        """The login as stored now (another process may have renewed it, and rotated its refresh token)."""
        self._oidc_factory = oidc_factory
        """Makes ``oidc`` on first need, when it was not given: a command served by its cached access
        token then builds no login-server client (nor reads the secret it may need)."""
        self._refresh_in_store = refresh_in_store
        """The refresh token was left in the credential store (``tokens`` has the cached access token
        only): ``reload`` reads it when a renewal is due, under ``coordinate``. A keyring is then
        not touched by a command that its cached access token serves."""
        self.refresh_count = 0
        """Calls made to the token endpoint (tests assert single flight with it)."""
        self.persist_error: BaseException | None = None

    @classmethod
    def static(cls, token: str | SecretLike, *, source: str = "CARTES_TOKEN") -> TokenManager:
        """A ready bearer token that is never refreshed: a 401 surfaces as ``AuthRequired``."""
        raw = reveal(token) or ""
        raw = raw.strip()
        if raw.lower().startswith("bearer "):
            raw = raw[len("bearer ") :].strip()
        return cls(None, TokenSet.from_access_token(raw), static=True, source=source)

    @classmethod
    def for_client_credentials(
        cls,
        oidc: OIDCClient,
        *,
        tokens: TokenSet | None = None,
        on_refresh: Callable[[TokenSet], None] | None = None,
        skew: float = 30.0,
        clock: Callable[[], float] = time.time,
        source: str = "client_credentials",
    ) -> TokenManager:
        """A service account: the client_credentials grant runs on first use and again whenever the
        access token nears expiry or is refused (single flight, like refreshes). ``tokens`` may be
        a cached access token (``TokenSet.from_cache``) to start from."""
        return cls(
            oidc,
            tokens or TokenSet.empty(),
            on_refresh=on_refresh,
            skew=skew,
            clock=clock,
            source=source,
            renewal="client_credentials",
        )

    # --- state --------------------------------------------------------------------------------

    @property
    def tokens(self) -> TokenSet:
        """The current token set (read-only snapshot)."""
        return self._tokens

    @property
    def is_static(self) -> bool:
        return self._static

    @property
    def renewal(self) -> Renewal:
        return self._renewal

    @property
    def can_refresh(self) -> bool:
        if self._static or (self._oidc is None and self._oidc_factory is None):
            return False
        if self._renewal == "client_credentials":
            return self._client().has_client_secret
        if self._tokens.can_refresh:
            return True
        return self._refresh_in_store and self._reload is not None and self._coordinate is not None

    def _client(self) -> OIDCClient:
        if self._oidc is None:
            assert self._oidc_factory is not None
            self._oidc = self._oidc_factory()
        return self._oidc

    def _margin(self, tokens: TokenSet) -> float:
        lifetime = tokens.lifetime
        if lifetime is None or not math.isfinite(lifetime):
            return self._skew
        return min(self._skew, lifetime / 2)

    def _needs_refresh(self, tokens: TokenSet) -> bool:
        return tokens.expires_within(self._margin(tokens), self._clock())

    # --- public -------------------------------------------------------------------------------

    def access_token(self) -> str:
        """A usable access token, refreshed first if it expires within the margin."""
        tokens = self._tokens
        if self._static or not self._needs_refresh(tokens):
            return self._value(tokens)
        with self._lock:
            tokens = self._tokens
            if self._needs_refresh(tokens):
                if self.can_refresh:
                    tokens = self._refresh_locked()
                elif tokens.is_expired(self._clock()):
                    raise self._cannot_refresh()
                # Expiring soon but not refreshable: use it while it lasts.
            return self._value(tokens)

    def refresh_after_401(self, stale_access_token: str) -> str | None:
        """After a 401 with ``stale_access_token``: a newer token, or None when there is none.

        Refreshes only if the current token is still the stale one; if another thread already
        refreshed, returns that newer token without a second call.
        """
        if self._static:
            return None
        with self._lock:
            current = self._tokens.access_token.get_secret_value()
            if current and current != stale_access_token:
                return current
            if not self.can_refresh:
                return None
            return self._value(self._refresh_locked())

    def refresh(self) -> TokenSet:
        """Renew now, whatever the expiry (``cartes login refresh``)."""
        with self._lock:
            if not self.can_refresh:
                raise self._cannot_refresh()
            return self._refresh_locked(force=True)

    # --- internals ----------------------------------------------------------------------------

    def _value(self, tokens: TokenSet) -> str:
        value = tokens.access_token.get_secret_value()
        if not value:
            raise self._cannot_refresh()
        return value

    def _cannot_refresh(self) -> AuthRequired:
        if self._static:
            return AuthRequired(
                _(
                    "The access token given in {source} was refused or has expired, and cartes cannot "
                    "renew it; provide a fresh one."
                ).format(source=self.source or _("the environment"))
            )
        if self._renewal == "client_credentials":
            return AuthRequired(
                _(
                    "The service-account token has expired and cannot be renewed without the client "
                    "secret; set CARTES_CLIENT_SECRET or log in again."
                )
            )
        return AuthRequired(_("Your session has expired; log in again."))

    def _refresh_locked(self, *, force: bool = False) -> TokenSet:
        """Renew, in a single flight across threads (the caller holds ``_lock``) and, with
        ``coordinate``, across processes: under that lock the stored login is read again; if another
        process renewed it meanwhile, its tokens are used instead of a second refresh (which
        would reuse a rotated refresh token and end the session)."""
        if self._coordinate is None or self._renewal != "refresh_token":
            return self._renew()
        stale = self._tokens.access_token.get_secret_value()
        with self._coordinate():
            fresh = self._reload() if self._reload is not None else None
            if fresh is not None:
                current = fresh.access_token.get_secret_value()
                # Renewed by another process a moment ago: usable, even within the margin.
                if (
                    not force
                    and current
                    and current != stale
                    and not fresh.expires_within(1.0, self._clock())
                ):
                    self._tokens = fresh.with_refresh_fallback(self._tokens)
                    return self._tokens
                if fresh.refresh_token is not None:
                    self._tokens = fresh  # the newest refresh token, whoever stored it
            return self._renew()

    def _renew(self) -> TokenSet:
        oidc = self._client()
        if self._renewal == "client_credentials":
            self.refresh_count += 1
            new = oidc.client_credentials()
        else:
            refresh_token = self._tokens.refresh_token
            if refresh_token is None or not refresh_token.get_secret_value():
                raise self._cannot_refresh()  # the stored login is gone (logged out elsewhere)
            self.refresh_count += 1
            new = oidc.refresh(refresh_token.get_secret_value()).with_refresh_fallback(self._tokens)
        self._tokens = new
        if self._on_refresh is not None:
            try:
                self._on_refresh(new)
            except Exception as exc:
                self.persist_error = exc
            else:
                self.persist_error = None
        return new

    def __repr__(self) -> str:
        kind = "static" if self._static else self._renewal
        return f"TokenManager({kind}, expires_at={self._tokens.expires_at!r}, refreshes={self.refresh_count})"
