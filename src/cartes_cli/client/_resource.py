"""The base of every resource class (``client.users``, ``client.requests``…)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cartes_cli.client._base import BaseClient

__all__ = ["APIResource"]


class APIResource:
    """A group of API calls sharing the client's connection pool, credentials and retry policy.

    A resource knows the base client only (the request path, parsing, pagination), never the
    public client that gathers the resources: a resource that needs another one builds it over
    the same base client, so the modules of ``resources/`` import nothing above them.
    """

    def __init__(self, client: BaseClient) -> None:
        self._client = client
