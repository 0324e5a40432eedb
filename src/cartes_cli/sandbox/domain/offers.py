"""The datastore offers (quotas and endpoints), shared by the demo seed and by accepting a
datastore request."""

from __future__ import annotations

from cartes_cli.sandbox.store import Store
from cartes_cli.sandbox.util import new_id

GB = 1_000_000_000

OFFERS: dict[str, dict[str, int]] = {
    # storage quotas (PostgreSQL, S3, filesystem), uploads, annexes, endpoint quota
    "essential": {
        "pg": 10 * GB,
        "s3": 50 * GB,
        "fs": 0,
        "uploads": 10 * GB,
        "annexes": 1 * GB,
        "endpoint": 10,
    },
    "premium": {
        "pg": 50 * GB,
        "s3": 200 * GB,
        "fs": 100 * GB,
        "uploads": 50 * GB,
        "annexes": 5 * GB,
        "endpoint": 50,
    },
}
PUBLIC_ENDPOINTS: dict[str, tuple[str, ...]] = {
    "essential": ("gpf-wms-v", "gpf-wfs", "gpf-wmts-tms", "gpf-telechargement", "gpf-csw"),
    "premium": ("gpf-wms-v", "gpf-wfs", "gpf-wmts-tms", "gpf-wms-r", "gpf-telechargement", "gpf-csw"),
}
PRIVATE_ENDPOINTS: tuple[str, ...] = ("gpf-wms-v-prive", "gpf-wfs-prive", "gpf-telechargement-prive")


def provision_datastore(
    store: Store, *, community_id: str, name: str, technical_name: str, offer: str, public: bool, when: str
) -> str:
    """A new, active, empty datastore for ``community_id`` with the quotas of ``offer``, on the
    storages and endpoints the sandbox has (none in an unseeded sandbox). Returns its id."""
    quotas = OFFERS[offer]
    datastore_id = new_id()
    store.datastores.insert(
        id=datastore_id,
        community_id=community_id,
        name=name,
        technical_name=technical_name,
        created=when,
        uploads_quota=quotas["uploads"],
        annexes_quota=quotas["annexes"],
    )
    for storage_type, key in (("POSTGRESQL", "pg"), ("S3", "s3"), ("FILESYSTEM", "fs")):
        storage_id = store.datastores.first_storage_id(storage_type)
        if quotas[key] and storage_id is not None:
            store.datastores.add_storage(datastore_id, storage_id, use=0, quota=quotas[key])
    for technical in PUBLIC_ENDPOINTS[offer] if public else PRIVATE_ENDPOINTS:
        endpoint_id = store.datastores.endpoint_id(technical)
        if endpoint_id is not None:
            store.datastores.add_endpoint(datastore_id, endpoint_id, use=0, quota=quotas["endpoint"])
    return datastore_id
