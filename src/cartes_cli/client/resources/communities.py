"""``client.communities``: workspaces (communities), their members, join forms, and finding one
by what a person types (an id, a technical name or a name)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping

from pydantic import BaseModel, ValidationError

from cartes_cli.client._base import json_of, maybe_json, parse_model
from cartes_cli.client._paths import segment
from cartes_cli.client._resource import APIResource
from cartes_cli.client.errors import error_from_response
from cartes_cli.client.models import CatalogCommunity, Community, CommunitySummary, JoinForm, Member, Right
from cartes_cli.client.pagination import DEFAULT_CONCURRENCY, PAGE_LIMIT
from cartes_cli.client.resolution import Named, fold_key, named, resolve_community, unique_match
from cartes_cli.client.resources._request_params import member_params
from cartes_cli.client.resources.users import UsersResource
from cartes_cli.client.validation import parse_rights
from cartes_cli.errors import NotFound, UsageError
from cartes_cli.i18n import _
from cartes_cli.textsearch import workspaces_matching

__all__ = ["CommunitiesResource"]


class _ModelReaders:
    """:func:`~cartes_cli.client.resolution.resolve_community`'s requests, read as models."""

    def __init__(self, communities: CommunitiesResource) -> None:
        self._communities = communities

    def get(self, community_id: str) -> Community:
        return self._communities.get(community_id)

    def memberships(self) -> list[CommunitySummary]:
        return [m.community for m in UsersResource(self._communities._client).me().memberships]

    def catalog_named(self, key: str, concurrency: int) -> Iterator[CatalogCommunity]:
        return self._communities._catalog_named(key, concurrency)

    def as_community(self, item: Named) -> Community:
        """A membership summary or a catalogue item as a ``Community`` (what was known, no
        request)."""
        assert isinstance(item, BaseModel)
        return Community.model_validate(item.model_dump(by_alias=True, exclude_none=True))


