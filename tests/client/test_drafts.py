"""The e-mail drafts of the real platform: the same text as cartes.gouv.fr's own e-mails."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from cartes_cli.cli.terminal_text import neutralise
from cartes_cli.client import drafts
from cartes_cli.client.drafts import (
    DATASTORE_REQUEST_PAGE,
    NOT_SPECIFIED,
    Person,
    datastore_request_draft,
    is_contact_email,
    join_request_draft,
    paris_time,
)

COMMUNITY = {
    "_id": "7dcb9e2d-1fc1-5dd3-b781-cbdc6afff1c5",
    "name": "DDT de la Gironde",
    "technical_name": "ddt33",
    "contact": "sig@ddt-gironde.test",
}
USER = Person(
    id="0c241eee-4b5a-53f5-8dfe-c897362a266c",
    email="elodie.chevalier@ddtm-finistere.test",
    first_name="Élodie",
    last_name="Chevalier",
)
WINTER = datetime(2026, 12, 4, 17, 5, tzinfo=UTC)  # 18:05 in Paris (CET)
SUMMER = datetime(2026, 7, 14, 22, 30, tzinfo=UTC)  # 00:30 the next day in Paris (CEST)


def test_the_join_draft_is_the_real_e_mail_in_french() -> None:
    draft = join_request_draft(
        community=COMMUNITY,
        user=USER,
        answers={"service": "DDTM 29", "agent": True, "secteur": 3},
        message="Bonjour,\nmerci d'avance.",
        when=WINTER,
    )
    assert draft.to == "sig@ddt-gironde.test"
    assert draft.subject == "[cartes.gouv.fr] Demande pour rejoindre DDT de la Gironde"
    link = (
        "https://cartes.gouv.fr/tableau-de-bord/communaute/7dcb9e2d-1fc1-5dd3-b781-cbdc6afff1c5"
        "/membres?userId=0c241eee-4b5a-53f5-8dfe-c897362a266c"
    )
    assert draft.body == (
        'Un utilisateur demande à rejoindre "DDT de la Gironde" (id=7dcb9e2d-1fc1-5dd3-b781-cbdc6afff1c5)\n'
        "\n"
        "Informations sur le demandeur :\n"
        "Adresse mail : elodie.chevalier@ddtm-finistere.test\n"
        "Nom : Chevalier\n"
        "Prénom : Élodie\n"
        "Identifiant : 0c241eee-4b5a-53f5-8dfe-c897362a266c\n"
        "Date de la demande : 04-12-2026 18:05\n"
        "\n"
        "Informations supplémentaires :\n"
        "service : DDTM 29\n"
        "agent : oui\n"
        "secteur : 3\n"
        "\n"
        "Message :\n"
        "Bonjour,\n"
        "merci d'avance.\n"
        "\n"
        'En tant que superviseur de "DDT de la Gironde", vous pouvez accepter ou rejeter sa demande '
        "d'adhésion en allant sur la page suivante :\n"
        f"{link}\n"
    )
    data = draft.as_dict()
    assert data["sent"] is False
    assert data["link"] == link
    assert data["community"]["technical_name"] == "ddt33"
    assert data["user"]["id"] == USER.id
    assert data["answers"] == {"service": "DDTM 29", "agent": True, "secteur": 3}
    assert draft.text().startswith(
        "À : sig@ddt-gironde.test\nObjet : [cartes.gouv.fr] Demande pour rejoindre"
    )


def test_empty_names_are_not_specified_and_no_form_means_no_section() -> None:
    anonymous = Person(id="u-1", email="x@exemple.test", first_name="", last_name=None)
    body = join_request_draft(community=COMMUNITY, user=anonymous, answers={}, when=WINTER).body
    assert f"Nom : {NOT_SPECIFIED}\n" in body
    assert f"Prénom : {NOT_SPECIFIED}\n" in body
    assert "Informations supplémentaires" not in body
    assert "Message :" not in body


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (WINTER, "04-12-2026 18:05"),
        (SUMMER, "15-07-2026 00:30"),
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "29-03-2026 01:59"),  # the last minute of CET
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29-03-2026 03:00"),  # CEST from 01:00 UTC
    ],
)
def test_the_date_is_paris_time(moment: datetime, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    body = join_request_draft(community=COMMUNITY, user=USER, when=moment).body
    assert f"Date de la demande : {expected}\n" in body
    # The same without a time-zone database (the EU rule, computed).
    import zoneinfo

    def no_database(key: str) -> zoneinfo.ZoneInfo:
        raise zoneinfo.ZoneInfoNotFoundError(key)

    monkeypatch.setattr(zoneinfo, "ZoneInfo", no_database)
    assert paris_time(moment).strftime("%d-%m-%Y %H:%M") == expected


def test_mailto_encodes_everything_and_decodes_to_the_draft() -> None:
    draft = join_request_draft(
        community={**COMMUNITY, "name": "Eau & Rivières ? #1"},
        user=USER,
        answers={"usage": "a=b&c=d, 100 %"},
        when=WINTER,
    )
    url = draft.mailto
    assert url.startswith("mailto:sig@ddt-gironde.test?subject=")
    parts = urlsplit(url)
    assert "&" not in parts.query.split("&body=")[1]  # every & of the text is encoded
    assert "%0D%0A" in url
    assert not any(c in url for c in "\n ")
    query = parse_qs(parts.query)
    assert query["subject"] == [draft.subject]
    assert query["body"] == [draft.body.replace("\n", "\r\n")]
    assert unquote(parts.path) == "sig@ddt-gironde.test"


def test_server_text_cannot_forge_lines_or_reach_the_terminal() -> None:
    hostile = {
        **COMMUNITY,
        "name": "DDT\x1b[2J\x1b]0;pwned\x07\nÀ : attacker@evil.test\r\u202eevil",
        "contact": "sig@ddt-gironde.test\nBcc: x@evil.test",
    }
    user = Person(id="u\n1", email="e@x.test\x1b[31m", first_name="A\x00b", last_name="C\u2028D")
    draft = join_request_draft(community=hostile, user=user, answers={"k\n": "v\x1b[0m"}, when=WINTER)
    text = draft.text()
    assert not any(c in text for c in "\x1b\r\x00\u202e")
    assert "\nÀ : attacker" not in text  # no forged header line
    assert "\nBcc" not in text
    assert draft.to == "sig@ddt-gironde.test Bcc: x@evil.test"  # shown, never a second header
    # And the terminal's own guard: what would still reach it is shown, not obeyed.
    assert neutralise("a\x1b[31mb\rc\u202ed\te\nf") == "a\\x1b[31mb\\x0dc\\u202ed\te\nf"


def test_contact_e_mail_is_checked_as_cartes_gouv_fr_does() -> None:
    assert is_contact_email("sig@ddt-gironde.test")
    assert is_contact_email("jean-marc.o_k@sous.domaine.gouv.fr")
    for bad in (None, "", "secretariat SIG", "sig@localhost", "a b@c.fr", "sig@ddt.f"):
        assert not is_contact_email(bad), bad


def test_the_public_workspace_e_mail_to_the_support() -> None:
    user = Person(
        id=USER.id,
        email=USER.email,
        first_name="",
        last_name="Chevalier",
        supervises=[("DDTM du Finistère", "c-1")],
        member_of=[("Région Bretagne", "c-2")],
    )
    draft = datastore_request_draft(
        name="Mobilités ouvertes",
        technical_name="mobilites_ouvertes",
        offer="premium",
        description="Horaires et arrêts\ndu réseau",
        justification="Les données de mobilité sont ouvertes : elles doivent être diffusées largement.",
        user=user,
        when=SUMMER,
    )
    assert draft.to == drafts.SUPPORT_ADDRESS == "geoplateforme@ign.fr"
    assert draft.subject == "[cartes.gouv.fr] Demande de création d'un entrepôt public : Mobilités ouvertes"
    body = draft.body
    for line in (
        "Adresse mail : elodie.chevalier@ddtm-finistere.test",
        f"Prénom : {NOT_SPECIFIED}",
        f"Identifiant : {USER.id}",
        "Date de la demande : 15-07-2026 00:30",
        "Nom de l’entrepôt : Mobilités ouvertes",
        "Nom technique de l’entrepôt : mobilites_ouvertes",
        "Offre : Premium",
        "Informations complémentaires :\nHoraires et arrêts\ndu réseau",
        "Visibilité : public",
        "Justification :\nLes données de mobilité sont ouvertes",
        "L’utilisateur est superviseur des communautés suivantes :\n- DDTM du Finistère (c-1)",
        "L’utilisateur est un simple membre des communautés suivantes :\n- Région Bretagne (c-2)",
    ):
        assert line in body, line
    assert draft.as_dict()["sent"] is False
    assert DATASTORE_REQUEST_PAGE == "https://cartes.gouv.fr/tableau-de-bord/entrepots/demande-de-creation"
