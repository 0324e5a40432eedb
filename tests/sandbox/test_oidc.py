"""The Keycloak side: discovery, JWKS, the token endpoint's grants and errors, logout, revoke, userinfo."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

import jwt
import pyotp
import pytest

from cartes_cli.sandbox.domain.credentials import hash_client_secret
from cartes_cli.sandbox.routes.schemas import Jwks, TokenResponse, UserInfo
from tests.conftest import WAREHOUSE

from .conftest import DEMO_PASSWORD, DEMO_TOTP_SECRET, ISSUER, TOKEN_PATH, Harness, demo_id

PROTOCOL = "/realms/geoplateforme/protocol/openid-connect"
INVALID_CREDENTIALS = {"error": "invalid_grant", "error_description": "Invalid user credentials"}


def test_discovery_urls_follow_the_request_host(sb: Harness) -> None:
    doc = sb.client.get("/realms/geoplateforme/.well-known/openid-configuration").json()
    assert doc["issuer"] == ISSUER
    for key in (
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "end_session_endpoint",
        "revocation_endpoint",
        "jwks_uri",
        "device_authorization_endpoint",
    ):
        assert doc[key].startswith(ISSUER + "/protocol/openid-connect/"), key
    assert doc["token_endpoint"] == ISSUER + "/protocol/openid-connect/token"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["grant_types_supported"] == [
        "password",
        "refresh_token",
        "client_credentials",
        "authorization_code",
        "urn:ietf:params:oauth:grant-type:device_code",
    ]
    assert doc["device_authorization_endpoint"] == ISSUER + "/protocol/openid-connect/auth/device"
    assert doc["authorization_endpoint"] == ISSUER + "/protocol/openid-connect/auth"
    assert doc["authorization_response_iss_parameter_supported"] is True
    # Any host and port: the URLs are built from the request.
    other = sb.client.get(
        "/realms/geoplateforme/.well-known/openid-configuration", headers={"Host": "127.0.0.1:8123"}
    ).json()
    assert other["issuer"] == "http://127.0.0.1:8123/realms/geoplateforme"
    assert other["jwks_uri"] == "http://127.0.0.1:8123/realms/geoplateforme/protocol/openid-connect/certs"


def test_jwks_verifies_an_access_token_with_keycloak_claims(sb: Harness) -> None:
    jwks = Jwks.model_validate(sb.client.get(f"{PROTOCOL}/certs").json())
    body = sb.tokens("claire.moreau")
    TokenResponse.model_validate(body)
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    assert body["refresh_expires_in"] == 1800
    assert body["scope"] == "openid profile email"
    assert body["not-before-policy"] == 0

    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "RS256"
    (jwk,) = [k for k in jwks.keys if k.kid == header["kid"]]
    key = jwt.PyJWK(jwk.model_dump()).key
    claims = jwt.decode(body["access_token"], key, algorithms=["RS256"], audience="account", issuer=ISSUER)
    assert claims["sub"] == demo_id("user", "claire.moreau")
    assert claims["typ"] == "Bearer"
    assert claims["azp"] == "gpf-warehouse"
    assert claims["sid"] == claims["session_state"] == body["session_state"]
    assert claims["preferred_username"] == "claire.moreau"
    assert claims["email"] == "claire.moreau@ign.test"
    assert claims["email_verified"] is True
    assert (claims["given_name"], claims["family_name"], claims["name"]) == (
        "Claire",
        "Moreau",
        "Claire Moreau",
    )
    assert "ADMIN" in claims["realm_access"]["roles"]
    assert claims["exp"] - claims["iat"] == 300
    assert claims["scope"] == "openid profile email"

    id_claims = jwt.decode(
        body["id_token"], key, algorithms=["RS256"], audience="gpf-warehouse", issuer=ISSUER
    )
    assert id_claims["typ"] == "ID"
    digest = hashlib.sha256(body["access_token"].encode()).digest()
    assert id_claims["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()

    refresh_claims = jwt.decode(body["refresh_token"], key, algorithms=["RS256"], audience=ISSUER)
    assert refresh_claims["typ"] == "Refresh"


def test_producers_have_no_admin_role(sb: Harness) -> None:
    claims = jwt.decode(sb.access_token("julien.lefebvre"), options={"verify_signature": False})
    assert "ADMIN" not in claims["realm_access"]["roles"]


@pytest.mark.parametrize("login", ["julien.lefebvre", "Julien.Lefebvre", "JULIEN.LEFEBVRE@DDT-GIRONDE.TEST"])
def test_password_grant_accepts_username_or_email_in_any_case(sb: Harness, login: str) -> None:
    response = sb.login(login)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("julien.lefebvre", "Not-The-Password-42!!"),
        ("nobody.here", "Carto-Demo-2026!"),
        ("julien.lefebvre", ""),
    ],
)
def test_wrong_credentials_are_keycloaks_401(sb: Harness, username: str, password: str) -> None:
    response = sb.login(username, password)
    assert response.status_code == 401
    assert response.json() == INVALID_CREDENTIALS


def test_totp_account(sb: Harness) -> None:
    totp = pyotp.TOTP(DEMO_TOTP_SECRET)
    # Missing or wrong code: exactly what Keycloak answers for a wrong password.
    missing = sb.login("amelie.rousseau")
    assert (missing.status_code, missing.json()) == (401, INVALID_CREDENTIALS)
    good = totp.at(sb.clock())
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = sb.login("amelie.rousseau", totp=wrong)
    assert (response.status_code, response.json()) == (401, INVALID_CREDENTIALS)
    assert sb.login("amelie.rousseau", totp="12ab56").status_code == 401
    # The current code, under both parameter names Keycloak reads (the next step's code is accepted too).
    assert sb.login("amelie.rousseau", totp=good).status_code == 200
    assert sb.login("amelie.rousseau", otp=totp.at(sb.clock() + 30)).status_code == 200
    # The previous 30-second step is still accepted, two steps back is not.
    assert sb.login("amelie.rousseau", totp=totp.at(sb.clock() - 30)).status_code == 200
    assert sb.login("amelie.rousseau", totp=totp.at(sb.clock() - 90)).status_code == 401


def test_a_one_time_code_works_once(sb: Harness) -> None:
    """Keycloak's default OTP policy: a code already accepted is refused as a wrong one."""
    totp = pyotp.TOTP(DEMO_TOTP_SECRET)
    good = totp.at(sb.clock())
    assert sb.login("amelie.rousseau", totp=good).status_code == 200
    replay = sb.login("amelie.rousseau", totp=good)
    assert (replay.status_code, replay.json()) == (401, INVALID_CREDENTIALS)
    sb.clock.advance(30)  # still valid (the previous step), still used
    assert sb.login("amelie.rousseau", otp=good).status_code == 401
    # A wrong password is checked first: the code it came with is not used up.
    fresh = totp.at(sb.clock())
    assert sb.login("amelie.rousseau", "Wrong-Password-42!!", totp=fresh).status_code == 401
    assert sb.login("amelie.rousseau", totp=fresh).status_code == 200
    # Each account has its codes: another account's login with the same digits is not a reuse.
    other = sb.add_user("deux.facteurs")
    sb.sandbox.store.users.update(other, {"totp_secret": DEMO_TOTP_SECRET}, "2026-01-01T00:00:00Z")
    assert sb.login("deux.facteurs", totp=fresh).status_code == 200


