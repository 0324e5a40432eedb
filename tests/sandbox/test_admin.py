"""Staff reset a lost second factor (Keycloak's admin REST, subset) and users write to the
support (``POST /sandbox/support``): who may, what changes, what the outbox holds."""

from __future__ import annotations

import pytest

from cartes_cli.sandbox.routes.schemas import AdminCredential, AdminUser, OutboxMail

from .conftest import DEMO_TOTP_SECRET, Harness, demo_id
from .test_api import assert_api_error

ADMIN = "/admin/realms/geoplateforme"
AMELIE = demo_id("user", "amelie.rousseau")
SUPPORT = "geoplateforme@ign.fr"


def otp_credential(sb: Harness, user_id: str = AMELIE) -> str:
    response = sb.get(f"{ADMIN}/users/{user_id}/credentials", as_user="claire.moreau")
    assert response.status_code == 200, response.text
    credentials = [AdminCredential.model_validate(c) for c in response.json()]
    assert [c.type for c in credentials] == ["password", "otp"]
    return credentials[1].id


def test_staff_find_a_user_and_their_credentials(sb: Harness) -> None:
    found = sb.get(f"{ADMIN}/users", as_user="claire.moreau", params={"username": "Amelie.Rousseau"})
    assert found.status_code == 200, found.text
    [user] = [AdminUser.model_validate(u) for u in found.json()]
    assert (user.id, user.username, user.totp) == (AMELIE, "amelie.rousseau", True)
    by_mail = sb.get(
        f"{ADMIN}/users",
        as_user="claire.moreau",
        params={"email": "amelie.rousseau@ecrins-parcnational.test"},
    ).json()
    assert [u["id"] for u in by_mail] == [AMELIE]
    # A username search does not match an e-mail address.
    assert sb.get(f"{ADMIN}/users", as_user="claire.moreau", params={"username": user.email}).json() == []
    assert sb.get(f"{ADMIN}/users/{AMELIE}", as_user="claire.moreau").json()["username"] == "amelie.rousseau"
    listing = sb.get(f"{ADMIN}/users/{AMELIE}/credentials", as_user="claire.moreau").text
    assert DEMO_TOTP_SECRET not in listing  # never the seed
    otp_credential(sb)


@pytest.mark.parametrize("who", ["julien.lefebvre", "sophie.martin"])
def test_only_staff_may(sb: Harness, who: str) -> None:
    credential = otp_credential(sb)
    assert_api_error(sb.get(f"{ADMIN}/users", as_user=who, params={"username": "amelie.rousseau"}), 403)
    assert_api_error(sb.get(f"{ADMIN}/users/{AMELIE}/credentials", as_user=who), 403)
    assert_api_error(sb.delete(f"{ADMIN}/users/{AMELIE}/credentials/{credential}", as_user=who), 403)
    assert_api_error(sb.delete(f"{ADMIN}/users/{AMELIE}/credentials/{credential}"), 401)
    assert sb.totp_tokens()["access_token"]  # still on


def test_staff_reset_the_second_factor(sb: Harness) -> None:
    assert sb.login("amelie.rousseau").status_code == 401  # the password alone is not enough
    credential = otp_credential(sb)
    response = sb.delete(f"{ADMIN}/users/{AMELIE}/credentials/{credential}", as_user="claire.moreau")
    assert response.status_code == 204, response.text
    assert sb.login("amelie.rousseau").status_code == 200  # now it is
    user = sb.get(f"{ADMIN}/users/{AMELIE}", as_user="claire.moreau").json()
    assert user["totp"] is False
    assert [
        c["type"] for c in sb.get(f"{ADMIN}/users/{AMELIE}/credentials", as_user="claire.moreau").json()
    ] == ["password"]
    mails = [
        OutboxMail.model_validate(m)
        for m in sb.get("/sandbox/outbox", params={"to": "amelie.rousseau@ecrins-parcnational.test"}).json()
    ]
    assert mails[-1].subject == "Votre double authentification a été réinitialisée"
    assert "réinitialisée" in mails[-1].body
    assert SUPPORT in mails[-1].body
    # Gone: a second delete is a 404, and so is an unknown user or credential.
    assert_api_error(
        sb.delete(f"{ADMIN}/users/{AMELIE}/credentials/{credential}", as_user="claire.moreau"), 404
    )
    assert_api_error(sb.get(f"{ADMIN}/users/{demo_id('user', 'ghost')}", as_user="claire.moreau"), 404)


def test_a_password_is_not_reset_this_way(sb: Harness) -> None:
    credentials = sb.get(f"{ADMIN}/users/{AMELIE}/credentials", as_user="claire.moreau").json()
    password = next(c["id"] for c in credentials if c["type"] == "password")
    assert_api_error(
        sb.delete(f"{ADMIN}/users/{AMELIE}/credentials/{password}", as_user="claire.moreau"), 400
    )
    assert sb.totp_tokens()["access_token"]


def test_a_mail_to_the_support(sb: Harness) -> None:
    body = {"subject": "[cartes.gouv.fr] Perte de l'application d'authentification", "body": "Bonjour,\n…"}
    response = sb.post("/sandbox/support", json=body)
    assert response.status_code == 201, response.text
    sent = OutboxMail.model_validate(response.json())
    assert (sent.to, sent.subject, sent.body) == (SUPPORT, body["subject"], body["body"])
    assert sb.get("/sandbox/outbox", params={"to": SUPPORT}).json()[-1]["_id"] == sent.id
    assert_api_error(sb.post("/sandbox/support", json={**body, "to": "someone@else.test"}), 400)
    assert_api_error(sb.post("/sandbox/support", json={"subject": " ", "body": "x"}), 400)
