"""``client.records``: the read-only listings as typed records, read without pydantic.

The same calls as ``client.communities.catalog``, ``members``, ``get`` and ``resolve``,
``client.users.me`` and ``client.requests.mine`` / ``incoming``, with the same arguments, checks
and pages, returning the records of
:mod:`cartes_cli.client.records` instead of models. For a one-shot command that only prints a
listing, this saves importing pydantic and building the models (about half of its start-up); any
answer the records do not read as is still goes through the models, so nothing is read
differently. Use the model-returning resources for anything else.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING

from cartes_cli.client._paths import segment
from cartes_cli.client._resource import APIResource
from cartes_cli.client.models._values import RequestStatus, RequestType, Right
from cartes_cli.client.pagination import DEFAULT_CONCURRENCY, PAGE_LIMIT
from cartes_cli.client.records import (
    CatalogRecord,
    CommunityRecord,
    CommunitySummaryRecord,
    MemberRecord,
    RequestRecord,
    UserRecord,
)
from cartes_cli.client.resources._request_params import incoming_params, member_params, mine_params
from cartes_cli.textsearch import workspaces_matching

if TYPE_CHECKING:
    from cartes_cli.client.resolution import Named

__all__ = ["RecordsResource"]


class RecordsResource(APIResource):
    def catalog(
        self, *, search: str | None = None, limit: int = PAGE_LIMIT, concurrency: int = DEFAULT_CONCURRENCY
    ) -> Iterator[CatalogRecord]:
        """Every public community (``GET /catalogs/communities``), as ``communities.catalog``."""
        items = self._client.get_records(
            CatalogRecord, "/catalogs/communities", limit=limit, concurrency=concurrency
        )
        return iter(workspaces_matching(search, items))

    def community(self, community_id: str) -> CommunityRecord:
        """``GET /communities/{c}``, as ``communities.get``."""
        return self._client.get_record(
            CommunityRecord, f"/communities/{segment(community_id, 'community id')}"
        )

    def resolve(
        self,
        ref: str,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        known: MutableMapping[str, str] | None = None,
    ) -> CommunityRecord:
        """The community a user means by ``ref`` (an id, a technical name or an exact name), as
        ``communities.resolve`` finds it: the same requests, the same errors."""
        # Imported here: the listings that name no workspace do not need it (nor is_uuid's module).
        from cartes_cli.client.resolution import resolve_community

        return resolve_community(_RecordReaders(self), ref, concurrency=concurrency, known=known)

    def members(
        self,
        community_id: str,
        *,
        rights: list[Right | str] | None = None,
        limit: int = PAGE_LIMIT,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> Iterator[MemberRecord]:
        """``GET /communities/{c}/users`` (all pages), as ``communities.members``."""
        return self._client.get_records(
            MemberRecord,
            f"/communities/{segment(community_id, 'community id')}/users",
            params=member_params(rights),
            limit=limit,
            concurrency=concurrency,
        )

    def me(self) -> UserRecord:
        """``GET /users/me``, as ``users.me``."""
        return self._client.get_record(UserRecord, "/users/me")

    def my_requests(
        self,
        status: RequestStatus | str | None = None,
        type: RequestType | str | None = None,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> Iterator[RequestRecord]:
        """``GET /users/me/requests``, as ``requests.mine``."""
        params = mine_params(status, type)
        return self._client.get_records(
            RequestRecord, "/users/me/requests", params=params, concurrency=concurrency
        )

    def incoming_requests(
        self,
        status: RequestStatus | str | None = None,
        type: RequestType | str | None = None,
        community: str | None = None,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> Iterator[RequestRecord]:
        """``GET /requests``, as ``requests.incoming``."""
        params = incoming_params(status, type, community)
        return self._client.get_records(RequestRecord, "/requests", params=params, concurrency=concurrency)


class _RecordReaders:
    """:func:`~cartes_cli.client.resolution.resolve_community`'s requests, read as records."""

    def __init__(self, records: RecordsResource) -> None:
        self._records = records

    def get(self, community_id: str) -> CommunityRecord:
        return self._records.community(community_id)

    def memberships(self) -> list[CommunitySummaryRecord]:
        return [m.community for m in self._records.me().memberships]

    def catalog_named(self, key: str, concurrency: int) -> Iterator[CatalogRecord]:
        from cartes_cli.client.resolution import named

        return self._records._client.find_records(
            CatalogRecord, "/catalogs/communities", named(key), concurrency=concurrency
        )

    def as_community(self, item: Named) -> CommunityRecord:
        assert isinstance(item, CommunitySummaryRecord | CatalogRecord)
        return CommunityRecord.known_as(item)
