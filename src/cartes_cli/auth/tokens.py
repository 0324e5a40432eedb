"""Tokens from the login server, kept as ``Secret`` (cartes_cli.secret): no repr, log or error shows them."""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass, field, replace
from typing import Any

from cartes_cli.errors import InvalidResponse
from cartes_cli.i18n import _
from cartes_cli.secret import Secret, SecretLike, reveal

__all__ = ["DEFAULT_EXPIRES_IN", "TokenSet", "jwt_claims"]

DEFAULT_EXPIRES_IN = 300.0
"""Assumed lifetime when the server gives neither ``expires_in`` nor a JWT ``exp`` (Keycloak's default)."""
CLOCK_AGREEMENT = 2.0
"""Seconds within which a token's ``iat`` must be of this clock for its ``exp`` to be trusted as is."""


def jwt_claims(token: str | SecretLike | None) -> dict[str, Any]:
    """The payload of a JWT, decoded WITHOUT verifying anything: for display only (who, until when).

    Garbage, opaque tokens and encrypted (5-part) tokens give ``{}``.
    """
    if token is None:
        return {}
    raw = reveal(token) or ""
    parts = raw.strip().split(".")
    if len(parts) != 3:
        return {}
    payload = parts[1]
    try:
        decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        data = json.loads(decoded)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _secret(value: Any) -> Secret | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidResponse(_("The login server sent a token that is not a string."))
    return Secret(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


@dataclass(frozen=True, kw_only=True)
class TokenSet:
    """An access token and what comes with it. Times are epoch seconds."""

    access_token: Secret
    expires_at: float
    refresh_token: Secret | None = None
    refresh_expires_at: float | None = None
    """None: no known expiry (Keycloak sends ``refresh_expires_in: 0`` for offline tokens)."""
    id_token: Secret | None = None
    scope: str | None = None
    token_type: str = "Bearer"  # noqa: S105 - a scheme name, not a secret
    issued_at: float | None = field(default=None, compare=False)
    """When the token was obtained (to bound the refresh margin of short-lived tokens)."""

    @classmethod
    def from_response(cls, body: Any, now: float) -> TokenSet:
        """Build from a token endpoint's JSON answer (Keycloak shape), received at ``now``."""
        if not isinstance(body, dict):
            raise InvalidResponse(_("The login server's answer is not a JSON object."))
        access = body.get("access_token")
        if not isinstance(access, str) or not access:
            raise InvalidResponse(_("The login server's answer has no access token."))
        expires_in = _number(body.get("expires_in"))
        if expires_in is None or expires_in <= 0:
            exp = _number(jwt_claims(access).get("exp"))
            expires_at = exp if exp is not None else now + DEFAULT_EXPIRES_IN
        else:
            expires_at = now + expires_in
            # Keycloak counts in whole seconds: a token issued at 10.9 with a 2 s lifespan expires
            # at 12, not at 12.9, so "now + expires_in" can be up to a second late, which is half
            # the life of a 2 s token. When this clock agrees with the server's (the token's iat
            # is within a second or two of now), the token's own exp is exact: trust the earlier.
            claims = jwt_claims(access)
            exp, iat = _number(claims.get("exp")), _number(claims.get("iat"))
            if exp is not None and iat is not None and 0 <= now - iat < CLOCK_AGREEMENT:
                expires_at = min(expires_at, exp)
        refresh_in = _number(body.get("refresh_expires_in"))
        token_type = body.get("token_type")
        scope = body.get("scope")
        return cls(
            access_token=Secret(access),
            expires_at=expires_at,
            refresh_token=_secret(body.get("refresh_token")),
            refresh_expires_at=now + refresh_in if refresh_in is not None and refresh_in > 0 else None,
            id_token=_secret(body.get("id_token")),
            scope=scope if isinstance(scope, str) else None,
            token_type=token_type if isinstance(token_type, str) and token_type else "Bearer",
            issued_at=now,
        )

    @classmethod
    def from_refresh_token(cls, refresh_token: str, *, refresh_expires_at: float | None = None) -> TokenSet:
        """A set holding only a stored refresh token: the first use refreshes it."""
        return cls(
            access_token=Secret(""),
            expires_at=0.0,
            refresh_token=Secret(refresh_token),
            refresh_expires_at=refresh_expires_at,
        )

    @classmethod
    def from_cache(
        cls,
        access_token: str,
        expires_at: float,
        *,
        refresh_token: str | None = None,
        refresh_expires_at: float | None = None,
    ) -> TokenSet:
        """A cached access token (with its expiry) and, usually, the stored refresh token: used as
        is until it nears expiry, then refreshed. ``issued_at`` comes from the JWT's ``iat`` when
        there is one, so a short-lived token keeps its proportional refresh margin."""
        iat = _number(jwt_claims(access_token).get("iat"))
        return cls(
            access_token=Secret(access_token),
            expires_at=expires_at,
            refresh_token=Secret(refresh_token) if refresh_token else None,
            refresh_expires_at=refresh_expires_at,
            issued_at=iat if iat is not None and iat <= expires_at else None,
        )

    @classmethod
    def empty(cls) -> TokenSet:
        """No token at all: the first use obtains one (service accounts)."""
        return cls(access_token=Secret(""), expires_at=0.0)

    @classmethod
    def from_access_token(cls, access_token: str) -> TokenSet:
        """A ready bearer token (``CARTES_TOKEN``); its expiry is read from the JWT when there is one."""
        exp = _number(jwt_claims(access_token).get("exp"))
        return cls(access_token=Secret(access_token), expires_at=exp if exp is not None else math.inf)

    # --- questions ----------------------------------------------------------------------------

    @property
    def has_access_token(self) -> bool:
        return bool(self.access_token.get_secret_value())

    @property
    def can_refresh(self) -> bool:
        return self.refresh_token is not None and bool(self.refresh_token.get_secret_value())

    def expires_within(self, seconds: float, now: float) -> bool:
        """True when the access token is missing, expired, or expires in ``seconds`` or less."""
        return not self.has_access_token or self.expires_at - now <= seconds

    def is_expired(self, now: float) -> bool:
        return self.expires_within(0.0, now)

    def refresh_expired(self, now: float) -> bool:
        return self.refresh_expires_at is not None and self.refresh_expires_at <= now

    @property
    def lifetime(self) -> float | None:
        """Seconds between issue and expiry, when known."""
        if self.issued_at is None or not math.isfinite(self.expires_at):
            return None
        return max(0.0, self.expires_at - self.issued_at)

    @property
    def claims(self) -> dict[str, Any]:
        """The access token's claims, unverified (display only)."""
        return jwt_claims(self.access_token)

    @property
    def username(self) -> str | None:
        """``preferred_username`` from the access token (or the id token), unverified."""
        for source in (self.claims, jwt_claims(self.id_token)):
            value = source.get("preferred_username") or source.get("email")
            if isinstance(value, str) and value:
                return value
        return None

    @property
    def email(self) -> str | None:
        for source in (self.claims, jwt_claims(self.id_token)):
            value = source.get("email")
            if isinstance(value, str) and value:
                return value
        return None

    def with_refresh_fallback(self, previous: TokenSet) -> TokenSet:
        """Keep ``previous``'s refresh token when the server did not rotate it."""
        if self.refresh_token is not None or previous.refresh_token is None:
            return self
        return replace(
            self, refresh_token=previous.refresh_token, refresh_expires_at=previous.refresh_expires_at
        )
