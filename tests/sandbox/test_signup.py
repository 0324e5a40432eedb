"""Sign-up (sandbox API): captchas, ``POST /api/accounts`` with every rule of the shared validators,
duplicates, the e-mail verification, and what an unverified account gets at the token endpoint."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from cartes_cli.sandbox.config import SandboxConfig
from cartes_cli.sandbox.domain.captchas import ALPHABET, ANSWER_LENGTH, Captchas
from cartes_cli.sandbox.routes.account_schemas import AccountStatus, ApiProblemBody, CaptchaChallenge
from cartes_cli.validators import CODES
from tests.validation_cases import (
    FIELD_CASES,
    FIELD_LOCATIONS,
    REGISTRATION_CASES,
    base_registration,
    full_registration,
    registration_with,
)

from .conftest import Harness

CAPTCHA = "/api/accounts/captcha"
ACCOUNTS = "/api/accounts"
VERIFY = "/api/accounts/verify"
RESEND = "/api/accounts/verify/resend"
NOT_SET_UP = {"error": "invalid_grant", "error_description": "Account is not fully set up"}
INVALID_CREDENTIALS = {"error": "invalid_grant", "error_description": "Invalid user credentials"}


# --- helpers ------------------------------------------------------------------------------------


def new_captcha(sb: Harness) -> dict[str, Any]:
    response = sb.client.get(CAPTCHA)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def answer_of(sb: Harness, captcha_id: str) -> str:
    """The answer, read from the server's memory (as a person reads the image)."""
    captcha = sb.sandbox.captchas.get(captcha_id, sb.clock())
    assert captcha is not None
    return captcha.answer


def solved(sb: Harness) -> dict[str, str]:
    """A captcha and its right answer, made directly (no image rendered: faster)."""
    captcha = sb.sandbox.captchas.new(now=sb.clock(), ttl=sb.sandbox.config.captcha_ttl)
    return {"_id": captcha.id, "answer": captcha.answer}


def sign_up(sb: Harness, body: dict[str, Any], captcha: dict[str, str] | None = None) -> httpx.Response:
    return sb.client.post(ACCOUNTS, json={**body, "captcha": captcha or solved(sb)})


def problems_of(response: httpx.Response, status: int = 400) -> set[tuple[str, str]]:
    """The ``(field, code)`` pairs of an error answer, after checking its shape."""
    assert response.status_code == status, response.text
    body = ApiProblemBody.model_validate(response.json())
    assert body.error == {400: "bad_request", 409: "conflict"}[status]
    assert body.error_description == [f"{p.field}: {p.message}" for p in body.problems]
    assert all(p.code in CODES for p in body.problems)
    return {(p.field, p.code) for p in body.problems}


def mails_to(sb: Harness, address: str) -> list[dict[str, Any]]:
    mails: list[dict[str, Any]] = sb.client.get("/sandbox/outbox", params={"to": address}).json()
    return mails


def code_sent_to(sb: Harness, address: str) -> str:
    """The code of the latest verification e-mail to ``address``."""
    mails = [m for m in mails_to(sb, address) if m["subject"].startswith("Confirmez")]
    assert mails, f"no verification e-mail to {address}"
    match = re.search(r"^ {4}(\d{6})$", mails[-1]["body"], re.MULTILINE)
    assert match, mails[-1]["body"]
    return match[1]


def register(sb: Harness, n: int | str = 1, **changes: Any) -> dict[str, Any]:
    body = {**base_registration(n), **changes}
    response = sign_up(sb, body)
    assert response.status_code == 201, response.text
    return body


def register_and_verify(sb: Harness, n: int | str = 1, **changes: Any) -> dict[str, Any]:
    body = register(sb, n, **changes)
    code = code_sent_to(sb, body["email"])
    assert sb.client.post(VERIFY, json={"email": body["email"], "code": code}).status_code == 200
    return body


# --- captcha --------------------------------------------------------------------------------------


