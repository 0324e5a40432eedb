"""The workspaces found by technical name, kept between runs (``cli/known_workspaces.py``)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cartes_cli.cli.known_workspaces import KEEP, KnownWorkspaces, cache_file


@pytest.fixture(autouse=True)
def empty_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARTES_HOME", str(tmp_path / "home"))


def test_entries_are_kept_per_platform_privately_and_only_when_they_change() -> None:
    with KnownWorkspaces("https://a.test/api/") as known:
        assert known == {}
        known["ecrins"] = "id-1"
    with KnownWorkspaces("https://b.test/api") as other:
        assert other == {}
        other["ddt33"] = "id-2"
    assert os.stat(cache_file()).st_mode & 0o777 == 0o600
    written = cache_file().stat().st_mtime_ns
    with KnownWorkspaces("https://a.test/api") as known:
        assert known == {"ecrins": "id-1"}
    assert cache_file().stat().st_mtime_ns == written  # unchanged: not rewritten


def test_an_entry_dropped_inside_a_failing_lookup_is_dropped_for_good() -> None:
    with KnownWorkspaces("https://a.test/api") as known:
        known.update({"a": "1", "b": "2"})

    def failing_lookup() -> None:
        with KnownWorkspaces("https://a.test/api") as known:
            del known["a"]
            raise LookupError

    with pytest.raises(LookupError):
        failing_lookup()
    with KnownWorkspaces("https://a.test/api") as known:
        assert known == {"b": "2"}


def test_only_the_most_recent_are_kept() -> None:
    with KnownWorkspaces("https://a.test/api") as known:
        known.update({f"ws{i}": str(i) for i in range(KEEP + 10)})
    with KnownWorkspaces("https://a.test/api") as known:
        assert len(known) == KEEP
        assert "ws9" not in known
        assert f"ws{KEEP + 9}" in known


@pytest.mark.parametrize(
    "content", ["not json", "[]", '{"workspaces": 3}', '{"workspaces": {"https://a.test/api": {"x": 1}}}']
)
def test_a_damaged_file_counts_as_empty(content: str) -> None:
    cache_file().parent.mkdir(parents=True)
    cache_file().write_text(content, encoding="utf-8")
    with KnownWorkspaces("https://a.test/api") as known:
        assert known == {}
        known["ecrins"] = "id-1"
    assert json.loads(cache_file().read_text(encoding="utf-8"))["workspaces"]["https://a.test/api"] == {
        "ecrins": "id-1"
    }


def test_a_cache_that_cannot_be_written_is_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("CARTES_HOME", str(blocker))  # the cache directory cannot be made under a file
    with KnownWorkspaces("https://a.test/api") as known:
        known["ecrins"] = "id-1"
