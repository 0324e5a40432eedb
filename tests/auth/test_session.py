"""TokenManager (refresh before expiry, single flight, rotation) and BearerAuth (401 → refresh → retry)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from cartes_cli.auth.httpx_auth import BearerAuth
from cartes_cli.auth.oidc import OIDCClient, SessionExpired
from cartes_cli.auth.session import TokenManager
from cartes_cli.auth.tokens import TokenSet
from cartes_cli.errors import AuthRequired
from cartes_cli.platforms import Platform

from .jwt_helpers import make_jwt

ISSUER = "https://sso.test/realms/geoplateforme"
TOKEN_URL = f"{ISSUER}/protocol/openid-connect/token"
PLATFORM = Platform(name="test", api_url="https://data.test/api", issuer=ISSUER)
DISCOVERY = {"issuer": ISSUER, "token_endpoint": TOKEN_URL}


class Clock:
    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class TokenServer:
    """A Keycloak token endpoint that rotates tokens: access-N / refresh-N, N = 1, 2, …"""

    def __init__(self, *, delay: float = 0.0, rotate: bool = True, expires_in: int = 300) -> None:
        self.delay = delay
        self.rotate = rotate
        self.expires_in = expires_in
        self.lock = threading.Lock()
        self.forms: list[dict[str, str]] = []
        self.fail_with: httpx.Response | None = None

    @property
    def calls(self) -> int:
        return len(self.forms)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        with self.lock:
            self.forms.append(form)
            n = len(self.forms)
        if self.delay:
            time.sleep(self.delay)  # widen the race window
        if self.fail_with is not None:
            return self.fail_with
        body: dict[str, object] = {
            "access_token": f"access-{n}",
            "expires_in": self.expires_in,
            "token_type": "Bearer",
        }
        if self.rotate:
            body["refresh_token"] = f"refresh-{n}"
            body["refresh_expires_in"] = 1800
        return httpx.Response(200, json=body)


def oidc_for(server: TokenServer, clock: Callable[[], float]) -> OIDCClient:
    def route(request: httpx.Request) -> httpx.Response:
        assert str(request.url) == TOKEN_URL
        return server(request)

    http = httpx.Client(transport=httpx.MockTransport(route))
    return OIDCClient(PLATFORM, http=http, discovery_document=DISCOVERY, clock=clock)


def initial(now: float = 0.0, expires_in: int = 300) -> TokenSet:
    return TokenSet.from_response(
        {"access_token": "access-0", "refresh_token": "refresh-0", "expires_in": expires_in}, now=now
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(0.0)


@pytest.fixture
def server() -> TokenServer:
    return TokenServer()


@pytest.fixture
def oidc(server: TokenServer, clock: Clock) -> Iterator[OIDCClient]:
    client = oidc_for(server, clock)
    yield client
    client._http.close()


# --- refresh before expiry ----------------------------------------------------------------


def test_valid_token_is_used_as_is(oidc: OIDCClient, server: TokenServer, clock: Clock) -> None:
    manager = TokenManager(oidc, initial(), clock=clock)
    clock.now = 269.0  # 31 s left, skew 30
    assert manager.access_token() == "access-0"
    assert server.calls == 0
    assert manager.refresh_count == 0


def test_refreshes_within_the_skew(oidc: OIDCClient, server: TokenServer, clock: Clock) -> None:
    persisted: list[TokenSet] = []
    manager = TokenManager(oidc, initial(), on_refresh=persisted.append, clock=clock)
    clock.now = 271.0  # 29 s left
    assert manager.access_token() == "access-1"
    assert server.forms[0]["refresh_token"] == "refresh-0"
    assert server.forms[0]["grant_type"] == "refresh_token"
    assert manager.refresh_count == 1
    assert manager.tokens.expires_at == 271.0 + 300
    assert [t.refresh_token.get_secret_value() for t in persisted if t.refresh_token] == ["refresh-1"]
    assert manager.access_token() == "access-1"  # fresh now: no second call
    assert server.calls == 1


def test_expired_token_is_refreshed(oidc: OIDCClient, server: TokenServer, clock: Clock) -> None:
    manager = TokenManager(oidc, initial(), clock=clock)
    clock.now = 10_000.0
    assert manager.access_token() == "access-1"


def test_short_lived_tokens_use_half_their_lifetime(
    oidc: OIDCClient, server: TokenServer, clock: Clock
) -> None:
    manager = TokenManager(oidc, initial(expires_in=20), clock=clock, skew=30)
    clock.now = 9.0  # 11 s left > 10 s (half of 20)
    assert manager.access_token() == "access-0"
    clock.now = 10.5
    assert manager.access_token() == "access-1"
    assert server.calls == 1


def test_stored_refresh_token_only(oidc: OIDCClient, server: TokenServer, clock: Clock) -> None:
    manager = TokenManager(oidc, TokenSet.from_refresh_token("refresh-0"), clock=clock)
    assert manager.access_token() == "access-1"


def test_rotation_uses_the_newest_refresh_token(oidc: OIDCClient, server: TokenServer, clock: Clock) -> None:
    persisted: list[str] = []

    def persist(tokens: TokenSet) -> None:
        assert tokens.refresh_token is not None
        persisted.append(tokens.refresh_token.get_secret_value())

    manager = TokenManager(oidc, initial(), on_refresh=persist, clock=clock)
    manager.refresh()
    manager.refresh()
    assert [f["refresh_token"] for f in server.forms] == ["refresh-0", "refresh-1"]
    assert persisted == ["refresh-1", "refresh-2"]


def test_non_rotating_server_keeps_the_refresh_token(clock: Clock) -> None:
    server = TokenServer(rotate=False)
    oidc = oidc_for(server, clock)
    manager = TokenManager(oidc, initial(), clock=clock)
    manager.refresh()
    manager.refresh()
    assert [f["refresh_token"] for f in server.forms] == ["refresh-0", "refresh-0"]
    assert manager.tokens.refresh_token is not None


def test_failed_persistence_does_not_fail_the_request(oidc: OIDCClient, clock: Clock) -> None:
    def broken(tokens: TokenSet) -> None:
        raise OSError("keyring gone")

    manager = TokenManager(oidc, initial(), on_refresh=broken, clock=clock)
    clock.now = 1000.0
    assert manager.access_token() == "access-1"
    assert isinstance(manager.persist_error, OSError)


def test_refused_refresh_raises_session_expired(oidc: OIDCClient, server: TokenServer, clock: Clock) -> None:
    server.fail_with = httpx.Response(
        400, json={"error": "invalid_grant", "error_description": "Token is not active"}
    )
    manager = TokenManager(oidc, initial(), clock=clock)
    clock.now = 1000.0
    with pytest.raises(SessionExpired):
        manager.access_token()


def test_without_refresh_token(clock: Clock) -> None:
    tokens = TokenSet.from_response({"access_token": "only", "expires_in": 300}, now=0.0)
    manager = TokenManager(None, tokens, clock=clock)
    clock.now = 290.0  # expiring soon, not expired: use it while it lasts
    assert manager.access_token() == "only"
    clock.now = 301.0
    with pytest.raises(AuthRequired, match="log in again"):
        manager.access_token()
    assert manager.refresh_after_401("only") is None


# --- refresh_after_401 --------------------------------------------------------------------


def test_refresh_after_401_refreshes_the_stale_token(
    oidc: OIDCClient, server: TokenServer, clock: Clock
) -> None:
    manager = TokenManager(oidc, initial(), clock=clock)
    assert manager.refresh_after_401("access-0") == "access-1"
    assert server.calls == 1


def test_refresh_after_401_reuses_a_newer_token(oidc: OIDCClient, server: TokenServer, clock: Clock) -> None:
    manager = TokenManager(oidc, initial(), clock=clock)
    manager.refresh()
    assert manager.refresh_after_401("access-0") == "access-1"
    assert server.calls == 1


# --- static tokens ------------------------------------------------------------------------


def test_static_token_never_refreshes() -> None:
    expired = make_jwt({"exp": 1, "preferred_username": "ci"})
    manager = TokenManager.static(f"Bearer {expired}")
    assert manager.is_static
    assert manager.access_token() == expired  # the server decides, not the local clock
    assert manager.refresh_after_401(expired) is None
    with pytest.raises(AuthRequired, match="CARTES_TOKEN") as info:
        manager.refresh()
    assert expired not in str(info.value)
    assert manager.refresh_count == 0


# --- single flight ------------------------------------------------------------------------


def run_threads(n: int, target: Callable[[], str]) -> list[str]:
    barrier = threading.Barrier(n)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        barrier.wait()
        try:
            value = target()
        except BaseException as exc:
            with lock:
                errors.append(exc)
        else:
            with lock:
                results.append(value)

    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors, errors
    return results


def test_single_flight_16_threads_expired_token(clock: Clock) -> None:
    server = TokenServer(delay=0.05)
    oidc = oidc_for(server, clock)
    persisted: list[TokenSet] = []
    manager = TokenManager(oidc, initial(), on_refresh=persisted.append, clock=clock)
    clock.now = 1000.0
    results = run_threads(16, manager.access_token)
    assert results == ["access-1"] * 16
    assert server.calls == 1
    assert manager.refresh_count == 1
    assert len(persisted) == 1


def test_single_flight_16_threads_after_401() -> None:
    """The server revokes access-0; 16 concurrent requests see 401 → exactly one refresh."""
    clock = Clock(0.0)
    server = TokenServer(delay=0.05)
    oidc = oidc_for(server, clock)
    manager = TokenManager(oidc, initial(), clock=clock)
    api_calls: list[str] = []
    lock = threading.Lock()

    def api(request: httpx.Request) -> httpx.Response:
        with lock:
            api_calls.append(request.headers["authorization"])
        if request.headers["authorization"] == "Bearer access-1":
            return httpx.Response(200, json={"ok": True})
        return httpx.Response(401, json={"error": "invalid_token"})

    with httpx.Client(transport=httpx.MockTransport(api), auth=BearerAuth(manager)) as http:
        statuses = run_threads(16, lambda: str(http.get("https://data.test/api/users/me").status_code))
    assert statuses == ["200"] * 16
    assert server.calls == 1
    assert api_calls.count("Bearer access-1") == 16


# --- BearerAuth ---------------------------------------------------------------------------


def test_bearer_sets_the_header(oidc: OIDCClient, clock: Clock) -> None:
    manager = TokenManager(oidc, initial(), clock=clock)
    with respx.mock() as router:
        route = router.get("https://data.test/api/users/me").respond(200)
        with httpx.Client(auth=BearerAuth(manager)) as http:
            http.get("https://data.test/api/users/me")
    assert route.calls.last.request.headers["authorization"] == "Bearer access-0"


def test_bearer_refreshes_once_after_401_then_gives_up(
    oidc: OIDCClient, server: TokenServer, clock: Clock
) -> None:
    manager = TokenManager(oidc, initial(), clock=clock)
    with respx.mock() as router:
        route = router.get("https://data.test/api/users/me").respond(401)
        with httpx.Client(auth=BearerAuth(manager)) as http:
            response = http.get("https://data.test/api/users/me")
    assert response.status_code == 401
    assert [c.request.headers["authorization"] for c in route.calls] == ["Bearer access-0", "Bearer access-1"]
    assert server.calls == 1


def test_bearer_with_static_token_returns_the_401() -> None:
    with respx.mock() as router:
        route = router.get("https://data.test/api/users/me").respond(401)
        with httpx.Client(auth=BearerAuth(TokenManager.static("tok"))) as http:
            assert http.get("https://data.test/api/users/me").status_code == 401
    assert route.call_count == 1


def test_bearer_other_statuses_are_not_retried(oidc: OIDCClient, server: TokenServer, clock: Clock) -> None:
    manager = TokenManager(oidc, initial(), clock=clock)
    with respx.mock() as router:
        route = router.get("https://data.test/api/users/me").respond(403)
        with httpx.Client(auth=BearerAuth(manager)) as http:
            assert http.get("https://data.test/api/users/me").status_code == 403
    assert route.call_count == 1
    assert server.calls == 0


def test_bearer_replays_the_request_body(oidc: OIDCClient, clock: Clock) -> None:
    manager = TokenManager(oidc, initial(), clock=clock)
    bodies: list[bytes] = []

    def api(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        return httpx.Response(200 if request.headers["authorization"] == "Bearer access-1" else 401)

    with httpx.Client(transport=httpx.MockTransport(api), auth=BearerAuth(manager)) as http:
        assert http.put("https://data.test/api/x", json={"rights": ["UPLOAD"]}).status_code == 200
    assert bodies == [b'{"rights":["UPLOAD"]}'] * 2


def test_manager_repr_has_no_token(oidc: OIDCClient, clock: Clock) -> None:
    manager = TokenManager(oidc, initial(), clock=clock)
    assert "access-0" not in repr(manager)
    assert "refresh-0" not in repr(manager)
    assert "access-0" not in repr(BearerAuth(manager))


# --- a refresh token left in the store (read only when a renewal is due) -------------------


class StoredLogin:
    """The credential store and login-server client of a login, counting what a command touched."""

    def __init__(self, server: TokenServer, clock: Clock, refresh_token: str | None = "refresh-0") -> None:  # noqa: S107
        self.server, self.clock = server, clock
        self.refresh_token = refresh_token
        self.reads = 0
        self.clients: list[OIDCClient] = []

    def reload(self) -> TokenSet | None:
        self.reads += 1
        if self.refresh_token is None:
            return None
        return TokenSet.from_refresh_token(self.refresh_token)

    def oidc(self) -> OIDCClient:
        client = oidc_for(self.server, self.clock)
        self.clients.append(client)
        return client

    def manager(self, cached: TokenSet) -> TokenManager:
        import contextlib

        return TokenManager(
            None,
            cached,
            clock=self.clock,
            coordinate=contextlib.nullcontext,
            reload=self.reload,
            oidc_factory=self.oidc,
            refresh_in_store=True,
        )


def cached_access(expires_at: float) -> TokenSet:
    return TokenSet.from_cache("access-cached", expires_at)


def test_a_cached_token_serves_without_reading_the_store_or_building_a_client(
    server: TokenServer, clock: Clock
) -> None:
    login = StoredLogin(server, clock)
    manager = login.manager(cached_access(expires_at=300))
    assert manager.can_refresh
    assert manager.access_token() == "access-cached"
    assert (login.reads, login.clients, server.calls) == (0, [], 0)


def test_when_the_cached_token_expires_the_stored_refresh_token_is_read_then_used(
    server: TokenServer, clock: Clock
) -> None:
    login = StoredLogin(server, clock)
    manager = login.manager(cached_access(expires_at=300))
    clock.now = 290  # within the margin
    assert manager.access_token() == "access-1"
    assert login.reads == 1
    assert [f["refresh_token"] for f in server.forms] == ["refresh-0"]
    assert len(login.clients) == 1
    clock.now = 400
    assert manager.access_token() == "access-1"  # the new token: nothing read again
    assert login.reads == 1


def test_a_401_on_the_cached_token_reads_the_store_and_refreshes(server: TokenServer, clock: Clock) -> None:
    login = StoredLogin(server, clock)
    manager = login.manager(cached_access(expires_at=300))
    assert manager.refresh_after_401("access-cached") == "access-1"
    assert login.reads == 1


def test_a_login_removed_from_the_store_meanwhile_asks_to_log_in_again(
    server: TokenServer, clock: Clock
) -> None:
    login = StoredLogin(server, clock, refresh_token=None)
    manager = login.manager(cached_access(expires_at=300))
    clock.now = 301
    with pytest.raises(AuthRequired, match="log in again"):
        manager.access_token()
    assert server.calls == 0