def test_captcha_is_a_png_with_a_wav_alternative(sb: Harness) -> None:
    response = sb.client.get(CAPTCHA)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    challenge = CaptchaChallenge.model_validate(response.json())
    assert set(response.json()) == {"_id", "image", "audio_url", "expires_in"}  # never the answer
    assert challenge.expires_in == 300
    prefix = "data:image/png;base64,"
    assert challenge.image.startswith(prefix)
    assert base64.b64decode(challenge.image[len(prefix) :]).startswith(b"\x89PNG\r\n\x1a\n")
    assert challenge.audio_url == f"http://127.0.0.1{CAPTCHA}/{challenge.id}/audio"

    audio = sb.client.get(challenge.audio_url)
    assert audio.status_code == 200
    assert audio.headers["content-type"] == "audio/wav"
    assert audio.headers["cache-control"] == "no-store"
    wav = audio.content
    assert wav[:4] == b"RIFF"
    assert wav[8:16] == b"WAVEfmt "
    assert int.from_bytes(wav[4:8], "little") == len(wav) - 8
    assert len(wav) > 8000  # seconds of 8 kHz sound
    assert sb.client.get(challenge.audio_url).content == wav  # rendered once: no new noise to average out

    answer = answer_of(sb, challenge.id)
    assert len(answer) == ANSWER_LENGTH
    assert set(answer) <= set(ALPHABET)
    assert not set("01IO") & set(ALPHABET)


def test_captcha_answers_are_exposed_only_when_asked(make_harness: Callable[..., Harness]) -> None:
    assert SandboxConfig().scriptable_captchas is False
    exposed = make_harness(scriptable_captchas=True)
    challenge = new_captcha(exposed)
    assert challenge["answer"] == answer_of(exposed, challenge["_id"])
    response = sign_up(exposed, base_registration(), {"_id": challenge["_id"], "answer": challenge["answer"]})
    assert response.status_code == 201


def test_captcha_answer_ignores_case_and_spaces(sb: Harness) -> None:
    challenge = new_captcha(sb)
    answer = answer_of(sb, challenge["_id"])
    given = " ".join(answer.lower())
    assert sign_up(sb, base_registration(), {"_id": challenge["_id"], "answer": given}).status_code == 201


def test_captcha_is_single_use_right_or_wrong(sb: Harness) -> None:
    challenge = new_captcha(sb)
    right = answer_of(sb, challenge["_id"])
    wrong = right[::-1] if right[::-1] != right else "ZZZZZZ"
    first = sign_up(sb, base_registration(), {"_id": challenge["_id"], "answer": wrong})
    assert problems_of(first) == {("captcha", "captcha.invalid")}
    again = sign_up(sb, base_registration(), {"_id": challenge["_id"], "answer": right})
    assert problems_of(again) == {("captcha", "captcha.invalid")}
    assert sb.client.get(challenge["audio_url"]).status_code == 404

    used = solved(sb)
    assert sign_up(sb, base_registration(1), used).status_code == 201
    assert problems_of(sign_up(sb, base_registration(2), used)) == {("captcha", "captcha.invalid")}
    made_up = {"_id": "no-such-captcha", "answer": "ABCDEF"}
    assert problems_of(sign_up(sb, base_registration(3), made_up)) == {("captcha", "captcha.invalid")}


def test_captcha_is_consumed_even_when_other_fields_are_wrong(sb: Harness) -> None:
    captcha = solved(sb)
    bad = sign_up(sb, {**base_registration(), "password": "court"}, captcha)
    assert ("captcha", "captcha.invalid") not in problems_of(bad)  # the answer was right…
    fixed = sign_up(sb, base_registration(), captcha)
    assert problems_of(fixed) == {("captcha", "captcha.invalid")}  # …and it is used up


def test_captcha_expires(sb: Harness) -> None:
    challenge = new_captcha(sb)
    sb.clock.advance(300)
    assert sb.client.get(challenge["audio_url"]).status_code == 404
    answer = {"_id": challenge["_id"], "answer": "whatever"}
    assert problems_of(sign_up(sb, base_registration(), answer)) == {("captcha", "captcha.expired")}


def test_captcha_is_required(sb: Harness) -> None:
    response = sb.client.post(ACCOUNTS, json=base_registration())
    assert problems_of(response) == {("captcha", "field.required")}
    no_answer = sb.client.post(ACCOUNTS, json={**base_registration(), "captcha": {"_id": solved(sb)["_id"]}})
    assert problems_of(no_answer) == {("captcha", "captcha.invalid"), ("captcha.answer", "field.required")}


# --- registration -----------------------------------------------------------------------------


