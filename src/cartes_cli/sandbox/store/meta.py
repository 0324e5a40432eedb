"""``MetaRepository``: the realm's key/value settings and database-wide questions (empty? counts)."""

from __future__ import annotations

from cartes_cli.sandbox.store.database import Repository


class MetaRepository(Repository):
    """The realm's key/value settings (``meta``) and the database-wide questions (empty? how many rows?)."""

    def get(self, key: str) -> str | None:
        row = self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row["value"])

    def set(self, key: str, value: str) -> None:
        self._exec(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def is_empty(self) -> bool:
        """No user and no community: nothing but the realm's configuration."""
        return (
            self._one("SELECT 1 FROM users LIMIT 1") is None
            and self._one("SELECT 1 FROM communities LIMIT 1") is None
        )

    def counts(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for table in (
            "users",
            "communities",
            "memberships",
            "datastores",
            "sessions",
            "requests",
            "outbox",
            "federated_identities",
            "email_verifications",
        ):
            row = self._one(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
            result[table] = int(row[0]) if row else 0
        return result
