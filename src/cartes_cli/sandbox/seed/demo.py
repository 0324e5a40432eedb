"""The ``demo`` seed: loads ``demo_data`` into an empty store, fully deterministically.

Same data every time: ids are uuid5 of fixed names, every other "random" value comes from a
seeded generator, password salts included.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime

from cartes_cli.sandbox.domain.brokers import DEMO_LINKS
from cartes_cli.sandbox.domain.credentials import hash_client_secret, hash_password
from cartes_cli.sandbox.domain.offers import OFFERS, PRIVATE_ENDPOINTS, PUBLIC_ENDPOINTS
from cartes_cli.sandbox.seed.demo_data import (
    COMMUNITIES,
    DEMO_CI_CLIENT_ID,
    DEMO_CI_SECRET,
    DEMO_CI_USERNAME,
    DEMO_EXPIRED_PASSWORD_USER,
    DEMO_NEWCOMER,
    DEMO_PASSWORD,
    ENDPOINTS,
    INACTIVE_DATASTORES,
    JOIN_FORMS,
    MEMBERS,
    ORGANIZATIONS,
    REQUESTS,
    STORAGES,
    USERS,
    DemoRequest,
    demo_id,
)
from cartes_cli.sandbox.store import Store
from cartes_cli.sandbox.store.records import Mail
from cartes_cli.sandbox.util import iso

"""A Keycloak account that has never called ``GET /users/me``: the Entrepôt does not know it, so
it cannot be added to a community until it logs in once and calls the API."""
"""The accounts the README and the tests rely on (shown when the server starts)."""

"""Confidential clients of the demo data: ``(client_id, secret, role)``."""


# --- the demo data ---------------------------------------------------------------------------


Period = tuple[datetime, datetime]
"""From, to."""


def _moment(rng: random.Random, start: datetime, end: datetime) -> float:
    return float(rng.randint(int(start.timestamp()), int(end.timestamp())))


def _share(rng: random.Random, quota: int, low: float = 0.02, high: float = 0.85) -> int:
    return int(quota * rng.uniform(low, high))


def seed_demo(store: Store) -> None:
    rng = random.Random("cartes-sandbox-demo-2026")
    start, end = datetime(2022, 1, 3, tzinfo=UTC), datetime(2025, 6, 30, tzinfo=UTC)
    recent = datetime(2025, 9, 1, tzinfo=UTC), datetime(2025, 12, 31, tzinfo=UTC)

    user_ids, user_created = _seed_users(store, rng, start, end, recent)
    _seed_catalogue(store, rng, start, end)
    community_ids, community_created = _seed_communities(store, rng, end, user_ids, user_created)
    for username, technical_name, rights in MEMBERS:
        earliest = max(user_created[username], community_created[technical_name])
        when = iso(_moment(rng, datetime.fromtimestamp(earliest, UTC), datetime(2025, 10, 31, tzinfo=UTC)))
        store.communities.put_membership(community_ids[technical_name], user_ids[username], rights, when)

    _seed_logins(store, user_ids)
    _seed_workflow(store, user_ids, community_ids, community_created)
    _seed_accounts(store)
    _seed_newcomer(store)


def _seed_users(
    store: Store, rng: random.Random, start: datetime, end: datetime, recent: Period
) -> tuple[dict[str, str], dict[str, float]]:
    """The demo accounts; their ids and creation times by username."""
    user_ids: dict[str, str] = {}
    user_created: dict[str, float] = {}
    for user in USERS:
        created = _moment(rng, start, end)
        updated = _moment(rng, datetime.fromtimestamp(created, UTC), end)
        last_login = iso(_moment(rng, *recent)) if user.logged_in else None
        user_ids[user.username] = demo_id("user", user.username)
        user_created[user.username] = created
        store.users.insert(
            id=user_ids[user.username],
            username=user.username,
            email=user.email,
            first_name=user.first_name,
            last_name=user.last_name,
            password_hash=hash_password(DEMO_PASSWORD, salt=rng.randbytes(16)),
            created=iso(created),
            updated=iso(updated),
            last_login=last_login,
            enabled=user.enabled,
            email_verified=user.email_verified,
            required_actions=user.required_actions,
            totp_secret=user.totp_secret,
            administrator=user.administrator,
            documents_use=rng.randrange(0, 400_000_000, 1024),
            keys_use=rng.randint(0, 4),
        )
    return user_ids, user_created


def _seed_catalogue(store: Store, rng: random.Random, start: datetime, end: datetime) -> None:
    """The organizations, storages and endpoints."""
    for key, name in ORGANIZATIONS.items():
        store.communities.insert_organization(
            demo_id("organization", key), name, iso(_moment(rng, start, end))
        )

    for key, name, type_, labels in STORAGES:
        store.datastores.insert_storage(id=demo_id("storage", key), name=name, type=type_, labels=labels)
    for technical_name, name, type_, is_open, urls in ENDPOINTS:
        store.datastores.insert_endpoint(
            id=demo_id("endpoint", technical_name),
            name=name,
            technical_name=technical_name,
            type=type_,
            open=is_open,
            urls=[{"type": t, "url": u} for t, u in urls],
        )


def _seed_communities(
    store: Store,
    rng: random.Random,
    end: datetime,
    user_ids: dict[str, str],
    user_created: dict[str, float],
) -> tuple[dict[str, str], dict[str, float]]:
    """The communities (with their datastores); their ids and creation times by technical name."""
    community_ids: dict[str, str] = {}
    community_created: dict[str, float] = {}
    for technical_name, name, org, contact, supervisor, public, offer, description in COMMUNITIES:
        # Created by its supervisor, after they signed up.
        created = max(_moment(rng, datetime(2022, 6, 1, tzinfo=UTC), end), user_created[supervisor] + 86400)
        updated = _moment(rng, datetime.fromtimestamp(created, UTC), datetime(2025, 10, 31, tzinfo=UTC))
        community_ids[technical_name] = demo_id("community", technical_name)
        community_created[technical_name] = created
        store.communities.insert(
            id=community_ids[technical_name],
            name=name,
            technical_name=technical_name,
            description=description,
            contact=contact,
            public=public,
            organization_id=demo_id("organization", org),
            supervisor_id=user_ids[supervisor],
            created=iso(created),
            updated=iso(updated),
        )
        if offer is not None:
            _seed_datastore(
                store, rng, technical_name, name, community_ids[technical_name], offer, public, created
            )
    return community_ids, community_created


def _seed_newcomer(store: Store) -> None:
    """``thomas.girard``: an account at the login server that has never called the Entrepôt API.
    Fixed values and its own generator: the rest of the demo data is unchanged."""
    rng = random.Random(f"cartes-sandbox-demo-{DEMO_NEWCOMER}")
    store.users.insert(
        id=demo_id("user", DEMO_NEWCOMER),
        username=DEMO_NEWCOMER,
        email="thomas.girard@ddt-gironde.test",
        first_name="Thomas",
        last_name="Girard",
        password_hash=hash_password(DEMO_PASSWORD, salt=rng.randbytes(16)),
        created="2025-11-24T09:00:00Z",
        entrepot_user=False,
    )


def _seed_datastore(
    store: Store,
    rng: random.Random,
    technical_name: str,
    name: str,
    community_id: str,
    offer: str,
    public: bool,
    created: float,
) -> None:
    quotas = OFFERS[offer]
    datastore_id = demo_id("datastore", technical_name)
    store.datastores.insert(
        id=datastore_id,
        community_id=community_id,
        name=name,
        technical_name=technical_name,
        created=iso(created + rng.randint(3600, 14 * 86400)),
        uploads_quota=quotas["uploads"],
        uploads_use=_share(rng, quotas["uploads"], 0.0, 0.4),
        annexes_quota=quotas["annexes"],
        annexes_use=_share(rng, quotas["annexes"], 0.0, 0.3),
        active=technical_name not in INACTIVE_DATASTORES,
    )
    pg = rng.choice(("pg-mutualise-1", "pg-mutualise-2"))
    store.datastores.add_storage(
        datastore_id, demo_id("storage", pg), use=_share(rng, quotas["pg"]), quota=quotas["pg"]
    )
    store.datastores.add_storage(
        datastore_id,
        demo_id("storage", "s3-geoplateforme"),
        use=_share(rng, quotas["s3"]),
        quota=quotas["s3"],
    )
    if quotas["fs"]:
        store.datastores.add_storage(
            datastore_id, demo_id("storage", "fs-premium"), use=_share(rng, quotas["fs"]), quota=quotas["fs"]
        )
    endpoints = PUBLIC_ENDPOINTS[offer] if public else PRIVATE_ENDPOINTS
    for endpoint in endpoints:
        quota = quotas["endpoint"]
        store.datastores.add_endpoint(
            datastore_id, demo_id("endpoint", endpoint), use=rng.randint(0, quota), quota=quota
        )


# --- logins: service account, brokered identities ---------------------------------------------


def _seed_logins(store: Store, user_ids: dict[str, str]) -> None:
    created = "2025-09-15T08:00:00Z"
    account_id = demo_id("user", DEMO_CI_USERNAME)
    user_ids[DEMO_CI_USERNAME] = account_id
    store.users.insert(
        id=account_id,
        username=DEMO_CI_USERNAME,
        email=f"{DEMO_CI_USERNAME}@clients.geoplateforme.test",
        first_name="",
        last_name="",
        password_hash=None,
        created=created,
        technical=True,
    )
    store.clients.insert(
        client_id=DEMO_CI_CLIENT_ID,
        name="Intégration continue de la DDT de la Gironde",
        grant_types=["client_credentials"],
        secret_hash=hash_client_secret(DEMO_CI_SECRET),
        service_account=account_id,
        created=created,
    )
    store.communities.put_membership(demo_id("community", "ddt33"), account_id, ["UPLOAD"], created)
    for provider, subject, username in DEMO_LINKS:
        store.users.link_identity(provider, subject, user_ids[username], "2025-10-01T12:00:00Z")


# --- accounts: profiles, yearly password renewal ------------------------------------------------


def _seed_accounts(store: Store) -> None:
    """``paul.mercier``: a complete professional profile, and a password set in March 2024, so
    older than a year: the password grant answers "Account is not fully set up" and the login
    page asks for a new password first. (The other demo accounts' password age is unknown: they
    never expire.) Fixed values and its own generator: the rest of the demo data is unchanged."""
    rng = random.Random(f"cartes-sandbox-demo-{DEMO_EXPIRED_PASSWORD_USER}")
    user_id = demo_id("user", DEMO_EXPIRED_PASSWORD_USER)
    store.users.insert(
        id=user_id,
        username=DEMO_EXPIRED_PASSWORD_USER,
        email="paul.mercier@agglo-pau.test",
        first_name="Paul",
        last_name="Mercier",
        password_hash=hash_password(DEMO_PASSWORD, salt=rng.randbytes(16)),
        created="2023-03-06T10:15:00Z",
        updated="2024-03-11T09:30:00Z",
        last_login="2025-02-14T16:20:00Z",
        password_changed="2024-03-11T09:30:00Z",  # noqa: S106 - a date
        attributes={
            "phone": "+33559112233",
            "street": "12 rue des Cordeliers",
            "locality": "Pau",
            "postcode": "64000",
            "siret": "20006725400009",
            "company": "Communauté d'agglomération Pau Béarn Pyrénées",
            "position": "Technicien SIG",
            "company_street": "Hôtel de France, 2 bis place Royale",
            "company_locality": "Pau",
            "company_postcode": "64000",
        },
    )
    store.communities.put_membership(
        demo_id("community", "agglo_pau"), user_id, ["UPLOAD", "PROCESSING"], "2023-04-03T08:00:00Z"
    )


# --- the request workflow: join forms, requests, e-mails -------------------------------------------


def _seed_workflow(
    store: Store,
    user_ids: dict[str, str],
    community_ids: dict[str, str],
    community_created: dict[str, float],
) -> None:
    from cartes_cli.sandbox.domain import mail

    for technical_name, fields in JOIN_FORMS.items():
        store.communities.set_join_form(community_ids[technical_name], fields, "2025-06-01T00:00:00Z")
    bretagne = community_created["region_bretagne"]
    requests = [
        *REQUESTS,
        # The request that created region_bretagne, three days before it was.
        DemoRequest(
            "datastore-region-bretagne",
            "camille.dubois",
            iso(bretagne - 3 * 86400),
            community="region_bretagne",
            status="accepted",
            name="Région Bretagne",
            technical_name="region_bretagne",
            description="Données régionales bretonnes : transports, lycées, schémas régionaux.",
            offer="premium",
            public=True,
            justification="Les données régionales de référence sont ouvertes : elles doivent être diffusées "
            "sur les services publics de la Géoplateforme.",
            decided_by="claire.moreau",
            updated=iso(bretagne),
        ),
    ]
    mails: list[tuple[str, Mail]] = []
    for item in sorted(requests, key=lambda r: r.created):
        request_id = demo_id("request", item.key)
        store.requests.insert(
            id=request_id,
            type="join" if item.name is None else "datastore",
            status=item.status,
            requester_id=user_ids[item.requester],
            community_id=community_ids[item.community] if item.community else None,
            message=item.message,
            answers=item.answers,
            name=item.name,
            technical_name=item.technical_name,
            description=item.description,
            offer=item.offer,
            public=item.public,
            justification=item.justification,
            rights=item.rights,
            reason=item.reason,
            decided_by=user_ids[item.decided_by] if item.decided_by else None,
            created=item.created,
            updated=item.updated,
        )
        record = store.requests.get(request_id)
        assert record is not None
        composed = mail.received(store, record, item.created)
        if item.status in ("accepted", "rejected"):
            assert item.updated is not None
            composed.append(mail.decided(record, item.updated))
        for n, message in enumerate(composed):
            mails.append((message.created, replace(message, id=demo_id("mail", f"{item.key}:{n}"))))
    for _, message in sorted(mails, key=lambda pair: pair[0]):
        store.outbox.add(message)


# --- registry --------------------------------------------------------------------------------
