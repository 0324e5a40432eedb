"""The e-mails the platform would send about requests, in French, written to the outbox.

One e-mail to the requester when a request is received and one when it is decided; one to the
community's contact (a join request) or to the platform team (a datastore request) when it is
received. Nothing secret ever goes into an e-mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cartes_cli.sandbox.db import Mail, RequestRecord, Store
from cartes_cli.sandbox.util import new_id

STAFF_MAILBOX = "contact.geoplateforme@ign.test"
"""Where the platform team receives datastore requests (``contact.geoplateforme@ign.fr`` for real)."""
DASHBOARD = "https://cartes.gouv.fr/tableau-de-bord"
SIGNATURE = "\n-- \nL'équipe de la Géoplateforme\nhttps://cartes.gouv.fr\n"

RIGHT_LABELS = {
    "COMMUNITY": "gestion de l'espace et de ses membres (COMMUNITY)",
    "UPLOAD": "chargement de données (UPLOAD)",
    "PROCESSING": "traitements (PROCESSING)",
    "BROADCAST": "diffusion (BROADCAST)",
    "ANNEX": "annexes (ANNEX)",
}
OFFER_LABELS = {"essential": "Essentielle", "premium": "Premium"}


def _hello(first_name: str) -> str:
    return f"Bonjour {first_name}," if first_name else "Bonjour,"


def _format_answers(answers: dict[str, Any] | None, form: Sequence[dict[str, Any]] | None) -> str:
    if not answers:
        return "  (aucune)"
    titles = {str(f.get("name")): str(f.get("title") or f.get("name")) for f in form or ()}
    lines = []
    for name, value in answers.items():
        shown = "oui" if value is True else "non" if value is False else str(value)
        lines.append(f"  - {titles.get(name, name)} : {shown}")
    return "\n".join(lines)


def _mail(to: str, subject: str, body: str, request: RequestRecord, when: str) -> Mail:
    return Mail(
        id=new_id(),
        to=to,
        subject=subject,
        body=body.strip() + "\n" + SIGNATURE,
        related=request.id,
        created=when,
    )


def received(store: Store, request: RequestRecord, when: str) -> list[Mail]:
    """The receipt to the requester, and the notice to whoever decides."""
    who = request.requester
    full_name = f"{who.first_name} {who.last_name}".strip() or who.email
    if request.type == "join":
        community = request.community
        assert community is not None
        label = f"« {community.name} » ({community.technical_name})"
        receipt = _mail(
            who.email,
            f"Votre demande pour rejoindre l'espace « {community.name} »",
            f"""{_hello(who.first_name)}

Votre demande pour rejoindre l'espace de travail {label} a bien été reçue.
Elle est transmise aux gestionnaires de l'espace, qui vous répondront par e-mail.

Référence : {request.id}
Suivre ou annuler la demande : cartes request show {request.id}""",
            request,
            when,
        )
        contact = community.contact
        if not contact:
            supervisor = store.user(community.supervisor_id)
            contact = supervisor.email if supervisor else STAFF_MAILBOX
        form = store.join_form(community.id)
        notice = _mail(
            contact,
            f"Nouvelle demande pour rejoindre l'espace « {community.name} »",
            f"""Bonjour,

{full_name} ({who.email}) demande à rejoindre l'espace de travail {label}.

Message :
  {request.message or "(aucun)"}

Réponses au formulaire d'adhésion :
{_format_answers(request.answers, form)}

Pour accepter ou refuser cette demande :
  - sur cartes.gouv.fr : {DASHBOARD}/communaute/{community.id}/membres?userId={who.id}
  - en ligne de commande : cartes request approve {request.id}
    (ou : cartes request reject {request.id} --reason "…")

Référence : {request.id}""",
            request,
            when,
        )
        return [receipt, notice]
    visibility = "public" if request.public else "privé"
    receipt = _mail(
        who.email,
        f"Votre demande de création de l'espace « {request.name} »",
        f"""{_hello(who.first_name)}

Votre demande de création d'un espace de travail {visibility} a bien été reçue :
  Nom : {request.name}
  Nom technique : {request.technical_name}
  Offre : {OFFER_LABELS.get(request.offer or "", request.offer)}

L'équipe de la Géoplateforme l'examine et vous répondra par e-mail.

Référence : {request.id}
Suivre ou annuler la demande : cartes request show {request.id}""",
        request,
        when,
    )
    justification = (
        f"\nJustification de la diffusion publique :\n  {request.justification}\n" if request.public else ""
    )
    notice = _mail(
        STAFF_MAILBOX,
        f"Nouvelle demande de création d'espace : « {request.name} »",
        f"""Bonjour,

{full_name} ({who.email}) demande la création d'un espace de travail {visibility}.

  Nom : {request.name}
  Nom technique : {request.technical_name}
  Offre : {OFFER_LABELS.get(request.offer or "", request.offer)}
  Description : {request.description or "(aucune)"}
{justification}
Pour accepter ou refuser cette demande :
  cartes request approve {request.id}
  cartes request reject {request.id} --reason "…"

Référence : {request.id}""",
        request,
        when,
    )
    return [receipt, notice]


def decided(request: RequestRecord, when: str) -> Mail:
    """The decision, to the requester (``request`` as it is after the decision)."""
    who = request.requester
    reason = request.reason or "aucun motif n'a été précisé."
    if request.type == "join":
        community = request.community
        assert community is not None
        if request.status == "accepted":
            rights = "\n".join(f"  - {RIGHT_LABELS.get(r, r)}" for r in request.rights or ()) or "  (aucun)"
            return _mail(
                who.email,
                f"Bienvenue dans l'espace « {community.name} »",
                f"""{_hello(who.first_name)}

Votre demande pour rejoindre l'espace de travail « {community.name} » ({community.technical_name})
est acceptée. Vos droits :
{rights}

Voir l'espace : cartes workspace show {community.technical_name}

Référence : {request.id}""",
                request,
                when,
            )
        return _mail(
            who.email,
            f"Votre demande pour rejoindre l'espace « {community.name} » est refusée",
            f"""{_hello(who.first_name)}

Votre demande pour rejoindre l'espace de travail « {community.name} » ({community.technical_name})
est refusée.

Motif : {reason}

Référence : {request.id}""",
            request,
            when,
        )
    if request.status == "accepted":
        visibility = "public" if request.public else "privé"
        return _mail(
            who.email,
            f"Votre espace « {request.name} » est créé",
            f"""{_hello(who.first_name)}

Votre espace de travail {visibility} « {request.name} » ({request.technical_name}) est créé, avec son
entrepôt (offre {OFFER_LABELS.get(request.offer or "", request.offer)}). Vous en êtes le superviseur :
vous pouvez y ajouter des membres et leur donner des droits.

Voir l'espace : cartes workspace show {request.technical_name}

Référence : {request.id}""",
            request,
            when,
        )
    return _mail(
        who.email,
        f"Votre demande de création de l'espace « {request.name} » est refusée",
        f"""{_hello(who.first_name)}

Votre demande de création de l'espace de travail « {request.name} » est refusée.

Motif : {reason}

Référence : {request.id}""",
        request,
        when,
    )
