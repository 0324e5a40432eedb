"""A cache of access tokens between runs, so that a CLI invocation does not pay one token round trip.

One file per login (profile + account + login server + client), in a 0700 directory, mode 0600,
holding ONLY the access token and its expiry: never the refresh token, which stays in the
credential store. Files are written atomically (temporary file + rename) and named by a hash of
the key, so no profile or account name ever reaches a path. A file that is expired, damaged,
readable by others or owned by someone else is ignored (a damaged or unsafe one is removed when
the directory lets us).

The cache is an optimisation: reading or writing it never raises (a read-only home directory
costs a token round trip, not a failure). Standard library only.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from cartes_cli.paths import write_private_atomically

if TYPE_CHECKING:
    from cartes_cli.auth.tokens import TokenSet
    from cartes_cli.secret import SecretLike

__all__ = ["DEFAULT_MIN_TTL", "AccessTokenCache", "cache_key"]

DEFAULT_MIN_TTL = 10.0
"""A cached token with less than this many seconds left is not worth loading."""
_VERSION = 1


def cache_key(profile: str, account: str, *, issuer: str = "", client_id: str = "") -> str:
    """The cache key of a login. Include the issuer and client id: a profile switched to another
    platform must not pick up a token from the previous one."""
    parts = [profile.strip(), account.strip()]
    if not all(parts):
        raise ValueError("profile and account must both be non-empty")
    return "\n".join([*parts, issuer.strip().rstrip("/"), client_id.strip()])


class AccessTokenCache:
    """``load(key) -> (token, expires_at) | None``, ``save(key, token, expires_at)``, ``delete(key)``.

    ``expires_at`` is epoch seconds. ``min_ttl``: tokens expiring sooner than that are treated as
    absent.
    """

    def __init__(
        self,
        directory: Path | str,
        *,
        clock: Callable[[], float] = time.time,
        min_ttl: float = DEFAULT_MIN_TTL,
    ) -> None:
        self.directory = Path(directory)
        self._clock = clock
        self._min_ttl = max(0.0, min_ttl)

    def __repr__(self) -> str:
        return f"AccessTokenCache({str(self.directory)!r})"

    def path_for(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
        return self.directory / f"{digest}.json"

    # --- reading ------------------------------------------------------------------------------

    def load(self, key: str) -> tuple[str, float] | None:
        """The cached access token and its expiry, or None (absent, expiring, damaged, unsafe)."""
        path = self.path_for(key)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        try:
            with os.fdopen(fd, "r", encoding="utf-8") as handle:
                info = os.fstat(handle.fileno())
                if not self._safe(info):
                    self._discard(path)
                    return None
                data = json.loads(handle.read(64 * 1024))
        except (OSError, ValueError, UnicodeDecodeError):
            self._discard(path)
            return None
        if not isinstance(data, dict) or data.get("v") != _VERSION:
            self._discard(path)
            return None
        token = data.get("access_token")
        expires_at = data.get("expires_at")
        if (
            not isinstance(token, str)
            or not token
            or isinstance(expires_at, bool)
            or not isinstance(expires_at, (int, float))
            or not math.isfinite(expires_at)
        ):
            self._discard(path)
            return None
        if expires_at - self._clock() <= self._min_ttl:
            return None  # left in place: another process may be replacing it right now
        return token, float(expires_at)

    @staticmethod
    def _safe(info: os.stat_result) -> bool:
        if not stat.S_ISREG(info.st_mode):
            return False
        if os.name == "posix":
            if info.st_uid != os.getuid():
                return False
            if info.st_mode & 0o077:
                return False
        return True

    def token_set(self, key: str, *, refresh_token: str | None = None) -> TokenSet:
        """A ``TokenSet`` for ``TokenManager``: the cached access token if still good, plus the
        stored ``refresh_token``; the refresh token alone otherwise."""
        from cartes_cli.auth.tokens import TokenSet

        cached = self.load(key)
        if cached is None:
            if refresh_token:
                return TokenSet.from_refresh_token(refresh_token)
            return TokenSet.empty()
        return TokenSet.from_cache(cached[0], cached[1], refresh_token=refresh_token)

    # --- writing ------------------------------------------------------------------------------

    def save(self, key: str, token: str | SecretLike, expires_at: float) -> bool:
        """Keep ``token`` until ``expires_at``; False if it could not be written (never raises)."""
        raw = token if isinstance(token, str) else token.get_secret_value()
        if not raw or not math.isfinite(expires_at):
            return False
        record = {"v": _VERSION, "access_token": raw, "expires_at": expires_at}
        try:
            write_private_atomically(self.path_for(key), json.dumps(record).encode("utf-8"))
        except OSError:
            return False
        return True

    def save_tokens(self, key: str, tokens: TokenSet) -> bool:
        """``save`` the access token of a ``TokenSet`` (as ``TokenManager.on_refresh`` sees it)."""
        return self.save(key, tokens.access_token, tokens.expires_at)

    def delete(self, key: str) -> bool:
        """Forget the token of ``key`` (logout). True if a file was removed."""
        return self._discard(self.path_for(key))

    def clear(self) -> int:
        """Forget every cached token (``logout --all``); the number of files removed."""
        removed = 0
        try:
            entries = list(self.directory.iterdir())
        except OSError:
            return 0
        for entry in entries:
            if entry.suffix in (".json", ".tmp") and self._discard(entry):
                removed += 1
        return removed

    @staticmethod
    def _discard(path: Path) -> bool:
        try:
            path.unlink()
        except OSError:
            return False
        return True
