"""Seed data sets. ``demo``: a believable, fully deterministic Géoplateforme.

Same data every time: ids are uuid5 of fixed names, every other "random" value comes from a
seeded generator, password salts included. All e-mail domains are under ``.test`` (RFC 2606).
Every account's password is ``DEMO_PASSWORD``.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from cartes_cli.sandbox.domain.brokers import DEMO_LINKS
from cartes_cli.sandbox.domain.credentials import hash_client_secret, hash_password
from cartes_cli.sandbox.domain.offers import OFFERS, PRIVATE_ENDPOINTS, PUBLIC_ENDPOINTS
from cartes_cli.sandbox.errors import SandboxConfigError
from cartes_cli.sandbox.store import Store
from cartes_cli.sandbox.store.records import Mail
from cartes_cli.sandbox.util import iso

DEMO_PASSWORD = "Carto-Demo-2026!"  # noqa: S105 - public demo data
DEMO_TOTP_SECRET = "GEOPLATEFORMEDEMOSECRETTOTPCODE2"  # noqa: S105 - public demo data
DEMO_CI_CLIENT_ID = "cartes-ci"
DEMO_CI_SECRET = "ci-demo-secret-2026"  # noqa: S105 - public demo data (only its hash is stored)
DEMO_CI_USERNAME = f"service-account-{DEMO_CI_CLIENT_ID}"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://cartes.gouv.fr/sandbox/demo")


class UnknownSeed(SandboxConfigError):
    pass


def demo_id(kind: str, name: str) -> str:
    """The demo data's fixed id of ``kind`` (user, community…) called ``name``."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{name}"))


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    role: str


DEMO_EXPIRED_PASSWORD_USER = "paul.mercier"  # noqa: S105 - a username
DEMO_NEWCOMER = "thomas.girard"
"""A Keycloak account that has never called ``GET /users/me``: the Entrepôt does not know it, so
it cannot be added to a community until it logs in once and calls the API."""
DEMO_ACCOUNTS = (
    DemoAccount("claire.moreau", "platform staff"),
    DemoAccount("julien.lefebvre", "supervisor of ddt33"),
    DemoAccount("amelie.rousseau", f"two-factor, TOTP seed {DEMO_TOTP_SECRET}"),
    DemoAccount(DEMO_EXPIRED_PASSWORD_USER, "password over a year old: must renew it at login"),
    DemoAccount(DEMO_NEWCOMER, "never used the API: cannot be added to a community before GET /users/me"),
)
"""The accounts the README and the tests rely on (shown when the server starts)."""

DEMO_CLIENTS = ((DEMO_CI_CLIENT_ID, DEMO_CI_SECRET, "service account (client_credentials), UPLOAD on ddt33"),)
"""Confidential clients of the demo data: ``(client_id, secret, role)``."""


# --- the demo data ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _DemoUser:
    username: str
    email: str
    first_name: str
    last_name: str
    administrator: bool = False
    totp_secret: str | None = None
    enabled: bool = True
    email_verified: bool = True
    required_actions: tuple[str, ...] = ()
    logged_in: bool = True


_USERS = (
    _DemoUser("claire.moreau", "claire.moreau@ign.test", "Claire", "Moreau", administrator=True),
    _DemoUser("julien.lefebvre", "julien.lefebvre@ddt-gironde.test", "Julien", "Lefebvre"),
    _DemoUser(
        "amelie.rousseau",
        "amelie.rousseau@ecrins-parcnational.test",
        "Amélie",
        "Rousseau",
        totp_secret=DEMO_TOTP_SECRET,
    ),
    _DemoUser("mathieu.garnier", "mathieu.garnier@ecrins-parcnational.test", "Mathieu", "Garnier"),
    _DemoUser("sophie.martin", "sophie.martin@cerema.test", "Sophie", "Martin"),
    _DemoUser("nicolas.bernard", "nicolas.bernard@ofb.test", "Nicolas", "Bernard"),
    _DemoUser("camille.dubois", "camille.dubois@bretagne-region.test", "Camille", "Dubois"),
    _DemoUser("antoine.petit", "antoine.petit@agglo-larochelle.test", "Antoine", "Petit"),
    _DemoUser("lucie.fontaine", "lucie.fontaine@sdis74.test", "Lucie", "Fontaine"),
    _DemoUser("elodie.chevalier", "elodie.chevalier@ddtm-finistere.test", "Élodie", "Chevalier"),
    # Left the DDT: the account is disabled, the membership stays.
    _DemoUser("hugo.lambert", "hugo.lambert@ddt-isere.test", "Hugo", "Lambert", enabled=False),
    # Signed up, never clicked the verification link.
    _DemoUser(
        "ines.benali",
        "ines.benali@geomatique-conseil.test",
        "Inès",
        "Benali",
        email_verified=False,
        required_actions=("VERIFY_EMAIL",),
        logged_in=False,
    ),
)

