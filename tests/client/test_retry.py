"""Retries in GeoplateformeClient._request: what is retried, how long it waits, when it gives up."""

from __future__ import annotations

import ssl

import httpx
import pytest
import respx

from cartes_cli.client import GeoplateformeClient
from cartes_cli.client.errors import BadRequest, RateLimited, ServerError, TransportError
from cartes_cli.client.retry import RetryPolicy
from tests.client.fakes import API, PLATFORM

ME = {"_id": "u1"}


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def t() -> FakeTime:
    return FakeTime()


def make(
    t: FakeTime, *, random: float = 1.0, policy: RetryPolicy | None = None, lines: list[str] | None = None
) -> GeoplateformeClient:
    return GeoplateformeClient(
        PLATFORM,
        sleep=t.sleep,
        clock=t.clock,
        random=lambda: random,
        retry=policy,
        debug=lines.append if lines is not None else None,
    )


def test_backoff_full_jitter() -> None:
    policy = RetryPolicy()
    assert [policy.backoff(n, 1.0) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert policy.backoff(3, 0.25) == 0.5
    assert policy.backoff(3, 0.0) == 0.0
    with pytest.raises(ValueError, match="at least 1"):
        RetryPolicy(max_attempts=0)


def test_503_then_success(mock: respx.MockRouter, t: FakeTime) -> None:
    lines: list[str] = []
    route = mock.get(f"{API}/users/me").mock(
        side_effect=[httpx.Response(503), httpx.Response(502), httpx.Response(200, json=ME)]
    )
    with make(t, lines=lines) as c:
        assert c.users.me().id == "u1"
    assert route.call_count == 3
    assert t.sleeps == [0.5, 1.0]
    assert [line for line in lines if line.startswith("↻")] == [
        f"↻ GET {API}/users/me: HTTP 503; retry 1/3 in 0.50 s",
        f"↻ GET {API}/users/me: HTTP 502; retry 2/3 in 1.00 s",
    ]


def test_jitter_uses_the_random_source(mock: respx.MockRouter, t: FakeTime) -> None:
    mock.get(f"{API}/users/me").mock(
        side_effect=[httpx.Response(500), httpx.Response(504), httpx.Response(200, json=ME)]
    )
    with make(t, random=0.5) as c:
        c.users.me()
    assert t.sleeps == [0.25, 0.5]


def test_gives_up_after_max_attempts(mock: respx.MockRouter, t: FakeTime) -> None:
    route = mock.get(f"{API}/users/me").respond(
        503, json={"error": "unavailable", "error_description": "maintenance"}
    )
    with make(t) as c, pytest.raises(ServerError, match="maintenance"):
        c.users.me()
    assert route.call_count == 4
    assert t.sleeps == [0.5, 1.0, 2.0]


def test_429_honours_retry_after(mock: respx.MockRouter, t: FakeTime) -> None:
    route = mock.get(f"{API}/users/me").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json=ME)]
    )
    with make(t) as c:
        c.users.me()
    assert route.call_count == 2
    assert t.sleeps == [7.0]


def test_retry_after_beyond_the_cap_raises_at_once(mock: respx.MockRouter, t: FakeTime) -> None:
    route = mock.get(f"{API}/users/me").respond(429, headers={"Retry-After": "120"})
    with make(t) as c, pytest.raises(RateLimited) as info:
        c.users.me()
    assert info.value.retry_after == 120
    assert route.call_count == 1
    assert t.sleeps == []


def test_retry_after_cap_is_configurable(mock: respx.MockRouter, t: FakeTime) -> None:
    mock.get(f"{API}/users/me").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "120"}), httpx.Response(200, json=ME)]
    )
    with make(t, policy=RetryPolicy(max_retry_after=300, deadline=600)) as c:
        c.users.me()
    assert t.sleeps == [120.0]


def test_total_deadline(mock: respx.MockRouter, t: FakeTime) -> None:
    route = mock.get(f"{API}/users/me").respond(429, headers={"Retry-After": "20"})
    with make(t, policy=RetryPolicy(deadline=45)) as c, pytest.raises(RateLimited):
        c.users.me()
    assert t.sleeps == [20.0, 20.0]  # a third wait would end past 45 s
    assert route.call_count == 3


