"""The e-mails the platform would send (requests, accounts), in French, written to the outbox.

One e-mail to the requester when a request is received and one when it is decided; one to the
community's contact (a join request) or to the platform team (a datastore request) when it is
received. Accounts: the e-mail verification code (the one secret an e-mail carries, by design),
and security notices (password changed, two-factor authentication on or off, address changed)
that never contain a secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from cartes_cli.platforms import SUPPORT_ADDRESS
from cartes_cli.sandbox.store import Store
from cartes_cli.sandbox.store.records import Mail, RequestRecord
from cartes_cli.sandbox.util import new_id

SUPPORT_MAILBOX = SUPPORT_ADDRESS
"""The support's address (``platforms.SUPPORT_ADDRESS``). The sandbox sends nothing: its outbox
only records the address."""
STAFF_MAILBOX = SUPPORT_MAILBOX
"""Where the platform team receives datastore requests and security reports: the support."""
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


def _cli(api_url: str | None) -> str:
    """How the e-mails name the command line: ``cartes --api-url {this sandbox's API}`` when the
    sandbox knows where it was reached (the command then works as printed, from any set-up)."""
    return f"cartes --api-url {api_url}" if api_url else "cartes"


def received(store: Store, request: RequestRecord, when: str, *, api_url: str | None = None) -> list[Mail]:
    """The receipt to the requester, and the notice to whoever decides."""
    cli = _cli(api_url)
    who = request.requester
    full_name = f"{who.first_name} {who.last_name}".strip() or who.email
    if request.type == "join":
        return _join_received(store, request, when, cli=cli, full_name=full_name)
    return _datastore_received(request, when, cli=cli, full_name=full_name)


def _join_received(
    store: Store, request: RequestRecord, when: str, *, cli: str, full_name: str
) -> list[Mail]:
    """A join request's receipt to the requester, and its notice to the community's contact."""
    who = request.requester
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
Suivre ou annuler la demande : {cli} request show {request.id}""",
        request,
        when,
    )
    contact = community.contact
    if not contact:
        supervisor = store.users.get(community.supervisor_id)
        contact = supervisor.email if supervisor else STAFF_MAILBOX
    form = store.communities.join_form(community.id)
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
  - en ligne de commande : {cli} request approve {request.id}
    (ou : {cli} request reject {request.id} --reason "…")

Référence : {request.id}""",
        request,
        when,
    )
    return [receipt, notice]


def _datastore_received(request: RequestRecord, when: str, *, cli: str, full_name: str) -> list[Mail]:
    """A datastore request's receipt to the requester, and its notice to the staff."""
    who = request.requester
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
Suivre ou annuler la demande : {cli} request show {request.id}""",
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
  {cli} request approve {request.id}
  {cli} request reject {request.id} --reason "…"

Référence : {request.id}""",
        request,
        when,
    )
    return [receipt, notice]


def decided(request: RequestRecord, when: str, *, api_url: str | None = None) -> Mail:
    """The decision, to the requester (``request`` as it is after the decision)."""
    cli = _cli(api_url)
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

Voir l'espace : {cli} workspace show {community.technical_name}

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

Voir l'espace : {cli} workspace show {request.technical_name}

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


# --- accounts -------------------------------------------------------------------------------------