def test_brute_force_locks_the_account_for_a_while(make_harness: Callable[..., Harness]) -> None:
    sb = make_harness(lockout_failures=3, lockout_wait=60)
    for _ in range(3):
        assert sb.login("julien.lefebvre", "Wrong-Password-42!!").status_code == 401
    # Locked: the right password gets exactly the answer of a wrong one.
    locked = sb.login("julien.lefebvre")
    assert (locked.status_code, locked.json()) == (401, INVALID_CREDENTIALS)
    sb.clock.advance(61)
    assert sb.login("julien.lefebvre").status_code == 200  # the lock expired; a success resets the count
    for _ in range(2):
        assert sb.login("julien.lefebvre", "Wrong-Password-42!!").status_code == 401
    assert sb.login("julien.lefebvre").status_code == 200
    # Other accounts are not affected.
    assert sb.login("claire.moreau").status_code == 200


def test_disabled_account(sb: Harness) -> None:
    response = sb.login("hugo.lambert")
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "Account disabled"}


def test_account_with_pending_required_action(sb: Harness) -> None:
    response = sb.login("ines.benali")
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "Account is not fully set up"}
    # Only after the password is checked: a wrong one gets the usual answer.
    assert sb.login("ines.benali", "Wrong-Password-42!!").json() == INVALID_CREDENTIALS