_ORGANIZATIONS: dict[str, str] = {
    "ign": "Institut national de l'information géographique et forestière (IGN)",
    "ddt33": "Direction départementale des territoires de la Gironde",
    "ddtm29": "Direction départementale des territoires et de la mer du Finistère",
    "ddtm13": "Direction départementale des territoires et de la mer des Bouches-du-Rhône",
    "ddtm34": "Direction départementale des territoires et de la mer de l'Hérault",
    "ddt38": "Direction départementale des territoires de l'Isère",
    "ddt69": "Direction départementale des territoires du Rhône",
    "ddt74": "Direction départementale des territoires de la Haute-Savoie",
    "ddt67": "Direction départementale des territoires du Bas-Rhin",
    "bretagne": "Région Bretagne",
    "naq": "Région Nouvelle-Aquitaine",
    "aura": "Région Auvergne-Rhône-Alpes",
    "occitanie": "Région Occitanie / Pyrénées-Méditerranée",
    "pne": "Parc national des Écrins",
    "pnv": "Parc national de la Vanoise",
    "pnc": "Parc national des Cévennes",
    "pncal": "Parc national des Calanques",
    "pnp": "Parc national des Pyrénées",
    "pnra": "Parc naturel régional d'Armorique",
    "epidor": "EPTB Dordogne (EPIDOR)",
    "vilaine": "EPTB Eaux & Vilaine",
    "smiage": "Syndicat mixte pour les inondations, l'aménagement et la gestion de l'eau maralpin (SMIAGE)",
    "sm3a": "Syndicat mixte d'aménagement de l'Arve et de ses abords (SM3A)",
    "larochelle": "Communauté d'agglomération de La Rochelle",
    "annecy": "Grand Annecy Agglomération",
    "pau": "Communauté d'agglomération Pau Béarn Pyrénées",
    "cerema": "Cerema",
    "ofb": "Office français de la biodiversité (OFB)",
    "sdis74": "Service départemental d'incendie et de secours de la Haute-Savoie",
}