def test_sign_up_with_every_step(sb: Harness) -> None:
    body = full_registration()
    response = sign_up(sb, body)
    assert response.status_code == 201, response.text
    created = AccountStatus.model_validate(response.json())
    assert response.json() == {
        "_id": created.id,
        "username": "essai.1",
        "email": "essai.1@exemple.test",
        "status": "pending_verification",
    }
    store = sb.sandbox.store
    user = store.users.get(created.id)
    assert user is not None
    assert (user.first_name, user.last_name) == ("Élise", "Le Gall")
    assert not user.email_verified
    assert user.required_actions == ("VERIFY_EMAIL",)
    assert user.password_changed is not None
    assert user.attributes == {
        "phone": "+33612345678",
        "street": "8 avenue Pasteur",
        "locality": "Saint-Mandé",
        "postcode": "94160",
        "siret": "73282932000074",
        "company": "Géomatique Conseil",
        "position": "Cheffe de projet SIG",
        "company_street": "73 avenue de Paris",
        "company_locality": "Saint-Mandé",
        "company_postcode": "94160",
    }
    assert store.users.photo(created.id) == body["photo"]
    assert body["password"] not in (user.password_hash or "")

    [mail] = mails_to(sb, "essai.1@exemple.test")
    assert mail["subject"] == "Confirmez votre adresse e-mail"
    assert "Bonjour Élise," in mail["body"]
    assert "24 heures" in mail["body"]
    assert re.search(r"^ {4}\d{6}$", mail["body"], re.MULTILINE)
    assert body["password"] not in mail["body"]


def test_sign_up_with_a_vat_number_stores_it_compact(sb: Harness) -> None:
    body = registration_with("tva", "fr 44 732 829 320")
    response = sign_up(sb, body)
    assert response.status_code == 201, response.text
    user = sb.sandbox.store.users.get(response.json()["_id"])
    assert user is not None
    assert user.attributes["tva"] == "FR44732829320"
    assert "siret" not in user.attributes


@pytest.mark.parametrize(
    ("name", "body", "expected"), REGISTRATION_CASES, ids=[c[0] for c in REGISTRATION_CASES]
)
def test_registration_cases(
    sb: Harness, name: str, body: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    response = sign_up(sb, body)
    if expected:
        assert problems_of(response) == expected
        assert len(response.json()["problems"]) == len(expected)
        username = body.get("username")
        assert not isinstance(username, str) or sb.sandbox.store.users.by_login(username) is None
    else:
        assert response.status_code == 201, response.text


def test_every_acceptable_registration_case_on_one_server(sb: Harness) -> None:
    """As the end-to-end tests run them: one after the other, on the same server."""
    for name, body, expected in REGISTRATION_CASES:
        if not expected:
            assert sign_up(sb, body).status_code == 201, name


@pytest.mark.parametrize("kind", sorted(FIELD_LOCATIONS))
def test_field_cases_on_the_server(sb: Harness, kind: str) -> None:
    """The shared table, field by field, against ``POST /api/accounts`` (the same answers as the CLI's
    own checks: one implementation)."""
    for n, (case_kind, value, codes) in enumerate(FIELD_CASES):
        if case_kind != kind:
            continue
        response = sign_up(sb, registration_with(kind, value, n))
        where = FIELD_LOCATIONS[kind]
        if codes:
            assert problems_of(response) == {(where, code) for code in codes}, (value, response.text)
        else:
            assert response.status_code == 201, (value, response.text)


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b"", "field.required", "A JSON object is required as the body."),
        (b"{not json", "field.invalid_type", "The body is not valid JSON."),
        (b"[1, 2]", "field.invalid_type", "The body must be a JSON object."),
        (b"[" * 100_000, "field.invalid_type", "The body is not valid JSON."),  # nested too deep
    ],
)
def test_body_must_be_a_json_object(sb: Harness, content: bytes, code: str, message: str) -> None:
    response = sb.client.post(ACCOUNTS, content=content, headers={"content-type": "application/json"})
    assert response.status_code == 400
    # Like every 400 of the sign-up API, with its problems listed (the documented shape).
    assert response.json() == {
        "error": "bad_request",
        "error_description": [message],
        "problems": [{"field": "body", "code": code, "message": message}],
    }


def test_duplicates_are_conflicts_whatever_the_case(sb: Harness) -> None:
    register(sb, 1)
    assert problems_of(sign_up(sb, {**base_registration(2), "username": "ESSAI.1"}), 409) == {
        ("username", "username.taken")
    }
    assert problems_of(sign_up(sb, {**base_registration(2), "email": "Essai.1@Exemple.TEST"}), 409) == {
        ("email", "email.taken")
    }
    both = {
        **base_registration(2),
        "username": "julien.lefebvre",
        "email": "JULIEN.LEFEBVRE@ddt-gironde.test",
    }
    assert problems_of(sign_up(sb, both), 409) == {("username", "username.taken"), ("email", "email.taken")}