@pytest.mark.parametrize(
    ("form", "status", "body"),
    [
        (
            {**WAREHOUSE, "username": "julien.lefebvre", "password": "x"},
            400,
            {"error": "invalid_request", "error_description": "Missing form parameter: grant_type"},
        ),
        (
            {"grant_type": "magic", **WAREHOUSE},
            400,
            {"error": "unsupported_grant_type", "error_description": "Unsupported grant_type"},
        ),
        (
            {"grant_type": "password", "client_id": "no-such-client", "username": "a", "password": "b"},
            401,
            {"error": "invalid_client", "error_description": "Invalid client or Invalid client credentials"},
        ),
        (
            {"grant_type": "password", "username": "julien.lefebvre", "password": "x"},
            400,
            {"error": "invalid_client", "error_description": "Missing client_id parameter"},
        ),
        (
            {"grant_type": "password", **WAREHOUSE, "password": "x"},
            401,
            {"error": "invalid_request", "error_description": "Missing parameter: username"},
        ),
        (
            {"grant_type": "refresh_token", **WAREHOUSE},
            400,
            {"error": "invalid_request", "error_description": "No refresh token"},
        ),
        (
            {"grant_type": "refresh_token", **WAREHOUSE, "refresh_token": "not.a.jwt"},
            400,
            {"error": "invalid_grant", "error_description": "Invalid refresh token"},
        ),
    ],
)
def test_token_endpoint_errors(sb: Harness, form: dict[str, str], status: int, body: dict[str, str]) -> None:
    response = sb.token_request(**form)
    assert response.status_code == status
    assert response.json() == body


@pytest.mark.parametrize(
    ("form", "status", "body"),
    [
        # gpf-warehouse is confidential (IGN's SDK and user guide send its secret).
        (
            {"client_id": "gpf-warehouse"},
            401,
            {"error": "unauthorized_client", "error_description": "Client secret not provided in request"},
        ),
        (
            {"client_id": "gpf-warehouse", "client_secret": "BK2G7Vvkn7UDc8cV7edbCnHdYminWVw2"},
            401,
            {
                "error": "unauthorized_client",
                "error_description": "Invalid client or Invalid client credentials",
            },
        ),
        # The documentation site's client and the CLI client have no direct grant.
        (
            {"client_id": "cartes-gouv-public"},
            400,
            {
                "error": "unauthorized_client",
                "error_description": "Client not allowed for direct access grants",
            },
        ),
        (
            {"client_id": "cartes-cli"},
            400,
            {
                "error": "unauthorized_client",
                "error_description": "Client not allowed for direct access grants",
            },
        ),
    ],
)
def test_clients_are_registered_as_on_the_real_platform(
    sb: Harness, form: dict[str, str], status: int, body: dict[str, str]
) -> None:
    response = sb.token_request(
        grant_type="password", username="julien.lefebvre", password=DEMO_PASSWORD, **form
    )
    assert (response.status_code, response.json()) == (status, body)


def test_gpf_warehouse_logs_in_with_the_demo_secret(sb: Harness) -> None:
    body = sb.tokens("julien.lefebvre")
    assert jwt.decode(body["access_token"], options={"verify_signature": False})["azp"] == "gpf-warehouse"
    assert sb.refresh(body["refresh_token"]).status_code == 200
    bare = sb.token_request(
        grant_type="refresh_token", client_id="gpf-warehouse", refresh_token=body["refresh_token"]
    )
    assert bare.json()["error_description"] == "Client secret not provided in request"