# technical name, name, organization, contact, supervisor, public, datastore offer, description
_COMMUNITIES: tuple[tuple[str, str, str, str, str, bool, str | None, str], ...] = (
    (
        "tutoriels",
        "Communauté des tutoriels",
        "ign",
        "tutoriels@ign.test",
        "claire.moreau",
        True,
        "premium",
        "Espace ouvert à tous pour apprendre : jeux de données d'exemple et pas-à-pas pour "
        "découvrir le chargement, les traitements et la diffusion sur la Géoplateforme.",
    ),
    (
        "ddt33",
        "DDT de la Gironde",
        "ddt33",
        "sig@ddt-gironde.test",
        "julien.lefebvre",
        True,
        "premium",
        "Urbanisme, risques et aménagement en Gironde : plans de prévention des risques, "
        "servitudes d'utilité publique, zonages réglementaires.",
    ),
    (
        "ddtm29",
        "DDTM du Finistère",
        "ddtm29",
        "geomatique@ddtm-finistere.test",
        "elodie.chevalier",
        True,
        "essential",
        "Domaine public maritime, submersion marine et documents d'urbanisme du Finistère.",
    ),
    (
        "ddtm13",
        "DDTM des Bouches-du-Rhône",
        "ddtm13",
        "sig@ddtm-bouches-du-rhone.test",
        "elodie.chevalier",
        True,
        "essential",
        "Obligations légales de débroussaillement, risque feu de forêt et risques littoraux "
        "dans les Bouches-du-Rhône.",
    ),
    (
        "ddtm34",
        "DDTM de l'Hérault",
        "ddtm34",
        "sig@ddtm-herault.test",
        "elodie.chevalier",
        True,
        "essential",
        "Zonages inondation, évolution du trait de côte et aménagement du territoire héraultais.",
    ),
    (
        "ddt38",
        "DDT de l'Isère",
        "ddt38",
        "sig@ddt-isere.test",
        "sophie.martin",
        True,
        "essential",
        "Risques naturels en montagne, cartes des aléas et plans de prévention de l'Isère.",
    ),
    (
        "ddt69",
        "DDT du Rhône",
        "ddt69",
        "sig@ddt-rhone.test",
        "sophie.martin",
        True,
        "essential",
        "Plans de prévention du bruit, zones agricoles protégées et consommation d'espace dans le Rhône.",
    ),
    (
        "ddt74",
        "DDT de la Haute-Savoie",
        "ddt74",
        "sig@ddt-haute-savoie.test",
        "sophie.martin",
        True,
        "essential",
        "Risques avalanches et torrentiels, sites classés et zonages montagne en Haute-Savoie.",
    ),
    (
        "ddt67",
        "DDT du Bas-Rhin",
        "ddt67",
        "sig@ddt-bas-rhin.test",
        "sophie.martin",
        True,
        None,
        "Futur espace de diffusion des données de la DDT du Bas-Rhin (entrepôt en cours de création).",
    ),
    (
        "region_bretagne",
        "Région Bretagne",
        "bretagne",
        "geodata@bretagne-region.test",
        "camille.dubois",
        True,
        "premium",
        "Données régionales bretonnes : transports, lycées, schémas régionaux et orthophotographies.",
    ),
    (
        "region_naq",
        "Région Nouvelle-Aquitaine",
        "naq",
        "sig@nouvelle-aquitaine.test",
        "antoine.petit",
        True,
        None,
        "Espace de la Région Nouvelle-Aquitaine pour ses partenaires (SRADDET, mobilités).",
    ),
    (
        "region_aura",
        "Région Auvergne-Rhône-Alpes",
        "aura",
        "donnees@auvergnerhonealpes.test",
        "lucie.fontaine",
        True,
        "premium",
        "Données régionales d'Auvergne-Rhône-Alpes : aménagement, transports express régionaux, "
        "lycées et agriculture.",
    ),
    (
        "region_occitanie",
        "Région Occitanie",
        "occitanie",
        "sig@laregion-occitanie.test",
        "antoine.petit",
        True,
        "essential",
        "Référentiels régionaux d'Occitanie et données de l'observatoire régional du foncier.",
    ),
    (
        "pn_ecrins",
        "Parc national des Écrins",
        "pne",
        "sig@ecrins-parcnational.test",
        "mathieu.garnier",
        True,
        "essential",
        "Cœur de parc, aire d'adhésion, sentiers, refuges et suivis scientifiques du massif des Écrins.",
    ),
    (
        "pn_vanoise",
        "Parc national de la Vanoise",
        "pnv",
        "sig@vanoise-parcnational.test",
        "mathieu.garnier",
        True,
        "essential",
        "Limites réglementaires, itinéraires et observatoire des glaciers de la Vanoise.",
    ),
    (
        "pn_cevennes",
        "Parc national des Cévennes",
        "pnc",
        "sig@cevennes-parcnational.test",
        "nicolas.bernard",
        True,
        "essential",
        "Patrimoine naturel et culturel, pastoralisme et réserve de ciel étoilé des Cévennes.",
    ),
    (
        "pn_calanques",
        "Parc national des Calanques",
        "pncal",
        "sig@calanques-parcnational.test",
        "nicolas.bernard",
        True,
        "essential",
        "Zones de protection marines et terrestres, accès et fréquentation des calanques.",
    ),
    (
        "pn_pyrenees",
        "Parc national des Pyrénées",
        "pnp",
        "sig@pyrenees-parcnational.test",
        "mathieu.garnier",
        True,
        None,
        "Espace en préparation pour les données du Parc national des Pyrénées.",
    ),
    (
        "pnr_armorique",
        "Parc naturel régional d'Armorique",
        "pnra",
        "sig@pnr-armorique.test",
        "camille.dubois",
        True,
        "essential",
        "Bocage, landes des monts d'Arrée et espaces naturels sensibles du parc d'Armorique.",
    ),
    (
        "eptb_dordogne",
        "EPTB Dordogne (EPIDOR)",
        "epidor",
        "sig@eptb-dordogne.test",
        "antoine.petit",
        True,
        "essential",
        "Gestion de l'eau à l'échelle du bassin de la Dordogne : zones humides, étiages, "
        "continuité écologique.",
    ),
    (
        "eptb_vilaine",
        "EPTB Eaux & Vilaine",
        "vilaine",
        "sig@eaux-vilaine.test",
        "camille.dubois",
        True,
        "essential",
        "Bassin versant de la Vilaine : SAGE, zones inondables et qualité de l'eau.",
    ),
    (
        "smiage",
        "SMIAGE Maralpin",
        "smiage",
        "sig@smiage.test",
        "nicolas.bernard",
        True,
        "essential",
        "Prévention des inondations et gestion des cours d'eau des Alpes-Maritimes.",
    ),
    (
        "sm3a",
        "SM3A – Arve et abords",
        "sm3a",
        "sig@sm3a.test",
        "lucie.fontaine",
        True,
        "essential",
        "Gestion des milieux aquatiques et prévention des inondations sur le bassin de l'Arve.",
    ),
    (
        "agglo_larochelle",
        "Communauté d'agglomération de La Rochelle",
        "larochelle",
        "opendata@agglo-larochelle.test",
        "antoine.petit",
        True,
        "premium",
        "Plan local d'urbanisme intercommunal, réseaux de transport et données littorales de "
        "l'agglomération rochelaise.",
    ),
    (
        "agglo_annecy",
        "Grand Annecy",
        "annecy",
        "sig@grandannecy.test",
        "lucie.fontaine",
        True,
        "essential",
        "Urbanisme, mobilités et environnement du Grand Annecy (entrepôt en attente d'activation).",
    ),
    (
        "agglo_pau",
        "Agglomération Pau Béarn Pyrénées",
        "pau",
        "sig@agglo-pau.test",
        "antoine.petit",
        True,
        None,
        "Données de l'agglomération paloise pour ses communes membres.",
    ),
    (
        "cerema_geo",
        "Cerema – Données et territoires",
        "cerema",
        "donnees-territoires@cerema.test",
        "sophie.martin",
        True,
        "premium",
        "Fichiers fonciers, artificialisation des sols et observatoires territoriaux produits par le Cerema.",
    ),
    (
        "cerema_risques",
        "Cerema – Risques naturels",
        "cerema",
        "risques@cerema.test",
        "sophie.martin",
        True,
        "essential",
        "Aléas retrait-gonflement des argiles, mouvements de terrain et érosion côtière.",
    ),
    (
        "ofb_biodiv",
        "OFB – Connaissance de la biodiversité",
        "ofb",
        "donnees@ofb.test",
        "nicolas.bernard",
        True,
        "premium",
        "Aires protégées, continuités écologiques et inventaires naturalistes de l'OFB.",
    ),
    (
        "sdis74",
        "SDIS de la Haute-Savoie",
        "sdis74",
        "sig@sdis74.test",
        "lucie.fontaine",
        True,
        "essential",
        "Points d'eau incendie, accès des secours et zones d'intervention en Haute-Savoie.",
    ),
    # --- private ---
    (
        "ign_recette",
        "IGN – Recette interne",
        "ign",
        "recette@ign.test",
        "claire.moreau",
        False,
        "essential",
        "Espace de recette des équipes de la Géoplateforme.",
    ),
    (
        "ddt33_interne",
        "DDT de la Gironde – Travaux internes",
        "ddt33",
        "sig@ddt-gironde.test",
        "julien.lefebvre",
        False,
        "essential",
        "Données de travail non diffusées de la DDT de la Gironde.",
    ),
    (
        "ofb_sensible",
        "OFB – Données sensibles espèces",
        "ofb",
        "donnees-sensibles@ofb.test",
        "nicolas.bernard",
        False,
        "essential",
        "Localisations d'espèces sensibles, à diffusion restreinte.",
    ),
    (
        "pn_ecrins_faune",
        "Parc national des Écrins – Suivi faune",
        "pne",
        "faune@ecrins-parcnational.test",
        "mathieu.garnier",
        False,
        None,
        "Suivis télémétriques et comptages de la faune du parc, réservés aux agents.",
    ),
)

