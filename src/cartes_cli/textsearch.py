"""Searching text the way people type it: case and accents ignored (standard library only).

``matches("evry", "Communauté d'Évry")`` is true: every word of the search must appear in at least
one of the fields (in any order). Shared by the client (``communities.catalog(search=…)``) and the
CLI (``workspace list --search`` over my workspaces), so both filter alike; it sits beside
``errors.py`` and ``platforms.py`` because it belongs to neither layer.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Protocol, TypeVar

__all__ = ["fold", "matches", "workspaces_matching"]


class _Described(Protocol):
    @property
    def name(self) -> str | None: ...
    @property
    def technical_name(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...


W = TypeVar("W", bound=_Described)


def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text`` (``Évry`` → ``evry``, ``Straße`` → ``strasse``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def matches(search: str, *fields: str | None) -> bool:
    """Every word of ``search`` appears in one of ``fields``; an empty search matches everything."""
    haystack = "\n".join(fold(f) for f in fields if f)
    return all(word in haystack for word in fold(search).split())


def workspaces_matching(search: str | None, workspaces: Iterable[W]) -> Iterable[W]:
    """The workspaces whose name, technical name or description match ``search`` (lazily); all of
    them, as given, when the search is empty. What a catalogue search looks at, in one place for
    the client's models and records."""
    if not search or not search.strip():
        return workspaces
    return (w for w in workspaces if matches(search, w.name, w.technical_name, w.description))
