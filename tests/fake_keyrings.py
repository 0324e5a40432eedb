"""Keyring backends that misbehave, for tests run in a subprocess through PYTHON_KEYRING_BACKEND.

``PYTHONPATH=<repo root> PYTHON_KEYRING_BACKEND=tests.fake_keyrings.Hanging cartes login …``
"""

from __future__ import annotations

import threading

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked


class Hanging(KeyringBackend):
    """A Secret Service that never answers (a locked keyring whose unlock prompt nobody sees)."""

    priority = 10  # type: ignore[assignment]

    def _hang(self) -> None:
        threading.Event().wait(600)

    def get_password(self, service: str, username: str) -> str | None:
        self._hang()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._hang()

    def delete_password(self, service: str, username: str) -> None:
        self._hang()


class Locked(KeyringBackend):
    """A keyring that refuses every call because it is locked."""

    priority = 10  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("the collection is locked")


class Tripwire(KeyringBackend):
    """Records any use in the file named by CARTES_TEST_TRIPWIRE, then refuses it.

    Proves that a command did not touch the keyring at all.
    """

    priority = 10  # type: ignore[assignment]

    def _trip(self, what: str) -> None:
        import os

        path = os.environ.get("CARTES_TEST_TRIPWIRE")
        if path:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(what + "\n")
        raise KeyringLocked("tripwire")

    def get_password(self, service: str, username: str) -> str | None:
        self._trip("get")
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._trip("set")

    def delete_password(self, service: str, username: str) -> None:
        self._trip("delete")
