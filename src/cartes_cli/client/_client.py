"""``GeoplateformeClient``: the typed client of one platform's Entrepôt API (and of the sandbox's
extras), usable without the CLI.

The base client (:mod:`cartes_cli.client._base`) holds the transport, the request path, parsing
and pagination; this class gathers the API areas as resources (``client.users``,
``client.communities``, ``client.datastores``, ``client.requests``, ``client.accounts`` (sign-up),
``client.account`` (the caller's account at the login server), ``client.sandbox``,
``client.admin``) and tells a sandbox from the real Géoplateforme
(:meth:`GeoplateformeClient.capabilities`).

Nothing here prints or prompts; the optional ``debug`` callback receives one redacted line per
request and per response.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import TYPE_CHECKING

from cartes_cli.client._base import BaseClient
from cartes_cli.client.errors import error_from_response
from cartes_cli.client.models import Capabilities

if TYPE_CHECKING:  # each resource's module is imported when the resource is first used
    from cartes_cli.client.resources.accounts import AccountResource, AccountsResource
    from cartes_cli.client.resources.admin import AdminResource
    from cartes_cli.client.resources.communities import CommunitiesResource
    from cartes_cli.client.resources.datastores import DatastoresResource
    from cartes_cli.client.resources.records import RecordsResource
    from cartes_cli.client.resources.requests import RequestsResource
    from cartes_cli.client.resources.sandbox import SandboxResource
    from cartes_cli.client.resources.users import UsersResource

__all__ = ["GeoplateformeClient"]


class GeoplateformeClient(BaseClient):
    """Typed client of one platform's Entrepôt API: the base client's options (see
    :class:`cartes_cli.client._base.BaseClient`), and the API's areas as resources."""

    # The resources are stateless views on this client, made on first use.

    @cached_property
    def users(self) -> UsersResource:
        from cartes_cli.client.resources.users import UsersResource

        return UsersResource(self)

    @cached_property
    def communities(self) -> CommunitiesResource:
        from cartes_cli.client.resources.communities import CommunitiesResource

        return CommunitiesResource(self)

    @cached_property
    def datastores(self) -> DatastoresResource:
        from cartes_cli.client.resources.datastores import DatastoresResource

        return DatastoresResource(self)

    @cached_property
    def requests(self) -> RequestsResource:
        from cartes_cli.client.resources.requests import RequestsResource

        return RequestsResource(self)

    @cached_property
    def records(self) -> RecordsResource:
        """The read-only listings as typed records, without pydantic (see its module)."""
        from cartes_cli.client.resources.records import RecordsResource

        return RecordsResource(self)

    @cached_property
    def accounts(self) -> AccountsResource:
        """Sign-up (anonymous)."""
        from cartes_cli.client.resources.accounts import AccountsResource

        return AccountsResource(self)

    @cached_property
    def account(self) -> AccountResource:
        """The caller's own account at the login server."""
        from cartes_cli.client.resources.accounts import AccountResource

        return AccountResource(self)

    @cached_property
    def sandbox(self) -> SandboxResource:
        from cartes_cli.client.resources.sandbox import SandboxResource

        return SandboxResource(self)

    @cached_property
    def admin(self) -> AdminResource:
        from cartes_cli.client.resources.admin import AdminResource

        return AdminResource(self)

    def capabilities(self, *, refresh: bool = False) -> Capabilities:
        """What the platform offers beyond the Entrepôt API (cached per client).

        ``GET {root}/sandbox/capabilities`` without credentials. A 4xx (404 on the real
        Géoplateforme), a redirect or an answer that is not a JSON object means "the real
        platform": no sandbox feature. Unreachable platforms and 5xx still raise.
        """
        with self._capabilities_lock:
            if self._capabilities is not None and not refresh:
                return self._capabilities
        response = self.send(
            "GET", self.root_url + "/sandbox/capabilities", authenticated=False, raise_for_status=False
        )
        capabilities = Capabilities.real_platform()
        if response.is_success:
            try:
                data = json.loads(response.content) if response.content else None
            except ValueError:
                data = None
            if isinstance(data, dict):
                try:
                    capabilities = Capabilities.from_wire(data)
                except ValueError:
                    capabilities = Capabilities.real_platform()
        elif response.status_code >= 500 or response.status_code == 429:
            raise error_from_response(response)
        with self._capabilities_lock:
            self._capabilities = capabilities
        return capabilities