def test_duplicates_are_told_only_to_who_solved_the_captcha(sb: Harness) -> None:
    taken = {**base_registration(), "username": "julien.lefebvre"}
    response = sign_up(sb, taken, {"_id": solved(sb)["_id"], "answer": "WRONG1"})
    assert problems_of(response) == {("captcha", "captcha.invalid")}


def test_an_unverified_account_cannot_log_in(sb: Harness) -> None:
    body = register(sb)
    response = sb.login(body["username"], body["password"])
    assert response.status_code == 400
    assert response.json() == NOT_SET_UP
    assert sb.login(body["email"], body["password"]).json() == NOT_SET_UP
    wrong = sb.login(body["username"], "Wrong-Password-42!!")
    assert (wrong.status_code, wrong.json()) == (401, INVALID_CREDENTIALS)


# --- e-mail verification -------------------------------------------------------------------------


def test_verify_then_log_in(sb: Harness) -> None:
    body = register(sb)
    code = code_sent_to(sb, body["email"])
    response = sb.client.post(VERIFY, json={"email": body["email"].upper(), "code": f" {code} "})
    assert response.status_code == 200, response.text
    status = AccountStatus.model_validate(response.json())
    assert status.status == "active"
    assert status.username == body["username"]
    user = sb.sandbox.store.users.get(status.id)
    assert user is not None
    assert user.email_verified
    assert user.required_actions == ()
    assert sb.sandbox.store.users.verification(status.id) is None
    assert sb.login(body["username"], body["password"]).status_code == 200
    # Verified already: the same answer, whatever the code (a retry after a lost answer).
    again = sb.client.post(VERIFY, json={"email": body["email"], "code": "000000"})
    assert (again.status_code, again.json()) == (200, response.json())


def test_wrong_codes_are_counted_then_the_code_is_burnt(sb: Harness) -> None:
    body = register(sb)
    code = code_sent_to(sb, body["email"])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        response = sb.client.post(VERIFY, json={"email": body["email"], "code": wrong})
        assert problems_of(response) == {("code", "code.invalid")}
        assert f"({left} {'try' if left == 1 else 'tries'} left)" in response.json()["error_description"][0]
    last = sb.client.post(VERIFY, json={"email": body["email"], "code": wrong})
    assert problems_of(last) == {("code", "code.invalid")}
    assert "last try" in last.json()["error_description"][0]
    burnt = sb.client.post(VERIFY, json={"email": body["email"], "code": code})
    assert problems_of(burnt) == {("code", "code.expired")}
    assert "too many wrong codes" in burnt.json()["error_description"][0]

    assert sb.client.post(RESEND, json={"email": body["email"]}).status_code == 202
    fresh = code_sent_to(sb, body["email"])
    assert sb.client.post(VERIFY, json={"email": body["email"], "code": fresh}).status_code == 200


def test_codes_expire(make_harness: Callable[..., Harness]) -> None:
    sb = make_harness(verification_ttl=600)
    body = register(sb)
    code = code_sent_to(sb, body["email"])
    assert "10 minutes" in mails_to(sb, body["email"])[-1]["body"]
    sb.clock.advance(600)
    response = sb.client.post(VERIFY, json={"email": body["email"], "code": code})
    assert problems_of(response) == {("code", "code.expired")}


def test_resend_replaces_the_code_and_never_tells_who_exists(sb: Harness) -> None:
    body = register(sb)
    first = code_sent_to(sb, body["email"])
    for email in (body["email"], "personne@exemple.test", "julien.lefebvre@ddt-gironde.test"):
        response = sb.client.post(RESEND, json={"email": email})
        assert response.status_code == 202
        assert response.json() == {
            "message": "If an account waits for the verification of this address, a new code was sent to it."
        }
    assert mails_to(sb, "personne@exemple.test") == []
    assert mails_to(sb, "julien.lefebvre@ddt-gironde.test") == []  # verified already: nothing to send
    second = code_sent_to(sb, body["email"])
    assert len(mails_to(sb, body["email"])) == 2
    if second != first:
        stale = sb.client.post(VERIFY, json={"email": body["email"], "code": first})
        assert problems_of(stale) == {("code", "code.invalid")}
    assert sb.client.post(VERIFY, json={"email": body["email"], "code": second}).status_code == 200


def test_seeded_unverified_account_asks_for_a_new_code(sb: Harness) -> None:
    email = "ines.benali@geomatique-conseil.test"
    response = sb.client.post(VERIFY, json={"email": email, "code": "123456"})
    assert problems_of(response) == {("code", "code.expired")}  # no code waiting: ask for one
    sb.client.post(RESEND, json={"email": email})
    assert sb.client.post(VERIFY, json={"email": email, "code": code_sent_to(sb, email)}).status_code == 200
    assert sb.login("ines.benali").status_code == 200


