"""``OutboxRepository``: the e-mails the sandbox would have sent."""

from __future__ import annotations

from typing import Any

from cartes_cli.sandbox.store.database import Repository
from cartes_cli.sandbox.store.records import Mail


class OutboxRepository(Repository):
    """The e-mails the sandbox would have sent."""

    def add(self, mail: Mail) -> None:
        self._exec(
            "INSERT INTO outbox (id, to_addr, subject, body, related, created) VALUES (?, ?, ?, ?, ?, ?)",
            (mail.id, mail.to, mail.subject, mail.body, mail.related, mail.created),
        )

    def mails(self, *, limit: int, to: str | None = None, related: str | None = None) -> list[Mail]:
        """The most recent ``limit`` e-mails matching the filters, oldest first."""
        clauses: list[str] = []
        params: list[Any] = []
        if to:
            clauses.append("to_addr = ? COLLATE NOCASE")
            params.append(to)
        if related:
            clauses.append("related = ?")
            params.append(related)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._all(
            f"SELECT * FROM (SELECT * FROM outbox {where} ORDER BY seq DESC LIMIT ?) ORDER BY seq",  # noqa: S608
            [*params, limit],
        )
        return [
            Mail(
                id=r["id"],
                to=r["to_addr"],
                subject=r["subject"],
                body=r["body"],
                related=r["related"],
                created=r["created"],
                seq=r["seq"],
            )
            for r in rows
        ]

    def clear(self) -> int:
        return self._exec("DELETE FROM outbox")
