"""``SessionRepository``: login sessions, refresh tokens and revoked access tokens."""

from __future__ import annotations

from cartes_cli.sandbox.store.database import Repository
from cartes_cli.sandbox.store.records import RefreshRecord, Session


class SessionRepository(Repository):
    """Login sessions, refresh tokens and revoked access tokens."""

    def create(self, *, id: str, user_id: str, client_id: str, created: float, expires: float) -> None:
        self._exec(
            "INSERT INTO sessions (id, user_id, client_id, created, expires) VALUES (?, ?, ?, ?, ?)",
            (id, user_id, client_id, created, expires),
        )

    def get(self, session_id: str) -> Session | None:
        row = self._one("SELECT * FROM sessions WHERE id = ?", (session_id,))
        return None if row is None else Session.from_row(row)

    def touch(self, session_id: str, when: float) -> None:
        self._exec("UPDATE sessions SET last_refresh = ? WHERE id = ?", (when, session_id))

    def end(self, session_id: str, *, when: float, reason: str) -> bool:
        """End an active session; False if it was already over (or unknown)."""
        return (
            self._exec(
                "UPDATE sessions SET ended = ?, end_reason = ? WHERE id = ? AND ended IS NULL",
                (when, reason, session_id),
            )
            > 0
        )

    def active_count(self, now: float) -> int:
        row = self._one("SELECT count(*) FROM sessions WHERE ended IS NULL AND expires > ?", (now,))
        return int(row[0]) if row else 0

    def add_refresh_token(self, *, jti: str, session_id: str, issued: float, expires: float) -> None:
        self._exec(
            "INSERT INTO refresh_tokens (jti, session_id, issued, expires) VALUES (?, ?, ?, ?)",
            (jti, session_id, issued, expires),
        )

    def refresh_token(self, jti: str) -> RefreshRecord | None:
        row = self._one("SELECT * FROM refresh_tokens WHERE jti = ?", (jti,))
        if row is None:
            return None
        return RefreshRecord(
            jti=row["jti"],
            session_id=row["session_id"],
            issued=row["issued"],
            expires=row["expires"],
            used=row["used"],
        )

    def use_refresh_token(self, jti: str, when: float) -> bool:
        """Mark a refresh token used; False if it already was."""
        return (
            self._exec("UPDATE refresh_tokens SET used = ? WHERE jti = ? AND used IS NULL", (when, jti)) > 0
        )

    def revoke_access_token(self, jti: str, expires: float) -> None:
        self._exec("INSERT OR IGNORE INTO revoked_tokens (jti, expires) VALUES (?, ?)", (jti, expires))

    def is_access_token_revoked(self, jti: str) -> bool:
        return self._one("SELECT 1 FROM revoked_tokens WHERE jti = ?", (jti,)) is not None

    def purge_expired(self, now: float, *, grace: float = 86400.0) -> None:
        """Forget tokens and sessions that ended more than ``grace`` seconds ago."""
        cutoff = now - grace
        with self.transaction():
            self._exec("DELETE FROM revoked_tokens WHERE expires < ?", (cutoff,))
            self._exec(
                "DELETE FROM sessions WHERE expires < ? OR (ended IS NOT NULL AND ended < ?)",
                (cutoff, cutoff),
            )
            self._exec("DELETE FROM refresh_tokens WHERE expires < ?", (cutoff,))
