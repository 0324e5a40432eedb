"""``RequestRepository``: join and datastore requests (creation, pages, pending → decided)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cartes_cli.sandbox.store.database import Repository
from cartes_cli.sandbox.store.records import RequestPage, RequestRecord, canonical_rights

_REQUEST_SELECT = """
SELECT r.*,
       u.id AS u_id, u.email AS u_email, u.first_name AS u_first_name, u.last_name AS u_last_name,
       c.id AS c_id, c.name AS c_name, c.technical_name AS c_technical_name, c.contact AS c_contact,
       c.supervisor_id AS c_supervisor_id,
       d.id AS d_id, d.email AS d_email, d.first_name AS d_first_name, d.last_name AS d_last_name
FROM requests r
JOIN users u ON u.id = r.requester_id
LEFT JOIN communities c ON c.id = r.community_id
LEFT JOIN users d ON d.id = r.decided_by
"""

_REQUEST_SELECT_WITH_SEQ = _REQUEST_SELECT.replace("SELECT r.*,", "SELECT r.rowid AS seq, r.*,", 1)


class RequestRepository(Repository):
    """Join and datastore requests: creation, listing pages, and the pending → decided transition."""

    def insert(
        self,
        *,
        id: str,
        type: str,
        requester_id: str,
        created: str,
        status: str = "pending",
        community_id: str | None = None,
        message: str | None = None,
        answers: dict[str, Any] | None = None,
        name: str | None = None,
        technical_name: str | None = None,
        description: str | None = None,
        offer: str | None = None,
        public: bool | None = None,
        justification: str | None = None,
        rights: Sequence[str] | None = None,
        reason: str | None = None,
        decided_by: str | None = None,
        updated: str | None = None,
    ) -> None:
        """Insert a request; a duplicate pending join or technical name raises sqlite3.IntegrityError."""
        self._exec(
            """INSERT INTO requests (id, type, status, requester_id, community_id, message, answers, name,
                   technical_name, description, offer, public, justification, rights, reason, decided_by,
                   created, updated)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                id,
                type,
                status,
                requester_id,
                community_id,
                message,
                None if answers is None else json.dumps(answers, ensure_ascii=False),
                name,
                technical_name,
                description,
                offer,
                None if public is None else int(public),
                justification,
                None if rights is None else json.dumps(canonical_rights(rights)),
                reason,
                decided_by,
                created,
                updated or created,
            ),
        )

    def insert_pending_joins(self, rows: Sequence[tuple[str, str, str, str | None, str]]) -> None:
        """Many pending join requests at once: ``(id, requester_id, community_id, message, created)``."""
        self._conn.executemany(
            """INSERT INTO requests (id, type, status, requester_id, community_id, message, answers,
                   created, updated)
               VALUES (?, 'join', 'pending', ?, ?, ?, '{}', ?, ?)""",
            [(i, u, c, m, when, when) for i, u, c, m, when in rows],
        )

    def get(self, request_id: str) -> RequestRecord | None:
        row = self._one(_REQUEST_SELECT + " WHERE r.id = ?", (request_id,))
        return None if row is None else RequestRecord.from_row(row)

    def page(
        self,
        *,
        offset: int = 0,
        limit: int,
        after: int | None = None,
        until: int | None = None,
        requester_id: str | None = None,
        community_id: str | None = None,
        managed_by: str | None = None,
        statuses: Sequence[str] = (),
        type: str | None = None,
    ) -> RequestPage:
        """One page of requests, oldest first (``rowid`` order), by offset or by keyset.
        ``managed_by``: only requests to the communities where that user holds the COMMUNITY right.

        ``after``/``until`` bound the sequence numbers (``after < seq <= until``): a listing that
        continues after its last row is not shifted by rows that leave the filter meanwhile (a
        decided request is no longer pending), and rows created after ``until`` stay out of it.
        ``total`` counts the matching rows up to ``until``; ``position`` those at or before
        ``after`` (what came before this page); ``more``: rows follow this page up to ``until``.
        """
        clauses: list[str] = []
        params: list[Any] = []
        if requester_id is not None:
            clauses.append("r.requester_id = ?")
            params.append(requester_id)
        if community_id is not None:
            clauses.append("r.community_id = ?")
            params.append(community_id)
        if managed_by is not None:
            clauses.append(
                "r.community_id IN (SELECT community_id FROM memberships "
                "WHERE user_id = ? AND instr(rights, '\"COMMUNITY\"') > 0)"
            )
            params.append(managed_by)
        if statuses:
            clauses.append(f"r.status IN ({', '.join('?' * len(statuses))})")
            params.extend(statuses)
        if type is not None:
            clauses.append("r.type = ?")
            params.append(type)
        if until is not None:
            clauses.append("r.rowid <= ?")
            params.append(until)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        # Counted in an index when the filter has one (requests_status_seq for a status, the
        # requester's, the community's): a range bounded by the snapshot, no row read; and kept
        # for the next pages of the listing until a write (Database.count). The position is
        # counted only for a keyset page (a page by number starts at its offset), over the rows
        # up to the cursor only.
        total = self._count_requests(where, params)
        position = offset
        if after is not None:
            position = self._count_requests(
                "WHERE " + " AND ".join([*clauses, "r.rowid <= ?"]), [*params, after]
            )
            where = ("WHERE " + " AND ".join([*clauses, "r.rowid > ?"])) if clauses else "WHERE r.rowid > ?"
            params.append(after)
            offset = 0
        # The page's rows are picked by rowid first, then joined: OFFSET steps over rowids, not
        # over rows and their three joins (as the catalogue's pages, see communities.public).
        page = f"SELECT r.rowid FROM requests r {where} ORDER BY r.rowid LIMIT ? OFFSET ?"  # noqa: S608
        rows = self._all(
            f"{_REQUEST_SELECT_WITH_SEQ} WHERE r.rowid IN ({page}) ORDER BY r.rowid",
            [*params, limit + 1, offset],
        )
        more = len(rows) > limit
        rows = rows[:limit]
        return RequestPage(
            records=[RequestRecord.from_row(r) for r in rows],
            seqs=[int(r["seq"]) for r in rows],
            total=total,
            position=position,
            more=more,
        )

    def _count_requests(self, where: str, params: Sequence[Any]) -> int:
        return self._count(f"SELECT count(*) FROM requests r {where}", params)  # noqa: S608 - fixed SQL fragments

    def last_seq(self) -> int:
        """The newest request's sequence number (0 when there is none): the bound of a snapshot."""
        row = self._one("SELECT coalesce(max(rowid), 0) FROM requests")
        return int(row[0]) if row else 0

    def has_pending_join(self, requester_id: str, community_id: str) -> bool:
        return (
            self._one(
                "SELECT 1 FROM requests WHERE type = 'join' AND status = 'pending' "
                "AND requester_id = ? AND community_id = ?",
                (requester_id, community_id),
            )
            is not None
        )

    def transition(
        self,
        request_id: str,
        *,
        to: str,
        when: str,
        decided_by: str | None = None,
        rights: Sequence[str] | None = None,
        reason: str | None = None,
        community_id: str | None = None,
    ) -> bool:
        """Move a *pending* request to ``to``; False if it was not pending any more (nothing changed)."""
        return (
            self._exec(
                """UPDATE requests SET status = ?, updated = ?, decided_by = ?, rights = ?, reason = ?,
                       community_id = coalesce(?, community_id)
                   WHERE id = ? AND status = 'pending'""",
                (
                    to,
                    when,
                    decided_by,
                    None if rights is None else json.dumps(canonical_rights(rights)),
                    reason,
                    community_id,
                    request_id,
                ),
            )
            == 1
        )
