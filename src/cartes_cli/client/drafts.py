"""The e-mails the real Géoplateforme sends, as drafts a person sends from their own mail box.

On the real platform there is no request API: cartes.gouv.fr's back end e-mails the
community's contact (a join) or the support (a new workspace). cartes cannot send those e-mails
for the user (it has no mail server, and the contact must see who asks), so it writes the same
e-mail, in French whatever the locale, for the person to send. The texts mirror IGN's own
templates (repository ``IGNF/cartes.gouv.fr``):

- ``src/Controller/ContactController.php`` (``joinCommunity``, ``datastoreCreateRequest``): the
  recipients and subjects;
- ``templates/Mailer/join_community.html.twig``, ``datastore_create_request.html.twig`` and
  ``datastore_create_details.html.twig``, with their strings in
  ``translations/cartesgouvfr.fr.yml`` (``mailer.*``, ``join_community.email_support.*``,
  ``datastore_creation_request.email_support.*``, ``contact.email_support.not_specified``).

Standard library only. Text from the server or the user that belongs on one line (names, ids,
answers) has its control characters, line breaks included, turned into spaces, so that nothing
can forge a line of the e-mail; only ``--message`` and a description keep their line breaks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from cartes_cli.platforms import SUPPORT_ADDRESS

__all__ = [
    "CARTES_SITE",
    "DATASTORE_REQUEST_PAGE",
    "NOT_SPECIFIED",
    "SUPPORT_ADDRESS",
    "Draft",
    "Person",
    "datastore_request_draft",
    "datastore_request_form",
    "is_contact_email",
    "join_request_draft",
    "mailto",
    "member_link",
    "paris_time",
    "single_line",
]

CARTES_SITE = "https://cartes.gouv.fr"
DATASTORE_REQUEST_PAGE = f"{CARTES_SITE}/tableau-de-bord/entrepots/demande-de-creation"
"""``assets/router/router.ts``: ``datastore_create_request``."""
NOT_SPECIFIED = "Non renseigné"
"""``contact.email_support.not_specified``: a first or last name left empty."""
OFFER_LABELS = {"essential": "Essentielle", "premium": "Premium"}

_EMAIL = re.compile(r"^[\w.-]+@([\w-]+\.)+[\w-]{2,}$", re.ASCII)
"""cartes.gouv.fr's own test of a community contact (``assets/utils/index.ts``, ``regex.email``)."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def is_contact_email(value: str | None) -> bool:
    """Would cartes.gouv.fr offer this community to join? (Its contact must be an e-mail.)"""
    return bool(value) and bool(_EMAIL.match(value or ""))


def single_line(value: Any) -> str:
    """``value`` as text on one line: control characters (line breaks, escapes, bidi overrides)
    become spaces, runs of spaces one, ends trimmed."""
    text = "" if value is None else str(value)
    return " ".join(_CONTROL.sub(" ", text).split())


def _multi_line(value: str) -> str:
    """User text that may span lines: line breaks kept, other control characters dropped."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(single_line(line) for line in lines).strip("\n")


def paris_time(moment: datetime) -> datetime:
    """``moment`` in Europe/Paris time (the date of the real e-mails), without the tz database
    if the system has none: CET, and CEST from the last Sunday of March to the last Sunday of
    October at 01:00 UTC (the EU rule since 1996)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    try:
        from zoneinfo import ZoneInfo

        return aware.astimezone(ZoneInfo("Europe/Paris"))
    except Exception:  # no tz database (Windows without tzdata): the EU rule
        utc = aware.astimezone(UTC)

        def last_sunday(month: int) -> datetime:
            day = datetime(utc.year, month, 31, 1, tzinfo=UTC)
            return day - timedelta(days=(day.weekday() + 1) % 7)

        summer = last_sunday(3) <= utc < last_sunday(10)
        from datetime import timezone

        offset = timedelta(hours=2 if summer else 1)
        return utc.astimezone(timezone(offset, "CEST" if summer else "CET"))


def _date(moment: datetime) -> str:
    """``d-m-Y H:i`` (Twig's ``date`` filter) in Paris time."""
    return paris_time(moment).strftime("%d-%m-%Y %H:%M")


def member_link(community_id: str, user_id: str) -> str:
    """The link of the join e-mail: the community's members page, the add dialog opened on the user."""
    return (
        f"{CARTES_SITE}/tableau-de-bord/communaute/{quote(community_id, safe='')}"
        f"/membres?userId={quote(user_id, safe='')}"
    )


def mailto(to: str, subject: str, body: str) -> str:
    """An RFC 6068 ``mailto:`` URL: every reserved character percent-encoded (UTF-8), line
    breaks as ``%0D%0A``."""
    crlf = body.replace("\r\n", "\n").replace("\n", "\r\n")
    return f"mailto:{quote(to, safe='@')}?subject={quote(subject, safe='')}&body={quote(crlf, safe='')}"