# Memberships beyond the supervisors' (who always hold every right).
_MEMBERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("julien.lefebvre", "tutoriels", ("UPLOAD", "PROCESSING", "BROADCAST")),
    ("julien.lefebvre", "region_naq", ("UPLOAD", "PROCESSING")),
    ("julien.lefebvre", "eptb_dordogne", ("COMMUNITY", "UPLOAD")),
    ("amelie.rousseau", "pn_ecrins", ("UPLOAD", "PROCESSING")),
    ("mathieu.garnier", "tutoriels", ("UPLOAD",)),
    ("mathieu.garnier", "pn_cevennes", ("UPLOAD", "PROCESSING", "BROADCAST")),
    ("sophie.martin", "ddt33", ("UPLOAD", "PROCESSING", "BROADCAST")),
    ("sophie.martin", "tutoriels", ("UPLOAD", "PROCESSING")),
    ("sophie.martin", "region_aura", ("COMMUNITY", "UPLOAD", "PROCESSING")),
    ("nicolas.bernard", "pn_ecrins", ("BROADCAST", "ANNEX")),
    ("nicolas.bernard", "eptb_vilaine", ("UPLOAD",)),
    ("camille.dubois", "tutoriels", ("UPLOAD", "PROCESSING", "BROADCAST", "ANNEX")),
    ("camille.dubois", "ddtm29", ("UPLOAD", "PROCESSING")),
    ("antoine.petit", "ddt33", ("UPLOAD",)),
    ("antoine.petit", "cerema_geo", ("UPLOAD",)),
    ("lucie.fontaine", "ddt74", ("COMMUNITY", "UPLOAD", "PROCESSING", "BROADCAST")),
    ("lucie.fontaine", "pn_vanoise", ("UPLOAD",)),
    ("elodie.chevalier", "pnr_armorique", ("UPLOAD", "PROCESSING")),
    ("elodie.chevalier", "region_bretagne", ("COMMUNITY", "UPLOAD")),
    ("hugo.lambert", "ddt38", ("UPLOAD", "PROCESSING")),
)

