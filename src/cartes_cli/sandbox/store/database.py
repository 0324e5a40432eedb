"""The sandbox's SQLite connection: opening, migrating, transactions, and the repositories' base.

One connection serves the whole server. It is used from the event loop only (every operation is
sub-millisecond), which also makes each state transition atomic: no other request runs between
two statements of a handler that does not ``await`` in between.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from cartes_cli.sandbox.store.migrations import MIGRATIONS, SCHEMA_VERSION, SchemaError
from cartes_cli.textsearch import fold

_COUNTS_KEPT = 64
"""Counts kept at most by :meth:`Database.count` (one per listing being read, so a few)."""


class Database:
    """The connection to one sandbox database. Not thread-safe: use it from one thread at a time."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._counts: dict[tuple[str, tuple[Any, ...]], int] = {}
        self._counts_version: tuple[int, int] | None = None

    @classmethod
    def open(cls, path: Path | str) -> Database:
        """Open (creating if needed) and migrate the database at ``path`` (``":memory:"`` works)."""
        target = str(path)
        if target != ":memory:" and not os.path.exists(target):
            # Password hashes live here: private from the start (SQLite gives its -wal and
            # -shm files the same mode).
            os.close(os.open(target, os.O_RDWR | os.O_CREAT, 0o600))
        # check_same_thread=False: test clients drive the app from another thread; the server
        # itself only ever uses the connection from its event loop.
        conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False, timeout=5.0)
        conn.row_factory = sqlite3.Row
        try:
            conn.create_function("fold", 1, fold, deterministic=True)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 5000")
            if target != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            db = cls(conn, target)
            db.migrate()
        except BaseException:
            conn.close()
            raise
        return db

    def close(self) -> None:
        self.conn.close()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        current = self.schema_version
        if current > SCHEMA_VERSION:
            raise SchemaError(
                f"The sandbox database {self.path} has schema version {current}; this cartes only "
                f"knows up to {SCHEMA_VERSION}. Upgrade cartes or use another --data directory."
            )
        for version in range(current, SCHEMA_VERSION):
            script = MIGRATIONS[version]
            try:
                self.conn.executescript(
                    f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {version + 1};\nCOMMIT;"
                )
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes; nested use joins the outer transaction."""
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
        return row

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return list(self.conn.execute(sql, params).fetchall())

    def exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.conn.execute(sql, params).rowcount

    def count(self, sql: str, params: Sequence[Any] = ()) -> int:
        """The number a ``SELECT count(*) …`` gives, kept until the database next changes.

        Every page of a long listing gives its total, so asks the same count again (a listing of
        requests as of its snapshot, a community's members): with no write in between, the answer
        is the same, and counting 10,000 index entries again cost about 1 ms a page. Any change
        forgets every kept count: a row written by this connection (``total_changes`` counts the
        rows of every statement, rolled back or not, with those of triggers and cascades), or a
        commit by another one (``PRAGMA data_version``). Inside a transaction nothing is kept: a
        count that sees its writes would outlive their rollback.
        """
        if self.conn.in_transaction:
            row = self.conn.execute(sql, params).fetchone()
            return int(row[0]) if row else 0
        version = (self.conn.total_changes, int(self.conn.execute("PRAGMA data_version").fetchone()[0]))
        if version != self._counts_version or len(self._counts) >= _COUNTS_KEPT:
            self._counts.clear()
            self._counts_version = version
        key = (sql, tuple(params))
        found = self._counts.get(key)
        if found is None:
            row = self.conn.execute(sql, params).fetchone()
            found = self._counts[key] = int(row[0]) if row else 0
        return found


class Repository:
    """The base of the repositories: SQL helpers over the shared Database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def _conn(self) -> sqlite3.Connection:
        return self._db.conn

    def transaction(self) -> AbstractContextManager[None]:
        return self._db.transaction()

    def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        return self._db.one(sql, params)

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self._db.all(sql, params)

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._db.exec(sql, params)

    def _count(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._db.count(sql, params)
