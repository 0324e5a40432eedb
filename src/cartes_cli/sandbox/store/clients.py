"""``ClientRepository``: the OAuth clients (public and confidential)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from cartes_cli.sandbox.store.database import Repository
from cartes_cli.sandbox.store.records import Client


class ClientRepository(Repository):
    """OAuth clients (public and confidential)."""

    def insert(
        self,
        *,
        client_id: str,
        name: str,
        grant_types: Sequence[str],
        created: str,
        secret_hash: str | None = None,
        redirect_uris: Sequence[str] = (),
        service_account: str | None = None,
        pkce_method: str | None = None,
    ) -> None:
        """A public client (no ``secret_hash``) or a confidential one."""
        self._exec(
            """INSERT INTO clients (client_id, name, public, secret_hash, grant_types, redirect_uris,
                   service_account, pkce_method, created)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                client_id,
                name,
                int(secret_hash is None),
                secret_hash,
                json.dumps(list(grant_types)),
                json.dumps(list(redirect_uris)),
                service_account,
                pkce_method,
                created,
            ),
        )

    def get(self, client_id: str) -> Client | None:
        row = self._one("SELECT * FROM clients WHERE client_id = ?", (client_id,))
        return None if row is None else Client.from_row(row)

    def all(self) -> list[Client]:
        return [Client.from_row(r) for r in self._all("SELECT * FROM clients ORDER BY client_id")]
