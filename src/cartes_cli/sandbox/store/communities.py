"""``CommunityRepository``: communities (with their organizations), their members and their join forms."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cartes_cli.sandbox.store.database import Repository
from cartes_cli.sandbox.store.records import (
    RIGHTS,
    Community,
    Member,
    Membership,
    UserRef,
    canonical_rights,
    json_column,
    rights_column,
)
from cartes_cli.textsearch import fold

_COMMUNITY_SELECT = """
SELECT c.*, o.name AS organization_name, d.id AS datastore_id
FROM communities c
LEFT JOIN organizations o ON o.id = c.organization_id
LEFT JOIN datastores d ON d.community_id = c.id
"""


class CommunityRepository(Repository):
    """Communities (with their organizations), their members and their join forms."""

    def insert_organization(self, id: str, name: str, created: str) -> None:
        self._exec("INSERT INTO organizations (id, name, created) VALUES (?, ?, ?)", (id, name, created))

    def insert(
        self,
        *,
        id: str,
        name: str,
        technical_name: str,
        supervisor_id: str,
        created: str,
        description: str = "",
        contact: str = "",
        public: bool = False,
        organization_id: str | None = None,
        updated: str | None = None,
    ) -> None:
        """Insert a community and make its supervisor a member with every right."""
        with self.transaction():
            self._exec(
                """INSERT INTO communities (id, name, technical_name, description, contact, public,
                       organization_id, supervisor_id, sort_key, created, updated)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    id,
                    name,
                    technical_name,
                    description,
                    contact,
                    int(public),
                    organization_id,
                    supervisor_id,
                    fold(name),
                    created,
                    updated or created,
                ),
            )
            self.put_membership(id, supervisor_id, RIGHTS, created)

    def get(self, community_id: str) -> Community | None:
        row = self._one(_COMMUNITY_SELECT + " WHERE c.id = ?", (community_id,))
        return None if row is None else Community.from_row(row)

    def public(self, *, offset: int, limit: int, search: str | None = None) -> tuple[list[Community], int]:
        """One page of the public catalogue, sorted by name (accents and case ignored)."""
        where = "WHERE c.public = 1"
        params: list[Any] = []
        if search:
            where += " AND (instr(c.sort_key, ?) > 0 OR instr(lower(c.technical_name), ?) > 0)"
            params += [fold(search), search.lower()]
        total = self._count(f"SELECT count(*) FROM communities c {where}", params)  # noqa: S608
        # The page's rows are picked in the covering index (communities_catalogue), then joined:
        # OFFSET steps over index entries, not over rows and their joins.
        order = "ORDER BY c.sort_key, c.technical_name"
        page = f"SELECT c.rowid FROM communities c {where} {order} LIMIT ? OFFSET ?"  # noqa: S608
        rows = self._all(f"{_COMMUNITY_SELECT} WHERE c.rowid IN ({page}) {order}", [*params, limit, offset])
        return [Community.from_row(r) for r in rows], total

    def put_membership(self, community_id: str, user_id: str, rights: Sequence[str], when: str) -> None:
        """Add a member or replace their rights (``PUT /communities/{c}/users/{u}``). A new
        membership takes its user's sort keys by a trigger (migration 8), as every insert does."""
        self._exec(
            """INSERT INTO memberships (community_id, user_id, rights, created, updated)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (community_id, user_id)
               DO UPDATE SET rights = excluded.rights, updated = excluded.updated""",
            (community_id, user_id, json.dumps(canonical_rights(rights)), when, when),
        )

    def membership(self, community_id: str, user_id: str) -> Membership | None:
        row = self._one(
            "SELECT * FROM memberships WHERE community_id = ? AND user_id = ?", (community_id, user_id)
        )
        return None if row is None else Membership.from_row(row)

    def memberships_of(self, user_id: str) -> list[tuple[Membership, Community]]:
        """The user's communities, sorted by name."""
        rows = self._all(
            """SELECT m.community_id AS m_community_id, m.user_id AS m_user_id, m.rights AS m_rights,
                      m.created AS m_created, m.updated AS m_updated, c.*,
                      o.name AS organization_name, d.id AS datastore_id
               FROM memberships m
               JOIN communities c ON c.id = m.community_id
               LEFT JOIN organizations o ON o.id = c.organization_id
               LEFT JOIN datastores d ON d.community_id = c.id
               WHERE m.user_id = ?
               ORDER BY c.sort_key, c.technical_name""",
            (user_id,),
        )
        return [
            (
                Membership(
                    community_id=r["m_community_id"],
                    user_id=r["m_user_id"],
                    rights=rights_column(r["m_rights"]) or (),
                    created=r["m_created"],
                    updated=r["m_updated"],
                ),
                Community.from_row(r),
            )
            for r in rows
        ]

    def by_technical_name(self, technical_name: str) -> Community | None:
        row = self._one(_COMMUNITY_SELECT + " WHERE c.technical_name = ?", (technical_name,))
        return None if row is None else Community.from_row(row)

    def technical_name_taken(self, technical_name: str) -> bool:
        """Used by a community, or claimed by a pending datastore request (case-insensitive)."""
        return (
            self._one("SELECT 1 FROM communities WHERE technical_name = ?", (technical_name,)) is not None
            or self._one(
                "SELECT 1 FROM requests WHERE type = 'datastore' AND status = 'pending' "
                "AND technical_name = ? COLLATE NOCASE",
                (technical_name,),
            )
            is not None
        )

    def update(self, community_id: str, changes: dict[str, Any], when: str) -> None:
        """Apply ``changes`` (name, description, contact, public, supervisor_id) to a community."""
        allowed = ("name", "description", "contact", "public", "supervisor_id")
        columns = {k: v for k, v in changes.items() if k in allowed}
        if "name" in columns:
            columns["sort_key"] = fold(str(columns["name"]))
        if "public" in columns:
            columns["public"] = int(bool(columns["public"]))
        assignments = ", ".join(f"{name} = ?" for name in columns)
        sets = f"{assignments}, updated = ?" if assignments else "updated = ?"
        self._exec(
            f"UPDATE communities SET {sets} WHERE id = ?",  # noqa: S608 - fixed column names
            [*columns.values(), when, community_id],
        )

    def members(
        self, community_id: str, *, offset: int, limit: int, rights: Sequence[str] = ()
    ) -> tuple[list[Member], int]:
        """One page of a community's members (sorted by last name), optionally holding all ``rights``."""
        where = "WHERE m.community_id = ?"
        params: list[Any] = [community_id]
        for right in rights:
            where += " AND instr(m.rights, ?) > 0"
            params.append(json.dumps(right))
        # Kept for the next pages until a write (Database.count): with the rights, every
        # membership's row is read to count.
        total = self._count(f"SELECT count(*) FROM memberships m {where}", params)  # noqa: S608
        # The page's rows are picked in the index of the listing's order (memberships_order: the
        # users' sort keys copied into memberships, migration 8), then joined to their users:
        # OFFSET steps over index entries, and nothing is sorted but the page.
        order = "ORDER BY m.sort_last, m.sort_first, m.user_id"
        page = f"SELECT m.rowid FROM memberships m {where} {order} LIMIT ? OFFSET ?"  # noqa: S608
        rows = self._all(
            f"""SELECT m.rights, m.created, m.updated, u.id, u.email, u.first_name, u.last_name
                FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.rowid IN ({page}) {order}""",  # noqa: S608 - fixed SQL fragments
            [*params, limit, offset],
        )
        members = [
            Member(
                user=UserRef(r["id"], r["email"], r["first_name"], r["last_name"]),
                rights=rights_column(r["rights"]) or (),
                created=r["created"],
                updated=r["updated"],
            )
            for r in rows
        ]
        return members, total

    def delete_membership(self, community_id: str, user_id: str) -> bool:
        return (
            self._exec(
                "DELETE FROM memberships WHERE community_id = ? AND user_id = ?", (community_id, user_id)
            )
            > 0
        )

    def join_form(self, community_id: str) -> list[dict[str, Any]] | None:
        row = self._one("SELECT fields FROM join_forms WHERE community_id = ?", (community_id,))
        return None if row is None else list(json_column(row["fields"], []))

    def set_join_form(self, community_id: str, fields: Sequence[dict[str, Any]], when: str) -> None:
        self._exec(
            """INSERT INTO join_forms (community_id, fields, updated) VALUES (?, ?, ?)
               ON CONFLICT (community_id)
               DO UPDATE SET fields = excluded.fields, updated = excluded.updated""",
            (community_id, json.dumps(list(fields), ensure_ascii=False), when),
        )

    def insert_fixtures(
        self, rows: Sequence[tuple[str, str, str, str, str]], supervisor_id: str, when: str
    ) -> None:
        """Many public communities at once: ``(id, name, technical_name, description, contact)``."""
        self._conn.executemany(
            """INSERT INTO communities (id, name, technical_name, description, contact, public,
                   supervisor_id, sort_key, created, updated)
               VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?)""",
            [(i, n, t, d, c, supervisor_id, fold(n), when, when) for i, n, t, d, c in rows],
        )
        rights = json.dumps(list(RIGHTS))
        self._conn.executemany(
            "INSERT INTO memberships (community_id, user_id, rights, created, updated) "
            "VALUES (?, ?, ?, ?, ?)",
            [(row[0], supervisor_id, rights, when, when) for row in rows],
        )

    def manages_any(self, user_id: str) -> bool:
        """Holds the COMMUNITY right somewhere."""
        row = self._one(
            "SELECT 1 FROM memberships WHERE user_id = ? AND instr(rights, '\"COMMUNITY\"') > 0 LIMIT 1",
            (user_id,),
        )
        return row is not None