# Datastores waiting for the platform team to activate them.
_INACTIVE_DATASTORES = frozenset({"agglo_annecy"})

_STORAGES = (
    ("pg-mutualise-1", "Base PostgreSQL mutualisée 1", "POSTGRESQL", ("mutualise",)),
    ("pg-mutualise-2", "Base PostgreSQL mutualisée 2", "POSTGRESQL", ("mutualise",)),
    ("s3-geoplateforme", "Stockage objet S3 Géoplateforme", "S3", ()),
    ("fs-premium", "Stockage fichiers (offre premium)", "FILESYSTEM", ("premium",)),
)

# technical name, name, type, open, urls
_ENDPOINTS: tuple[tuple[str, str, str, bool, tuple[tuple[str, str], ...]], ...] = (
    (
        "gpf-wms-v",
        "Service WMS-Vecteur public",
        "WMS-VECTOR",
        True,
        (("WMS", "https://data.geopf.fr/wms-v/ows"),),
    ),
    ("gpf-wfs", "Service WFS public", "WFS", True, (("WFS", "https://data.geopf.fr/wfs/ows"),)),
    (
        "gpf-wmts-tms",
        "Service WMTS-TMS public",
        "WMTS-TMS",
        True,
        (("WMTS", "https://data.geopf.fr/wmts"), ("TMS", "https://data.geopf.fr/tms/1.0.0")),
    ),
    (
        "gpf-wms-r",
        "Service WMS-Raster public",
        "WMS-RASTER",
        True,
        (("WMS", "https://data.geopf.fr/wms-r/wms"),),
    ),
    (
        "gpf-telechargement",
        "Service de téléchargement public",
        "ARCHIVE",
        True,
        (("DOWNLOAD", "https://data.geopf.fr/telechargement"),),
    ),
    ("gpf-csw", "Service de métadonnées", "METADATA", True, (("CSW", "https://data.geopf.fr/csw"),)),
    (
        "gpf-wms-v-prive",
        "Service WMS-Vecteur privé",
        "WMS-VECTOR",
        False,
        (("WMS", "https://data.geopf.fr/private/wms-v/ows"),),
    ),
    (
        "gpf-wfs-prive",
        "Service WFS privé",
        "WFS",
        False,
        (("WFS", "https://data.geopf.fr/private/wfs/ows"),),
    ),
    (
        "gpf-telechargement-prive",
        "Service de téléchargement privé",
        "ARCHIVE",
        False,
        (("DOWNLOAD", "https://data.geopf.fr/private/telechargement"),),
    ),
)
_PUBLIC_ENDPOINTS = PUBLIC_ENDPOINTS
_PRIVATE_ENDPOINTS = PRIVATE_ENDPOINTS
_OFFERS = OFFERS


