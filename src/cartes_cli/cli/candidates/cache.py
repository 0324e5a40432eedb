"""What dynamic completion keeps on disk: one small JSON file per list, per platform, profile
and account, in ``<cache>/completion``; and, after a fetch ran out of time, the time it did."""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from cartes_cli import paths

TIMEOUT_BACKOFF = 15.0
"""After a fetch ran out of time, serve nothing for this long instead of waiting again."""
MAX_BODY = 8 * 1024 * 1024
"""The largest cached list, or fetched answer, read (bytes)."""
_VERSION = 1

Items = list[dict[str, Any]]


@dataclass(frozen=True)
class Lookup:
    state: str  # "fresh" | "backoff" | "miss"
    items: Items | None = None


class CandidateCache:
    """``<cache>/completion/<hash>.json``: ``{"v", "kind", "fetched_at", "items"}``, or after a
    time-out ``{"v", "kind", "timed_out_at"}``. Reading and writing never raise."""

    def __init__(self, directory: Path | None = None, *, clock: Callable[[], float] = time.time) -> None:
        self.directory = directory if directory is not None else paths.cache_dir() / "completion"
        self._clock = clock

    def path_for(self, kind: str, key: str) -> Path:
        digest = hashlib.sha256(f"{kind}\n{key}".encode()).hexdigest()[:40]
        return self.directory / f"{digest}.json"

    def lookup(self, kind: str, key: str, ttl: float) -> Lookup:
        try:
            with open(self.path_for(kind, key), encoding="utf-8") as handle:
                data = json.loads(handle.read(MAX_BODY))
        except (OSError, ValueError):
            return Lookup("miss")
        if not isinstance(data, dict) or data.get("v") != _VERSION or data.get("kind") != kind:
            return Lookup("miss")
        now = self._clock()
        fetched_at, items = data.get("fetched_at"), data.get("items")
        if _number(fetched_at) and isinstance(items, list) and 0 <= now - fetched_at < ttl:
            return Lookup("fresh", [i for i in items if isinstance(i, dict)])
        timed_out_at = data.get("timed_out_at")
        if _number(timed_out_at) and 0 <= now - timed_out_at < TIMEOUT_BACKOFF:
            return Lookup("backoff")
        return Lookup("miss")

    def save(self, kind: str, key: str, items: Items) -> bool:
        return self._write(kind, key, {"fetched_at": self._clock(), "items": items})

    def note_timeout(self, kind: str, key: str) -> bool:
        return self._write(kind, key, {"timed_out_at": self._clock()})

    def _write(self, kind: str, key: str, body: dict[str, Any]) -> bool:
        path = self.path_for(kind, key)
        try:
            paths.ensure_private_dir(self.directory)
            fd, tmp = tempfile.mkstemp(prefix=".cand.", suffix=".tmp", dir=self.directory)
        except OSError:
            return False
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"v": _VERSION, "kind": kind, **body}, handle, ensure_ascii=False)
            os.replace(tmp, path)
        except (OSError, TypeError, ValueError):
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            return False
        return True


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
