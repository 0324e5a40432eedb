"""``UserRepository``: the users, their photos, e-mail verification codes, brokered identities."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cartes_cli.sandbox.store.database import Repository
from cartes_cli.sandbox.store.records import User, Verification
from cartes_cli.textsearch import fold


class UserRepository(Repository):
    """Accounts: the users, their photos, e-mail verification codes and brokered identities."""

    _USER_COLUMNS = frozenset(
        {
            "email",
            "first_name",
            "last_name",
            "password_hash",
            "previous_password_hash",
            "password_changed",
            "email_verified",
            "required_actions",
            "totp_secret",
            "totp_pending",
            "attributes",
        }
    )

    def insert(
        self,
        *,
        id: str,
        username: str,
        email: str,
        first_name: str,
        last_name: str,
        password_hash: str | None,
        created: str,
        enabled: bool = True,
        email_verified: bool = True,
        required_actions: Sequence[str] = (),
        totp_secret: str | None = None,
        administrator: bool = False,
        technical: bool = False,
        documents_quota: int = 1_000_000_000,
        documents_use: int = 0,
        keys_quota: int = 50,
        keys_use: int = 0,
        attributes: dict[str, Any] | None = None,
        updated: str | None = None,
        last_login: str | None = None,
        password_changed: str | None = None,
        entrepot_user: bool = True,
    ) -> None:
        """``password_changed`` None: the password's age is unknown and it never expires.
        ``entrepot_user`` False: the user has never called ``GET /users/me`` (the API does not
        know them yet); otherwise they count as known since ``created``."""
        self._exec(
            """INSERT INTO users (id, username, email, first_name, last_name, sort_first, sort_last,
                   password_hash, enabled, email_verified, required_actions, totp_secret,
                   administrator, technical, documents_quota, documents_use, keys_quota, keys_use,
                   attributes, password_changed, created, updated, last_login, entrepot_since)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                id,
                username,
                email,
                first_name,
                last_name,
                fold(first_name),
                fold(last_name),
                password_hash,
                int(enabled),
                int(email_verified),
                json.dumps(list(required_actions)),
                totp_secret,
                int(administrator),
                int(technical),
                documents_quota,
                documents_use,
                keys_quota,
                keys_use,
                json.dumps(attributes or {}, ensure_ascii=False),
                password_changed,
                created,
                updated or created,
                last_login,
                created if entrepot_user else None,
            ),
        )

    def get(self, user_id: str) -> User | None:
        row = self._one("SELECT * FROM users WHERE id = ?", (user_id,))
        return None if row is None else User.from_row(row)

    def by_login(self, login: str) -> User | None:
        """By username or e-mail, case-insensitively (as Keycloak's direct grant)."""
        row = self._one("SELECT * FROM users WHERE username = ? OR email = ?", (login, login))
        return None if row is None else User.from_row(row)

    def set_entrepot_since(self, user_id: str, when: str) -> None:
        """Record the user's first ``GET /users/me`` (later calls change nothing)."""
        self._exec(
            "UPDATE users SET entrepot_since = ? WHERE id = ? AND entrepot_since IS NULL", (when, user_id)
        )

    def set_last_login(self, user_id: str, when: str) -> None:
        self._exec("UPDATE users SET last_login = ? WHERE id = ?", (when, user_id))

    def by_email(self, email: str) -> User | None:
        row = self._one("SELECT * FROM users WHERE email = ?", (email,))
        return None if row is None else User.from_row(row)

    def update(self, user_id: str, changes: dict[str, Any], when: str) -> None:
        """Set some of the account's columns (``_USER_COLUMNS``) and its ``updated`` date."""
        unknown = set(changes) - self._USER_COLUMNS
        if unknown:
            raise ValueError(f"not updatable: {', '.join(sorted(unknown))}")
        values: dict[str, Any] = dict(changes)
        if "required_actions" in values:
            values["required_actions"] = json.dumps(list(values["required_actions"]))
        if "attributes" in values:
            values["attributes"] = json.dumps(values["attributes"], ensure_ascii=False)
        if "email_verified" in values:
            values["email_verified"] = int(bool(values["email_verified"]))
        for name, key in (("first_name", "sort_first"), ("last_name", "sort_last")):
            if name in values:
                # The members' order follows the name (a trigger copies the keys to the
                # user's memberships, migration 8).
                values[key] = fold(str(values[name]))
        assignments = "".join(f"{name} = ?, " for name in values)
        self._exec(
            f"UPDATE users SET {assignments}updated = ? WHERE id = ?",  # noqa: S608 - fixed column names
            [*values.values(), when, user_id],
        )

    def photo(self, user_id: str) -> str | None:
        row = self._one("SELECT data_url FROM user_photos WHERE user_id = ?", (user_id,))
        return None if row is None else str(row["data_url"])

    def set_photo(self, user_id: str, data_url: str | None, when: str) -> None:
        """Store (or, with None, remove) the account's photo."""
        if data_url is None:
            self._exec("DELETE FROM user_photos WHERE user_id = ?", (user_id,))
            return
        self._exec(
            """INSERT INTO user_photos (user_id, data_url, updated) VALUES (?, ?, ?)
               ON CONFLICT (user_id)
               DO UPDATE SET data_url = excluded.data_url, updated = excluded.updated""",
            (user_id, data_url, when),
        )

    def set_verification(
        self, *, user_id: str, email: str, code_hash: str, created: float, expires: float
    ) -> None:
        """The account's (new) pending code; any previous one stops working."""
        self._exec(
            """INSERT INTO email_verifications (user_id, email, code_hash, created, expires, failures)
               VALUES (?, ?, ?, ?, ?, 0)
               ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, code_hash = excluded.code_hash,
                   created = excluded.created, expires = excluded.expires, failures = 0""",
            (user_id, email, code_hash, created, expires),
        )

    def verification(self, user_id: str) -> Verification | None:
        row = self._one("SELECT * FROM email_verifications WHERE user_id = ?", (user_id,))
        if row is None:
            return None
        return Verification(
            user_id=row["user_id"],
            email=row["email"],
            code_hash=row["code_hash"],
            created=row["created"],
            expires=row["expires"],
            failures=row["failures"],
        )

    def count_verification_failure(self, user_id: str) -> int:
        """One more wrong code; the number of failures so far."""
        self._exec("UPDATE email_verifications SET failures = failures + 1 WHERE user_id = ?", (user_id,))
        found = self.verification(user_id)
        return found.failures if found else 0

    def delete_verification(self, user_id: str) -> None:
        self._exec("DELETE FROM email_verifications WHERE user_id = ?", (user_id,))

    def federated_user(self, provider: str, subject: str) -> str | None:
        """The user linked to ``subject`` at ``provider``, if any."""
        row = self._one(
            "SELECT user_id FROM federated_identities WHERE provider = ? AND subject = ?", (provider, subject)
        )
        return None if row is None else str(row["user_id"])

    def link_identity(self, provider: str, subject: str, user_id: str, when: str) -> None:
        self._exec(
            "INSERT INTO federated_identities (provider, subject, user_id, created) VALUES (?, ?, ?, ?)",
            (provider, subject, user_id, when),
        )

    def username_taken(self, username: str) -> bool:
        return self._one("SELECT 1 FROM users WHERE username = ?", (username,)) is not None

    def email_taken(self, email: str) -> bool:
        return self._one("SELECT 1 FROM users WHERE email = ?", (email,)) is not None

    def insert_fixtures(
        self, rows: Sequence[tuple[str, str, str, str, str, str]], password_hash: str
    ) -> None:
        """Many plain users at once: ``(id, username, email, first_name, last_name, created)``.
        They count as known to the Entrepôt (people who asked to join have used it)."""
        self._conn.executemany(
            """INSERT INTO users (id, username, email, first_name, last_name, sort_first, sort_last,
                   password_hash, created, updated, entrepot_since)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (i, u, e, f, last, fold(f), fold(last), password_hash, when, when, when)
                for i, u, e, f, last, when in rows
            ],
        )
