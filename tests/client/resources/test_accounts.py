"""``client.accounts`` and ``client.account`` against a respx-mocked platform: the sign-up API
under the API root (no credentials), the caller's account under the ISSUER (bearer), bodies, and
error mapping (``InvalidInput`` with its problems, ``Conflict``)."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest
import respx

from cartes_cli.auth.httpx_auth import BearerAuth
from cartes_cli.auth.session import TokenManager
from cartes_cli.client import GeoplateformeClient
from cartes_cli.client.errors import (
    BadRequest,
    Conflict,
    InvalidInput,
    InvalidResponse,
    ServerError,
    UsageError,
    error_from_response,
)
from cartes_cli.client.models import AccountProfile, Captcha, TotpSetup
from tests.client.fakes import API, ISSUER, PLATFORM, body

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(40))
PASSWORD = "Tr0ub4dour&3-Horse!"


def png_data_url(data: bytes = PNG) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


@pytest.fixture
def client() -> Iterator[GeoplateformeClient]:
    manager = TokenManager.static("tok-123", source="test")
    with GeoplateformeClient(PLATFORM, auth=BearerAuth(manager), sleep=lambda s: None) as c:
        yield c


def test_captcha_decodes_the_data_url_and_keeps_the_audio_address(
    mock: respx.MockRouter, anonymous: GeoplateformeClient
) -> None:
    mock.get(f"{API}/accounts/captcha").respond(
        200,
        json={
            "_id": "cap-1",
            "image": png_data_url(),
            "audio_url": "https://data.test/api/accounts/captcha/cap-1/audio",
            "expires_in": 300,
        },
    )
    captcha = anonymous.accounts.captcha()
    assert isinstance(captcha, Captcha)
    assert captcha.id == "cap-1"
    assert captcha.image == PNG
    assert captcha.image_type == "image/png"
    assert captcha.image_extension == "png"
    assert captcha.expires_in == 300
    assert captcha.answer is None
    assert captcha.audio_url == "https://data.test/api/accounts/captcha/cap-1/audio"


def test_captcha_answer_when_the_sandbox_exposes_it_and_relative_audio_url(
    mock: respx.MockRouter, anonymous: GeoplateformeClient
) -> None:
    mock.get(f"{API}/accounts/captcha").respond(
        200,
        json={
            "_id": "c2",
            "image": png_data_url(),
            "audio_url": "/api/accounts/captcha/c2/audio",
            "answer": "x7K",
        },
    )
    captcha = anonymous.accounts.captcha()
    assert captcha.answer == "x7K"
    assert captcha.audio_url == "https://data.test/api/accounts/captcha/c2/audio"


def test_captcha_with_a_broken_image_is_an_invalid_response(
    mock: respx.MockRouter, anonymous: GeoplateformeClient
) -> None:
    mock.get(f"{API}/accounts/captcha").respond(200, json={"_id": "c", "image": "not a data url"})
    with pytest.raises(InvalidResponse):
        anonymous.accounts.captcha()


def test_captcha_audio_follows_the_audio_url_without_credentials(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    route = mock.get(f"{API}/accounts/captcha/cap-1/audio").respond(
        200, content=b"RIFF....WAVE", headers={"content-type": "audio/wav"}
    )
    captcha = Captcha.model_validate(
        {"_id": "cap-1", "image": png_data_url(), "audio_url": f"{API}/accounts/captcha/cap-1/audio"}
    )
    assert client.accounts.captcha_audio(captcha) == b"RIFF....WAVE"
    assert "authorization" not in route.calls.last.request.headers
    # By id as well.
    assert client.accounts.captcha_audio("cap-1") == b"RIFF....WAVE"


def test_register_sends_the_nested_body_without_credentials(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    route = mock.post(f"{API}/accounts").respond(
        201, json={"_id": "u-1", "username": "dave", "email": "dave@ign.fr", "status": "pending_verification"}
    )
    created = client.accounts.register(
        {
            "username": "dave",
            "password": PASSWORD,
            "email": "dave@ign.fr",
            "first_name": "Dave",
            "last_name": "",
            "street": "73 avenue de Paris",
            "locality": "Saint-Mandé",
            "postcode": "94160",
            "siret": "73282932000074",
            "company": "IGN",
            "position": "Cartographe",
            "company_street": "8 rue de la Paix",
            "company_locality": "Paris",
            "company_postcode": "75002",
        },
        captcha_id="cap-1",
        captcha_answer="x7K",
    )
    assert created.id == "u-1"
    assert created.status == "pending_verification"
    assert not created.active
    sent = body(route)
    assert sent == {
        "username": "dave",
        "password": PASSWORD,
        "email": "dave@ign.fr",
        "first_name": "Dave",
        "address": {"street": "73 avenue de Paris", "locality": "Saint-Mandé", "postcode": "94160"},
        "professional": {
            "siret": "73282932000074",
            "company": "IGN",
            "position": "Cartographe",
            "street": "8 rue de la Paix",
            "locality": "Paris",
            "postcode": "75002",
        },
        "captcha": {"_id": "cap-1", "answer": "x7K"},
    }
    assert "authorization" not in route.calls.last.request.headers


def test_register_is_never_retried(mock: respx.MockRouter, anonymous: GeoplateformeClient) -> None:
    route = mock.post(f"{API}/accounts").respond(503)
    with pytest.raises(ServerError):
        anonymous.accounts.register(
            {"username": "a", "password": PASSWORD, "email": "a@b.fr"}, captcha_id="c", captcha_answer="x"
        )
    assert route.call_count == 1


def test_register_refuses_incomplete_data_before_sending(
    mock: respx.MockRouter, anonymous: GeoplateformeClient
) -> None:
    route = mock.post(f"{API}/accounts")
    with pytest.raises(UsageError):
        anonymous.accounts.register({"username": "a", "email": "a@b.fr"}, captcha_id="c", captcha_answer="x")
    with pytest.raises(UsageError):
        anonymous.accounts.register({"username": "a", "email": "a@b.fr", "password": PASSWORD})
    assert not route.called


def test_register_400_with_problems_is_invalid_input(
    mock: respx.MockRouter, anonymous: GeoplateformeClient
) -> None:
    mock.post(f"{API}/accounts").respond(
        400,
        json={
            "error": "invalid_request",
            "error_description": ["The password needs 2 digits.", "The captcha answer is wrong."],
            "problems": [
                {
                    "field": "password",
                    "code": "password.missing_digits",
                    "message": "The password needs 2 digits.",
                },
                {"field": "captcha", "code": "captcha.invalid", "message": "The captcha answer is wrong."},
            ],
        },
    )
    with pytest.raises(InvalidInput) as info:
        anonymous.accounts.register(
            {"username": "a", "password": "x", "email": "a@b.fr"}, captcha_id="c", captcha_answer="x"
        )
    exc = info.value
    assert isinstance(exc, BadRequest)
    assert exc.status == 400
    assert exc.problems == [
        ("password", "password.missing_digits", "The password needs 2 digits."),
        ("captcha", "captcha.invalid", "The captcha answer is wrong."),
    ]
    assert exc.codes() == ["password.missing_digits", "captcha.invalid"]
    assert exc.has("captcha")
    assert exc.has("captcha.invalid")
    assert not exc.has("captcha.expired")
    assert "2 digits" in exc.message


def test_register_409_is_a_conflict(mock: respx.MockRouter, anonymous: GeoplateformeClient) -> None:
    mock.post(f"{API}/accounts").respond(
        409, json={"error": "conflict", "error_description": ["This username is taken."]}
    )
    with pytest.raises(Conflict, match="username is taken"):
        anonymous.accounts.register(
            {"username": "a", "password": PASSWORD, "email": "a@b.fr"}, captcha_id="c", captcha_answer="x"
        )


def test_verify_and_resend(mock: respx.MockRouter, anonymous: GeoplateformeClient) -> None:
    verify = mock.post(f"{API}/accounts/verify").respond(
        200, json={"_id": "u-1", "username": "dave", "email": "dave@ign.fr", "status": "active"}
    )
    resend = mock.post(f"{API}/accounts/verify/resend").respond(202)
    account = anonymous.accounts.verify(" dave@ign.fr ", "123456 ")
    assert account.active
    assert body(verify) == {"email": "dave@ign.fr", "code": "123456"}
    anonymous.accounts.resend_verification("dave@ign.fr")
    assert body(resend) == {"email": "dave@ign.fr"}


def test_verify_expired_code(mock: respx.MockRouter, anonymous: GeoplateformeClient) -> None:
    mock.post(f"{API}/accounts/verify").respond(
        400,
        json={
            "error": "invalid_request",
            "error_description": "The code has expired.",
            "problems": [{"field": "code", "code": "code.expired", "message": "The code has expired."}],
        },
    )
    with pytest.raises(InvalidInput) as info:
        anonymous.accounts.verify("dave@ign.fr", "123456")
    assert info.value.has("code.expired")


KC_PROFILE = {
    "id": "u-1",
    "username": "dave",
    "email": "dave@ign.fr",
    "firstName": "Dave",
    "lastName": "Lopper",
    "emailVerified": True,
    "attributes": {"phone": ["+33612345678"], "postcode": ["94160"], "company": []},
}


def test_profile_lives_under_the_issuer_with_the_bearer(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    route = mock.get(f"{ISSUER}/account").respond(200, json=KC_PROFILE)
    profile = client.account.profile()
    assert isinstance(profile, AccountProfile)
    assert route.calls.last.request.headers["authorization"] == "Bearer tok-123"
    assert (profile.username, profile.first_name, profile.last_name) == ("dave", "Dave", "Lopper")
    assert profile.email_verified is True
    assert profile.phone == "+33612345678"
    assert profile.postcode == "94160"
    assert profile.company is None
    assert profile.street is None
    assert not profile.professional
    assert profile.full_name == "Dave Lopper"


def test_update_profile_merges_attributes_and_reads_back(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    mock.get(f"{ISSUER}/account").mock(
        side_effect=[
            httpx.Response(200, json=KC_PROFILE),
            httpx.Response(200, json={**KC_PROFILE, "firstName": "David"}),
        ]
    )
    post = mock.post(f"{ISSUER}/account").respond(204)
    profile = client.account.update_profile(first_name="David", attributes={"locality": "Paris", "phone": ""})
    assert profile.first_name == "David"
    assert body(post) == {
        "firstName": "David",
        "attributes": {"phone": [], "postcode": ["94160"], "company": [], "locality": ["Paris"]},
    }


def test_update_profile_without_attributes_reads_nothing_first(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    get = mock.get(f"{ISSUER}/account").respond(200, json=KC_PROFILE)
    post = mock.post(f"{ISSUER}/account").respond(204)
    client.account.update_profile(email="new@ign.fr")
    assert body(post) == {"email": "new@ign.fr"}
    assert get.call_count == 1  # only the read-back


def test_update_profile_with_nothing_is_a_usage_error(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    route = mock.post(f"{ISSUER}/account")
    with pytest.raises(UsageError):
        client.account.update_profile()
    assert not route.called


def test_keycloak_error_message_is_read(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.get(f"{ISSUER}/account").respond(200, json=KC_PROFILE)
    mock.post(f"{ISSUER}/account").respond(
        400, json={"errorMessage": "Invalid email address.", "field": "email"}
    )
    with pytest.raises(BadRequest, match="Invalid email address"):
        client.account.update_profile(email="nope")


def test_change_password_body_and_problems(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.post(f"{ISSUER}/account/credentials/password").mock(
        side_effect=[
            httpx.Response(204),
            httpx.Response(
                400,
                json={
                    "errorMessage": "This password was used before.",
                    "problems": [
                        {"field": "newPassword", "code": "password.reused", "message": "Used before."}
                    ],
                },
            ),
        ]
    )
    client.account.change_password("old-Password-11!!", PASSWORD, PASSWORD)
    assert body(route) == {
        "currentPassword": "old-Password-11!!",
        "newPassword": PASSWORD,
        "confirmation": PASSWORD,
    }
    with pytest.raises(InvalidInput) as info:
        client.account.change_password("old-Password-11!!", PASSWORD, PASSWORD)
    assert info.value.has("password.reused")
    assert PASSWORD not in str(info.value)
    assert route.call_count == 2


def test_totp_setup_confirm_disable(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    seed = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    uri = f"otpauth://totp/Geoplateforme:dave?secret={seed}&issuer=Geoplateforme"
    setup = mock.post(f"{ISSUER}/account/totp").respond(200, json={"secret": seed, "otpauth_uri": uri})
    confirm = mock.post(f"{ISSUER}/account/totp/confirm").respond(204)
    disable = mock.post(f"{ISSUER}/account/totp/disable").mock(
        side_effect=[
            httpx.Response(204),
            httpx.Response(409, json={"error": "conflict", "error_description": "2FA is off."}),
        ]
    )
    result = client.account.totp_setup()
    assert isinstance(result, TotpSetup)
    assert result.secret.get_secret_value() == seed
    assert seed not in repr(result)
    assert result.grouped_secret() == "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"
    assert setup.calls.last.request.headers["authorization"] == "Bearer tok-123"
    client.account.totp_confirm(" 123456")
    assert body(confirm) == {"code": "123456"}
    client.account.totp_disable("654321")
    assert body(disable) == {"code": "654321"}
    with pytest.raises(Conflict):
        client.account.totp_disable("654321")


def test_totp_setup_conflict_when_already_on(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.post(f"{ISSUER}/account/totp").respond(
        409, json={"error": "conflict", "error_description": ["Two-factor authentication is already on."]}
    )
    with pytest.raises(Conflict, match="already on"):
        client.account.totp_setup()
    assert route.call_count == 1  # a POST that creates a seed is not retried


def test_problems_without_messages_still_make_a_message() -> None:
    request = httpx.Request("POST", f"{API}/accounts")
    response = httpx.Response(
        400,
        json={"problems": [{"field": "siret", "code": "siret.bad_checksum", "message": "Bad SIRET."}]},
        request=request,
    )
    exc = error_from_response(response)
    assert isinstance(exc, InvalidInput)
    assert exc.message == "Bad SIRET."
    assert exc.messages == ["Bad SIRET."]


def test_a_400_without_problems_stays_a_plain_bad_request() -> None:
    request = httpx.Request("POST", f"{API}/requests")
    response = httpx.Response(400, json={"error": "bad", "error_description": ["nope"]}, request=request)
    exc = error_from_response(response)
    assert type(exc) is BadRequest


def test_update_profile_never_sends_the_photo_back(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    with_photo = {**KC_PROFILE, "attributes": {**KC_PROFILE["attributes"], "photo": [png_data_url()]}}
    mock.get(f"{ISSUER}/account").respond(200, json=with_photo)
    post = mock.post(f"{ISSUER}/account").respond(204)
    client.account.update_profile(attributes={"street": "1 rue de la Paix"})
    assert "photo" not in body(post)["attributes"]
    assert body(post)["attributes"]["street"] == ["1 rue de la Paix"]