def test_confidential_client_needs_its_secret(sb: Harness) -> None:
    sb.sandbox.store.clients.insert(
        client_id="dreal-batch",
        name="Chargements nocturnes",
        grant_types=["password", "refresh_token"],
        secret_hash=hash_client_secret("s3cr3t-value"),
        created="2025-01-01T00:00:00Z",
    )
    assert (
        sb.login("julien.lefebvre", client_id="dreal-batch", client_secret="s3cr3t-value").status_code == 200
    )
    wrong = sb.login("julien.lefebvre", client_id="dreal-batch", client_secret="nope")
    assert wrong.status_code == 401
    assert wrong.json()["error_description"] == "Invalid client or Invalid client credentials"
    assert sb.login("julien.lefebvre", client_id="dreal-batch").status_code == 401
    basic = base64.b64encode(b"dreal-batch:s3cr3t-value").decode()
    response = sb.client.post(
        TOKEN_PATH,
        data={"grant_type": "password", "username": "julien.lefebvre", "password": DEMO_PASSWORD},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200, response.text


def test_client_without_the_grant_is_refused(sb: Harness) -> None:
    sb.sandbox.store.clients.insert(
        client_id="refresh-only", name="R", grant_types=["refresh_token"], created="2025-01-01T00:00:00Z"
    )
    response = sb.login("julien.lefebvre", client_id="refresh-only")
    assert response.status_code == 400
    assert response.json() == {
        "error": "unauthorized_client",
        "error_description": "Client not allowed for direct access grants",
    }


def test_form_body_is_required(sb: Harness) -> None:
    response = sb.client.post(TOKEN_PATH, json={"grant_type": "password"})
    assert response.status_code == 415
    assert response.json()["error"] == "invalid_request"
    duplicated = sb.client.post(
        TOKEN_PATH,
        content="grant_type=password&grant_type=password",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert duplicated.json() == {"error": "invalid_request", "error_description": "duplicated parameter"}


def test_refresh_rotates_and_reuse_revokes_the_session(sb: Harness) -> None:
    first = sb.tokens("julien.lefebvre")
    second = sb.refresh(first["refresh_token"])
    assert second.status_code == 200, second.text
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert rotated["access_token"] != first["access_token"]
    assert rotated["session_state"] == first["session_state"]

    # The used token comes back (stolen?): refused, and the whole session is revoked...
    reuse = sb.refresh(first["refresh_token"])
    assert reuse.status_code == 400
    assert reuse.json() == {
        "error": "invalid_grant",
        "error_description": "Maximum allowed refresh token reuse exceeded",
    }
    # ...so the newest refresh token stops working too.
    newest = sb.refresh(rotated["refresh_token"])
    assert newest.status_code == 400
    assert newest.json() == {"error": "invalid_grant", "error_description": "Session not active"}

    stats = sb.client.get("/sandbox/stats").json()
    assert stats["refresh_reuse_detected"] == 1
    assert stats["token_grants"]["refresh_token"] == 1
    assert stats["token_grants"]["password"] == 1
    assert stats["token_errors"]["invalid_grant"] == 2
    # Another session of the same user is untouched.
    assert sb.refresh(sb.tokens("julien.lefebvre")["refresh_token"]).status_code == 200


def test_expired_refresh_token(sb: Harness) -> None:
    body = sb.tokens("julien.lefebvre")
    sb.clock.advance(1801)
    response = sb.refresh(body["refresh_token"])
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "Token is not active"}


def test_refresh_keeps_the_session_alive_until_its_maximum(make_harness: Callable[..., Harness]) -> None:
    sb = make_harness(refresh_ttl=100, session_max_ttl=250)
    refresh_token = sb.tokens("julien.lefebvre")["refresh_token"]
    for _ in range(2):
        sb.clock.advance(90)
        response = sb.refresh(refresh_token)
        assert response.status_code == 200
        refresh_token = response.json()["refresh_token"]
    # 180 s into a 250 s session: the refresh token is capped by the session's end.
    assert response.json()["refresh_expires_in"] == 70
    sb.clock.advance(71)
    assert sb.refresh(refresh_token).json()["error_description"] == "Token is not active"


def test_refresh_token_of_another_client_is_refused(sb: Harness) -> None:
    body = sb.tokens("julien.lefebvre")
    response = sb.refresh(body["refresh_token"], client_id="cartes-gouv-public")
    assert response.json() == {"error": "invalid_grant", "error_description": "Unmatching clients"}


def test_access_token_is_not_a_refresh_token(sb: Harness) -> None:
    response = sb.refresh(sb.access_token("julien.lefebvre"))
    assert response.json() == {"error": "invalid_grant", "error_description": "Invalid refresh token"}


def test_logout_ends_the_session(sb: Harness) -> None:
    body = sb.tokens("julien.lefebvre")
    response = sb.client.post(
        f"{PROTOCOL}/logout", data={**WAREHOUSE, "refresh_token": body["refresh_token"]}
    )
    assert response.status_code == 204
    assert response.content == b""
    assert sb.refresh(body["refresh_token"]).json() == {
        "error": "invalid_grant",
        "error_description": "Session not active",
    }
    # Logging out twice is harmless.
    again = sb.client.post(f"{PROTOCOL}/logout", data={**WAREHOUSE, "refresh_token": body["refresh_token"]})
    assert again.status_code == 204
    missing = sb.client.post(f"{PROTOCOL}/logout", data={**WAREHOUSE})
    assert missing.status_code == 400


def test_revoke_refresh_and_access_tokens(sb: Harness) -> None:
    body = sb.tokens("julien.lefebvre")
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    assert sb.client.get(f"{PROTOCOL}/userinfo", headers=bearer).status_code == 200
    response = sb.client.post(
        f"{PROTOCOL}/revoke",
        data={**WAREHOUSE, "token": body["access_token"], "token_type_hint": "access_token"},
    )
    assert response.status_code == 200
    assert sb.client.get(f"{PROTOCOL}/userinfo", headers=bearer).status_code == 401
    assert sb.refresh(body["refresh_token"]).status_code == 200  # revoking an access token keeps the session

    other = sb.tokens("julien.lefebvre")
    response = sb.client.post(f"{PROTOCOL}/revoke", data={**WAREHOUSE, "token": other["refresh_token"]})
    assert response.status_code == 200
    assert sb.refresh(other["refresh_token"]).json()["error_description"] == "Session not active"
    # RFC 7009: an unknown token is not an error; a missing one is.
    junk = sb.client.post(f"{PROTOCOL}/revoke", data={**WAREHOUSE, "token": "junk"})
    assert junk.status_code == 200
    assert sb.client.post(f"{PROTOCOL}/revoke", data={**WAREHOUSE}).status_code == 400
    unknown_client = sb.client.post(f"{PROTOCOL}/revoke", data={"client_id": "nope", "token": "junk"})
    assert unknown_client.status_code == 401


def test_userinfo(sb: Harness) -> None:
    body = sb.tokens("amelie.rousseau", totp=pyotp.TOTP(DEMO_TOTP_SECRET).at(sb.clock()))
    response = sb.client.get(
        f"{PROTOCOL}/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert response.status_code == 200
    info = UserInfo.model_validate(response.json())
    assert info.sub == demo_id("user", "amelie.rousseau")
    assert info.name == "Amélie Rousseau"
    assert info.email == "amelie.rousseau@ecrins-parcnational.test"

    missing = sb.client.get(f"{PROTOCOL}/userinfo")
    assert missing.status_code == 401
    assert missing.json()["error"] == "invalid_token"
    assert missing.headers["www-authenticate"].startswith("Bearer ")
    # After logout the session is gone: Keycloak's userinfo refuses the (unexpired) token.
    sb.client.post(f"{PROTOCOL}/logout", data={**WAREHOUSE, "refresh_token": body["refresh_token"]})
    after = sb.client.get(f"{PROTOCOL}/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert after.status_code == 401


def test_login_updates_last_login(sb: Harness) -> None:
    before = sb.get("/api/users/me", as_user="julien.lefebvre").json()["last_login"]
    sb.clock.advance(3600)
    token = sb.tokens("julien.lefebvre")["access_token"]
    after = sb.get("/api/users/me", token=token).json()["last_login"]
    assert after > before


def test_signing_key_survives_a_restart(make_harness: Callable[..., Harness]) -> None:
    first = make_harness(seeded=False)
    kid = first.client.get(f"{PROTOCOL}/certs").json()["keys"][0]["kid"]
    first.sandbox.close()
    from cartes_cli.sandbox.startup import open_sandbox

    reopened = open_sandbox(first.sandbox.config)
    try:
        assert reopened.keys.kid == kid
    finally:
        reopened.close()
    assert (first.data_dir / "signing-key.pem").stat().st_mode & 0o777 == 0o600


# --- client credentials (service accounts) ---------------------------------------------------

CI_SECRET = "ci-demo-secret-2026"


def test_client_credentials_with_the_secret_in_the_form(sb: Harness) -> None:
    response = sb.token_request(
        grant_type="client_credentials", client_id="cartes-ci", client_secret=CI_SECRET
    )
    assert response.status_code == 200, response.text
    body = response.json()
    TokenResponse.model_validate(body)
    assert set(body) == {
        "access_token",
        "expires_in",
        "refresh_expires_in",
        "token_type",
        "not-before-policy",
        "scope",
    }
    assert body["refresh_expires_in"] == 0
    assert body["scope"] == "profile email"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == demo_id("user", "service-account-cartes-ci")
    assert claims["preferred_username"] == "service-account-cartes-ci"
    assert claims["client_id"] == claims["azp"] == "cartes-ci"
    assert "sid" not in claims
    me = sb.get("/api/users/me", token=body["access_token"]).json()
    assert me["technical"] is True
    assert [(m["community"]["technical_name"], m["rights"]) for m in me["communities_member"]] == [
        ("ddt33", ["UPLOAD"])
    ]
    info = sb.client.get(f"{PROTOCOL}/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert info.status_code == 200
    stats = sb.client.get("/sandbox/stats").json()
    assert stats["token_grants"]["client_credentials"] == 1
    assert stats["active_sessions"] == 0  # no session, like Keycloak 26


def test_client_credentials_with_http_basic_and_openid(sb: Harness) -> None:
    basic = base64.b64encode(f"cartes-ci:{CI_SECRET}".encode()).decode()
    response = sb.client.post(
        TOKEN_PATH,
        data={"grant_type": "client_credentials", "scope": "openid"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200, response.text
    assert "id_token" in response.json()
    assert "refresh_token" not in response.json()


@pytest.mark.parametrize(
    ("form", "headers", "status", "body"),
    [
        (
            {"client_id": "cartes-ci", "client_secret": "wrong"},
            {},
            401,
            {
                "error": "unauthorized_client",
                "error_description": "Invalid client or Invalid client credentials",
            },
        ),
        (
            {},
            {"Authorization": "Basic " + base64.b64encode(b"cartes-ci:wrong").decode()},
            401,
            {
                "error": "unauthorized_client",
                "error_description": "Invalid client or Invalid client credentials",
            },
        ),
        (
            {"client_id": "cartes-ci"},
            {},
            401,
            {"error": "unauthorized_client", "error_description": "Client secret not provided in request"},
        ),
        (
            {"client_id": "cartes-cli"},
            {},
            400,
            {
                "error": "unauthorized_client",
                "error_description": "Public client not allowed to retrieve service account",
            },
        ),
        (
            {"client_id": "unknown-ci", "client_secret": "x"},
            {},
            401,
            {"error": "invalid_client", "error_description": "Invalid client or Invalid client credentials"},
        ),
    ],
)
def test_client_credentials_refusals(
    sb: Harness, form: dict[str, str], headers: dict[str, str], status: int, body: dict[str, str]
) -> None:
    response = sb.client.post(TOKEN_PATH, data={"grant_type": "client_credentials", **form}, headers=headers)
    assert (response.status_code, response.json()) == (status, body)
    assert CI_SECRET not in response.text


def test_service_account_client_has_no_password_grant(sb: Harness) -> None:
    response = sb.login("julien.lefebvre", client_id="cartes-ci", client_secret=CI_SECRET)
    assert response.json() == {
        "error": "unauthorized_client",
        "error_description": "Client not allowed for direct access grants",
    }
    assert sb.login("service-account-cartes-ci", "anything").status_code == 401


def test_client_secret_is_stored_hashed(sb: Harness) -> None:
    client = sb.sandbox.store.clients.get("cartes-ci")
    assert client is not None
    assert client.secret_hash is not None
    assert CI_SECRET not in client.secret_hash
    assert CI_SECRET.encode() not in (sb.data_dir / "sandbox.db").read_bytes()


# --- sessions: logout and revocation end them; refresh accounting ----------------------------


@pytest.mark.parametrize("how", ["logout", "revoke-with-hint", "revoke-without-hint"])
def test_ending_a_session_stops_its_refresh_tokens(sb: Harness, how: str) -> None:
    body = sb.tokens("julien.lefebvre")
    rotated = sb.refresh(body["refresh_token"]).json()  # the session has a newer refresh token now
    if how == "logout":
        form = {**WAREHOUSE, "refresh_token": body["refresh_token"]}
        assert sb.client.post(f"{PROTOCOL}/logout", data=form).status_code == 204
    else:
        form = {**WAREHOUSE, "token": rotated["refresh_token"]}
        if how == "revoke-with-hint":
            form["token_type_hint"] = "refresh_token"
        assert sb.client.post(f"{PROTOCOL}/revoke", data=form).status_code == 200
    for token in (body["refresh_token"], rotated["refresh_token"]):
        assert sb.refresh(token).json() == {
            "error": "invalid_grant",
            "error_description": "Session not active",
        }


def test_refreshes_are_counted_per_session(sb: Harness) -> None:
    first = sb.tokens("julien.lefebvre")
    second = sb.tokens("claire.moreau")
    token = first["refresh_token"]
    for _ in range(3):
        sb.clock.advance(60)
        token = sb.refresh(token).json()["refresh_token"]
    sb.refresh(second["refresh_token"])
    stats = sb.client.get("/sandbox/stats").json()
    per_session = stats["refresh_by_session"]
    assert set(per_session) == {first["session_state"], second["session_state"]}
    julien = per_session[first["session_state"]]
    assert (julien["user"], julien["client_id"], julien["count"]) == ("julien.lefebvre", "gpf-warehouse", 3)
    assert julien["times"] == sorted(julien["times"])
    assert per_session[second["session_state"]]["count"] == 1
    assert stats["token_grants"]["refresh_token"] == 4
    sb.client.post("/sandbox/stats/reset")
    assert sb.client.get("/sandbox/stats").json()["refresh_by_session"] == {}


def test_concurrent_refreshes_with_one_token_count_once_then_reuse(sb: Harness) -> None:
    """What a CLI with 8 workers racing to refresh would cause: one success, then reuse detection."""
    import anyio

    token = sb.tokens("julien.lefebvre")["refresh_token"]
    form = {"grant_type": "refresh_token", **WAREHOUSE, "refresh_token": token}
    responses = anyio.run(sb.client.gather, *[("POST", TOKEN_PATH, {"data": form})] * 8)
    assert sorted(r.status_code for r in responses) == [200] + [400] * 7
    stats = sb.client.get("/sandbox/stats").json()
    (entry,) = stats["refresh_by_session"].values()
    assert entry["count"] == 1
    # The first reuse ends the session; the later ones find it over.
    assert stats["refresh_reuse_detected"] == 1
    descriptions = sorted(r.json()["error_description"] for r in responses if r.status_code == 400)
    assert descriptions == ["Maximum allowed refresh token reuse exceeded"] + ["Session not active"] * 6