def _duration_fr(seconds: float) -> str:
    if seconds >= 86400 and seconds % 86400 == 0:
        days = int(seconds // 86400)
        return "24 heures" if days == 1 else f"{days} jours"
    if seconds >= 3600:
        hours = round(seconds / 3600)
        return f"{hours} heure" if hours == 1 else f"{hours} heures"
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"


def _moment_fr(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%d/%m/%Y à %H:%M (UTC)")


def _account_mail(to: str, subject: str, body: str, when: str) -> Mail:
    return Mail(
        id=new_id(), to=to, subject=subject, body=body.strip() + "\n" + SIGNATURE, related=None, created=when
    )


def verification_code(
    *,
    to: str,
    first_name: str,
    username: str,
    code: str,
    ttl: float,
    when: str,
    new_address: bool = False,
    api_url: str | None = None,
) -> Mail:
    """The code that confirms an address: after the sign-up, or after the address changed.

    The command it prints names this sandbox (``--api-url``, which reaches it from any
    configuration, unlike ``--env sandbox``) and the address, so that it works as printed."""
    where = f"--api-url {api_url} " if api_url else ""
    if new_address:
        subject = "Confirmez votre nouvelle adresse e-mail"
        intro = (
            f"L'adresse e-mail de votre compte « {username} » a été modifiée. Pour continuer à vous "
            "connecter, confirmez cette nouvelle adresse avec ce code :"
        )
    else:
        subject = "Confirmez votre adresse e-mail"
        intro = (
            f"Bienvenue sur la Géoplateforme ! Pour activer votre compte « {username} », confirmez "
            "votre adresse e-mail avec ce code :"
        )
    return _account_mail(
        to,
        subject,
        f"""{_hello(first_name)}

{intro}

    {code}

Ce code est valable {_duration_fr(ttl)}. Après 5 essais erronés, il ne fonctionne plus : demandez-en
un nouveau.

En ligne de commande : cartes {where}account verify --email {to} --code {code}

Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : l'adresse ne sera pas confirmée.""",
        when,
    )


def password_changed(*, to: str, first_name: str, username: str, at: float, when: str) -> Mail:
    return _account_mail(
        to,
        "Votre mot de passe a été modifié",
        f"""{_hello(first_name)}

Le mot de passe de votre compte « {username} » a été modifié le {_moment_fr(at)}.
Il devra être renouvelé dans un an.

Si vous n'êtes pas à l'origine de ce changement, réinitialisez votre mot de passe sur cartes.gouv.fr
et prévenez l'équipe de la Géoplateforme ({STAFF_MAILBOX}).""",
        when,
    )


def second_factor(*, to: str, first_name: str, username: str, enabled: bool, at: float, when: str) -> Mail:
    if enabled:
        subject = "Validation en deux étapes activée"
        what = (
            "La validation en deux étapes est activée : chaque connexion demandera désormais, en plus du mot "
            "de passe, le code à 6 chiffres de votre application d'authentification."
        )
    else:
        subject = "Validation en deux étapes désactivée"
        what = (
            "La validation en deux étapes est désactivée : le mot de passe suffit désormais pour vous "
            "connecter. Nous vous conseillons de la réactiver (cartes account 2fa enable)."
        )
    return _account_mail(
        to,
        subject,
        f"""{_hello(first_name)}

Compte « {username} », le {_moment_fr(at)} :
{what}

Si vous n'êtes pas à l'origine de ce changement, changez votre mot de passe et prévenez l'équipe de
la Géoplateforme ({STAFF_MAILBOX}).""",
        when,
    )


def address_changed(
    *, to: str, first_name: str, username: str, new_address: str, at: float, when: str
) -> Mail:
    """To the *former* address, when the account's e-mail address changes."""
    return _account_mail(
        to,
        "Votre adresse e-mail a été modifiée",
        f"""{_hello(first_name)}

L'adresse e-mail de votre compte « {username} » a été remplacée le {_moment_fr(at)} par :
  {new_address}
Les prochains messages de la Géoplateforme y seront envoyés.

Si vous n'êtes pas à l'origine de ce changement, prévenez l'équipe de la Géoplateforme
({STAFF_MAILBOX}).""",
        when,
    )


def support_message(*, subject: str, body: str, when: str) -> Mail:
    """An e-mail written by a user to the support (``POST /sandbox/support``), kept as it was
    written: no greeting or signature added."""
    return Mail(id=new_id(), to=SUPPORT_MAILBOX, subject=subject, body=body, related=None, created=when)


def second_factor_reset(*, to: str, first_name: str, username: str, at: float, when: str) -> Mail:
    """To the user, when platform staff removed their second factor (a lost authenticator app)."""
    return _account_mail(
        to,
        "Votre double authentification a été réinitialisée",
        f"""{_hello(first_name)}

Compte « {username} », le {_moment_fr(at)} :
votre double authentification a été réinitialisée par l'équipe de la Géoplateforme, à votre demande.
Votre mot de passe suffit désormais pour vous connecter. Nous vous conseillons de la réactiver avec
votre nouvelle application d'authentification (cartes account 2fa enable).

Si vous n'êtes pas à l'origine de cette demande, changez votre mot de passe et prévenez l'équipe de
la Géoplateforme ({SUPPORT_MAILBOX}).""",
        when,
    )