def test_verify_unknown_address_and_bad_bodies(sb: Harness) -> None:
    unknown = sb.client.post(VERIFY, json={"email": "personne@exemple.test", "code": "123456"})
    assert problems_of(unknown) == {("code", "code.invalid")}
    assert problems_of(sb.client.post(VERIFY, json={})) == {
        ("email", "field.required"),
        ("code", "field.required"),
    }
    assert problems_of(sb.client.post(VERIFY, json={"email": 3, "code": 123456})) == {
        ("email", "field.invalid_type"),
        ("code", "field.invalid_type"),
    }
    assert problems_of(sb.client.post(RESEND, json={"email": ""})) == {("email", "field.required")}


# --- switched off ------------------------------------------------------------------------------------


def test_account_api_can_be_switched_off(make_harness: Callable[..., Harness]) -> None:
    sb = make_harness(accounts_api=False)
    assert sb.client.get(CAPTCHA).status_code == 404
    assert sb.client.post(ACCOUNTS, json=base_registration()).status_code == 404
    assert sb.client.post(VERIFY, json={}).status_code == 404
    response = sb.get("/realms/geoplateforme/account", as_user="julien.lefebvre")
    assert response.status_code == 404
    assert "accounts" not in sb.client.get("/sandbox/capabilities").json()["features"]


def test_openapi_documents_the_account_routes(sb: Harness) -> None:
    doc = sb.client.get("/openapi.json").json()
    paths = doc["paths"]
    for path in (
        CAPTCHA,
        CAPTCHA + "/{captcha_id}/audio",
        ACCOUNTS,
        VERIFY,
        RESEND,
        "/realms/geoplateforme/account",
        "/realms/geoplateforme/account/credentials/password",
        "/realms/geoplateforme/account/totp",
        "/realms/geoplateforme/account/totp/confirm",
        "/realms/geoplateforme/account/totp/disable",
    ):
        assert path in paths, path
    body = paths[ACCOUNTS]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"username", "password", "email", "address", "professional", "captcha"} <= set(body["properties"])
    assert "$ref" not in str(body)  # inlined: resolvable anywhere
    assert "409" in paths[ACCOUNTS]["post"]["responses"]


def test_answers_never_repeat_a_password_or_a_code(sb: Harness) -> None:
    weak = "motdepassefaible"
    response = sign_up(sb, {**base_registration(), "password": weak})
    assert response.status_code == 400
    assert weak not in response.text
    body = register(sb, 2)
    code = code_sent_to(sb, body["email"])
    wrong = sb.client.post(VERIFY, json={"email": body["email"], "code": f"{(int(code) + 1) % 10**6:06d}"})
    assert code not in wrong.text
    assert f"{(int(code) + 1) % 10**6:06d}" not in wrong.text
    ok = sb.client.post(VERIFY, json={"email": body["email"], "code": code})
    assert code not in ok.text
    assert body["password"] not in str(sb.client.get("/sandbox/log", params={"limit": 1000}).json())


def test_resends_are_limited_so_that_the_five_tries_cannot_be_renewed_at_will(sb: Harness) -> None:
    body = register(sb)  # the sign-up sent the first code
    for _ in range(3):
        assert sb.client.post(RESEND, json={"email": body["email"]}).status_code == 202  # same answer
    assert len(mails_to(sb, body["email"])) == 2  # one resend honoured: the next ones came too soon
    for _ in range(10):  # one a minute, five an hour at most
        sb.clock.advance(61)
        sb.client.post(RESEND, json={"email": body["email"]})
    assert len(mails_to(sb, body["email"])) == 1 + 5
    sb.clock.advance(3600)
    sb.client.post(RESEND, json={"email": body["email"]})
    assert len(mails_to(sb, body["email"])) == 1 + 5 + 1


def test_captcha_ids_can_be_typed_as_an_argument() -> None:
    # 'cartes sandbox captcha ID': an id that began with '-' was read as an option (URL-safe
    # base64 did, once in 64). Hexadecimal, 144 bits as before.
    captchas = Captchas()
    ids = {captchas.new(now=0.0, ttl=60.0).id for _ in range(500)}
    assert len(ids) == 500
    assert all(re.fullmatch(r"[0-9a-f]{36}", captcha_id) for captcha_id in ids)
