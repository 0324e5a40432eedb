"""``GeoplateformeClient`` itself: capabilities (a sandbox or the real platform), its addresses,
and the cookie-less transport it inherits from the base client."""

from __future__ import annotations

import httpx
import pytest
import respx

from cartes_cli.client import GeoplateformeClient
from cartes_cli.client.errors import (
    ServerError,
    TransportError,
)
from cartes_cli.client.models import Feature
from cartes_cli.platforms import Platform
from tests.client.fakes import API, PLATFORM, R1, ROOT, request_json


def test_capabilities_of_a_sandbox_are_cached(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.get(f"{ROOT}/sandbox/capabilities").respond(
        200, json={"sandbox": True, "version": "0.3", "schema_version": 2, "features": ["requests", "Outbox"]}
    )
    caps = client.capabilities()
    assert caps.sandbox
    assert caps.requests
    assert caps.outbox
    assert not caps.accounts
    assert caps.has("requests")
    assert caps.supports(Feature.OUTBOX)
    assert client.capabilities() is caps
    assert route.call_count == 1
    assert "authorization" not in route.calls.last.request.headers
    client.capabilities(refresh=True)
    assert route.call_count == 2


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(404, json={"error": "not_found"}),
        httpx.Response(403, text="Forbidden"),
        httpx.Response(200, text="<html>portail</html>", headers={"content-type": "text/html"}),
        httpx.Response(200, json=["not", "an", "object"]),
        httpx.Response(200, json={"features": 42}),
        httpx.Response(302, headers={"Location": "https://cartes.gouv.fr/"}),
    ],
)
def test_real_platform_has_no_capabilities(
    mock: respx.MockRouter, client: GeoplateformeClient, answer: httpx.Response
) -> None:
    mock.get(f"{ROOT}/sandbox/capabilities").mock(return_value=answer)
    caps = client.capabilities()
    assert not caps.sandbox
    assert caps.features == []
    assert not caps.has("requests")


def test_capabilities_server_failure_raises(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.get(f"{ROOT}/sandbox/capabilities").respond(503)
    with pytest.raises(ServerError):
        client.capabilities()
    assert route.call_count == 4  # retried first
    route.mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(TransportError):
        client.capabilities()


def test_feature_names_ignore_case_and_separators(
    mock: respx.MockRouter, client: GeoplateformeClient
) -> None:
    mock.get(f"{ROOT}/sandbox/capabilities").respond(
        200, json={"sandbox": True, "features": ["join-forms", "Web_Login", "client-credentials"]}
    )
    caps = client.capabilities()
    assert caps.join_forms
    assert caps.has("join_forms")
    assert caps.has(Feature.JOIN_FORMS)
    assert caps.supports(Feature.WEB_LOGIN)
    assert caps.has("CLIENT_CREDENTIALS")
    assert caps.features == ["client-credentials", "join-forms", "web-login"]


def test_capabilities_other_shapes(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.get(f"{ROOT}/sandbox/capabilities").respond(
        200, json={"sandbox": True, "features": {"requests": True, "accounts": False}}
    )
    assert client.capabilities().features == ["requests"]


def test_root_url_without_api_suffix() -> None:
    custom = Platform(name="custom", api_url="https://gw.test/entrepot", issuer="https://sso.test/realms/g")
    with GeoplateformeClient(custom) as c:
        assert c.root_url == "https://gw.test/entrepot"
    with GeoplateformeClient(PLATFORM) as c:
        assert c.root_url == ROOT


def test_cookies_are_neither_kept_nor_sent(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    """The API authenticates each call with its token: a cookie set on the way carries no state
    from one call to the next."""
    route = mock.get(f"{API}/requests/{R1}").respond(
        200, json=request_json(), headers={"Set-Cookie": "BIGipServer=abc; Path=/"}
    )
    client.requests.get(R1)
    client.requests.get(R1)
    assert "cookie" not in route.calls.last.request.headers
    client._http.cookies.set("forced", "1")  # nothing can be put in the jar either
    client.requests.get(R1)
    assert "cookie" not in route.calls.last.request.headers
