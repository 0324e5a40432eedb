"""Datastores: storage, quotas and broadcast endpoints of a community."""

from pydantic import Field

from cartes_cli.client.models._common import Model, Number, Timestamp, _Identified


class Usage(Model):
    use: Number | None = None
    quota: Number | None = None


class Storage(_Identified):
    name: str | None = None
    type: str | None = None


class StorageUsage(Usage):
    storage: Storage | None = None


class DatastoreStorages(Model):
    data: list[StorageUsage] = Field(default_factory=list)
    uploads: Usage | None = None
    annexes: Usage | None = None


class EndpointUrl(Model):
    type: str | None = None
    url: str


class Endpoint(_Identified):
    name: str | None = None
    technical_name: str | None = None
    type: str | None = None
    open: bool | None = None
    urls: list[EndpointUrl] = Field(default_factory=list)


class EndpointUsage(Usage):
    endpoint: Endpoint | None = None


class DatastoreCommunity(_Identified):
    name: str | None = None
    technical_name: str | None = None


class Datastore(_Identified):
    """``GET /datastores/{d}``: storage, quotas and broadcast endpoints of a community."""

    name: str | None = None
    technical_name: str | None = None
    active: bool | None = None
    community: DatastoreCommunity | str | None = None
    storages: DatastoreStorages = Field(default_factory=DatastoreStorages)
    endpoints: list[EndpointUsage] = Field(default_factory=list)
    creation: Timestamp | None = None
    update: Timestamp | None = None

    @property
    def community_id(self) -> str | None:
        if isinstance(self.community, DatastoreCommunity):
            return self.community.id
        return self.community
