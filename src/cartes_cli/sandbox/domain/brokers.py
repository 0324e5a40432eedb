"""FranceConnect and ProConnect, simulated: the identity providers Keycloak brokers.

On the real platform these are other sites (``franceconnect.gouv.fr``, ``proconnect.gouv.fr``);
here each is a page of the sandbox offering a few demo people. Their identities belong to the
providers, not to the realm: the realm only keeps *links* (``federated_identities``), seeded for
some of them. An identity without a link creates its user on first use (Keycloak's "first broker
login"), unless its e-mail is already an account's: then the login stops, as Keycloak does when it
would have to ask the person to prove they own that account.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BrokerIdentity:
    subject: str
    """The provider's ``sub`` for this person (stable, what the link stores)."""
    given_name: str
    family_name: str
    email: str
    detail: str
    """What the provider's page shows under the name."""

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True, slots=True)
class Provider:
    alias: str
    """Keycloak's identity-provider alias: ``/broker/{alias}/…``."""
    display_name: str
    audience: str
    identities: tuple[BrokerIdentity, ...]

    def identity(self, subject: str) -> BrokerIdentity | None:
        return next((i for i in self.identities if i.subject == subject), None)


FRANCECONNECT = Provider(
    alias="franceconnect",
    display_name="FranceConnect",
    audience="Particuliers : connectez-vous avec un compte que vous avez déjà (impots.gouv.fr, ameli.fr, "
    "l'Identité Numérique La Poste…).",
    identities=(
        BrokerIdentity(
            "fc-camille-dubois",
            "Camille",
            "Dubois",
            "camille.dubois@bretagne-region.test",
            "née le 14/05/1986 à Rennes (35)",
        ),
        BrokerIdentity(
            "fc-marie-dupont",
            "Marie",
            "Dupont",
            "marie.dupont@courriel.test",
            "née le 02/09/1991 à Tours (37)",
        ),
        BrokerIdentity(
            "fc-ines-benali",
            "Inès",
            "Benali",
            "ines.benali@geomatique-conseil.test",
            "née le 21/11/1993 à Lyon (69)",
        ),
    ),
)

PROCONNECT = Provider(
    alias="proconnect",
    display_name="ProConnect",
    audience="Professionnels et agents publics : connectez-vous avec votre compte professionnel.",
    identities=(
        BrokerIdentity(
            "pc-julien-lefebvre",
            "Julien",
            "Lefebvre",
            "julien.lefebvre@ddt-gironde.test",
            "Direction départementale des territoires de la Gironde",
        ),
        BrokerIdentity(
            "pc-claire-moreau",
            "Claire",
            "Moreau",
            "claire.moreau@ign.test",
            "Institut national de l'information géographique et forestière",
        ),
        BrokerIdentity(
            "pc-paul-girard",
            "Paul",
            "Girard",
            "paul.girard@ddtm-herault.test",
            "Direction départementale des territoires et de la mer de l'Hérault",
        ),
    ),
)

PROVIDERS: dict[str, Provider] = {p.alias: p for p in (FRANCECONNECT, PROCONNECT)}

DEMO_LINKS: tuple[tuple[str, str, str], ...] = (
    ("franceconnect", "fc-camille-dubois", "camille.dubois"),
    ("proconnect", "pc-julien-lefebvre", "julien.lefebvre"),
    ("proconnect", "pc-claire-moreau", "claire.moreau"),
)
"""``(provider, subject, username)`` links of the demo seed. ``fc-marie-dupont`` and
``pc-paul-girard`` create their account on first use; ``fc-ines-benali`` meets an existing,
unlinked account with the same e-mail and is refused."""
