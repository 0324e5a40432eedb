"""Credential stores: a keyring bounded by a time-out and refusing fake keyrings; a private file.

No real Secret Service here (the e2e suite covers it): the keyring backends are fakes, or
keyring's own fail/null backends.
"""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cartes_cli.auth.store import (
    CredentialStore,
    FileStore,
    KeyringStore,
    backend_problem,
    credential_key,
)
from cartes_cli.errors import CredentialStoreError


class MemoryKeyring:
    """A well-behaved backend (duck-typed: subclassing KeyringBackend would register it globally)."""

    priority = 5

    def __init__(self) -> None:
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.data:
            from keyring.errors import PasswordDeleteError

            raise PasswordDeleteError("No such password!")
        del self.data[(service, username)]


class HangingKeyring(MemoryKeyring):
    """A locked Secret Service whose unlock prompt nobody answers."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.entered = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.entered.set()
        self.release.wait(30)
        return None

    set_password = get_password  # type: ignore[assignment]


class PlaintextKeyring(MemoryKeyring):
    priority = 0.5


PlaintextKeyring.__module__ = "keyrings.alt.file"


class UnavailableKeyring(MemoryKeyring):
    @property  # type: ignore[misc]
    def priority(self) -> float:  # keyring backends raise here when they cannot run
        raise RuntimeError("no D-Bus")


class ChainerBackend:
    def __init__(self, backends: list[Any]) -> None:
        self.backends = backends


ChainerBackend.__module__ = "keyring.backends.chainer"


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        from keyring.errors import KeyringLocked

        raise KeyringLocked("Failed to unlock the collection!")


class BrokenKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown")


def fail_backend() -> Any:
    from keyring.backends import fail

    return fail.Keyring()


def null_backend() -> Any:
    from keyring.backends import null

    return null.Keyring()


@pytest.fixture
def hanging() -> Iterator[HangingKeyring]:
    backend = HangingKeyring()
    yield backend
    backend.release.set()  # let the daemon thread finish


# --- keyring ------------------------------------------------------------------------------


def test_keyring_round_trip() -> None:
    backend = MemoryKeyring()
    store = KeyringStore(service="cartes-test", backend=backend)
    assert isinstance(store, CredentialStore)
    assert store.name == "keyring"
    assert store.get("k") is None
    store.set("k", "refresh-token")
    assert backend.data == {("cartes-test", "k"): "refresh-token"}
    assert store.get("k") == "refresh-token"
    store.delete("k")
    store.delete("k")  # idempotent
    assert store.get("k") is None


def test_hanging_keyring_times_out(hanging: HangingKeyring) -> None:
    store = KeyringStore(timeout=0.2, backend=hanging)
    start = time.monotonic()
    with pytest.raises(CredentialStoreError) as info:
        store.get("k")
    elapsed = time.monotonic() - start
    assert 0.15 <= elapsed < 1.0
    assert hanging.entered.is_set()
    message = str(info.value)
    assert "did not answer within 0.2 s (is it locked?)" in message
    assert "cartes login --insecure-storage" in message
    # Once it hung, later calls fail at once instead of waiting again.
    start = time.monotonic()
    with pytest.raises(CredentialStoreError):
        store.set("k", "v")
    assert time.monotonic() - start < 0.15  # far below the 0.2 s time-out it no longer waits for


def test_hanging_backend_discovery_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    release = threading.Event()

    def slow_get_keyring() -> Any:
        release.wait(30)
        return MemoryKeyring()

    monkeypatch.setattr(keyring, "get_keyring", slow_get_keyring)
    try:
        with pytest.raises(CredentialStoreError, match="did not answer"):
            KeyringStore(timeout=0.1).check_usable()
    finally:
        release.set()


def test_default_backend_is_resolved_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    import keyring

    backend = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    store = KeyringStore(service="svc")
    assert store.check_usable().endswith("MemoryKeyring")
    store.set("a", "b")
    assert backend.data == {("svc", "a"): "b"}


@pytest.mark.parametrize(
    ("backend", "reason"),
    [
        (fail_backend(), "no system keyring was found"),
        (null_backend(), "null backend"),
        (PlaintextKeyring(), "plain-text file"),
        (UnavailableKeyring(), "cannot run here"),
        (ChainerBackend([]), "no usable system keyring"),
        (ChainerBackend([PlaintextKeyring(), fail_backend()]), "no usable system keyring"),
        (ChainerBackend([PlaintextKeyring(), MemoryKeyring()]), "plain-text file"),
    ],
)
def test_unusable_backends_are_rejected(backend: Any, reason: str) -> None:
    store = KeyringStore(backend=backend)
    with pytest.raises(CredentialStoreError) as info:
        store.check_usable()
    assert reason in str(info.value)
    assert "--insecure-storage" in str(info.value)


def test_usable_backends() -> None:
    assert backend_problem(MemoryKeyring()) is None
    assert backend_problem(ChainerBackend([MemoryKeyring(), PlaintextKeyring()])) is None
    assert KeyringStore(backend=MemoryKeyring()).check_usable().endswith("MemoryKeyring")


def test_set_refuses_a_plaintext_backend() -> None:
    backend = PlaintextKeyring()
    with pytest.raises(CredentialStoreError):
        KeyringStore(backend=backend).set("k", "secret")
    assert backend.data == {}


def test_fail_backend_read_is_explained() -> None:
    with pytest.raises(CredentialStoreError, match="No system keyring is available"):
        KeyringStore(backend=fail_backend()).get("k")


def test_locked_keyring_is_explained() -> None:
    with pytest.raises(CredentialStoreError, match="locked"):
        KeyringStore(backend=LockedKeyring()).get("k")


def test_backend_failure_is_explained_without_details() -> None:
    with pytest.raises(CredentialStoreError) as info:
        KeyringStore(backend=BrokenKeyring()).get("k")
    assert "RuntimeError" in str(info.value)
    assert "while reading" in str(info.value)


def test_credential_key() -> None:
    assert credential_key("default", "dave") == "default/dave/refresh_token"
    assert credential_key("work", "a@b.c", "client_secret") == "work/a@b.c/client_secret"
    with pytest.raises(ValueError, match="non-empty"):
        credential_key("", "dave")


# --- file ---------------------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.usefixtures("permissive_umask")
def test_file_store_modes(tmp_path: Path) -> None:
    path = tmp_path / "config" / "cartes" / "credentials.json"
    store = FileStore(path)
    assert isinstance(store, CredentialStore)
    assert store.name == "file"
    assert store.get("k") is None  # missing file
    store.set("k", "secret")
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert json.loads(path.read_text()) == {"k": "secret"}


@pytest.mark.usefixtures("permissive_umask")
def test_file_store_tightens_an_existing_directory(tmp_path: Path) -> None:
    directory = tmp_path / "cfg"
    directory.mkdir()
    os.chmod(directory, 0o755)  # noqa: S103 - the too-open directory under test
    FileStore(directory / "credentials.json").set("k", "v")
    assert mode(directory) == 0o700


def test_file_store_atomic_replace(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    store = FileStore(path)
    store.set("a", "1")
    inode = path.stat().st_ino
    store.set("b", "2")
    assert path.stat().st_ino != inode  # a new file replaced the old one
    assert mode(path) == 0o600
    # no temp file left (the lock file stays, by design: see cartes_cli.locks)
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".lock") == [
        "credentials.json"
    ]  # no temp file left
    assert store.get("a") == "1"
    assert store.get("b") == "2"


def test_file_store_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "credentials.json"
    store = FileStore(path)
    store.set("a", "1")

    def explode(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", explode)
    with pytest.raises(CredentialStoreError, match="No space left on device"):
        store.set("b", "2")
    assert json.loads(path.read_text()) == {"a": "1"}
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".lock") == ["credentials.json"]


def test_file_store_temp_file_is_private_from_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "credentials.json"
    modes: list[int] = []
    real_replace = os.replace

    def spy(src: Any, dst: Any) -> None:
        modes.append(stat.S_IMODE(os.stat(src).st_mode))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    old = os.umask(0)  # even with no umask protection
    try:
        FileStore(path).set("k", "v")
    finally:
        os.umask(old)
    assert modes == [0o600]


def test_file_store_delete(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    store = FileStore(path)
    store.delete("missing")  # no file: fine
    store.set("a", "1")
    store.set("b", "2")
    store.delete("a")
    store.delete("a")
    assert json.loads(path.read_text()) == {"b": "2"}
    store.delete("b")
    assert not path.exists()


def test_file_store_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.write_text("{not json")
    with pytest.raises(CredentialStoreError, match="damaged"):
        FileStore(path).get("k")
    path.write_text("")
    assert FileStore(path).get("k") is None


def test_file_store_concurrent_writers(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "credentials.json")
    threads = [threading.Thread(target=store.set, args=(f"k{i}", f"v{i}")) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {f"k{i}": f"v{i}" for i in range(16)} == json.loads((tmp_path / "credentials.json").read_text())


def test_repr_has_no_secret(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "c.json")
    store.set("k", "super-secret")
    assert "super-secret" not in repr(store)
    assert "super-secret" not in repr(KeyringStore(backend=MemoryKeyring()))


class ItemNotFoundException(Exception):
    """What secretstorage raises for a Secret Service object that does not answer (KeyringStore
    recognises it by name: secretstorage is only there on Linux)."""


def test_the_double_raises_what_secretstorage_raises() -> None:
    exceptions = pytest.importorskip("secretstorage.exceptions")
    assert exceptions.ItemNotFoundException.__name__ == ItemNotFoundException.__name__


class VanishingKeyring(MemoryKeyring):
    """gnome-keyring with other clients at work: its item is not there, ``misses`` times in a row.

    A read finds the item another process is replacing; a write's new item does not answer yet
    when secretstorage asks it for its label (CI, six simultaneous logins); a delete finds the item
    another process is replacing.
    """

    def __init__(self, misses: int) -> None:
        super().__init__()
        self.misses = misses
        self.calls = 0

    def _miss(self) -> None:
        self.calls += 1
        if self.misses:
            self.misses -= 1
            raise ItemNotFoundException("Item does not exist!")

    def get_password(self, service: str, username: str) -> str | None:
        self._miss()
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._miss()
        super().set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self._miss()
        super().delete_password(service, username)


def test_an_item_replaced_while_it_is_read_is_read_again() -> None:
    """Eight processes refreshing one login: one reads while another stores the new token."""
    backend = VanishingKeyring(misses=2)
    backend.data[("cartes-test", "k")] = "new-token"
    assert KeyringStore(service="cartes-test", backend=backend).get("k") == "new-token"
    assert backend.calls == 3


def test_a_write_whose_item_does_not_answer_yet_is_made_again() -> None:
    """Six simultaneous logins to six profiles: each one's token is kept, none fails."""
    backend = VanishingKeyring(misses=3)
    KeyringStore(service="cartes-test", backend=backend).set("k", "token")
    assert backend.data == {("cartes-test", "k"): "token"}
    assert backend.calls == 4


def test_a_delete_that_meets_a_vanishing_item_is_made_again() -> None:
    backend = VanishingKeyring(misses=1)
    backend.data[("cartes-test", "k")] = "token"
    KeyringStore(service="cartes-test", backend=backend).delete("k")
    assert backend.data == {}
    assert backend.calls == 2


@pytest.mark.parametrize("action", ["get", "set", "delete"])
def test_an_item_that_keeps_vanishing_is_an_error_not_a_hang(action: str) -> None:
    backend = VanishingKeyring(misses=100)
    store = KeyringStore(service="cartes-test", backend=backend)
    calls = {
        "get": lambda: store.get("k"),
        "set": lambda: store.set("k", "v"),
        "delete": lambda: store.delete("k"),
    }
    with pytest.raises(CredentialStoreError, match="ItemNotFoundException"):
        calls[action]()
    assert backend.calls == 4
