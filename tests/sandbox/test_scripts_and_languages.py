"""Issue 13, the sandbox's side: captchas a script can answer (``--scriptable-captchas``), error
messages in the language of ``Accept-Language``, technical names cut at a word boundary."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cartes_cli.i18n import accept_language
from cartes_cli.sandbox.domain.captchas import ALPHABET, ANSWER_LENGTH
from cartes_cli.sandbox.seed import demo_id
from tests.validation_cases import full_registration

from .conftest import Harness

CAPTCHA = "/api/accounts/captcha"
ACCOUNTS = "/api/accounts"
TUTORIELS = demo_id("community", "tutoriels")
FR = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.8"}
EN = {"Accept-Language": "en"}


# --- scriptable captchas ------------------------------------------------------------------------


def test_captcha_answers_are_kept_secret_by_default(sb: Harness) -> None:
    assert sb.sandbox.config.scriptable_captchas is False
    assert "scriptable-captchas" not in sb.client.get("/sandbox/capabilities").json()["features"]
    challenge = sb.client.get(CAPTCHA).json()
    assert "answer" not in challenge
    response = sb.client.get(f"/sandbox/captchas/{challenge['_id']}")
    assert response.status_code == 404
    assert "--scriptable-captchas" in response.json()["error_description"][0]


def test_scriptable_captchas_give_the_answer_to_scripts(make_harness: Callable[..., Harness]) -> None:
    sb = make_harness(scriptable_captchas=True)
    assert "scriptable-captchas" in sb.client.get("/sandbox/capabilities").json()["features"]
    challenge = sb.client.get(CAPTCHA).json()
    response = sb.client.get(f"/sandbox/captchas/{challenge['_id']}")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["_id"] == challenge["_id"]
    assert body["answer"] == challenge["answer"]
    assert len(body["answer"]) == ANSWER_LENGTH
    assert set(body["answer"]) <= set(ALPHABET)
    assert 0 < body["expires_in"] <= sb.sandbox.config.captcha_ttl
    # The answer read this way signs up; the captcha is then used up, and unknown.
    created = sb.client.post(
        ACCOUNTS, json={**full_registration(), "captcha": {"_id": body["_id"], "answer": body["answer"]}}
    )
    assert created.status_code == 201, created.text
    assert sb.client.get(f"/sandbox/captchas/{challenge['_id']}").status_code == 404
    assert sb.client.get("/sandbox/captchas/made-up").status_code == 404


def test_scriptable_captchas_need_the_account_api(make_harness: Callable[..., Harness]) -> None:
    sb = make_harness(scriptable_captchas=True, accounts_api=False)
    assert "scriptable-captchas" not in sb.client.get("/sandbox/capabilities").json()["features"]
    assert sb.client.get("/sandbox/captchas/anything").status_code == 404


# --- Accept-Language ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, "en"),
        ("", "en"),
        ("fr", "fr"),
        ("fr-FR", "fr"),
        ("fr-CA,fr;q=0.9,en;q=0.5", "fr"),
        ("en-GB,en;q=0.9,fr;q=0.8", "en"),
        ("de-DE,fr;q=0.7,en;q=0.3", "fr"),
        ("de", "en"),
        ("en;q=0.2, fr;q=0.8", "fr"),
        ("fr;q=0", "en"),
        ("fr;q=abc", "en"),
        ("*", "en"),
    ],
)
def test_accept_language_is_read_as_rfc_9110_says(header: str | None, lang: str) -> None:
    assert accept_language(header) == lang


def test_api_errors_follow_accept_language(sb: Harness) -> None:
    missing = "/api/communities/00000000-0000-4000-8000-000000000000"
    for headers, expected in (
        ({}, "Community not found."),
        (EN, "Community not found."),
        (FR, "Communauté introuvable."),
    ):
        response = sb.get(missing, as_user="sophie.martin", headers=headers)
        assert response.status_code == 404
        assert response.json()["error_description"] == [expected], headers
    # The shape and the machine-readable parts never change.
    assert sb.get(missing, as_user="sophie.martin", headers=FR).json()["error"] == "not_found"


def test_sign_up_problems_follow_accept_language_and_keep_their_codes(sb: Harness) -> None:
    body = {**full_registration(), "password": "court"}
    english = sb.client.post(ACCOUNTS, json={**body, "captcha": {"_id": "x", "answer": "y"}}, headers=EN)
    french = sb.client.post(ACCOUNTS, json={**body, "captcha": {"_id": "x", "answer": "y"}}, headers=FR)
    assert english.status_code == french.status_code == 400
    codes = [(p["field"], p["code"]) for p in english.json()["problems"]]
    assert codes == [(p["field"], p["code"]) for p in french.json()["problems"]]
    assert "at least 14 characters" in english.text
    assert "au moins 14 caractères" in french.text
    assert "at least" not in french.text


def test_second_pending_join_is_refused_in_french_while_emails_stay_french(sb: Harness) -> None:
    sb.add_user("marc.durand")
    join = {"type": "join", "community": TUTORIELS}
    first = sb.post("/api/requests", as_user="marc.durand", json=join, headers=EN)
    assert first.status_code == 201, first.text
    again = sb.post("/api/requests", as_user="marc.durand", json=join, headers=FR)
    assert again.status_code == 409
    assert again.json()["error_description"] == [
        "Vous avez déjà une demande en attente pour rejoindre cette communauté."
    ]
    # The e-mails of a request asked in English are French, as the real platform's.
    mails = sb.client.get("/sandbox/outbox", params={"related": first.json()["_id"]}).json()
    assert mails
    assert all("demande" in m["subject"].lower() for m in mails), mails


def test_the_language_of_one_request_does_not_leak_into_the_next(sb: Harness) -> None:
    missing = "/api/communities/00000000-0000-4000-8000-000000000000"
    assert sb.get(missing, as_user="sophie.martin", headers=FR).json()["error_description"] == [
        "Communauté introuvable."
    ]
    assert sb.get(missing, as_user="sophie.martin").json()["error_description"] == ["Community not found."]


# --- technical names ----------------------------------------------------------------------------


def test_a_derived_technical_name_is_cut_at_a_word_boundary(sb: Harness) -> None:
    body = {"type": "datastore", "name": "Observatoire régional des mobilités douces et actives"}
    response = sb.post("/api/requests", as_user="sophie.martin", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["technical_name"] == "observatoire_regional_des"
    again = sb.post("/api/requests", as_user="julien.lefebvre", json=body)
    assert again.status_code == 201, again.text
    assert again.json()["technical_name"] == "observatoire_regional_des_2"
