"""The base client against respx-mocked platforms (and a few real sockets for transport errors):
headers, redirects, error mapping, parsing, transport failures, TLS, the debug log, credentials and
the connection pool."""

from __future__ import annotations

import json
import socket
import ssl
import threading

import httpx
import pytest
import respx

from cartes_cli.auth.httpx_auth import BearerAuth
from cartes_cli.auth.session import TokenManager
from cartes_cli.client import GeoplateformeClient
from cartes_cli.client.errors import (
    AuthRequired,
    InvalidResponse,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    TransportError,
)
from cartes_cli.platforms import Platform
from cartes_cli.transport import default_verify
from tests.client.fakes import ACCESS, API, NO_RETRY, PLATFORM, no_sleep


def test_custom_user_agent(mock: respx.MockRouter) -> None:
    route = mock.get(API + "/users/me").respond(200, json={"_id": "u"})
    with GeoplateformeClient(PLATFORM, sleep=no_sleep, user_agent="my-script/1.0") as c:
        c.users.me()
    assert route.calls.last.request.headers["user-agent"] == "my-script/1.0"


def test_redirects_are_not_followed(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.get(API + "/users/me").respond(302, headers={"Location": "https://elsewhere.test/login"})
    other = mock.get("https://elsewhere.test/login").respond(200, json={"_id": "u"})
    with pytest.raises(Exception, match="redirected") as info:
        client.users.me()
    assert not other.called
    assert getattr(info.value, "status", None) == 302


@pytest.mark.parametrize(
    ("status", "cls"), [(401, AuthRequired), (403, PermissionDenied), (404, NotFound), (503, ServerError)]
)
def test_error_statuses(mock: respx.MockRouter, client: GeoplateformeClient, status: int, cls: type) -> None:
    mock.get(API + "/communities/c1").respond(status, json={"error": "e", "error_description": ["why"]})
    with pytest.raises(cls) as info:
        client.communities.get("c1")
    assert info.value.status == status
    assert info.value.messages == ["why"]
    assert info.value.url == f"{API}/communities/c1"


def test_rate_limited(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.get(API + "/users/me").respond(429, headers={"Retry-After": "12"})
    with pytest.raises(RateLimited) as info:
        client.users.me()
    assert info.value.retry_after == 12
    assert route.call_count == 4  # waited (fake sleep) and retried, then gave up


def test_not_json(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.get(API + "/users/me").respond(
        200, text="<html>proxy login</html>", headers={"content-type": "text/html"}
    )
    with pytest.raises(InvalidResponse, match=r"not JSON \(text/html\)"):
        client.users.me()


def test_empty_body(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.get(API + "/users/me").respond(200)
    with pytest.raises(InvalidResponse, match="empty"):
        client.users.me()


def test_model_mismatch(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.get(API + "/users/me").respond(200, json={"email": "no id", "password": "hunter2"})
    with pytest.raises(InvalidResponse) as info:
        client.users.me()
    assert "_id" in info.value.message
    assert "hunter2" not in info.value.message  # inputs are never echoed


def test_list_that_is_not_a_list(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.get(API + "/catalogs/communities").respond(200, json={"items": []})
    with pytest.raises(InvalidResponse, match="not a list"):
        list(client.communities.catalog())


def test_connect_error_mocked(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.get(API + "/users/me").mock(side_effect=httpx.ConnectError("[Errno 111] Connection refused"))
    with pytest.raises(TransportError) as info:
        client.users.me()
    assert str(info.value) == "Cannot reach data.test: connection refused."
    assert info.value.url == f"{API}/users/me"


def test_timeout_mocked(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.get(API + "/users/me").mock(side_effect=httpx.ReadTimeout("timed out"))
    with pytest.raises(TransportError, match=r"^Cannot reach data\.test: no answer .*time-out"):
        client.users.me()


def test_tls_failure_names_the_reason() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        error = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
        error.verify_message = "self-signed certificate in certificate chain"
        raise httpx.ConnectError(str(error), request=request) from error

    with (
        GeoplateformeClient(PLATFORM, sleep=no_sleep, transport=httpx.MockTransport(handler)) as c,
        pytest.raises(TransportError) as info,
    ):
        c.users.me()
    message = str(info.value)
    assert message.startswith("Cannot reach data.test: its TLS certificate could not be verified")
    assert "(self-signed certificate in certificate chain)" in message
    assert "system trust store" in message


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_connection_refused_for_real() -> None:
    port = free_port()
    platform = Platform(name="sandbox", api_url=f"http://127.0.0.1:{port}/api", issuer="http://x/realms/g")
    with (
        GeoplateformeClient(platform, sleep=no_sleep, timeout=2, retry=NO_RETRY) as c,
        pytest.raises(TransportError) as info,
    ):
        c.users.me()
    assert str(info.value) == f"Cannot reach 127.0.0.1:{port}: connection refused."


def test_read_timeout_for_real() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        platform = Platform(
            name="sandbox", api_url=f"http://127.0.0.1:{port}/api", issuer="http://x/realms/g"
        )
        with (
            GeoplateformeClient(platform, sleep=no_sleep, timeout=0.2, retry=NO_RETRY) as c,
            pytest.raises(TransportError) as info,
        ):
            c.users.me()
    assert str(info.value) == f"Cannot reach 127.0.0.1:{port}: no answer within 0.2 s (time-out)."


def test_default_tls_uses_the_os_trust_store() -> None:
    verify = default_verify()
    assert isinstance(verify, ssl.SSLContext)
    assert type(verify).__module__.startswith("truststore")
    assert verify.verify_mode == ssl.CERT_REQUIRED
    assert verify.check_hostname


def test_debug_lines_are_redacted(mock: respx.MockRouter) -> None:
    lines: list[str] = []
    mock.get(API + "/users/me").respond(200, json={"_id": "u"})
    manager = TokenManager.static(ACCESS)
    with GeoplateformeClient(PLATFORM, sleep=no_sleep, auth=BearerAuth(manager), debug=lines.append) as c:
        c.users.me()
        mock.get(API + "/catalogs/communities").respond(200, json=[], headers={"Content-Range": "*/0"})
        list(c.communities.catalog())
    assert lines[0] == f"→ GET {API}/users/me"
    assert lines[1].startswith(f"← 200 GET {API}/users/me (")
    assert lines[1].endswith(" ms)")
    assert lines[2] == f"→ GET {API}/catalogs/communities?page=1&limit=100"
    assert all(ACCESS not in line for line in lines)


def test_debug_redacts_secret_query_values(mock: respx.MockRouter) -> None:
    lines: list[str] = []
    mock.get(API + "/users/me").respond(200, json={"_id": "u"})
    with GeoplateformeClient(PLATFORM, sleep=no_sleep, debug=lines.append) as c:
        c.send("GET", "/users/me", params={"access_token": "SECRET", "code": "abc"})
    assert "SECRET" not in "".join(lines)
    assert "access_token=***" in lines[0]


def test_debug_logs_transport_failures(mock: respx.MockRouter) -> None:
    lines: list[str] = []
    mock.get(API + "/users/me").mock(side_effect=httpx.ConnectError("[Errno 111] Connection refused"))
    with (
        GeoplateformeClient(PLATFORM, sleep=no_sleep, debug=lines.append) as c,
        pytest.raises(TransportError),
    ):
        c.users.me()
    assert lines[-1].startswith(f"✗ GET {API}/users/me: Cannot reach data.test: connection refused.")


def test_broken_debug_sink_does_not_break_requests(mock: respx.MockRouter) -> None:
    def broken(line: str) -> None:
        raise OSError("stderr closed")

    mock.get(API + "/users/me").respond(200, json={"_id": "u"})
    with GeoplateformeClient(PLATFORM, sleep=no_sleep, debug=broken) as c:
        assert c.users.me().id == "u"


def test_bearer_refresh_after_401_through_the_client(mock: respx.MockRouter) -> None:
    """A 401 with the current token → one refresh → the request is replayed with the new token."""
    from cartes_cli.auth.oidc import OIDCClient
    from cartes_cli.auth.tokens import TokenSet

    token_route = mock.post("https://sso.test/realms/geoplateforme/protocol/openid-connect/token").respond(
        200, json={"access_token": "new-access", "refresh_token": "new-refresh", "expires_in": 300}
    )
    seen: list[str] = []

    def api(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        if request.headers["authorization"] == "Bearer new-access":
            return httpx.Response(200, json={"_id": "u"})
        return httpx.Response(401, json={"error": "invalid_token"})

    mock.get(API + "/users/me").mock(side_effect=api)
    oidc = OIDCClient(PLATFORM, discovery_document={"issuer": PLATFORM.issuer})
    tokens = TokenSet.from_response(
        {"access_token": "old-access", "refresh_token": "r", "expires_in": 300}, 0.0
    )
    persisted: list[TokenSet] = []
    manager = TokenManager(oidc, tokens, on_refresh=persisted.append, clock=lambda: 10.0)
    with GeoplateformeClient(PLATFORM, sleep=no_sleep, auth=BearerAuth(manager)) as c:
        assert c.users.me().id == "u"
    assert seen == ["Bearer old-access", "Bearer new-access"]
    assert token_route.call_count == 1
    assert persisted[0].refresh_token is not None
    assert persisted[0].refresh_token.get_secret_value() == "new-refresh"
    oidc.close()


def test_static_token_401_is_auth_required(mock: respx.MockRouter) -> None:
    route = mock.get(API + "/users/me").respond(
        401, json={"error": "invalid_token", "error_description": "expired"}
    )
    with (
        GeoplateformeClient(PLATFORM, sleep=no_sleep, auth=BearerAuth(TokenManager.static("tok"))) as c,
        pytest.raises(AuthRequired) as info,
    ):
        c.users.me()
    assert route.call_count == 1
    assert info.value.status == 401


def test_concurrent_requests_share_the_pool(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    mock.get(url__regex=r".*/communities/c\d+$").mock(
        side_effect=lambda request: httpx.Response(200, json={"_id": request.url.path.rsplit("/", 1)[1]})
    )
    results: list[str] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        community = client.communities.get(f"c{i}")
        with lock:
            results.append(community.id)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == sorted(f"c{i}" for i in range(16))
    assert json.dumps(results)  # plain strings


@pytest.mark.parametrize(
    "params",
    [
        {"page": 2, "limit": 50},
        {"name": "écrins & co/+x y", "flag": True, "off": False, "ratio": 1.5, "gone": None},
        {"q": "a=b?c#d%20e", "s": "[]@:!$'()*,;", "u": "\u2028\x7f"},
    ],
)
def test_the_query_is_the_one_httpx_writes_from_params(
    mock: respx.MockRouter, client: GeoplateformeClient, params: dict[str, object]
) -> None:
    # send() writes the query itself (one URL parse instead of three): the same URL, byte for byte.
    route = mock.get(url__startswith=f"{API}/communities").respond(200, json=[])
    client.send("GET", "/communities", params=params)  # type: ignore[arg-type]
    kept = {k: v for k, v in params.items() if v is not None}
    expected = httpx.Client().build_request("GET", f"{API}/communities", params=kept).url  # type: ignore[arg-type]
    assert str(route.calls.last.request.url) == str(expected)
    assert route.calls.last.request.url.params == httpx.QueryParams(kept)  # type: ignore[arg-type]
