"""The ``demo`` seed's data: accounts, organizations, communities, members, storages, endpoints,
join forms and requests (a large file by nature: it is data, not logic; ``demo.py`` loads it).

Ids are uuid5 of fixed names (``demo_id``). All e-mail domains are under ``.test`` (RFC 2606).
Every account's password is ``DEMO_PASSWORD``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

DEMO_PASSWORD = "Carto-Demo-2026!"  # noqa: S105 - public demo data
DEMO_TOTP_SECRET = "GEOPLATEFORMEDEMOSECRETTOTPCODE2"  # noqa: S105 - public demo data
DEMO_CI_CLIENT_ID = "cartes-ci"
DEMO_CI_SECRET = "ci-demo-secret-2026"  # noqa: S105 - public demo data (only its hash is stored)
DEMO_CI_USERNAME = f"service-account-{DEMO_CI_CLIENT_ID}"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://cartes.gouv.fr/sandbox/demo")


def demo_id(kind: str, name: str) -> str:
    """The demo data's fixed id of ``kind`` (user, community…) called ``name``."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{name}"))


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    role: str


DEMO_EXPIRED_PASSWORD_USER = "paul.mercier"  # noqa: S105 - a username
DEMO_NEWCOMER = "thomas.girard"
DEMO_ACCOUNTS = (
    DemoAccount("claire.moreau", "platform staff"),
    DemoAccount("julien.lefebvre", "supervisor of ddt33"),
    DemoAccount("amelie.rousseau", f"two-factor, TOTP seed {DEMO_TOTP_SECRET}"),
    DemoAccount(DEMO_EXPIRED_PASSWORD_USER, "password over a year old: must renew it at login"),
    DemoAccount(DEMO_NEWCOMER, "never used the API: cannot be added to a community before GET /users/me"),
)
DEMO_CLIENTS = ((DEMO_CI_CLIENT_ID, DEMO_CI_SECRET, "service account (client_credentials), UPLOAD on ddt33"),)


@dataclass(frozen=True, slots=True)
class DemoUser:
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


USERS = (
    DemoUser("claire.moreau", "claire.moreau@ign.test", "Claire", "Moreau", administrator=True),
    DemoUser("julien.lefebvre", "julien.lefebvre@ddt-gironde.test", "Julien", "Lefebvre"),
    DemoUser(
        "amelie.rousseau",
        "amelie.rousseau@ecrins-parcnational.test",
        "Amélie",
        "Rousseau",
        totp_secret=DEMO_TOTP_SECRET,
    ),
    DemoUser("mathieu.garnier", "mathieu.garnier@ecrins-parcnational.test", "Mathieu", "Garnier"),
    DemoUser("sophie.martin", "sophie.martin@cerema.test", "Sophie", "Martin"),
    DemoUser("nicolas.bernard", "nicolas.bernard@ofb.test", "Nicolas", "Bernard"),
    DemoUser("camille.dubois", "camille.dubois@bretagne-region.test", "Camille", "Dubois"),
    DemoUser("antoine.petit", "antoine.petit@agglo-larochelle.test", "Antoine", "Petit"),
    DemoUser("lucie.fontaine", "lucie.fontaine@sdis74.test", "Lucie", "Fontaine"),
    DemoUser("elodie.chevalier", "elodie.chevalier@ddtm-finistere.test", "Élodie", "Chevalier"),
    # Left the DDT: the account is disabled, the membership stays.
    DemoUser("hugo.lambert", "hugo.lambert@ddt-isere.test", "Hugo", "Lambert", enabled=False),
    # Signed up, never clicked the verification link.
    DemoUser(
        "ines.benali",
        "ines.benali@geomatique-conseil.test",
        "Inès",
        "Benali",
        email_verified=False,
        required_actions=("VERIFY_EMAIL",),
        logged_in=False,
    ),
)

ORGANIZATIONS: dict[str, str] = {
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
COMMUNITIES: tuple[tuple[str, str, str, str, str, bool, str | None, str], ...] = (
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
MEMBERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
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
INACTIVE_DATASTORES = frozenset({"agglo_annecy"})

STORAGES = (
    ("pg-mutualise-1", "Base PostgreSQL mutualisée 1", "POSTGRESQL", ("mutualise",)),
    ("pg-mutualise-2", "Base PostgreSQL mutualisée 2", "POSTGRESQL", ("mutualise",)),
    ("s3-geoplateforme", "Stockage objet S3 Géoplateforme", "S3", ()),
    ("fs-premium", "Stockage fichiers (offre premium)", "FILESYSTEM", ("premium",)),
)

# technical name, name, type, open, urls
ENDPOINTS: tuple[tuple[str, str, str, bool, tuple[tuple[str, str], ...]], ...] = (
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
JOIN_FORMS: dict[str, list[dict[str, Any]]] = {
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
class DemoRequest:
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


REQUESTS = (
    # --- pending: join requests to ddt33 (julien.lefebvre decides), pn_ecrins, region_aura
    DemoRequest(
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
    DemoRequest(
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
    DemoRequest(
        "join-ddt33-lucie",
        "lucie.fontaine",
        "2025-12-09T08:05:00Z",
        community="ddt33",
        answers={
            "service": "SDIS de la Haute-Savoie",
            "usage": "Échanger nos méthodes sur les obligations légales de débroussaillement.",
        },
    ),
    DemoRequest(
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
    DemoRequest(
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
    DemoRequest(
        "join-ecrins-antoine",
        "antoine.petit",
        "2025-12-11T11:30:00Z",
        community="pn_ecrins",
        answers={"structure": "Communauté d'agglomération de La Rochelle", "agent_parc": False, "secteur": 3},
    ),
    DemoRequest(
        "join-aura-elodie",
        "elodie.chevalier",
        "2025-12-10T09:00:00Z",
        community="region_aura",
        message="Pour partager les données de la DDTM avec la Région.",
        answers={},
    ),
    # --- pending: datastore requests (the staff decide)
    DemoRequest(
        "datastore-glaciers",
        "amelie.rousseau",
        "2025-12-05T15:20:00Z",
        name="Observatoire des glaciers des Écrins",
        technical_name="glaciers_ecrins",
        description="Suivi annuel des fronts glaciaires et des bilans de masse du massif des Écrins.",
        offer="essential",
        public=False,
    ),
    DemoRequest(
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
    DemoRequest(
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
    DemoRequest(
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
    DemoRequest(
        "join-vanoise-nicolas",
        "nicolas.bernard",
        "2025-09-12T13:00:00Z",
        community="pn_vanoise",
        status="cancelled",
        message="Demande faite par erreur, je voulais rejoindre le Parc des Écrins.",
        answers={},
        updated="2025-09-13T07:45:00Z",
    ),
    DemoRequest(
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