@dataclass(frozen=True)
class Person:
    """The requester as ``GET /users/me`` describes them."""

    id: str
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    supervises: Sequence[tuple[str, str]] = ()
    """Communities they supervise: ``(name, id)``."""
    member_of: Sequence[tuple[str, str]] = ()
    """Communities they are a plain member of: ``(name, id)``."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "first_name": self.first_name,
            "last_name": self.last_name,
        }


@dataclass(frozen=True)
class Draft:
    """An e-mail to send: recipient, subject, plain-text body, and the ``mailto:`` URL."""

    to: str
    subject: str
    body: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def mailto(self) -> str:
        return mailto(self.to, self.subject, self.body)

    def as_dict(self) -> dict[str, Any]:
        return {
            "to": self.to,
            "subject": self.subject,
            "body": self.body,
            "mailto": self.mailto,
            **self.extra,
            "sent": False,
        }

    def text(self) -> str:
        """The draft as printed: headers in French, as a mail program shows them, then the body."""
        return f"À : {self.to}\nObjet : {self.subject}\n\n{self.body}"


def _identity(user: Person, when: datetime) -> list[str]:
    return [
        "Informations sur le demandeur :",
        f"Adresse mail : {single_line(user.email)}",
        f"Nom : {single_line(user.last_name) or NOT_SPECIFIED}",
        f"Prénom : {single_line(user.first_name) or NOT_SPECIFIED}",
        f"Identifiant : {single_line(user.id)}",
        f"Date de la demande : {_date(when)}",
    ]


def _answer_text(value: Any) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return single_line(value)


def join_request_draft(
    *,
    community: Mapping[str, Any],
    user: Person,
    answers: Mapping[str, Any] | None = None,
    message: str | None = None,
    when: datetime,
) -> Draft:
    """The e-mail cartes.gouv.fr sends to a community's contact when someone asks to join it.

    ``community``: ``_id``, ``name``, ``technical_name``, ``contact`` (from the catalogue).
    ``answers``: the join form's answers (``other_info``), in the form's order. ``message``
    (``--message``) has no place in the real form; it comes last, as "Message :".
    """
    name = single_line(community.get("name")) or single_line(community.get("technical_name"))
    community_id = single_line(community.get("_id"))
    lines = [
        f'Un utilisateur demande à rejoindre "{name}" (id={community_id})',
        "",
        *_identity(user, when),
    ]
    if answers:
        lines += ["", "Informations supplémentaires :"]
        lines += [f"{single_line(key)} : {_answer_text(value)}" for key, value in answers.items()]
    if message and message.strip():
        lines += ["", "Message :", _multi_line(message)]
    link = member_link(community_id, single_line(user.id))
    lines += [
        "",
        f'En tant que superviseur de "{name}", vous pouvez accepter ou rejeter sa demande '
        "d'adhésion en allant sur la page suivante :",
        link,
    ]
    to = single_line(community.get("contact"))
    return Draft(
        to=to,
        subject=f"[cartes.gouv.fr] Demande pour rejoindre {name}",
        body="\n".join(lines) + "\n",
        extra={
            "link": link,
            "community": {
                "id": community_id,
                "name": community.get("name"),
                "technical_name": community.get("technical_name"),
                "contact": to,
            },
            "user": user.as_dict(),
            "answers": dict(answers or {}),
        },
    )


def datastore_request_form(
    *, name: str, technical_name: str, offer: str, description: str | None
) -> dict[str, str]:
    """What to type in the fields of the page ``/tableau-de-bord/entrepots/demande-de-creation``,
    labelled as the support e-mail labels them."""
    form = {
        "Nom de l’entrepôt": single_line(name),
        "Nom technique de l’entrepôt": single_line(technical_name),
        "Offre": OFFER_LABELS.get(offer, offer),
    }
    if description and description.strip():
        form["Informations complémentaires"] = _multi_line(description)
    return form


def datastore_request_draft(
    *,
    name: str,
    technical_name: str,
    offer: str,
    description: str | None,
    justification: str,
    user: Person,
    when: datetime,
) -> Draft:
    """The argued e-mail to the support for a *public* workspace: the details the web form sends
    (``datastore_create_request.html.twig``), the user's identity, the communities they supervise
    and belong to, and the justification the user guide asks for."""
    lines = [
        "Bonjour,",
        "",
        "Je demande la création d’un espace de travail public sur la Géoplateforme : "
        f"« {single_line(name)} ».",
        "",
        *_identity(user, when),
        "",
        "Détails de la demande :",
    ]
    for label, value in datastore_request_form(
        name=name, technical_name=technical_name, offer=offer, description=description
    ).items():
        lines.append(f"{label} : {value}" if "\n" not in value else f"{label} :\n{value}")
    lines += ["Visibilité : public", "", "Justification :", _multi_line(justification)]
    if user.supervises:
        lines += ["", "L’utilisateur est superviseur des communautés suivantes :"]
        lines += [f"- {single_line(n)} ({single_line(i)})" for n, i in user.supervises]
    if user.member_of:
        lines += ["", "L’utilisateur est un simple membre des communautés suivantes :"]
        lines += [f"- {single_line(n)} ({single_line(i)})" for n, i in user.member_of]
    lines += ["", "Cordialement,", single_line(" ".join(p for p in (user.first_name, user.last_name) if p))]
    return Draft(
        to=SUPPORT_ADDRESS,
        subject=f"[cartes.gouv.fr] Demande de création d'un entrepôt public : {single_line(name)}",
        body="\n".join(lines).rstrip("\n") + "\n",
        extra={"user": user.as_dict()},
    )