def _moment(rng: random.Random, start: datetime, end: datetime) -> float:
    return float(rng.randint(int(start.timestamp()), int(end.timestamp())))


def _share(rng: random.Random, quota: int, low: float = 0.02, high: float = 0.85) -> int:
    return int(quota * rng.uniform(low, high))


def seed_demo(store: Store) -> None:
    rng = random.Random("cartes-sandbox-demo-2026")
    start, end = datetime(2022, 1, 3, tzinfo=UTC), datetime(2025, 6, 30, tzinfo=UTC)
    recent = datetime(2025, 9, 1, tzinfo=UTC), datetime(2025, 12, 31, tzinfo=UTC)

    user_ids: dict[str, str] = {}
    user_created: dict[str, float] = {}
    for user in _USERS:
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

    for key, name in _ORGANIZATIONS.items():
        store.communities.insert_organization(
            demo_id("organization", key), name, iso(_moment(rng, start, end))
        )

    for key, name, type_, labels in _STORAGES:
        store.datastores.insert_storage(id=demo_id("storage", key), name=name, type=type_, labels=labels)
    for technical_name, name, type_, is_open, urls in _ENDPOINTS:
        store.datastores.insert_endpoint(
            id=demo_id("endpoint", technical_name),
            name=name,
            technical_name=technical_name,
            type=type_,
            open=is_open,
            urls=[{"type": t, "url": u} for t, u in urls],
        )

    community_ids: dict[str, str] = {}
    community_created: dict[str, float] = {}
    for technical_name, name, org, contact, supervisor, public, offer, description in _COMMUNITIES:
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

    for username, technical_name, rights in _MEMBERS:
        earliest = max(user_created[username], community_created[technical_name])
        when = iso(_moment(rng, datetime.fromtimestamp(earliest, UTC), datetime(2025, 10, 31, tzinfo=UTC)))
        store.communities.put_membership(community_ids[technical_name], user_ids[username], rights, when)

    _seed_logins(store, user_ids)
    _seed_workflow(store, user_ids, community_ids, community_created)
    _seed_accounts(store)
    _seed_newcomer(store)


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
    quotas = _OFFERS[offer]
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
        active=technical_name not in _INACTIVE_DATASTORES,
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
    endpoints = _PUBLIC_ENDPOINTS[offer] if public else _PRIVATE_ENDPOINTS
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