def test_post_is_not_retried_after_it_may_have_arrived(mock: respx.MockRouter, t: FakeTime) -> None:
    for failure in (
        httpx.Response(503),
        httpx.Response(429, headers={"Retry-After": "1"}),
        httpx.ReadTimeout("slow"),
    ):
        route = mock.post(f"{API}/requests").mock(side_effect=[failure, httpx.Response(201, json={})])
        route.reset()
        with make(t) as c, pytest.raises((ServerError, RateLimited, TransportError)):
            c.send("POST", "/requests", json_body={"type": "join"})
        assert route.call_count == 1
    assert t.sleeps == []


def test_post_is_retried_when_the_connection_never_opened(mock: respx.MockRouter, t: FakeTime) -> None:
    route = mock.post(f"{API}/requests").mock(
        side_effect=[
            httpx.ConnectError("[Errno 111] Connection refused"),
            httpx.ConnectTimeout("t"),
            httpx.Response(201, json={"ok": 1}),
        ]
    )
    with make(t) as c:
        assert c.send("POST", "/requests", json_body={}).status_code == 201
    assert route.call_count == 3


def test_post_marked_idempotent_is_retried(mock: respx.MockRouter, t: FakeTime) -> None:
    route = mock.post(f"{API}/requests/r/accept").mock(
        side_effect=[httpx.Response(500), httpx.Response(200, json={})]
    )
    with make(t) as c:
        c.send("POST", "/requests/r/accept", json_body={}, idempotent=True)
    assert route.call_count == 2


@pytest.mark.parametrize(
    "failure",
    [httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("Server disconnected"), httpx.ReadError("reset")],
)
def test_get_is_retried_on_dropped_connections(
    mock: respx.MockRouter, t: FakeTime, failure: Exception
) -> None:
    route = mock.get(f"{API}/users/me").mock(side_effect=[failure, httpx.Response(200, json=ME)])
    with make(t) as c:
        c.users.me()
    assert route.call_count == 2


def test_tls_failures_are_not_retried(mock: respx.MockRouter, t: FakeTime) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        error = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
        raise httpx.ConnectError(str(error), request=request) from error

    route = mock.get(f"{API}/users/me").mock(side_effect=handler)
    with make(t) as c, pytest.raises(TransportError, match="certificate"):
        c.users.me()
    assert route.call_count == 1


def test_client_errors_are_not_retried(mock: respx.MockRouter, t: FakeTime) -> None:
    route = mock.get(f"{API}/users/me").respond(400, json={"error": "bad"})
    with make(t) as c, pytest.raises(BadRequest):
        c.users.me()
    assert route.call_count == 1


def test_connection_refused_exhausts_then_explains(mock: respx.MockRouter, t: FakeTime) -> None:
    mock.get(f"{API}/users/me").mock(side_effect=httpx.ConnectError("[Errno 111] Connection refused"))
    with make(t) as c, pytest.raises(TransportError) as info:
        c.users.me()
    assert str(info.value) == "Cannot reach data.test: connection refused."
    assert len(t.sleeps) == 3


def test_pages_are_retried_one_by_one(mock: respx.MockRouter, t: FakeTime) -> None:
    calls: dict[str, int] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        page = request.url.params["page"]
        calls[page] = calls.get(page, 0) + 1
        if page == "2" and calls[page] == 1:
            return httpx.Response(503)
        start = (int(page) - 1) * 2
        return httpx.Response(
            200,
            json=[{"_id": f"c{start}"}, {"_id": f"c{start + 1}"}],
            headers={"Content-Range": f"{start}-{start + 1}/6"},
        )

    mock.get(f"{API}/catalogs/communities").mock(side_effect=handler)
    with make(t) as c:
        ids = [x.id for x in c.communities.catalog(limit=2)]
    assert ids == [f"c{i}" for i in range(6)]
    assert calls == {"1": 1, "2": 2, "3": 1}


def test_pool_size_follows_max_connections() -> None:
    with GeoplateformeClient(PLATFORM, max_connections=32) as c:
        assert c.max_connections == 32
        pool = c._http._transport._inner._pool  # type: ignore[attr-defined]  # (bound_client wraps it)
        assert pool._max_connections == 32
        assert pool._max_keepalive_connections == 32
    with pytest.raises(ValueError, match="max_connections"):
        GeoplateformeClient(PLATFORM, max_connections=0)
