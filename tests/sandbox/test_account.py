"""The account endpoints under the issuer: profile (Keycloak account REST), password change, TOTP
set-up and removal; and the yearly password renewal, at the token endpoint and on the login pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest

from cartes_cli.sandbox.routes.account_schemas import AccountErrorBody, KeycloakAccount, TotpSetup
from cartes_cli.sandbox.seed import DEMO_EXPIRED_PASSWORD_USER
from cartes_cli.sandbox.util import iso, parse_iso
from cartes_cli.validators import CODES
from tests.conftest import WAREHOUSE
from tests.validation_cases import PHOTO_PNG, full_registration

from .browser import Browser, location_params, parse
from .conftest import DEMO_PASSWORD, DEMO_TOTP_SECRET, Harness, demo_id
from .test_signup import code_sent_to, mails_to, register_and_verify

ACCOUNT = "/realms/geoplateforme/account"
PASSWORD = f"{ACCOUNT}/credentials/password"
TOTP = f"{ACCOUNT}/totp"
NOT_SET_UP = {"error": "invalid_grant", "error_description": "Account is not fully set up"}
NEW_PASSWORD = "Nouveau-Secret-2027!"


def mails_about(sb: Harness, to: str, subject: str) -> list[dict[str, Any]]:
    return [m for m in mails_to(sb, to) if m["subject"] == subject]


def account_error(response: httpx.Response, status: int = 400) -> AccountErrorBody:
    assert response.status_code == status, response.text
    body = AccountErrorBody.model_validate(response.json())
    assert body.errorMessage
    assert all(p.code in CODES for p in body.problems)
    if body.problems:
        assert body.field == body.problems[0].field
    return body


def codes(response: httpx.Response, status: int = 400) -> set[tuple[str, str]]:
    return {(p.field, p.code) for p in account_error(response, status).problems}


def profile(sb: Harness, user: str | None = None, *, token: str | None = None) -> dict[str, Any]:
    response = sb.get(ACCOUNT, as_user=user, token=token)
    assert response.status_code == 200, response.text
    KeycloakAccount.model_validate(response.json())
    body: dict[str, Any] = response.json()
    return body


# --- authentication -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", ACCOUNT),
        ("POST", ACCOUNT),
        ("POST", PASSWORD),
        ("POST", TOTP),
        ("POST", f"{TOTP}/confirm"),
        ("POST", f"{TOTP}/disable"),
    ],
)
def test_a_bearer_token_is_required(sb: Harness, method: str, path: str) -> None:
    missing = sb.call(method, path, json={})
    assert account_error(missing, 401).problems == []
    assert missing.headers["www-authenticate"] == 'Bearer realm="geoplateforme"'
    bad = sb.call(method, path, token="not-a-token", json={})
    account_error(bad, 401)
    assert 'error="invalid_token"' in bad.headers["www-authenticate"]


def test_expired_or_revoked_tokens_are_refused(sb: Harness) -> None:
    tokens = sb.tokens("julien.lefebvre")
    sb.client.post(
        "/realms/geoplateforme/protocol/openid-connect/revoke",
        data={**WAREHOUSE, "token": tokens["access_token"]},
    )
    assert sb.get(ACCOUNT, token=tokens["access_token"]).status_code == 401
    fresh = sb.tokens("julien.lefebvre")["access_token"]
    sb.clock.advance(301)
    assert sb.get(ACCOUNT, token=fresh).status_code == 401


# --- profile --------------------------------------------------------------------------------------


def test_get_the_profile(sb: Harness) -> None:
    body = profile(sb, "julien.lefebvre")
    assert body == {
        "id": demo_id("user", "julien.lefebvre"),
        "username": "julien.lefebvre",
        "email": "julien.lefebvre@ddt-gironde.test",
        "firstName": "Julien",
        "lastName": "Lefebvre",
        "emailVerified": True,
        "attributes": {},
        "createdTimestamp": body["createdTimestamp"],
        "totp": False,
        "requiredActions": [],
        "passwordChangedAt": None,
        "passwordExpiresAt": None,
    }
    assert sb.get(ACCOUNT, as_user="julien.lefebvre").headers["cache-control"].startswith("no-store")
    assert profile(sb, token=sb.totp_tokens()["access_token"])["totp"] is True


def test_the_expired_demo_account_has_a_full_professional_profile(
    make_harness: Callable[..., Harness],
) -> None:
    sb = make_harness(password_max_age_days=100_000)  # so that it can log in here
    body = profile(sb, DEMO_EXPIRED_PASSWORD_USER)
    assert body["attributes"] == {
        "company": ["Communauté d'agglomération Pau Béarn Pyrénées"],
        "company_locality": ["Pau"],
        "company_postcode": ["64000"],
        "company_street": ["Hôtel de France, 2 bis place Royale"],
        "locality": ["Pau"],
        "phone": ["+33559112233"],
        "position": ["Technicien SIG"],
        "postcode": ["64000"],
        "siret": ["20006725400009"],
        "street": ["12 rue des Cordeliers"],
    }
    assert body["passwordChangedAt"] == "2024-03-11T09:30:00Z"
    assert parse_iso(body["passwordExpiresAt"]) == parse_iso("2024-03-11T09:30:00Z") + 100_000 * 86400


def test_a_signed_up_account_shows_its_attributes_and_photo(sb: Harness) -> None:
    body = full_registration(7)
    register_and_verify(
        sb, 7, **{k: v for k, v in body.items() if k not in ("username", "email", "password")}
    )
    account = profile(sb, token=sb.tokens("essai.7", password=body["password"])["access_token"])
    assert account["firstName"] == "Élise"
    assert account["attributes"]["phone"] == ["+33612345678"]
    assert account["attributes"]["company_postcode"] == ["94160"]
    assert account["attributes"]["photo"] == [PHOTO_PNG]
    assert account["passwordChangedAt"] == iso(sb.clock())
    assert parse_iso(account["passwordExpiresAt"]) == parse_iso(account["passwordChangedAt"]) + 365 * 86400


def test_partial_update(sb: Harness) -> None:
    user = "julien.lefebvre"
    update = {
        "firstName": "Jules",
        "attributes": {
            "phone": ["05 56 00 00 00"],
            "street": "1 cours Wilson",
            "locality": ["Bordeaux"],
            "postcode": ["33000"],
            "tva": [" fr 44 732 829 320 "],
        },
    }
    response = sb.post(ACCOUNT, as_user=user, json=update)
    assert response.status_code == 204, response.text
    assert response.content == b""
    body = profile(sb, user)
    assert (body["firstName"], body["lastName"]) == ("Jules", "Lefebvre")
    assert body["attributes"] == {
        "locality": ["Bordeaux"],
        "phone": ["+33556000000"],
        "postcode": ["33000"],
        "street": ["1 cours Wilson"],
        "tva": ["FR44732829320"],
    }
    # Only what is sent changes; [] (or "" or null) removes an attribute.
    assert (
        sb.post(ACCOUNT, as_user=user, json={"attributes": {"street": [], "locality": ""}}).status_code == 204
    )
    assert set(profile(sb, user)["attributes"]) == {"phone", "postcode", "tva"}
    assert sb.post(ACCOUNT, as_user=user, json={"lastName": ""}).status_code == 204
    assert profile(sb, user)["lastName"] == ""


def test_the_representation_can_be_sent_back_as_it_came(sb: Harness) -> None:
    body = profile(sb, "sophie.martin")
    body["lastName"] = "Martin-Durand"
    assert sb.post(ACCOUNT, as_user="sophie.martin", json=body).status_code == 204
    assert profile(sb, "sophie.martin")["lastName"] == "Martin-Durand"


def test_photo_set_and_removed(sb: Harness) -> None:
    user = "sophie.martin"
    assert sb.post(ACCOUNT, as_user=user, json={"attributes": {"photo": [PHOTO_PNG]}}).status_code == 204
    assert profile(sb, user)["attributes"] == {"photo": [PHOTO_PNG]}
    assert sb.post(ACCOUNT, as_user=user, json={"attributes": {"photo": None}}).status_code == 204
    assert profile(sb, user)["attributes"] == {}


@pytest.mark.parametrize(
    ("update", "expected", "key"),
    [
        ({"username": "julien"}, {("username", "username.immutable")}, "readOnlyUsernameMessage"),
        ({"email": "pas-une-adresse"}, {("email", "email.invalid")}, "invalidEmailMessage"),
        ({"firstName": "J3"}, {("firstName", "name.invalid")}, None),
        ({"nickname": "JL"}, {("nickname", "field.unknown")}, None),
        ({"attributes": {"age": ["42"]}}, {("age", "field.unknown")}, None),
        ({"attributes": {"postcode": ["96000"]}}, {("postcode", "postcode.unknown_department")}, None),
        ({"attributes": {"company_postcode": "7500"}}, {("company_postcode", "postcode.invalid")}, None),
        ({"attributes": {"phone": ["+44 20 7946 0958"]}}, {("phone", "phone.invalid")}, None),
        ({"attributes": {"siret": ["73282932000075"]}}, {("siret", "siret.bad_checksum")}, None),
        ({"attributes": {"tva": ["FR45732829320"]}}, {("tva", "tva.bad_key")}, None),
        (
            {"attributes": {"photo": ["data:image/gif;base64,R0lGODlh"]}},
            {("photo", "photo.unsupported_type")},
            None,
        ),
        ({"attributes": {"company": ["x" * 201]}}, {("company", "field.too_long")}, None),
        ({"attributes": {"phone": ["0612345678", "0712345678"]}}, {("phone", "field.invalid_type")}, None),
        ({"attributes": ["phone"]}, {("attributes", "field.invalid_type")}, None),
        (
            {"attributes": {"siret": ["73282932000074"], "tva": ["FR44732829320"]}},
            {("attributes", "professional.identifier_conflict")},
            None,
        ),
        (
            {"username": "autre", "attributes": {"postcode": "1"}, "firstName": "!"},
            {
                ("username", "username.immutable"),
                ("postcode", "postcode.invalid"),
                ("firstName", "name.invalid"),
            },
            "readOnlyUsernameMessage",
        ),
    ],
)
def test_update_refusals(
    sb: Harness, update: dict[str, Any], expected: set[tuple[str, str]], key: str | None
) -> None:
    before = profile(sb, "julien.lefebvre")
    response = sb.post(ACCOUNT, as_user="julien.lefebvre", json=update)
    assert codes(response) == expected
    assert account_error(response).messageKey == key
    assert profile(sb, "julien.lefebvre") == before  # nothing applied


def test_username_may_be_sent_unchanged(sb: Harness) -> None:
    assert (
        sb.post(ACCOUNT, as_user="julien.lefebvre", json={"username": "Julien.Lefebvre"}).status_code == 204
    )


def test_a_new_email_must_be_unique_then_confirmed(sb: Harness) -> None:
    user = "sophie.martin"
    taken = sb.post(ACCOUNT, as_user=user, json={"email": "JULIEN.LEFEBVRE@ddt-gironde.test"})
    assert codes(taken, 409) == {("email", "email.taken")}
    assert account_error(taken, 409).messageKey == "emailExistsMessage"

    new = "sophie.martin@cerema-nouveau.test"
    assert sb.post(ACCOUNT, as_user=user, json={"email": new}).status_code == 204
    body = profile(sb, user)
    assert (body["email"], body["emailVerified"], body["requiredActions"]) == (new, False, ["VERIFY_EMAIL"])
    [notice] = mails_about(sb, "sophie.martin@cerema.test", "Votre adresse e-mail a été modifiée")
    assert new in notice["body"]
    assert mails_to(sb, new)[-1]["subject"] == "Confirmez votre nouvelle adresse e-mail"
    # Keycloak's behaviour: the new address must be verified before the next login.
    assert sb.login(user).json() == NOT_SET_UP
    verified = sb.client.post("/api/accounts/verify", json={"email": new, "code": code_sent_to(sb, new)})
    assert verified.json()["status"] == "active"
    assert sb.login(new).status_code == 200


# --- password -------------------------------------------------------------------------------------


def change(sb: Harness, user: str, current: str, new: str, confirmation: str | None = None) -> httpx.Response:
    token = sb.access_token(user)  # cached: still valid after a change, as in real life
    body = {
        "currentPassword": current,
        "newPassword": new,
        "confirmation": new if confirmation is None else confirmation,
    }
    return sb.post(PASSWORD, token=token, json=body)


def test_change_password(sb: Harness) -> None:
    user = "mathieu.garnier"
    sb.clock.advance(3600)
    response = change(sb, user, DEMO_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 204, response.text
    assert sb.login(user).status_code == 401
    assert sb.login(user, NEW_PASSWORD).status_code == 200
    stored = sb.sandbox.store.users.by_login(user)
    assert stored is not None
    assert stored.password_changed == iso(sb.clock())
    [mail] = mails_about(sb, "mathieu.garnier@ecrins-parcnational.test", "Votre mot de passe a été modifié")
    assert NEW_PASSWORD not in mail["body"]
    assert DEMO_PASSWORD not in mail["body"]
    assert profile(sb, user)["passwordExpiresAt"] == iso(sb.clock() + 365 * 86400)


def test_wrong_current_password(sb: Harness) -> None:
    response = change(sb, "mathieu.garnier", "Pas-Le-Bon-2026!!", NEW_PASSWORD)
    body = account_error(response)
    assert body.errorMessage == "The current password is wrong."
    assert body.messageKey == "invalidPasswordExistingMessage"
    assert codes(response) == {("currentPassword", "password.current_invalid")}
    assert sb.login("mathieu.garnier").status_code == 200  # unchanged


def test_the_rule_lists_every_missing_criterion(sb: Harness) -> None:
    response = change(sb, "mathieu.garnier", DEMO_PASSWORD, "abcdefgh")
    assert codes(response) == {
        ("newPassword", "password.too_short"),
        ("newPassword", "password.missing_upper"),
        ("newPassword", "password.missing_digits"),
        ("newPassword", "password.missing_special"),
    }
    body = account_error(response)
    assert body.messageKey == "invalidPasswordMinLengthMessage"
    assert "at least 14 characters (8 found)" in body.errorMessage
    assert "at least 2 digits (0 found)" in body.errorMessage
    contains = change(sb, "mathieu.garnier", DEMO_PASSWORD, "Mathieu.Garnier-2026")
    assert codes(contains) == {
        ("newPassword", "password.contains_username"),
        ("newPassword", "password.contains_email"),
    }


def test_confirmation_must_match(sb: Harness) -> None:
    response = change(sb, "mathieu.garnier", DEMO_PASSWORD, NEW_PASSWORD, "Nouveau-Secret-2028!")
    assert codes(response) == {("confirmation", "password.confirmation_mismatch")}
    assert account_error(response).messageKey == "invalidPasswordConfirmMessage"


def test_current_and_previous_passwords_cannot_be_reused(sb: Harness) -> None:
    user = "mathieu.garnier"
    same = change(sb, user, DEMO_PASSWORD, DEMO_PASSWORD)
    assert codes(same) == {("newPassword", "password.reused")}
    assert account_error(same).messageKey == "invalidPasswordHistoryMessage"
    assert change(sb, user, DEMO_PASSWORD, NEW_PASSWORD).status_code == 204
    back = change(sb, user, NEW_PASSWORD, DEMO_PASSWORD)
    assert codes(back) == {("newPassword", "password.reused")}
    assert change(sb, user, NEW_PASSWORD, "Troisieme-Secret-2028!").status_code == 204
    # Only one password is remembered: the first one is allowed again now.
    assert change(sb, user, "Troisieme-Secret-2028!", DEMO_PASSWORD).status_code == 204


def test_password_body_is_checked(sb: Harness) -> None:
    response = sb.post(PASSWORD, as_user="mathieu.garnier", json={"newPassword": 42})
    assert codes(response) == {
        ("newPassword", "field.invalid_type"),
        ("confirmation", "field.required"),
        ("currentPassword", "field.required"),
    }
    assert account_error(sb.post(PASSWORD, as_user="mathieu.garnier", content=b"[]")).errorMessage == (
        "The body must be a JSON object."
    )


# --- two-factor authentication ----------------------------------------------------------------------


def test_totp_set_up_confirm_login_disable(sb: Harness) -> None:
    user = "sophie.martin"
    token = sb.access_token(user)
    first = sb.post(TOTP, token=token)
    assert first.status_code == 200, first.text
    setup = TotpSetup.model_validate(first.json())
    assert re.fullmatch(r"[A-Z2-7]{32}", setup.secret)
    assert setup.otpauth_uri == (
        f"otpauth://totp/G%C3%A9oplateforme:{user}?secret={setup.secret}"
        "&issuer=G%C3%A9oplateforme&digits=6&period=30&algorithm=SHA1"
    )
    parsed = pyotp.parse_uri(setup.otpauth_uri)
    assert (parsed.secret, parsed.issuer, parsed.name) == (setup.secret, "Géoplateforme", user)
    assert sb.login(user).status_code == 200  # pending: not required yet

    second = TotpSetup.model_validate(sb.post(TOTP, token=token).json())
    assert second.secret != setup.secret  # a new set-up replaces the pending one
    stale = sb.post(f"{TOTP}/confirm", token=token, json={"code": pyotp.TOTP(setup.secret).at(sb.clock())})
    assert codes(stale) == {("code", "totp.invalid_code")}
    assert account_error(stale).messageKey == "invalidTotpMessage"
    app = pyotp.TOTP(second.secret)
    assert sb.post(f"{TOTP}/confirm", token=token, json={"code": app.at(sb.clock())}).status_code == 204
    assert profile(sb, user)["totp"] is True
    assert len(mails_about(sb, "sophie.martin@cerema.test", "Validation en deux étapes activée")) == 1
    assert second.secret not in str(mails_to(sb, "sophie.martin@cerema.test"))

    assert sb.login(user).status_code == 401  # now the code is required
    assert sb.login(user, totp=app.at(sb.clock())).status_code == 200
    assert codes(sb.post(TOTP, token=token), 409) == {("totp", "totp.already_enabled")}
    assert codes(sb.post(f"{TOTP}/confirm", token=token, json={"code": app.at(sb.clock())}), 409) == {
        ("totp", "totp.already_enabled")
    }

    wrong = sb.post(
        f"{TOTP}/disable", token=token, json={"code": f"{(int(app.at(sb.clock())) + 1) % 10**6:06d}"}
    )
    assert codes(wrong) == {("code", "totp.invalid_code")}
    assert sb.post(f"{TOTP}/disable", token=token, json={"code": app.at(sb.clock())}).status_code == 204
    assert profile(sb, user)["totp"] is False
    assert sb.login(user).status_code == 200
    assert mails_to(sb, "sophie.martin@cerema.test")[-1]["subject"] == "Validation en deux étapes désactivée"
    assert codes(sb.post(f"{TOTP}/disable", token=token, json={"code": "123456"}), 409) == {
        ("totp", "totp.not_enabled")
    }


def test_totp_confirm_needs_a_pending_set_up_and_a_code(sb: Harness) -> None:
    token = sb.access_token("sophie.martin")
    assert codes(sb.post(f"{TOTP}/confirm", token=token, json={"code": "123456"}), 409) == {
        ("totp", "totp.not_pending")
    }
    assert codes(sb.post(f"{TOTP}/confirm", token=token, json={})) == {("code", "field.required")}


def test_enabled_totp_shows_the_otp_page_at_web_login(sb: Harness) -> None:
    token = sb.access_token("sophie.martin")
    secret = sb.post(TOTP, token=token).json()["secret"]
    sb.post(f"{TOTP}/confirm", token=token, json={"code": pyotp.TOTP(secret).at(sb.clock())})
    browser = Browser(sb)
    page = parse(browser.login(parse(browser.authorize().response), "sophie.martin"))
    assert "kc-otp-login-form" in page.forms


def test_the_demo_totp_account_can_turn_it_off(sb: Harness) -> None:
    tokens = sb.totp_tokens()
    code = pyotp.TOTP(DEMO_TOTP_SECRET).at(sb.clock())
    response = sb.post(f"{TOTP}/disable", token=tokens["access_token"], json={"code": code})
    assert response.status_code == 204
    assert sb.login("amelie.rousseau").status_code == 200


# --- yearly password renewal -----------------------------------------------------------------------


def test_an_expired_password_is_not_fully_set_up(sb: Harness) -> None:
    response = sb.login(DEMO_EXPIRED_PASSWORD_USER)
    assert (response.status_code, response.json()) == (400, NOT_SET_UP)
    wrong = sb.login(DEMO_EXPIRED_PASSWORD_USER, "Wrong-Password-42!!")
    assert wrong.status_code == 401  # the password is checked first


def test_passwords_expire_after_the_configured_age(make_harness: Callable[..., Harness]) -> None:
    sb = make_harness(password_max_age_days=30)
    body = register_and_verify(sb)
    assert sb.login(body["username"], body["password"]).status_code == 200
    sb.clock.advance(30 * 86400 - 1)
    assert sb.login(body["username"], body["password"]).status_code == 200
    sb.clock.advance(2)
    assert sb.login(body["username"], body["password"]).json() == NOT_SET_UP
    # A password changed in time restarts the clock.
    sb2 = make_harness(password_max_age_days=30)
    body2 = register_and_verify(sb2, 2)
    sb2.clock.advance(29 * 86400)
    token = sb2.tokens(body2["username"], password=body2["password"])["access_token"]
    new = {"currentPassword": body2["password"], "newPassword": NEW_PASSWORD, "confirmation": NEW_PASSWORD}
    assert sb2.post(PASSWORD, token=token, json=new).status_code == 204
    sb2.clock.advance(2 * 86400)
    assert sb2.login(body2["username"], NEW_PASSWORD).status_code == 200


def _update_form(page_response: httpx.Response) -> Any:
    page = parse(page_response)
    assert page_response.status_code == 200
    assert "Mettre à jour le mot de passe" in page.text
    form = page.form("kc-passwd-update-form")
    assert set(form.fields) == {"password-new", "password-confirm"}
    query = parse_qs(urlsplit(form.action).query)
    assert urlsplit(form.action).path == "/realms/geoplateforme/login-actions/required-action"
    assert query["execution"] == ["UPDATE_PASSWORD"]
    return page, form


def test_web_login_renews_an_expired_password(sb: Harness) -> None:
    browser = Browser(sb)
    auth = browser.authorize()
    page, form = _update_form(browser.login(parse(auth.response), DEMO_EXPIRED_PASSWORD_USER))
    assert "plus de 365 jours" in page.text
    assert "Au moins 14 caractères" in page.text

    weak = browser.submit(form, **{"password-new": "abcdefgh", "password-confirm": "abcdefgh"})
    page, form = _update_form(weak)
    assert "au moins 14 caractères" in page.text
    assert "au moins une majuscule" in page.text
    assert "password-new: at least 2 digits (0 found)." in page.text

    reused = browser.submit(form, **{"password-new": DEMO_PASSWORD, "password-confirm": DEMO_PASSWORD})
    page, form = _update_form(reused)
    assert "différent du mot de passe actuel" in page.text

    mismatch = browser.submit(form, **{"password-new": NEW_PASSWORD, "password-confirm": "Autre-Chose-2027!"})
    page, form = _update_form(mismatch)
    assert "la confirmation doit être identique" in page.text

    unconfirmed = browser.submit(form, **{"password-new": NEW_PASSWORD, "password-confirm": ""})
    page, form = _update_form(unconfirmed)
    assert "une seconde fois" in page.text
    assert NEW_PASSWORD not in unconfirmed.text  # a password is never echoed back

    done = browser.submit(form, **{"password-new": NEW_PASSWORD, "password-confirm": NEW_PASSWORD})
    params = location_params(done)
    assert params["state"] == auth.state
    assert browser.exchange(auth, params["code"]).status_code == 200
    assert sb.login(DEMO_EXPIRED_PASSWORD_USER, NEW_PASSWORD).status_code == 200
    assert sb.login(DEMO_EXPIRED_PASSWORD_USER).status_code == 401
    assert len(mails_about(sb, "paul.mercier@agglo-pau.test", "Votre mot de passe a été modifié")) == 1


def test_update_password_form_cannot_be_replayed(sb: Harness) -> None:
    browser = Browser(sb)
    _, form = _update_form(browser.login(parse(browser.authorize().response), DEMO_EXPIRED_PASSWORD_USER))
    assert browser.submit(form, **{"password-new": "x", "password-confirm": "x"}).status_code == 200
    replay = browser.submit(form, **{"password-new": NEW_PASSWORD, "password-confirm": NEW_PASSWORD})
    page, _ = _update_form(replay)
    assert "Cette page n'est plus valide" in page.text
    assert sb.login(DEMO_EXPIRED_PASSWORD_USER, NEW_PASSWORD).status_code == 401  # not changed by the replay


def test_update_password_step_then_device_consent(sb: Harness) -> None:
    start = sb.client.post(
        "/realms/geoplateforme/protocol/openid-connect/auth/device", data={"client_id": "cartes-cli"}
    ).json()
    browser = Browser(sb)
    login_page = parse(browser.get(start["verification_uri_complete"]))
    _, form = _update_form(browser.login(login_page, DEMO_EXPIRED_PASSWORD_USER))
    consent = parse(browser.submit(form, **{"password-new": NEW_PASSWORD, "password-confirm": NEW_PASSWORD}))
    assert "kc-consent-accept" in consent.forms