_JOIN_FORMS: dict[str, list[dict[str, Any]]] = {
    "ddt33": [
        {
            "name": "service",
            "title": "Service ou organisme",
            "type": "string",
            "constraints": {"required": True, "minLength": 2, "maxLength": 120},
        },
        {
            "name": "usage",
            "title": "Usage prévu des données",
            "type": "string",
            "constraints": {"required": True, "minLength": 20, "maxLength": 1000},
        },
        {
            "name": "siret",
            "title": "SIRET de l'organisme",
            "type": "string",
            "constraints": {"pattern": "^[0-9]{14}$"},
        },
        {"name": "referent", "title": "E-mail du référent SIG", "type": "email", "constraints": {}},
    ],
    "pn_ecrins": [
        {
            "name": "structure",
            "title": "Structure",
            "type": "string",
            "constraints": {"required": True, "minLength": 2, "maxLength": 120},
        },
        {
            "name": "agent_parc",
            "title": "Êtes-vous agent du Parc national des Écrins ?",
            "type": "boolean",
            "constraints": {"required": True},
        },
        {
            "name": "secteur",
            "title": "Secteur du parc (1 à 7)",
            "type": "integer",
            "constraints": {"minimum": 1, "maximum": 7},
        },
        {
            "name": "surface_ha",
            "title": "Surface de la zone d'étude (ha)",
            "type": "number",
            "constraints": {"minimum": 0, "maximum": 270000},
        },
    ],
}


@dataclass(frozen=True, slots=True)
class _DemoRequest:
    key: str
    requester: str
    created: str
    community: str | None = None
    status: str = "pending"
    message: str | None = None
    answers: dict[str, Any] | None = None
    name: str | None = None
    technical_name: str | None = None
    description: str | None = None
    offer: str | None = None
    public: bool | None = None
    justification: str | None = None
    rights: tuple[str, ...] | None = None
    reason: str | None = None
    decided_by: str | None = None
    updated: str | None = None


_REQUESTS = (
    # --- pending: join requests to ddt33 (julien.lefebvre decides), pn_ecrins, region_aura
    _DemoRequest(
        "join-ddt33-mathieu",
        "mathieu.garnier",
        "2025-11-18T09:12:00Z",
        community="ddt33",
        message="Je coordonne l'inventaire des zones humides avec vos services : merci de m'ajouter.",
        answers={
            "service": "Parc national des Écrins – service SIG",
            "usage": "Croiser nos inventaires de zones humides avec les zonages réglementaires de Gironde.",
            "referent": "sig@ecrins-parcnational.test",
        },
    ),
    _DemoRequest(
        "join-ddt33-camille",
        "camille.dubois",
        "2025-12-02T14:35:00Z",
        community="ddt33",
        answers={
            "service": "Région Bretagne – service géomatique",
            "usage": "Comparer les méthodes des plans de prévention des risques littoraux.",
            "siret": "23350001600040",
        },
    ),
    _DemoRequest(
        "join-ddt33-lucie",
        "lucie.fontaine",
        "2025-12-09T08:05:00Z",
        community="ddt33",
        answers={
            "service": "SDIS de la Haute-Savoie",
            "usage": "Échanger nos méthodes sur les obligations légales de débroussaillement.",
        },
    ),
    _DemoRequest(
        "join-ddt33-nicolas",
        "nicolas.bernard",
        "2025-12-15T16:40:00Z",
        community="ddt33",
        message="Pour intégrer les trames vertes et bleues aux porter-à-connaissance.",
        answers={
            "service": "OFB – direction régionale Nouvelle-Aquitaine",
            "usage": "Intégrer les continuités écologiques aux porter-à-connaissance de la DDT.",
            "siret": "13002526500013",
        },
    ),
    _DemoRequest(
        "join-ecrins-sophie",
        "sophie.martin",
        "2025-12-04T10:00:00Z",
        community="pn_ecrins",
        message="Étude des aléas de chutes de blocs sur les routes d'accès au parc.",
        answers={
            "structure": "Cerema – direction territoriale Centre-Est",
            "agent_parc": False,
            "surface_ha": 1250.5,
        },
    ),
    _DemoRequest(
        "join-ecrins-antoine",
        "antoine.petit",
        "2025-12-11T11:30:00Z",
        community="pn_ecrins",
        answers={"structure": "Communauté d'agglomération de La Rochelle", "agent_parc": False, "secteur": 3},
    ),
    _DemoRequest(
        "join-aura-elodie",
        "elodie.chevalier",
        "2025-12-10T09:00:00Z",
        community="region_aura",
        message="Pour partager les données de la DDTM avec la Région.",
        answers={},
    ),
    # --- pending: datastore requests (the staff decide)
    _DemoRequest(
        "datastore-glaciers",
        "amelie.rousseau",
        "2025-12-05T15:20:00Z",
        name="Observatoire des glaciers des Écrins",
        technical_name="glaciers_ecrins",
        description="Suivi annuel des fronts glaciaires et des bilans de masse du massif des Écrins.",
        offer="essential",
        public=False,
    ),
    _DemoRequest(
        "datastore-mobilites",
        "antoine.petit",
        "2025-12-12T10:45:00Z",
        name="Mobilités douces de l'agglomération rochelaise",
        technical_name="mobilites_larochelle",
        description="Pistes cyclables, stationnements vélo et comptages de l'agglomération de La Rochelle.",
        offer="premium",
        public=True,
        justification="Ces données alimentent le schéma cyclable intercommunal et doivent être "
        "consultables librement par les communes, les associations d'usagers et le grand public.",
    ),
    # --- history
    _DemoRequest(
        "join-ddt33-antoine",
        "antoine.petit",
        "2024-03-04T10:00:00Z",
        community="ddt33",
        status="accepted",
        answers={
            "service": "Communauté d'agglomération de La Rochelle",
            "usage": "Récupérer les zonages de risques pour le PLUi de l'agglomération.",
        },
        rights=("UPLOAD",),
        decided_by="julien.lefebvre",
        updated="2024-03-05T08:30:00Z",
    ),
    _DemoRequest(
        "join-ddt33-elodie",
        "elodie.chevalier",
        "2025-10-01T09:00:00Z",
        community="ddt33",
        status="rejected",
        answers={
            "service": "DDTM du Finistère",
            "usage": "Consulter les plans de prévention pour comparaison avec le Finistère.",
        },
        reason="Cet espace est réservé aux agents de la DDT de la Gironde et à ses prestataires ; les "
        "plans de prévention publiés sont consultables sur le catalogue.",
        decided_by="julien.lefebvre",
        updated="2025-10-03T14:00:00Z",
    ),
    _DemoRequest(
        "join-vanoise-nicolas",
        "nicolas.bernard",
        "2025-09-12T13:00:00Z",
        community="pn_vanoise",
        status="cancelled",
        message="Demande faite par erreur, je voulais rejoindre le Parc des Écrins.",
        answers={},
        updated="2025-09-13T07:45:00Z",
    ),
    _DemoRequest(
        "datastore-essais-lucie",
        "lucie.fontaine",
        "2025-11-05T16:00:00Z",
        status="rejected",
        name="Essais personnels de Lucie",
        technical_name="essais_lucie",
        offer="essential",
        public=False,
        reason="Un espace existe déjà pour votre organisme (sdis74) : demandez-y les droits nécessaires.",
        decided_by="claire.moreau",
        updated="2025-11-07T09:30:00Z",
    ),
)


