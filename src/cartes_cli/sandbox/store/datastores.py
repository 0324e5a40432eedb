"""``DatastoreRepository``: storages, endpoints and the datastores that use them."""

from __future__ import annotations

import json
from collections.abc import Sequence

from cartes_cli.sandbox.store.database import Repository
from cartes_cli.sandbox.store.records import Datastore, EndpointUse, StorageUse, json_column


class DatastoreRepository(Repository):
    """Storages, endpoints and the datastores that use them."""

    def insert_storage(self, *, id: str, name: str, type: str, labels: Sequence[str] = ()) -> None:
        self._exec(
            "INSERT INTO storages (id, name, type, labels) VALUES (?, ?, ?, ?)",
            (id, name, type, json.dumps(list(labels))),
        )

    def insert_endpoint(
        self,
        *,
        id: str,
        name: str,
        technical_name: str,
        type: str,
        open: bool,
        urls: Sequence[dict[str, str]],
    ) -> None:
        self._exec(
            "INSERT INTO endpoints (id, name, technical_name, type, open, urls) VALUES (?, ?, ?, ?, ?, ?)",
            (id, name, technical_name, type, int(open), json.dumps(list(urls))),
        )

    def insert(
        self,
        *,
        id: str,
        community_id: str,
        name: str,
        technical_name: str,
        created: str,
        uploads_quota: int,
        annexes_quota: int,
        uploads_use: int = 0,
        annexes_use: int = 0,
        active: bool = True,
        updated: str | None = None,
    ) -> None:
        self._exec(
            """INSERT INTO datastores (id, community_id, name, technical_name, active, uploads_use,
                   uploads_quota, annexes_use, annexes_quota, created, updated)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                id,
                community_id,
                name,
                technical_name,
                int(active),
                uploads_use,
                uploads_quota,
                annexes_use,
                annexes_quota,
                created,
                updated or created,
            ),
        )

    def add_storage(self, datastore_id: str, storage_id: str, *, use: int, quota: int) -> None:
        self._exec(
            "INSERT INTO datastore_storages (datastore_id, storage_id, use, quota) VALUES (?, ?, ?, ?)",
            (datastore_id, storage_id, use, quota),
        )

    def add_endpoint(self, datastore_id: str, endpoint_id: str, *, use: int, quota: int) -> None:
        self._exec(
            "INSERT INTO datastore_endpoints (datastore_id, endpoint_id, use, quota) VALUES (?, ?, ?, ?)",
            (datastore_id, endpoint_id, use, quota),
        )

    def first_storage_id(self, storage_type: str) -> str | None:
        row = self._one("SELECT id FROM storages WHERE type = ? ORDER BY name LIMIT 1", (storage_type,))
        return None if row is None else str(row["id"])

    def endpoint_id(self, technical_name: str) -> str | None:
        row = self._one("SELECT id FROM endpoints WHERE technical_name = ?", (technical_name,))
        return None if row is None else str(row["id"])

    def get(self, datastore_id: str) -> Datastore | None:
        row = self._one("SELECT * FROM datastores WHERE id = ?", (datastore_id,))
        if row is None:
            return None
        storages = tuple(
            StorageUse(
                id=r["id"],
                name=r["name"],
                type=r["type"],
                labels=tuple(json_column(r["labels"], [])),
                use=r["use"],
                quota=r["quota"],
            )
            for r in self._all(
                """SELECT s.*, ds.use, ds.quota FROM datastore_storages ds
                   JOIN storages s ON s.id = ds.storage_id
                   WHERE ds.datastore_id = ?
                   ORDER BY CASE s.type WHEN 'POSTGRESQL' THEN 0 WHEN 'S3' THEN 1 ELSE 2 END, s.name""",
                (datastore_id,),
            )
        )
        endpoints = tuple(
            EndpointUse(
                id=r["id"],
                name=r["name"],
                technical_name=r["technical_name"],
                type=r["type"],
                open=bool(r["open"]),
                urls=tuple(json_column(r["urls"], [])),
                use=r["use"],
                quota=r["quota"],
            )
            for r in self._all(
                """SELECT e.*, de.use, de.quota FROM datastore_endpoints de
                   JOIN endpoints e ON e.id = de.endpoint_id
                   WHERE de.datastore_id = ? ORDER BY de.rowid""",
                (datastore_id,),
            )
        )
        return Datastore(
            id=row["id"],
            community_id=row["community_id"],
            name=row["name"],
            technical_name=row["technical_name"],
            active=bool(row["active"]),
            uploads_use=row["uploads_use"],
            uploads_quota=row["uploads_quota"],
            annexes_use=row["annexes_use"],
            annexes_quota=row["annexes_quota"],
            created=row["created"],
            updated=row["updated"],
            storages=storages,
            endpoints=endpoints,
        )
