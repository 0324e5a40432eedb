"""The sandbox's storage: one SQLite file, a versioned schema, one repository per aggregate.

``Store`` only groups the repositories over one ``Database`` (connection, migrations,
transactions): ``store.users.get(id)``, ``store.requests.transition(…)``. A state transition that
spans several repositories runs inside ``store.transaction()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cartes_cli.sandbox.store.clients import ClientRepository
from cartes_cli.sandbox.store.communities import CommunityRepository
from cartes_cli.sandbox.store.database import Database
from cartes_cli.sandbox.store.datastores import DatastoreRepository
from cartes_cli.sandbox.store.meta import MetaRepository
from cartes_cli.sandbox.store.outbox import OutboxRepository
from cartes_cli.sandbox.store.requests import RequestRepository
from cartes_cli.sandbox.store.sessions import SessionRepository
from cartes_cli.sandbox.store.users import UserRepository

__all__ = ["Store"]


class Store:
    """The repositories of one sandbox database. Not thread-safe: use it from one thread at a time."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.meta = MetaRepository(db)
        self.users = UserRepository(db)
        self.clients = ClientRepository(db)
        self.communities = CommunityRepository(db)
        self.datastores = DatastoreRepository(db)
        self.sessions = SessionRepository(db)
        self.requests = RequestRepository(db)
        self.outbox = OutboxRepository(db)

    @classmethod
    def open(cls, path: Path | str) -> Store:
        """Open (creating if needed) and migrate the database at ``path`` (``":memory:"`` works)."""
        return cls(Database.open(path))

    @property
    def path(self) -> str:
        return self.db.path

    @property
    def schema_version(self) -> int:
        return self.db.schema_version

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes, across repositories; nested use joins the outer transaction."""
        with self.db.transaction():
            yield

    def close(self) -> None:
        self.db.close()
