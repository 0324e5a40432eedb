"""TOTP seeds kept in the credential store per profile and account."""

from __future__ import annotations

from pathlib import Path

import pytest

from cartes_cli.auth.store import FileStore, credential_key
from cartes_cli.auth.totp import (
    TOTP_SECRET_KIND,
    delete_totp_secret,
    load_totp_secret,
    store_totp_secret,
)
from cartes_cli.errors import UsageError

SEED = "GEOPLATEFORMEDEMOSECRETTOTPCODE2"


class MemoryStore:
    name = "memory"

    def __init__(self) -> None:
        self.data: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.data.get(key)

    def set(self, key: str, value: str) -> None:
        self.data[key] = value

    def delete(self, key: str) -> None:
        self.data.pop(key, None)


def test_store_normalises_and_keys_per_profile_and_account() -> None:
    store = MemoryStore()
    assert store_totp_secret(store, "default", "amelie", "geop late-formedemo secrettotpcode2") == SEED
    assert store.data == {"default/amelie/totp_secret": SEED}
    assert credential_key("default", "amelie", TOTP_SECRET_KIND) == "default/amelie/totp_secret"
    assert load_totp_secret(store, "default", "amelie") == SEED
    assert load_totp_secret(store, "work", "amelie") is None
    assert load_totp_secret(store, "default", "bob") is None


def test_a_bad_seed_is_refused_before_storing() -> None:
    store = MemoryStore()
    with pytest.raises(UsageError) as info:
        store_totp_secret(store, "default", "amelie", "123456")
    assert "123456" not in str(info.value)
    assert store.data == {}


def test_a_damaged_stored_seed_reads_as_absent() -> None:
    store = MemoryStore()
    store.set("default/amelie/totp_secret", "not base32 !!")
    assert load_totp_secret(store, "default", "amelie") is None


def test_delete_is_idempotent_and_leaves_the_refresh_token(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "credentials.json")
    store.set(credential_key("default", "amelie"), "refresh")
    store_totp_secret(store, "default", "amelie", SEED)
    delete_totp_secret(store, "default", "amelie")
    delete_totp_secret(store, "default", "amelie")
    assert load_totp_secret(store, "default", "amelie") is None
    assert store.get(credential_key("default", "amelie")) == "refresh"
