"""The request workflow (sandbox API): join forms, join and datastore requests, who sees and decides
what, idempotence and conflicts, concurrent decisions, the outbox, and the switch that removes it."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

from cartes_cli.sandbox.routes.schemas import JoinForm, OutboxMail, RequestBody

from .conftest import Harness, demo_id
from .test_api import assert_api_error

DDT33 = demo_id("community", "ddt33")
ECRINS = demo_id("community", "pn_ecrins")
STAFF_MAILBOX = "geoplateforme@ign.fr"  # the support, as the user guide names it
DDT33_ANSWERS = {
    "service": "Bureau d'études Géo-Conseil",
    "usage": "Intégrer les zonages réglementaires à nos études d'impact.",
}
OFB = {"structure": "OFB"}
PENDING_DDT33 = ("join-ddt33-mathieu", "join-ddt33-camille", "join-ddt33-lucie", "join-ddt33-nicolas")


def rid(key: str) -> str:
    return demo_id("request", key)


def join(sb: Harness, who: str, community: str = DDT33, **body: Any) -> httpx.Response:
    payload = {"type": "join", "community": community, **body}
    if community == DDT33 and "answers" not in body:
        payload["answers"] = DDT33_ANSWERS
    return sb.post("/api/requests", as_user=who, json=payload)


def datastore(sb: Harness, who: str, **body: Any) -> httpx.Response:
    return sb.post("/api/requests", as_user=who, json={"type": "datastore", **body})


def outbox(sb: Harness, **params: str) -> list[dict[str, Any]]:
    response = sb.get("/sandbox/outbox", params={"limit": 10_000, **params})
    assert response.status_code == 200
    mails: list[dict[str, Any]] = response.json()
    for mail in mails:
        OutboxMail.model_validate(mail)
    return mails


def memberships(sb: Harness, username: str) -> dict[str, list[str]]:
    me = sb.get("/api/users/me", as_user=username).json()
    return {m["community"]["technical_name"]: m["rights"] for m in me["communities_member"]}


# --- join forms ------------------------------------------------------------------------------


def test_join_forms(sb: Harness) -> None:
    form = JoinForm.model_validate(
        sb.get(f"/api/communities/{DDT33}/join_form", as_user="antoine.petit").json()
    )
    assert [f.name for f in form.fields] == ["service", "usage", "siret", "referent"]
    assert form.fields[0].constraints.required is True
    assert form.fields[2].constraints.pattern == "^[0-9]{14}$"
    ecrins = sb.get("/api/communities/pn_ecrins/join_form", as_user="antoine.petit").json()  # technical name
    assert {f["type"] for f in ecrins["fields"]} == {"string", "boolean", "integer", "number"}
    none = sb.get(f"/api/communities/{demo_id('community', 'tutoriels')}/join_form", as_user="antoine.petit")
    assert none.json() == {"fields": []}
    private = demo_id("community", "ddt33_interne")
    assert_api_error(sb.get(f"/api/communities/{private}/join_form", as_user="antoine.petit"), 403)
    assert_api_error(
        sb.get(f"/api/communities/{demo_id('community', 'x')}/join_form", as_user="antoine.petit"), 404
    )
    assert_api_error(sb.get(f"/api/communities/{DDT33}/join_form"), 401)


# --- creating join requests ------------------------------------------------------------------


def test_join_request_and_its_emails(sb: Harness) -> None:
    paul = sb.add_user("paul.simple")
    response = join(sb, "paul.simple", message="  Bonjour, je travaille pour la DDT.  ")
    assert response.status_code == 201, response.text
    raw = response.json()
    request = RequestBody.model_validate(raw)
    assert set(raw) == set(RequestBody.model_fields) - {"id", "unchanged"} | {"_id"}
    assert (request.type, request.status) == ("join", "pending")
    assert request.requester.id == paul
    assert request.community is not None
    assert (request.community.id, request.community.technical_name) == (DDT33, "ddt33")
    assert request.message == "Bonjour, je travaille pour la DDT."
    assert request.answers == DDT33_ANSWERS
    assert (request.rights, request.reason, request.decided_by, request.name) == (None, None, None, None)
    mails = outbox(sb, related=request.id)
    assert sorted(m["to"] for m in mails) == ["paul.simple@exemple.test", "sig@ddt-gironde.test"]
    notice = next(m for m in mails if m["to"] == "sig@ddt-gironde.test")
    assert "Paul Simple" in notice["body"]
    assert f"/communaute/{DDT33}/membres?userId={paul}" in notice["body"]
    assert "Usage prévu des données : Intégrer" in notice["body"]
    # The command names this sandbox (--api-url), so that it works as printed from any set-up.
    assert re.search(rf"cartes --api-url \S+/api request approve {request.id}", notice["body"])
    receipt = next(m for m in mails if m["to"] == "paul.simple@exemple.test")
    assert receipt["subject"] == "Votre demande pour rejoindre l'espace « DDT de la Gironde »"
    assert receipt["body"].startswith("Bonjour Paul,")


def test_join_by_technical_name_without_a_form(sb: Harness) -> None:
    sb.add_user("paul.simple")
    response = join(sb, "paul.simple", community="tutoriels")
    assert response.status_code == 201
    assert response.json()["answers"] == {}
    assert response.json()["message"] is None


@pytest.mark.parametrize(
    ("who", "community", "status"),
    [
        ("sophie.martin", DDT33, 409),  # already a member
        ("julien.lefebvre", DDT33, 409),  # the supervisor
        ("antoine.petit", demo_id("community", "ddt33_interne"), 403),  # private
        ("antoine.petit", demo_id("community", "nope"), 404),
        ("antoine.petit", "no_such_community", 404),
    ],
)
def test_join_refusals(sb: Harness, who: str, community: str, status: int) -> None:
    assert_api_error(join(sb, who, community=community), status)


def test_second_pending_join_is_a_conflict_but_not_after_a_decision(sb: Harness) -> None:
    sb.add_user("paul.simple")
    first = join(sb, "paul.simple").json()
    body = assert_api_error(join(sb, "paul.simple"), 409)
    assert "pending" in body.error_description[0]
    assert sb.post(f"/api/requests/{first['_id']}/cancel", as_user="paul.simple").status_code == 200
    assert join(sb, "paul.simple").status_code == 201


@pytest.mark.parametrize(
    ("community", "answers", "expected"),
    [
        (DDT33, {}, ["answers.service: this field is required", "answers.usage: this field is required"]),
        (DDT33, {**DDT33_ANSWERS, "usage": "trop court"}, ["answers.usage: at least 20 characters"]),
        (DDT33, {**DDT33_ANSWERS, "siret": "1234"}, ["answers.siret: does not have the expected format"]),
        (DDT33, {**DDT33_ANSWERS, "referent": "pas-une-adresse"}, ["answers.referent: must be an e-mail"]),
        (DDT33, {**DDT33_ANSWERS, "couleur": "bleu"}, ["answers.couleur: unknown field"]),
        (DDT33, {**DDT33_ANSWERS, "service": 42}, ["answers.service: must be text"]),
        (ECRINS, {"structure": "X"}, ["answers.structure: at least 2", "answers.agent_parc: this field"]),
        (ECRINS, {**OFB, "agent_parc": "oui"}, ["answers.agent_parc: must be true or false"]),
        (ECRINS, {**OFB, "agent_parc": True, "secteur": 2.5}, ["answers.secteur: must be a whole"]),
        (ECRINS, {**OFB, "agent_parc": True, "secteur": 9}, ["answers.secteur: at most 7"]),
        (ECRINS, {**OFB, "agent_parc": False, "surface_ha": -1}, ["answers.surface_ha: at least 0"]),
        (ECRINS, {**OFB, "agent_parc": True, "surface_ha": "12"}, ["answers.surface_ha: must be a number"]),
    ],
)  # fmt: skip
def test_answers_are_checked_against_the_join_form(
    sb: Harness, community: str, answers: dict[str, Any], expected: list[str]
) -> None:
    sb.add_user("paul.simple")
    body = assert_api_error(join(sb, "paul.simple", community=community, answers=answers), 400)
    assert len(body.error_description) == len(expected)
    for message, start in zip(body.error_description, expected, strict=True):
        assert message.startswith(start), (message, start)
    assert outbox(sb, to="paul.simple@exemple.test") == []


def test_valid_answers_of_every_type(sb: Harness) -> None:
    sb.add_user("paul.simple")
    answers = {"structure": "OFB", "agent_parc": False, "secteur": 7, "surface_ha": 12.5}
    assert join(sb, "paul.simple", community=ECRINS, answers=answers).json()["answers"] == answers


@pytest.mark.parametrize(
    "body",
    [
        {"type": "membership", "community": DDT33},
        {"community": DDT33},
        {"type": "join"},
        {"type": "join", "community": DDT33, "answers": {"a": {"nested": 1}}},
        {"type": "join", "community": DDT33, "message": "x" * 2001},
        {"type": "join", "community": DDT33, "unexpected": True},
    ],
)
def test_malformed_requests(sb: Harness, body: dict[str, Any]) -> None:
    assert_api_error(sb.post("/api/requests", as_user="antoine.petit", json=body), 400)


def test_body_must_be_a_json_object(sb: Harness) -> None:
    assert_api_error(sb.post("/api/requests", as_user="antoine.petit", json=["join"]), 400)
    assert_api_error(sb.post("/api/requests", as_user="antoine.petit", content=b"{"), 400)
    assert_api_error(sb.post("/api/requests", as_user="antoine.petit"), 400)
    assert_api_error(sb.post("/api/requests", json={"type": "join", "community": DDT33}), 401)


# --- creating datastore requests -------------------------------------------------------------


def test_datastore_request(sb: Harness) -> None:
    response = datastore(sb, "camille.dubois", name="Observatoire des Écrins 2026", description="Suivi.")
    assert response.status_code == 201, response.text
    request = RequestBody.model_validate(response.json())
    assert (request.type, request.status, request.community) == ("datastore", "pending", None)
    assert request.technical_name == "observatoire_des_ecrins_2026"
    assert (request.offer, request.public, request.justification) == ("essential", False, None)
    assert (request.message, request.answers) == (None, None)
    mails = outbox(sb, related=request.id)
    assert sorted(m["to"] for m in mails) == ["camille.dubois@bretagne-region.test", STAFF_MAILBOX]
    # Same name again: the derived technical name gets a suffix.
    again = datastore(sb, "antoine.petit", name="Observatoire des Écrins 2026").json()
    assert again["technical_name"] == "observatoire_des_ecrins_2026_2"


def test_derived_technical_names_are_short_and_ascii(sb: Harness) -> None:
    name = "Espace très long pour l'Observatoire régional des paysages d'Île-de-France"
    technical = datastore(sb, "camille.dubois", name=name).json()["technical_name"]
    assert len(technical) <= 30
    assert technical == "espace_tres_long_pour"  # cut between words, no "l" of "l'Observatoire" left


def test_public_datastore_request_needs_a_justification(sb: Harness) -> None:
    short = "x" * 49
    body = assert_api_error(
        datastore(sb, "camille.dubois", name="Données ouvertes bretonnes", public=True), 400
    )
    assert body.error_description[0].startswith("justification: at least 50")
    assert_api_error(
        datastore(sb, "camille.dubois", name="Données ouvertes bretonnes", public=True, justification=short),
        400,
    )
    ok = datastore(
        sb,
        "camille.dubois",
        name="Données ouvertes bretonnes",
        public=True,
        offer="premium",
        technical_name="donnees_bzh",
        justification="Ces données de référence doivent être consultables par tous les usagers.",
    )
    assert ok.status_code == 201
    assert (ok.json()["public"], ok.json()["offer"], ok.json()["technical_name"]) == (
        True,
        "premium",
        "donnees_bzh",
    )


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"name": "Trop bref"}, 400),
        ({"name": "Nom assez long", "offer": "gold"}, 400),
        ({"name": "Nom assez long", "technical_name": "avec espace"}, 400),
        ({"name": "Nom assez long", "technical_name": "x" * 31}, 400),
        ({"name": "Nom assez long", "technical_name": "DDT33"}, 409),  # a community's, any case
        ({"name": "Nom assez long", "technical_name": "glaciers_ecrins"}, 409),  # a pending request's
    ],
)
def test_datastore_refusals(sb: Harness, body: dict[str, Any], status: int) -> None:
    assert_api_error(datastore(sb, "camille.dubois", **body), status)


# --- listing and reading ---------------------------------------------------------------------


def test_my_requests(sb: Harness) -> None:
    response = sb.get("/api/users/me/requests", as_user="antoine.petit")
    mine = response.json()
    assert {r["requester"]["_id"] for r in mine} == {demo_id("user", "antoine.petit")}
    assert [r["_id"] for r in mine] == [
        rid("join-ddt33-antoine"),
        rid("join-ecrins-antoine"),
        rid("datastore-mobilites"),
    ]
    assert response.headers["content-range"] == "0-2/3"
    pending = sb.get("/api/users/me/requests", as_user="antoine.petit", params={"status": "pending"}).json()
    assert len(pending) == 2
    joins = sb.get(
        "/api/users/me/requests", as_user="antoine.petit", params={"type": "join", "limit": 1, "page": 2}
    )
    assert joins.headers["content-range"] == "1-1/2"
    assert_api_error(
        sb.get("/api/users/me/requests", as_user="antoine.petit", params={"status": "done"}), 400
    )
    assert_api_error(sb.get("/api/users/me/requests", as_user="antoine.petit", params={"type": "x"}), 400)
    assert sb.get("/api/users/me/requests", as_user="claire.moreau").json() == []


def test_staff_list_everything(sb: Harness) -> None:
    response = sb.get("/api/requests", as_user="claire.moreau", params={"status": "pending", "limit": 50})
    pending = response.json()
    assert len(pending) == 9
    assert response.headers["content-range"] == "0-8/9"
    assert [r["creation"] for r in pending] == sorted(r["creation"] for r in pending)  # oldest first
    datastores = sb.get(
        "/api/requests", as_user="claire.moreau", params={"type": "datastore", "status": "pending"}
    )
    assert {r["technical_name"] for r in datastores.json()} == {"glaciers_ecrins", "mobilites_larochelle"}
    ecrins = sb.get(
        "/api/requests", as_user="claire.moreau", params={"community": "pn_ecrins", "status": "pending"}
    )
    assert {r["_id"] for r in ecrins.json()} == {rid("join-ecrins-sophie"), rid("join-ecrins-antoine")}
    history = sb.get(
        "/api/requests", as_user="claire.moreau", params={"status": "accepted,rejected,cancelled"}
    )
    assert {r["status"] for r in history.json()} == {"accepted", "rejected", "cancelled"}


def _next_link(response: httpx.Response) -> str | None:
    link = response.headers.get("link")
    if link is None:
        return None
    url, rel = link.split(";", 1)
    assert rel.strip() == 'rel="next"'
    return url.strip().strip("<>")


def test_listings_link_to_the_next_page_with_a_cursor_not_shifted_by_decisions(sb: Harness) -> None:
    made = sb.post("/sandbox/fixtures/join-requests", json={"community": "tutoriels", "count": 23})
    ids = made.json()["requests"]
    params = {"status": "pending", "community": "tutoriels", "limit": 10}
    first = sb.get("/api/requests", as_user="claire.moreau", params=params)
    assert first.headers["content-range"] == "0-9/23"
    assert [r["_id"] for r in first.json()] == ids[:10]
    # Deciding the whole first page would shift an offset listing by ten: page 2 would then
    # start at ids[20]. The cursor continues after the last request seen.
    for request_id in ids[:10]:
        assert sb.post(f"/api/requests/{request_id}/accept", as_user="claire.moreau").status_code == 200
    # A request created after the listing began stays out of it.
    late = sb.post("/sandbox/fixtures/join-requests", json={"community": "tutoriels", "count": 1})
    following = _next_link(first)
    assert following is not None
    assert "cursor=" in following
    assert "page=" not in following
    second = sb.get(following, as_user="claire.moreau")
    assert [r["_id"] for r in second.json()] == ids[10:20]
    assert second.headers["content-range"] == "0-9/13"  # 13 still pending, none before this page
    third = sb.get(_next_link(second) or "", as_user="claire.moreau")
    assert [r["_id"] for r in third.json()] == ids[20:]
    assert third.headers["content-range"] == "10-12/13"  # the ten still pending before it
    assert _next_link(third) is None
    assert late.json()["requests"][0] not in [r["_id"] for r in third.json()]
    # A new listing sees it.
    fresh = sb.get("/api/requests", as_user="claire.moreau", params=params)
    assert fresh.headers["content-range"] == "0-9/14"


def test_a_cursor_from_elsewhere_is_refused(sb: Harness) -> None:
    for cursor in ("nope", "", "MTIuNA", "bm9wZQ", "%00", "OTk5OTk5OTk5OTk5OTk5OTk5OTk5Ljk"):
        assert_api_error(sb.get("/api/requests", as_user="claire.moreau", params={"cursor": cursor}), 400)
    first = sb.get("/api/requests", as_user="claire.moreau", params={"limit": 2})
    following = _next_link(first)
    assert following is not None
    cursor = following.split("cursor=")[1]
    assert_api_error(
        sb.get("/api/requests", as_user="claire.moreau", params={"cursor": cursor, "page": 2}), 400
    )
    mine = sb.get("/api/users/me/requests", as_user="claire.moreau", params={"cursor": cursor})
    assert mine.status_code == 200
    assert mine.json() == []


def test_managers_list_the_join_requests_of_their_communities(sb: Harness) -> None:
    julien = sb.get("/api/requests", as_user="julien.lefebvre", params={"status": "pending"}).json()
    assert {r["_id"] for r in julien} == {rid(k) for k in PENDING_DDT33}
    assert sb.get("/api/requests", as_user="julien.lefebvre", params={"type": "datastore"}).json() == []
    by_name = sb.get(
        "/api/requests", as_user="julien.lefebvre", params={"community": "ddt33", "status": "pending"}
    )
    assert len(by_name.json()) == 4
    assert_api_error(
        sb.get("/api/requests", as_user="julien.lefebvre", params={"community": "pn_ecrins"}), 403
    )
    assert_api_error(sb.get("/api/requests", as_user="julien.lefebvre", params={"community": "nowhere"}), 404)
    # A delegated manager (COMMUNITY right on region_aura) sees that community's requests.
    sophie = sb.get("/api/requests", as_user="sophie.martin", params={"status": "pending"}).json()
    assert [r["_id"] for r in sophie] == [rid("join-aura-elodie")]


def test_others_may_not_list(sb: Harness) -> None:
    sb.add_user("plain")
    assert_api_error(sb.get("/api/requests", as_user="plain"), 403)
    # A member without the COMMUNITY right anywhere.
    amelie = sb.totp_tokens("amelie.rousseau")["access_token"]
    assert_api_error(sb.get("/api/requests", token=amelie), 403)
    assert_api_error(sb.get("/api/requests"), 401)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("mathieu.garnier", 200),  # the requester
        ("julien.lefebvre", 200),  # manages ddt33
        ("claire.moreau", 200),  # staff
        ("sophie.martin", 404),  # member of ddt33 without COMMUNITY
        ("lucie.fontaine", 404),  # manages other communities (and has her own request to ddt33)
        (None, 401),
    ],
)
def test_who_may_read_a_request(sb: Harness, who: str | None, status: int) -> None:
    response = sb.get(f"/api/requests/{rid('join-ddt33-mathieu')}", as_user=who)
    assert response.status_code == status, response.text


def test_reading_unknown_requests(sb: Harness) -> None:
    assert_api_error(sb.get(f"/api/requests/{demo_id('request', 'nope')}", as_user="claire.moreau"), 404)
    assert_api_error(sb.get("/api/requests/not-an-id", as_user="claire.moreau"), 404)


def test_datastore_requests_are_private_to_requester_and_staff(sb: Harness) -> None:
    url = f"/api/requests/{rid('datastore-glaciers')}"
    assert sb.get(url, token=sb.totp_tokens("amelie.rousseau")["access_token"]).status_code == 200
    assert sb.get(url, as_user="claire.moreau").status_code == 200
    assert_api_error(sb.get(url, as_user="mathieu.garnier"), 404)  # supervisor of pn_ecrins: not his business


# --- cancelling ------------------------------------------------------------------------------


def test_cancel(sb: Harness) -> None:
    url = f"/api/requests/{rid('join-ddt33-mathieu')}/cancel"
    assert_api_error(sb.post(url, as_user="julien.lefebvre"), 403)  # a manager may see it, not cancel it
    assert_api_error(sb.post(url, as_user="lucie.fontaine"), 404)
    response = sb.post(url, as_user="mathieu.garnier")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["decided_by"] is None
    again = sb.post(url, as_user="mathieu.garnier")
    assert again.status_code == 200
    assert again.json() == {**response.json(), "unchanged": True}
    assert outbox(sb, related=rid("join-ddt33-mathieu"), to="mathieu.garnier@ecrins-parcnational.test")[-1][
        "subject"
    ].startswith("Votre demande pour rejoindre")  # the receipt only: cancelling sends nothing
    # Decisions on a cancelled request are conflicts.
    assert_api_error(
        sb.post(f"/api/requests/{rid('join-ddt33-mathieu')}/accept", as_user="julien.lefebvre"), 409
    )
    assert_api_error(
        sb.post(f"/api/requests/{rid('join-ddt33-mathieu')}/reject", as_user="julien.lefebvre"), 409
    )


def test_cancelling_a_decided_request_is_a_conflict(sb: Harness) -> None:
    assert_api_error(
        sb.post(f"/api/requests/{rid('join-ddt33-antoine')}/cancel", as_user="antoine.petit"), 409
    )


# --- deciding on join requests ---------------------------------------------------------------


def test_accept_a_join_request(sb: Harness) -> None:
    key = "join-ddt33-mathieu"
    before = len(outbox(sb, related=rid(key)))
    response = sb.post(
        f"/api/requests/{rid(key)}/accept", as_user="julien.lefebvre", json={"rights": ["UPLOAD"]}
    )
    assert response.status_code == 200, response.text
    request = RequestBody.model_validate(response.json())
    assert (request.status, request.rights) == ("accepted", ["UPLOAD"])
    assert request.decided_by is not None
    assert request.decided_by.id == demo_id("user", "julien.lefebvre")
    assert memberships(sb, "mathieu.garnier")["ddt33"] == ["UPLOAD"]
    mails = outbox(sb, related=rid(key))
    assert len(mails) == before + 1
    decision = mails[-1]
    assert decision["to"] == "mathieu.garnier@ecrins-parcnational.test"
    assert "acceptée" in decision["body"]
    assert "chargement de données (UPLOAD)" in decision["body"]
    # Replays: 200, unchanged, no e-mail; even with other rights.
    again = sb.post(f"/api/requests/{rid(key)}/accept", as_user="claire.moreau", json={"rights": ["ANNEX"]})
    assert (again.status_code, again.json()) == (200, {**response.json(), "unchanged": True})
    assert len(outbox(sb, related=rid(key))) == before + 1
    assert memberships(sb, "mathieu.garnier")["ddt33"] == ["UPLOAD"]
    # The opposite decision is a conflict.
    assert_api_error(sb.post(f"/api/requests/{rid(key)}/reject", as_user="julien.lefebvre"), 409)


def test_accept_with_default_rights_and_no_body(sb: Harness) -> None:
    response = sb.post(f"/api/requests/{rid('join-ddt33-camille')}/accept", as_user="claire.moreau")
    assert response.json()["rights"] == ["UPLOAD", "PROCESSING", "BROADCAST", "ANNEX"]
    assert memberships(sb, "camille.dubois")["ddt33"] == ["UPLOAD", "PROCESSING", "BROADCAST", "ANNEX"]


def test_accepting_keeps_rights_granted_meanwhile(sb: Harness) -> None:
    camille = demo_id("user", "camille.dubois")
    sb.put(
        f"/api/communities/{DDT33}/users/{camille}", as_user="julien.lefebvre", json={"rights": ["COMMUNITY"]}
    )
    sb.post(
        f"/api/requests/{rid('join-ddt33-camille')}/accept",
        as_user="julien.lefebvre",
        json={"rights": ["UPLOAD"]},
    )
    assert memberships(sb, "camille.dubois")["ddt33"] == ["COMMUNITY", "UPLOAD"]


def test_reject_a_join_request(sb: Harness) -> None:
    key = "join-ddt33-lucie"
    reason = "Réservé aux agents de l'État en Gironde."
    response = sb.post(f"/api/requests/{rid(key)}/reject", as_user="julien.lefebvre", json={"reason": reason})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reason"]) == ("rejected", reason)
    assert "ddt33" not in memberships(sb, "lucie.fontaine")
    decision = outbox(sb, related=rid(key))[-1]
    assert decision["to"] == "lucie.fontaine@sdis74.test"
    assert f"Motif : {reason}" in decision["body"]
    count = len(outbox(sb))
    again = sb.post(f"/api/requests/{rid(key)}/reject", as_user="julien.lefebvre", json={"reason": "autre"})
    assert (again.status_code, again.json()["reason"]) == (200, reason)
    assert len(outbox(sb)) == count
    assert_api_error(sb.post(f"/api/requests/{rid(key)}/accept", as_user="julien.lefebvre"), 409)


def test_reject_without_reason(sb: Harness) -> None:
    response = sb.post(f"/api/requests/{rid('join-ddt33-lucie')}/reject", as_user="julien.lefebvre")
    assert response.json()["reason"] is None
    assert "aucun motif" in outbox(sb, related=rid("join-ddt33-lucie"))[-1]["body"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("mathieu.garnier", 403),  # the requester sees it but may not decide
        ("sophie.martin", 403),  # member of ddt33 without COMMUNITY: may not decide
        ("lucie.fontaine", 403),  # manager elsewhere: may not decide (reading it would be 404)
        (None, 401),
    ],
)
@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_who_may_not_decide_on_a_join(sb: Harness, who: str | None, status: int, decision: str) -> None:
    assert_api_error(sb.post(f"/api/requests/{rid('join-ddt33-mathieu')}/{decision}", as_user=who), status)


def test_decision_bodies_are_checked(sb: Harness) -> None:
    url = f"/api/requests/{rid('join-ddt33-mathieu')}"
    assert_api_error(sb.post(f"{url}/accept", as_user="julien.lefebvre", json={"rights": ["READ"]}), 400)
    assert_api_error(sb.post(f"{url}/accept", as_user="julien.lefebvre", json={"grant": "all"}), 400)
    assert_api_error(sb.post(f"{url}/reject", as_user="julien.lefebvre", json={"reason": 3}), 400)
    assert sb.get(url, as_user="julien.lefebvre").json()["status"] == "pending"


def test_decisions_on_unknown_requests(sb: Harness) -> None:
    assert_api_error(sb.post(f"/api/requests/{demo_id('request', 'x')}/accept", as_user="claire.moreau"), 404)


# --- deciding on datastore requests ----------------------------------------------------------


def test_accept_a_private_datastore_request(sb: Harness) -> None:
    key = "datastore-glaciers"
    assert_api_error(sb.post(f"/api/requests/{rid(key)}/accept", as_user="julien.lefebvre"), 403)
    assert_api_error(
        sb.post(f"/api/requests/{rid(key)}/accept", as_user="claire.moreau", json={"rights": []}), 400
    )
    response = sb.post(f"/api/requests/{rid(key)}/accept", as_user="claire.moreau")
    assert response.status_code == 200, response.text
    request = response.json()
    assert request["status"] == "accepted"
    assert request["community"]["technical_name"] == "glaciers_ecrins"
    community_id = request["community"]["_id"]
    detail = sb.get(f"/api/communities/{community_id}", as_user="claire.moreau").json()
    assert (detail["name"], detail["public"]) == ("Observatoire des glaciers des Écrins", False)
    assert detail["supervisor"]["_id"] == demo_id("user", "amelie.rousseau")
    assert detail["contact"] == "amelie.rousseau@ecrins-parcnational.test"
    datastore_id = detail["datastore"]["_id"]
    store = sb.sandbox.store
    created = store.datastores.get(datastore_id)
    assert created is not None
    assert created.active
    assert {e.technical_name for e in created.endpoints} == {
        "gpf-wms-v-prive",
        "gpf-wfs-prive",
        "gpf-telechargement-prive",
    }
    assert {s.type for s in created.storages} == {"POSTGRESQL", "S3"}
    membership = store.communities.membership(community_id, demo_id("user", "amelie.rousseau"))
    assert membership is not None
    assert membership.rights == ("COMMUNITY", "UPLOAD", "PROCESSING", "BROADCAST", "ANNEX")
    mail = outbox(sb, related=rid(key))[-1]
    assert mail["subject"] == "Votre espace « Observatoire des glaciers des Écrins » est créé"
    again = sb.post(f"/api/requests/{rid(key)}/accept", as_user="claire.moreau")
    assert again.json() == {**request, "unchanged": True}
    assert len(outbox(sb, related=rid(key))) == 3


def test_accept_a_public_datastore_request(sb: Harness) -> None:
    response = sb.post(f"/api/requests/{rid('datastore-mobilites')}/accept", as_user="claire.moreau")
    community_id = response.json()["community"]["_id"]
    catalogue = sb.get(
        "/api/catalogs/communities", as_user="antoine.petit", params={"name": "mobilites"}
    ).json()
    assert [c["_id"] for c in catalogue] == [community_id]
    datastore = sb.sandbox.store.datastores.get(
        sb.get(f"/api/communities/{community_id}", as_user="antoine.petit").json()["datastore"]["_id"]
    )
    assert datastore is not None
    assert "gpf-wms-r" in {e.technical_name for e in datastore.endpoints}  # premium, public
    assert "FILESYSTEM" in {s.type for s in datastore.storages}


def test_the_requester_may_not_accept_their_datastore_request(sb: Harness) -> None:
    token = sb.totp_tokens("amelie.rousseau")["access_token"]
    assert_api_error(sb.post(f"/api/requests/{rid('datastore-glaciers')}/accept", token=token), 403)
    assert (
        sb.post(f"/api/requests/{rid('datastore-glaciers')}/cancel", token=token).json()["status"]
        == "cancelled"
    )


def test_datastore_accept_when_the_name_was_taken_meanwhile(sb: Harness) -> None:
    request = datastore(
        sb, "camille.dubois", name="Atlas des paysages bretons", technical_name="atlas_bzh"
    ).json()
    sb.sandbox.store.communities.insert(
        id=demo_id("community", "atlas_bzh"),
        name="Atlas",
        technical_name="atlas_bzh",
        supervisor_id=demo_id("user", "claire.moreau"),
        created="2026-01-01T00:00:00Z",
    )
    assert_api_error(sb.post(f"/api/requests/{request['_id']}/accept", as_user="claire.moreau"), 409)
    assert sb.get(f"/api/requests/{request['_id']}", as_user="claire.moreau").json()["status"] == "pending"
    assert sb.post(f"/api/requests/{request['_id']}/reject", as_user="claire.moreau").status_code == 200


# --- concurrency -----------------------------------------------------------------------------


def test_concurrent_accepts_apply_once_with_one_email(sb: Harness) -> None:
    key = rid("join-ddt33-nicolas")
    headers = sb.auth_headers(as_user="julien.lefebvre")
    staff = sb.auth_headers(as_user="claire.moreau")
    mails_before = len(outbox(sb, related=key))
    calls = [
        (
            "POST",
            f"/api/requests/{key}/accept",
            {"headers": headers if i % 2 else staff, "json": {"rights": ["UPLOAD"]}},
        )
        for i in range(8)
    ]
    responses = anyio.run(sb.client.gather, *calls)
    assert [r.status_code for r in responses] == [200] * 8
    assert len({r.json()["decided_by"]["_id"] for r in responses}) == 1  # all show the one decision
    assert len({r.json()["update"] for r in responses}) == 1
    assert len(outbox(sb, related=key)) == mails_before + 1
    assert memberships(sb, "nicolas.bernard")["ddt33"] == ["UPLOAD"]


def test_concurrent_opposite_decisions(sb: Harness) -> None:
    key = rid("join-ecrins-sophie")
    headers = sb.auth_headers(as_user="mathieu.garnier")
    calls = [
        ("POST", f"/api/requests/{key}/{'accept' if i % 2 else 'reject'}", {"headers": headers})
        for i in range(8)
    ]
    responses = anyio.run(sb.client.gather, *calls)
    final = sb.get(f"/api/requests/{key}", as_user="mathieu.garnier").json()["status"]
    for call, response in zip(calls, responses, strict=True):
        same = call[1].endswith("accept") == (final == "accepted")
        assert response.status_code == (200 if same else 409)
    decisions = [m for m in outbox(sb, related=key) if m["to"] == "sophie.martin@cerema.test"]
    assert len(decisions) == 2  # the receipt and one decision


# --- the outbox ------------------------------------------------------------------------------


def test_outbox_filters_and_clearing(sb: Harness) -> None:
    everything = outbox(sb)
    assert len(everything) >= 20  # the seeded history
    assert all(m["to"] == STAFF_MAILBOX for m in outbox(sb, to=STAFF_MAILBOX.upper()))
    last_two = sb.get("/sandbox/outbox", params={"limit": 2}).json()
    assert last_two == everything[-2:]
    assert sb.delete("/sandbox/outbox").status_code == 204
    assert outbox(sb) == []
    assert_api_error(sb.get("/sandbox/outbox", params={"limit": 0}), 400)


def test_seeded_history(sb: Harness) -> None:
    statuses = {
        key: sb.get(f"/api/requests/{rid(key)}", as_user="claire.moreau").json()["status"]
        for key in (
            "join-ddt33-antoine",
            "join-ddt33-elodie",
            "join-vanoise-nicolas",
            "datastore-essais-lucie",
            "datastore-region-bretagne",
        )
    }
    assert statuses == {
        "join-ddt33-antoine": "accepted",
        "join-ddt33-elodie": "rejected",
        "join-vanoise-nicolas": "cancelled",
        "datastore-essais-lucie": "rejected",
        "datastore-region-bretagne": "accepted",
    }
    bretagne = sb.get(f"/api/requests/{rid('datastore-region-bretagne')}", as_user="claire.moreau").json()
    assert bretagne["community"]["technical_name"] == "region_bretagne"
    assert bretagne["creation"] < bretagne["update"]
    assert len(outbox(sb, related=rid("join-ddt33-elodie"))) == 3


# --- the switch: a sandbox that behaves like the real platform ---------------------------------


def test_without_the_request_api(make_harness: Callable[..., Harness]) -> None:
    sb = make_harness(requests_api=False)
    for method, path in (
        ("GET", "/api/requests"),
        ("POST", "/api/requests"),
        ("GET", f"/api/requests/{rid('join-ddt33-mathieu')}"),
        ("POST", f"/api/requests/{rid('join-ddt33-mathieu')}/accept"),
        ("GET", "/api/users/me/requests"),
        ("GET", f"/api/communities/{DDT33}/join_form"),
    ):
        response = sb.call(method, path, as_user="julien.lefebvre")
        assert_api_error(response, 404)
    features = sb.get("/sandbox/capabilities").json()["features"]
    assert "requests" not in features
    assert "join-forms" not in features
    # The REAL routes are still there.
    assert sb.get(f"/api/communities/{DDT33}/users", as_user="julien.lefebvre").status_code == 200
    assert "/api/requests" not in sb.get("/openapi.json").json()["paths"]


def test_latency_applies_to_the_new_routes_without_blocking(make_harness: Callable[..., Harness]) -> None:
    sb = make_harness(latency_ms=400)  # large enough that machine load cannot blur the verdicts
    headers = sb.auth_headers(as_user="julien.lefebvre")
    calls = [("GET", "/api/requests", {"headers": headers})] * 3 + [
        ("GET", f"/api/communities/{DDT33}/users", {"headers": headers})
    ] * 3
    started = time.perf_counter()
    responses = anyio.run(sb.client.gather, *calls)
    elapsed = time.perf_counter() - started
    assert all(r.status_code == 200 for r in responses)
    assert 0.4 <= elapsed < 2.0  # in parallel: about one latency, not six (2.4 s)
    fastest = 10.0
    for _ in range(3):  # the fastest of three: a loaded machine's pauses are not the sandbox's
        started = time.perf_counter()
        assert sb.get("/sandbox/health").status_code == 200
        fastest = min(fastest, time.perf_counter() - started)
    assert fastest < 0.4  # /sandbox is not delayed


def test_latency_delays_the_answer_not_the_work(make_harness: Callable[..., Harness]) -> None:
    """``--latency`` holds the answer back, like a slow network: the decision is applied (its
    e-mail is in the outbox) while its answer is still on the way. A delay before the work would
    make the requests that arrive while the server is busy wake up together and queue."""
    import asyncio

    sb = make_harness(latency_ms=400)
    headers = sb.auth_headers(as_user="julien.lefebvre")
    request_id = rid(PENDING_DDT33[0])

    async def scenario() -> tuple[float, float]:
        transport = httpx.ASGITransport(app=sb.client.app)
        async with httpx.AsyncClient(transport=transport, base_url=sb.client.base_url) as client:
            started = time.perf_counter()
            decision = asyncio.ensure_future(
                client.post(f"/api/requests/{request_id}/accept", headers=headers)
            )
            seen = None
            while seen is None and not decision.done():
                mails = (await client.get("/sandbox/outbox", params={"limit": 10_000})).json()
                if any(
                    m.get("related") == request_id and m["subject"].startswith("Bienvenue") for m in mails
                ):
                    seen = time.perf_counter() - started
                await asyncio.sleep(0.02)
            response = await decision
            assert response.status_code == 200
            return (seen if seen is not None else float("inf")), time.perf_counter() - started

    applied, answered = anyio.run(scenario)
    assert answered >= 0.4
    assert applied < answered


class _FullDisk:
    """The store's SQLite connection on a full disk: every write fails with SQLITE_FULL's message
    (the transaction rolled back), reads work."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, *args: Any) -> Any:
        if sql.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE", "REPLACE"):
            import sqlite3

            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def test_a_full_disk_is_a_507_that_saves_nothing_and_health_says_so(
    sb: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "join-ddt33-mathieu"
    sb.access_token("julien.lefebvre")  # logged in before the disk fills up
    mails_before = len(outbox(sb))
    monkeypatch.setattr(sb.sandbox.store.db, "conn", _FullDisk(sb.sandbox.store.db.conn))
    response = sb.post(
        f"/api/requests/{rid(key)}/accept", as_user="julien.lefebvre", json={"rights": ["UPLOAD"]}
    )
    assert response.status_code == 507, response.text
    assert "disk is full" in " ".join(response.json()["error_description"])
    health = sb.get("/sandbox/health").json()
    assert health["status"] == "degraded"
    assert "disk full" in health["problems"][0]
    monkeypatch.undo()
    assert len(outbox(sb)) == mails_before  # nothing saved: no decision, no e-mail
    assert sb.get(f"/api/requests/{rid(key)}", as_user="julien.lefebvre").json()["status"] == "pending"
