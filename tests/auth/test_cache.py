"""AccessTokenCache: private files, atomic writes, expiry, damage, and what it never stores."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from cartes_cli.auth.cache import AccessTokenCache, cache_key
from cartes_cli.auth.tokens import TokenSet
from cartes_cli.secret import Secret

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(tmp_path: Path, clock: Clock) -> AccessTokenCache:
    return AccessTokenCache(tmp_path / "cache" / "tokens", clock=clock)


KEY = cache_key("default", "dave", issuer="https://sso.test/realms/geoplateforme", client_id="gpf-warehouse")


def test_round_trip(cache: AccessTokenCache) -> None:
    assert cache.load(KEY) is None
    assert cache.save(KEY, "access-1", 1300.0)
    assert cache.load(KEY) == ("access-1", 1300.0)
    assert cache.save(KEY, Secret("access-2"), 1400.0)
    assert cache.load(KEY) == ("access-2", 1400.0)


@posix_only
def test_modes_and_file_names(cache: AccessTokenCache) -> None:
    cache.save(KEY, "access-1", 1300.0)
    assert stat.S_IMODE(cache.directory.stat().st_mode) == 0o700
    [entry] = list(cache.directory.iterdir())
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert "dave" not in entry.name
    assert "default" not in entry.name
    assert entry == cache.path_for(KEY)


def test_only_the_access_token_and_its_expiry(cache: AccessTokenCache) -> None:
    tokens = TokenSet.from_response(
        {"access_token": "access-1", "refresh_token": "REFRESH-SECRET", "id_token": "ID", "expires_in": 300},
        1000.0,
    )
    assert cache.save_tokens(KEY, tokens)
    text = cache.path_for(KEY).read_text()
    assert "REFRESH-SECRET" not in text
    assert "ID" not in text
    assert set(json.loads(text)) == {"v", "access_token", "expires_at"}


def test_keys_separate_profiles_accounts_and_platforms() -> None:
    keys = {
        cache_key("default", "dave"),
        cache_key("work", "dave"),
        cache_key("default", "eve"),
        cache_key("default", "dave", issuer="https://sso-qua.test/realms/g"),
        cache_key("default", "dave", client_id="cartes-cli"),
    }
    assert len(keys) == 5
    assert cache_key("p", "a", issuer="https://x/") == cache_key("p", "a", issuer="https://x")
    with pytest.raises(ValueError, match="non-empty"):
        cache_key("", "dave")


def test_expired_and_nearly_expired_are_ignored(cache: AccessTokenCache, clock: Clock) -> None:
    cache.save(KEY, "access-1", 1005.0)  # 5 s left < 10 s minimum
    assert cache.load(KEY) is None
    cache.save(KEY, "access-1", 1300.0)
    clock.now = 1300.0
    assert cache.load(KEY) is None


@pytest.mark.parametrize(
    "content",
    [
        "",
        "not json",
        "[]",
        '{"v": 2, "access_token": "a", "expires_at": 9999999999}',
        '{"v": 1, "access_token": "", "expires_at": 9999999999}',
        '{"v": 1, "access_token": "a", "expires_at": "soon"}',
        '{"v": 1, "access_token": "a", "expires_at": true}',
        '{"v": 1, "access_token": 5, "expires_at": 9999999999}',
    ],
)
def test_damaged_files_are_ignored(cache: AccessTokenCache, content: str) -> None:
    cache.save(KEY, "x", 9_999_999_999.0)
    cache.path_for(KEY).write_text(content)
    assert cache.load(KEY) is None
    assert not cache.path_for(KEY).exists()


@posix_only
def test_a_file_readable_by_others_is_not_trusted(cache: AccessTokenCache) -> None:
    cache.save(KEY, "access-1", 1300.0)
    os.chmod(cache.path_for(KEY), 0o644)
    assert cache.load(KEY) is None


@posix_only
def test_symlinks_are_not_followed(cache: AccessTokenCache, tmp_path: Path) -> None:
    cache.save(KEY, "access-1", 1300.0)
    elsewhere = tmp_path / "elsewhere.json"
    cache.path_for(KEY).rename(elsewhere)
    cache.path_for(KEY).symlink_to(elsewhere)
    assert cache.load(KEY) is None


def test_delete_and_clear(cache: AccessTokenCache) -> None:
    assert cache.delete(KEY) is False
    cache.save(KEY, "a", 1300.0)
    assert cache.delete(KEY) is True
    assert cache.load(KEY) is None
    cache.save(cache_key("p", "a"), "a", 1300.0)
    cache.save(cache_key("p", "b"), "b", 1300.0)
    assert cache.clear() == 2
    assert list(cache.directory.iterdir()) == []
    assert AccessTokenCache(cache.directory / "missing").clear() == 0


def test_unwritable_directory_never_raises(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("I am a file")
    cache = AccessTokenCache(blocker / "tokens")
    assert cache.save(KEY, "a", 9_999_999_999.0) is False
    assert cache.load(KEY) is None
    assert cache.delete(KEY) is False


def test_atomic_writes_under_concurrency(cache: AccessTokenCache) -> None:
    """Readers never see a half-written file while writers replace it."""
    stop = threading.Event()
    bad: list[object] = []

    def write(n: int) -> None:
        while not stop.is_set():
            cache.save(KEY, f"token-{n}-" + "x" * 2000, 9_999_999_999.0)

    def read() -> None:
        for _ in range(300):
            loaded = cache.load(KEY)
            if loaded is not None and not loaded[0].startswith("token-"):
                bad.append(loaded)

    cache.save(KEY, "token-0-", 9_999_999_999.0)
    writers = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    for t in writers:
        t.start()
    read()
    stop.set()
    for t in writers:
        t.join()
    assert not bad
    assert not [p for p in cache.directory.iterdir() if p.suffix == ".tmp"]


def test_token_set_for_the_manager(cache: AccessTokenCache, clock: Clock) -> None:
    empty = cache.token_set(KEY, refresh_token="refresh-0")
    assert not empty.has_access_token
    assert empty.can_refresh
    assert not cache.token_set(KEY).can_refresh
    cache.save(KEY, "cached", 1300.0)
    tokens = cache.token_set(KEY, refresh_token="refresh-0")
    assert tokens.access_token.get_secret_value() == "cached"
    assert tokens.expires_at == 1300.0
    assert tokens.refresh_token is not None
    assert tokens.refresh_token.get_secret_value() == "refresh-0"
