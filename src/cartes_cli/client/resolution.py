"""Finding the workspace a person names (an id, a technical name or an exact name): one
algorithm, two readers.

``client.communities.resolve`` reads what it meets as pydantic models and returns a
``Community``; ``client.records.resolve`` reads the same answers as records
(:mod:`cartes_cli.client.records`) and returns a ``CommunityRecord``, so that a read-only
listing of a workspace (``workspace members``) need not import pydantic to find it. Both run
:func:`resolve_community` below, with the same requests in the same order, the same cache of
known technical names and the same errors. Standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, MutableMapping, Sequence
from typing import Protocol, TypeVar

from cartes_cli.client.validation import is_uuid
from cartes_cli.errors import AmbiguousReference, NotFound, PermissionDenied, UsageError
from cartes_cli.i18n import _

__all__ = ["Named", "Readers", "candidate_label", "fold_key", "named", "resolve_community", "unique_match"]


class Named(Protocol):
    """What the lookup reads of a community, whichever reader made it."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str | None: ...

    @property
    def technical_name(self) -> str | None: ...


C = TypeVar("C", bound=Named)
C_co = TypeVar("C_co", bound=Named, covariant=True)


class Readers(Protocol[C_co]):
    """The requests the lookup makes, each read by one reader (models or records)."""

    def get(self, community_id: str) -> C_co:
        """``GET /communities/{c}``."""
        ...

    def memberships(self) -> Sequence[Named]:
        """The communities of the caller's memberships (``GET /users/me``)."""
        ...

    def catalog_named(self, key: str, concurrency: int) -> Iterable[Named]:
        """The catalogue's items whose technical name or name folds to ``key``, in order; the
        others are read but not built."""
        ...

    def as_community(self, item: Named) -> C_co:
        """A membership's community or a catalogue item as what :meth:`get` returns (what was
        known, no request)."""
        ...


def fold_key(text: str | None) -> str:
    return (text or "").strip().casefold()


def _wire_key(item: dict[str, object], field: str) -> str:
    """A field of a catalogue item as it came on the wire, folded as :func:`fold_key` folds."""
    value = item.get(field)
    return fold_key(value) if isinstance(value, str) else ""


def named(key: str, *, by_id: bool = False) -> Callable[[dict[str, object]], bool]:
    """Whether a catalogue item (decoded JSON) has ``key`` as its technical name or name (or id)."""

    def wanted(item: dict[str, object]) -> bool:
        return (
            _wire_key(item, "technical_name") == key
            or _wire_key(item, "name") == key
            or (by_id and key in (_wire_key(item, "_id"), _wire_key(item, "id")))
        )

    return wanted


def candidate_label(c: Named) -> str:
    return f"{c.name or '?'} ({c.technical_name or '?'}, {c.id})"


def resolve_community(
    readers: Readers[C],
    ref: str,
    *,
    concurrency: int,
    known: MutableMapping[str, str] | None = None,
) -> C:
    """The community a user means by ``ref``: an id, a technical name or an exact name.

    An id (a UUID) is fetched (``GET /communities/{id}``). Otherwise the caller's memberships
    (``/users/me``) are searched, then the public catalogue: an exact technical name first, then
    an exact name, both case-insensitive. The community is then returned as that listing
    describes it (no extra request; ``get(c.id)`` has the detail). Several communities with the
    same name raise ``AmbiguousReference`` (a ``UsageError``) listing them; none, ``NotFound``.
    ``concurrency``: catalogue pages read at once (a command passes its own ``--concurrency``).

    ``known`` maps technical names (folded) to the ids found earlier, e.g. a cache kept between
    runs: a name found there is confirmed by ``GET /communities/{id}`` (its technical name must
    still be that one; technical names are unique on the platform), instead of reading the
    catalogue, which for someone who is not a member means every page up to the workspace.
    An entry that is refused, gone or renamed is dropped and the catalogue read; what the
    catalogue gives by technical name is recorded there.
    """
    text = (ref or "").strip()
    if not text:
        raise UsageError(_("The workspace is empty: give its id, technical name or name."))
    if is_uuid(text):
        return readers.get(text.lower())
    key = fold_key(text)
    confirming = None
    if known is not None and key in known:
        # Asked while the memberships are read, not after: the answer is there one round trip
        # sooner (a non-member naming a workspace found earlier). Unused when the name is one
        # of the user's own, which then leaves the cache.
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cartes-confirm")
        confirming = pool.submit(_confirmed, readers, known[key], key)
        pool.shutdown(wait=False)
    found = _pick(readers, text, key, readers.memberships())
    if found is not None:
        if known is not None:
            known.pop(key, None)
        return found
    if confirming is not None and known is not None:
        confirmed = confirming.result()
        if confirmed is not None:
            return confirmed
        known.pop(key, None)
    by_name: list[Named] = []
    for item in readers.catalog_named(key, concurrency):
        if fold_key(item.technical_name) == key:
            if known is not None:
                known[key] = item.id
            return readers.as_community(item)
        if fold_key(item.name) == key:
            by_name.append(item)
    found = _pick(readers, text, key, by_name)
    if found is not None:
        return found
    raise NotFound(
        _(
            "No workspace matches '{ref}' (by id, technical name or exact name) among your "
            "workspaces and the public catalogue."
        ).format(ref=text)
    )


def _confirmed(readers: Readers[C], community_id: str, key: str) -> C | None:
    """The community ``community_id`` if it still has the technical name ``key``; None when the
    platform refuses it, does not know it, or it was renamed."""
    if not is_uuid(community_id):
        return None
    try:
        community = readers.get(community_id)
    except (NotFound, PermissionDenied):
        return None
    return community if fold_key(community.technical_name) == key else None


def _pick(readers: Readers[C], text: str, key: str, items: Sequence[Named]) -> C | None:
    for matches_of in (
        [c for c in items if fold_key(c.technical_name) == key],
        [c for c in items if fold_key(c.name) == key],
    ):
        found = unique_match(text, matches_of)
        if found is not None:
            return readers.as_community(found)
    return None


N = TypeVar("N", bound=Named)


def unique_match(text: str, matches: Iterable[N]) -> N | None:
    """The one community ``matches`` hold (several items of one id are one), or None; when they
    are several, ``AmbiguousReference`` naming each, for the person who typed ``text``."""
    unique = {c.id: c for c in matches}
    if len(unique) > 1:
        labels = [candidate_label(c) for c in unique.values()]
        raise AmbiguousReference(
            _(
                "'{ref}' names {n} workspaces: {workspaces}. Give the technical name or the id instead."
            ).format(ref=text, n=len(labels), workspaces="; ".join(labels)),
            candidates=labels,
        )
    return next(iter(unique.values()), None)
