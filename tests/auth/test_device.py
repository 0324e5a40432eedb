"""Device login (RFC 8628) with a fake clock and sleep against a respx Keycloak."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from cartes_cli.auth.device import DeviceAuthorization, DeviceLogin
from cartes_cli.auth.oidc import DEVICE_GRANT, OIDCClient
from cartes_cli.errors import InvalidResponse, LoginRefused, LoginTimedOut
from cartes_cli.platforms import Platform

ISSUER = "https://sso.test/realms/geoplateforme"
PLATFORM = Platform(name="test", api_url="https://data.test/api", issuer=ISSUER, web_client_id="cartes-cli")
DEVICE = f"{ISSUER}/protocol/openid-connect/auth/device"
TOKEN = f"{ISSUER}/protocol/openid-connect/token"
DISCOVERY = {"issuer": ISSUER, "token_endpoint": TOKEN, "device_authorization_endpoint": DEVICE}

START = {
    "device_code": "dev-code-secret",
    "user_code": "WDJB-MJHT",
    "verification_uri": f"{ISSUER}/device",
    "verification_uri_complete": f"{ISSUER}/device?user_code=WDJB-MJHT",
    "expires_in": 600,
    "interval": 5,
}
TOKENS = {"access_token": "access-1", "refresh_token": "refresh-1", "expires_in": 300}


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Polls:
    """Token endpoint answering a scripted sequence (then the last one forever)."""

    def __init__(self, *answers: httpx.Response | dict[str, Any] | str) -> None:
        self.answers = list(answers)
        self.forms: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.forms.append(form(request))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, httpx.Response):
            return answer
        if isinstance(answer, str):
            return httpx.Response(400, json={"error": answer, "error_description": f"{answer}!"})
        return httpx.Response(200, json=answer)


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{ISSUER}/.well-known/openid-configuration").respond(200, json=DISCOVERY)
        yield router


@pytest.fixture
def oidc() -> Iterator[OIDCClient]:
    with OIDCClient(PLATFORM) as client:
        yield client


def auth(**changes: Any) -> DeviceAuthorization:
    return DeviceAuthorization.from_response({**START, **changes})


def test_start(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    route = mock.post(DEVICE).respond(200, json=START)
    device = DeviceLogin(oidc)
    started = device.start()
    assert form(route.calls.last.request) == {"client_id": "cartes-cli", "scope": "openid"}
    assert started.user_code == "WDJB-MJHT"
    assert started.url == START["verification_uri_complete"]
    assert started.interval == 5
    assert started.expires_in == 600
    assert "dev-code-secret" not in repr(started)
    assert device.client_id == "cartes-cli"


def test_start_defaults_and_bad_answers() -> None:
    minimal = DeviceAuthorization.from_response(
        {"device_code": "d", "user_code": "U", "verification_uri": "https://x/device"}
    )
    assert (minimal.interval, minimal.expires_in, minimal.url) == (5.0, 600.0, "https://x/device")
    for missing in ("device_code", "user_code", "verification_uri"):
        with pytest.raises(InvalidResponse):
            DeviceAuthorization.from_response({k: v for k, v in START.items() if k != missing})


def test_start_refused_client(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    mock.post(DEVICE).respond(
        401, json={"error": "unauthorized_client", "error_description": "Client not allowed for device"}
    )
    with pytest.raises(LoginRefused, match="cartes-cli"):
        DeviceLogin(oidc).start()


def test_pending_then_success(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    polls = Polls("authorization_pending", "authorization_pending", TOKENS)
    mock.post(TOKEN).mock(side_effect=polls)
    t = FakeTime()
    waits: list[tuple[float, float]] = []
    tokens = DeviceLogin(oidc).poll(
        auth(), sleep=t.sleep, clock=t.clock, on_wait=lambda i, r: waits.append((i, r))
    )
    assert tokens.access_token.get_secret_value() == "access-1"
    assert t.sleeps == [5, 5, 5]  # waits BEFORE each poll
    assert waits == [(5, 600), (5, 595), (5, 590)]
    assert polls.forms[0] == {
        "grant_type": DEVICE_GRANT,
        "device_code": "dev-code-secret",
        "client_id": "cartes-cli",
    }


def test_slow_down_adds_five_seconds_for_good(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    mock.post(TOKEN).mock(side_effect=Polls("slow_down", "authorization_pending", "slow_down", TOKENS))
    t = FakeTime()
    DeviceLogin(oidc).poll(auth(), sleep=t.sleep, clock=t.clock)
    assert t.sleeps == [5, 10, 10, 15]


def test_access_denied(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    mock.post(TOKEN).mock(side_effect=Polls("authorization_pending", "access_denied"))
    t = FakeTime()
    with pytest.raises(LoginRefused, match="declined") as info:
        DeviceLogin(oidc).poll(auth(), sleep=t.sleep, clock=t.clock)
    assert info.value.error == "access_denied"


def test_expired_token(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    mock.post(TOKEN).mock(side_effect=Polls("expired_token"))
    t = FakeTime()
    with pytest.raises(LoginTimedOut, match="expired"):
        DeviceLogin(oidc).poll(auth(), sleep=t.sleep, clock=t.clock)


def test_overall_expiry_without_server_help(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    polls = Polls("authorization_pending")
    mock.post(TOKEN).mock(side_effect=polls)
    t = FakeTime()
    with pytest.raises(LoginTimedOut):
        DeviceLogin(oidc).poll(auth(expires_in=22, interval=5), sleep=t.sleep, clock=t.clock)
    assert t.sleeps == [5, 5, 5, 5, 2]  # the last wait is cut to the expiry
    assert len(polls.forms) == 4  # no poll after expiry
    assert t.now == 22


def test_transient_failures_back_off(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    answers = Polls(
        httpx.Response(503, text="maintenance"),
        httpx.Response(429, headers={"Retry-After": "30"}),
        "authorization_pending",
        TOKENS,
    )
    mock.post(TOKEN).mock(side_effect=answers)
    t = FakeTime()
    DeviceLogin(oidc).poll(auth(), sleep=t.sleep, clock=t.clock)
    assert t.sleeps == [5, 10, 30, 30]


def test_other_errors_end_the_login(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    mock.post(TOKEN).mock(side_effect=Polls("invalid_grant"))
    t = FakeTime()
    with pytest.raises(LoginRefused) as info:
        DeviceLogin(oidc).poll(auth(), sleep=t.sleep, clock=t.clock)
    assert info.value.error == "invalid_grant"


def test_interrupt_propagates(mock: respx.MockRouter, oidc: OIDCClient) -> None:
    def sleep(seconds: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        DeviceLogin(oidc).poll(auth(), sleep=sleep, clock=lambda: 0.0)