def _seed_workflow(
    store: Store,
    user_ids: dict[str, str],
    community_ids: dict[str, str],
    community_created: dict[str, float],
) -> None:
    from cartes_cli.sandbox.domain import mail

    for technical_name, fields in _JOIN_FORMS.items():
        store.communities.set_join_form(community_ids[technical_name], fields, "2025-06-01T00:00:00Z")
    bretagne = community_created["region_bretagne"]
    requests = [
        *_REQUESTS,
        # The request that created region_bretagne, three days before it was.
        _DemoRequest(
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

SEEDS: dict[str, Callable[[Store], None]] = {"demo": seed_demo}
SEED_NAMES: tuple[str, ...] = tuple(SEEDS)


def apply_seed(store: Store, name: str) -> bool:
    """Load seed ``name`` if the database is empty; False if it already held data."""
    seed = SEEDS.get(name)
    if seed is None:
        raise UnknownSeed(f"Unknown seed {name!r}; available: {', '.join(SEED_NAMES)}.")
    if not store.meta.is_empty():
        return False
    with store.transaction():
        seed(store)
        store.meta.set("seed", name)
    return True


__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_CI_CLIENT_ID",
    "DEMO_CI_SECRET",
    "DEMO_CLIENTS",
    "DEMO_EXPIRED_PASSWORD_USER",
    "DEMO_NEWCOMER",
    "DEMO_PASSWORD",
    "DEMO_TOTP_SECRET",
    "SEED_NAMES",
    "UnknownSeed",
    "apply_seed",
    "demo_id",
]