class CommunitiesResource(APIResource):
    def catalog(
        self,
        *,
        search: str | None = None,
        limit: int = PAGE_LIMIT,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> Iterator[CatalogCommunity]:
        """Every public community (``GET /catalogs/communities``, all pages, in order).

        ``search`` filters client-side: every word must appear in the name, technical name or
        description, case and accents ignored. It is not sent to the server: the real API's filter
        parameters are undocumented, and a server-side filter with other semantics would hide
        results. Lazy: requests start when iteration does.
        """
        items = self._client.get_list(
            CatalogCommunity, "/catalogs/communities", limit=limit, concurrency=concurrency
        )
        return iter(workspaces_matching(search, items))

    def _catalog_named(
        self, key: str, concurrency: int, *, by_id: bool = False
    ) -> Iterator[CatalogCommunity]:
        """The catalogue's items whose technical name or name (or id) folds to ``key``, in order;
        the others are read but not built into models."""
        return self._client.find_in_list(
            CatalogCommunity, "/catalogs/communities", named(key, by_id=by_id), concurrency=concurrency
        )

    def get(self, community_id: str) -> Community:
        """``GET /communities/{c}``."""
        return self._client.get_model(Community, f"/communities/{segment(community_id, 'community id')}")

    def members(
        self,
        community_id: str,
        *,
        rights: list[Right | str] | None = None,
        limit: int = PAGE_LIMIT,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> Iterator[Member]:
        """``GET /communities/{c}/users`` (all pages; needs the COMMUNITY right).

        ``rights`` is passed as the documented ``rights`` filter (comma-separated).
        """
        return self._client.get_list(
            Member,
            f"/communities/{segment(community_id, 'community id')}/users",
            params=member_params(rights),
            limit=limit,
            concurrency=concurrency,
        )

    def put_member(self, community_id: str, user_id: str, rights: Iterable[Right | str]) -> Member:
        """``PUT /communities/{c}/users/{u}``: add a member or replace their rights (an upsert,
        safe to replay). ``rights`` are checked before sending (``UsageError`` for unknown ones)."""
        names = parse_rights([str(r) for r in rights], allow_empty=True)
        response = self._client.send(
            "PUT",
            f"/communities/{segment(community_id, 'community id')}/users/{segment(user_id, 'user id')}",
            json_body={"rights": names},
        )
        data = maybe_json(response)
        if isinstance(data, dict) and isinstance(data.get("user"), dict):
            return parse_model(Member, data, response)
        # Other shapes (the user, the community, nothing): what we asked for is what holds now.
        granted = data.get("rights", names) if isinstance(data, dict) else names
        return Member.model_validate({"rights": granted, "user": {"_id": user_id}})

    def remove_member(self, community_id: str, user_id: str) -> None:
        """``DELETE /communities/{c}/users/{u}`` (the supervisor cannot be removed: 4xx)."""
        self._client.send(
            "DELETE",
            f"/communities/{segment(community_id, 'community id')}/users/{segment(user_id, 'user id')}",
        )

    def update(
        self,
        community_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        contact: str | None = None,
        public: bool | None = None,
        supervisor: str | None = None,
    ) -> Community:
        """``PATCH /communities/{c}`` with the fields given (needs the COMMUNITY right)."""
        fields: dict[str, str | bool | None] = {
            "name": name,
            "description": description,
            "contact": contact,
            "public": public,
            "supervisor": supervisor,
        }
        body = {k: v for k, v in fields.items() if v is not None}
        if not body:
            raise UsageError(_("Nothing to update: give at least one field to change."))
        response = self._client.send(
            "PATCH", f"/communities/{segment(community_id, 'community id')}", json_body=body, idempotent=True
        )
        return parse_model(Community, json_of(response), response)

    def join_form(self, community_id: str) -> JoinForm:
        """``GET /communities/{c}/join_form``; a community without a form (404) gives an empty one."""
        try:
            return self._client.get_model(
                JoinForm, f"/communities/{segment(community_id, 'community id')}/join_form"
            )
        except NotFound:
            return JoinForm()

    def public_join_form(self, technical_name: str) -> JoinForm:
        """``{annexes}/{technical_name}/public/join.json``: the join form as cartes.gouv.fr reads it
        (``JoinExistingDatastoreModal.tsx``), without credentials (the annexe is public). A 4xx
        (404: none published) or an answer that is not a form means "no form", as on the site;
        a 5xx or an unreachable server still raises."""
        url = f"{self._client.annexes_url}/{segment(technical_name, 'identifier')}/public/join.json"
        response = self._client.send("GET", url, authenticated=False, raise_for_status=False)
        if 400 <= response.status_code < 500:
            return JoinForm()
        if not response.is_success:
            raise error_from_response(response)
        data = maybe_json(response)
        if not isinstance(data, dict):
            return JoinForm()
        try:
            return JoinForm.model_validate(data)
        except ValidationError:
            return JoinForm()

    def find_public(self, ref: str, *, concurrency: int = DEFAULT_CONCURRENCY) -> CatalogCommunity:
        """A community of the public catalogue by id, technical name or exact name (case
        ignored), without ``GET /communities/{id}``, which the platform may refuse to a
        non-member. ``NotFound`` when the catalogue has none; ``AmbiguousReference`` when a name
        names several. ``concurrency``: catalogue pages read at once."""
        text = (ref or "").strip()
        if not text:
            raise UsageError(_("The workspace is empty: give its id, technical name or name."))
        key = fold_key(text)
        by_name: list[CatalogCommunity] = []
        for item in self._catalog_named(key, concurrency, by_id=True):
            if fold_key(item.id) == key or fold_key(item.technical_name) == key:
                return item
            if fold_key(item.name) == key:
                by_name.append(item)
        found = unique_match(text, by_name)
        if found is not None:
            return found
        raise NotFound(
            _("No public workspace matches '{ref}' (by id, technical name or exact name).").format(ref=text)
        )

    def leave(self, community_id: str) -> None:
        """``DELETE /users/me/communities/{c}``: leave a community."""
        self._client.send("DELETE", f"/users/me/communities/{segment(community_id, 'community id')}")

    def resolve(
        self,
        ref: str,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        known: MutableMapping[str, str] | None = None,
    ) -> Community:
        """The community a user means by ``ref``: an id, a technical name or an exact name, as
        :func:`~cartes_cli.client.resolution.resolve_community` finds it (the memberships first,
        then the catalogue; ``known``: technical names found earlier), read as models.
        ``client.records.resolve`` finds the same community as a record."""
        return resolve_community(_ModelReaders(self), ref, concurrency=concurrency, known=known)
