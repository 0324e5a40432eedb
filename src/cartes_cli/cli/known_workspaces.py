"""Workspaces found by technical name in earlier runs (``client.communities.resolve``'s ``known``).

A workspace named by someone who is not its member (platform staff, mostly) is found in the public
catalogue, which the platform gives only whole, page by page: 10,000 workspaces are 201 pages,
seconds on every command. What was found is kept in the cache directory (``workspaces.json``):
per API URL, technical name (folded) to community id, the :data:`KEEP` most recent. The next
command confirms the id with one ``GET /communities/{id}`` (the technical name must still match;
it is unique on the platform) and reads the catalogue only if that fails.

It holds nothing the public catalogue does not show anyone. It is written in one step, so two
commands at once leave one version or the other; a file that cannot be read counts as empty, and
one that cannot be written is not an error (the next command reads the catalogue again).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from types import TracebackType

KEEP = 200
FILE_NAME = "workspaces.json"


def cache_file() -> Path:
    from cartes_cli import paths

    return paths.cache_dir() / FILE_NAME


class KnownWorkspaces:
    """``with KnownWorkspaces(api_url) as known:`` a dict read from the cache file, written back
    on leaving (an exception included: an entry found stale is dropped) if it changed."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url.rstrip("/")
        self._all: dict[str, dict[str, str]] = {}
        self._read: dict[str, str] = {}
        self.entries: dict[str, str] = {}

    def __enter__(self) -> dict[str, str]:
        self._all = _load()
        self._read = dict(self._all.get(self.api_url, {}))
        self.entries = dict(self._read)
        return self.entries

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.entries == self._read:
            return
        from cartes_cli import paths

        self._all[self.api_url] = dict(list(self.entries.items())[-KEEP:])
        body = json.dumps({"workspaces": self._all}, ensure_ascii=False, indent=1) + "\n"
        with contextlib.suppress(OSError):
            paths.write_private_atomically(cache_file(), body.encode("utf-8"))


def _load() -> dict[str, dict[str, str]]:
    try:
        data = json.loads(cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    platforms = data.get("workspaces") if isinstance(data, dict) else None
    if not isinstance(platforms, dict):
        return {}
    return {
        url: {k: v for k, v in known.items() if isinstance(k, str) and isinstance(v, str)}
        for url, known in platforms.items()
        if isinstance(url, str) and isinstance(known, dict)
    }
