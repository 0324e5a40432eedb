"""``client.datastores``: a workspace's storage."""

from __future__ import annotations

from cartes_cli.client._paths import segment
from cartes_cli.client._resource import APIResource
from cartes_cli.client.models import Datastore

__all__ = ["DatastoresResource"]


class DatastoresResource(APIResource):
    def get(self, datastore_id: str) -> Datastore:
        """``GET /datastores/{d}``: storage, quotas and endpoints."""
        return self._client.get_model(Datastore, f"/datastores/{segment(datastore_id, 'datastore id')}")
