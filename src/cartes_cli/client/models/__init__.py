"""Pydantic models of the Entrepôt API, tolerant of the variants the platform has sent over time.

Conventions: every model allows extra fields (kept, available through ``model_extra`` and in
``model_dump()``), ``_id`` is exposed as ``id`` (both names accepted), optional fields default to
``None``, dates are timezone-aware ``datetime`` (a naive one is taken as UTC). Rights accept every
wire form and keep unknown rights (see :mod:`cartes_cli.client.models._common`).

One module per API area:

- ``_common``: :class:`Model`, :class:`Right`/``Rights``, ``Timestamp``, ``Number``, :class:`UserRef`;
- ``communities``: communities, the public catalogue, members, join forms;
- ``users``: ``/users/me`` and its memberships;
- ``datastores``: storage, quotas, endpoints;
- ``requests``: join and datastore requests (SANDBOX);
- ``capabilities``: what a platform offers, the sandbox's outbox;
- ``accounts``: sign-up and captchas (SANDBOX), the Keycloak account of the caller, the admin REST.

Every name is importable from here, as before the split (``from cartes_cli.client.models import
User``). A name loads its area's module on first use only: ``from cartes_cli.client.models import
Captcha`` builds no community model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cartes_cli.lazy_exports import lazy_exports

if TYPE_CHECKING:  # the names for type checkers; `X as X`: public, outside __all__ as before
    from cartes_cli.client.models._capabilities import Capabilities, Feature
    from cartes_cli.client.models._common import Model, Rights, UserRef
    from cartes_cli.client.models._common import Number as Number
    from cartes_cli.client.models._common import Timestamp as Timestamp
    from cartes_cli.client.models._values import RequestStatus, RequestType, Right, normalise_rights
    from cartes_cli.client.models.accounts import AccountCreated, AccountProfile, Captcha, TotpSetup
    from cartes_cli.client.models.accounts import AdminUser as AdminUser
    from cartes_cli.client.models.accounts import Credential as Credential
    from cartes_cli.client.models.capabilities import OutboxMessage
    from cartes_cli.client.models.communities import (
        CatalogCommunity,
        Community,
        CommunitySummary,
        DatastoreRef,
        JoinForm,
        JoinFormConstraints,
        JoinFormField,
        Member,
        Organization,
    )
    from cartes_cli.client.models.datastores import (
        Datastore,
        DatastoreCommunity,
        DatastoreStorages,
        Endpoint,
        EndpointUrl,
        EndpointUsage,
        Storage,
        StorageUsage,
        Usage,
    )
    from cartes_cli.client.models.requests import Request
    from cartes_cli.client.models.users import Membership, User

__all__ = [
    "AccountCreated",
    "AccountProfile",
    "Capabilities",
    "Captcha",
    "CatalogCommunity",
    "Community",
    "CommunitySummary",
    "Datastore",
    "DatastoreCommunity",
    "DatastoreRef",
    "DatastoreStorages",
    "Endpoint",
    "EndpointUrl",
    "EndpointUsage",
    "Feature",
    "JoinForm",
    "JoinFormConstraints",
    "JoinFormField",
    "Member",
    "Membership",
    "Model",
    "Organization",
    "OutboxMessage",
    "Request",
    "RequestStatus",
    "RequestType",
    "Right",
    "Rights",
    "Storage",
    "StorageUsage",
    "TotpSetup",
    "Usage",
    "User",
    "UserRef",
    "normalise_rights",
]

_MODULE_OF = {
    "AccountCreated": "accounts",
    "AccountProfile": "accounts",
    "AdminUser": "accounts",
    "Capabilities": "_capabilities",
    "Captcha": "accounts",
    "CatalogCommunity": "communities",
    "Community": "communities",
    "CommunitySummary": "communities",
    "Credential": "accounts",
    "Datastore": "datastores",
    "DatastoreCommunity": "datastores",
    "DatastoreRef": "communities",
    "DatastoreStorages": "datastores",
    "Endpoint": "datastores",
    "EndpointUrl": "datastores",
    "EndpointUsage": "datastores",
    "Feature": "_capabilities",
    "JoinForm": "communities",
    "JoinFormConstraints": "communities",
    "JoinFormField": "communities",
    "Member": "communities",
    "Membership": "users",
    "Model": "_common",
    "Number": "_common",
    "Organization": "communities",
    "OutboxMessage": "capabilities",
    "Request": "requests",
    "RequestStatus": "_values",
    "RequestType": "_values",
    "Right": "_values",
    "Rights": "_common",
    "Storage": "datastores",
    "StorageUsage": "datastores",
    "Timestamp": "_common",
    "TotpSetup": "accounts",
    "Usage": "datastores",
    "User": "users",
    "UserRef": "_common",
    "normalise_rights": "_values",
}


__getattr__, __dir__ = lazy_exports(__name__, globals(), _MODULE_OF)
