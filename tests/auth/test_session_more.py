"""TokenManager: service accounts (client_credentials), starting from a cached access token, and
single flight under sustained load with tokens that expire every second."""

from __future__ import annotations

import threading
import time
from urllib.parse import parse_qs

import httpx
import pytest

from cartes_cli.auth.httpx_auth import BearerAuth
from cartes_cli.auth.oidc import OIDCClient
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
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def set(self, value: float) -> None:
        with self.lock:
            self.now = value


class Server:
    """Token endpoint issuing access-N; records grants and the maximum concurrent calls."""

    def __init__(self, *, expires_in: float = 300, delay: float = 0.0, refresh: bool = True) -> None:
        self.expires_in = expires_in
        self.delay = delay
        self.refresh = refresh
        self.lock = threading.Lock()
        self.forms: list[dict[str, str]] = []
        self.active = 0
        self.max_active = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        with self.lock:
            self.forms.append(form)
            n = len(self.forms)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            if self.delay:
                time.sleep(self.delay)
            body: dict[str, object] = {"access_token": f"access-{n}", "expires_in": self.expires_in}
            if self.refresh and form["grant_type"] == "refresh_token":
                body["refresh_token"] = f"refresh-{n}"
            return httpx.Response(200, json=body)
        finally:
            with self.lock:
                self.active -= 1


def oidc_for(server: Server, clock: Clock, **options: object) -> OIDCClient:
    http = httpx.Client(transport=httpx.MockTransport(server))
    return OIDCClient(PLATFORM, http=http, discovery_document=DISCOVERY, clock=clock, **options)  # type: ignore[arg-type]


# --- service accounts ---------------------------------------------------------------------


def test_service_account_gets_a_token_on_first_use_and_renews_by_the_grant() -> None:
    clock = Clock(0.0)
    server = Server(expires_in=300)
    oidc = oidc_for(server, clock, client_id="svc", client_secret="s3cret")
    saved: list[TokenSet] = []
    manager = TokenManager.for_client_credentials(oidc, clock=clock, on_refresh=saved.append)
    assert manager.renewal == "client_credentials"
    assert manager.can_refresh
    assert manager.access_token() == "access-1"
    assert manager.access_token() == "access-1"
    clock.set(280)  # within the 30 s margin
    assert manager.access_token() == "access-2"
    assert [f["grant_type"] for f in server.forms] == ["client_credentials"] * 2
    assert all(f["client_secret"] == "s3cret" for f in server.forms)
    assert "refresh_token" not in "".join(server.forms[1])
    assert len(saved) == 2
    # A 401 re-runs the grant once, like a refresh.
    assert manager.refresh_after_401("access-2") == "access-3"
    assert "svc" not in repr(manager)
    assert "s3cret" not in repr(manager)


def test_service_account_starts_from_a_cached_token() -> None:
    clock = Clock(1000.0)
    server = Server()
    oidc = oidc_for(server, clock, client_id="svc", client_secret="s")
    cached = TokenSet.from_cache("cached-access", 1200.0)
    manager = TokenManager.for_client_credentials(oidc, tokens=cached, clock=clock)
    assert manager.access_token() == "cached-access"
    assert server.forms == []


def test_service_account_without_secret_cannot_renew() -> None:
    clock = Clock(0.0)
    oidc = oidc_for(Server(), clock, client_id="svc")
    manager = TokenManager.for_client_credentials(oidc, clock=clock)
    assert not manager.can_refresh
    with pytest.raises(AuthRequired, match="client secret"):
        manager.access_token()


def test_unknown_renewal() -> None:
    with pytest.raises(ValueError, match="renewal"):
        TokenManager(None, TokenSet.empty(), renewal="magic")  # type: ignore[arg-type]


# --- starting from the cache --------------------------------------------------------------


def test_cached_access_token_is_used_without_a_round_trip() -> None:
    clock = Clock(1000.0)
    server = Server()
    oidc = oidc_for(server, clock)
    tokens = TokenSet.from_cache("cached", 1250.0, refresh_token="refresh-0")
    manager = TokenManager(oidc, tokens, clock=clock)
    assert manager.access_token() == "cached"
    assert server.forms == []
    clock.set(1225.0)  # 25 s left < 30 s margin: refresh with the stored refresh token
    assert manager.access_token() == "access-1"
    assert server.forms[0]["refresh_token"] == "refresh-0"


def test_cached_short_lived_token_keeps_a_proportional_margin() -> None:
    """A 20 s token (iat in the JWT) is refreshed after half its life, not at once."""
    clock = Clock(1005.0)
    server = Server()
    access = make_jwt({"iat": 1000, "exp": 1020})
    manager = TokenManager(
        oidc_for(server, clock), TokenSet.from_cache(access, 1020.0, refresh_token="r"), clock=clock
    )
    assert manager.access_token() == access
    clock.set(1011.0)
    assert manager.access_token() == "access-1"


def test_cached_token_without_refresh_token_lasts_until_expiry() -> None:
    clock = Clock(0.0)
    manager = TokenManager(oidc_for(Server(), clock), TokenSet.from_cache("only", 100.0), clock=clock)
    assert manager.access_token() == "only"
    clock.set(100.0)
    with pytest.raises(AuthRequired, match="log in again"):
        manager.access_token()


# --- single flight under load -------------------------------------------------------------


def test_eight_threads_many_requests_one_refresh_per_expiry() -> None:
    """Tokens live 1 s (so they are renewed every 0.5 s: half their life). 8 threads make API
    requests through BearerAuth while a fake clock advances 0.125 s per round: exactly one refresh
    per renewal period, never two at once, and every request carries the token of its period."""
    clock = Clock(0.0)
    server = Server(expires_in=1, delay=0.002)
    oidc = oidc_for(server, clock)
    manager = TokenManager(oidc, TokenSet.from_refresh_token("refresh-0"), clock=clock)
    seen: list[tuple[float, str]] = []
    seen_lock = threading.Lock()

    def api(request: httpx.Request) -> httpx.Response:
        with seen_lock:
            seen.append((clock(), request.headers["authorization"]))
        return httpx.Response(200, json={"ok": True})

    rounds, threads, per_round = 48, 8, 6
    start_round = threading.Barrier(threads + 1)
    end_round = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def worker(http: httpx.Client) -> None:
        for _ in range(rounds):
            start_round.wait()
            try:
                for _ in range(per_round):
                    assert http.get("https://data.test/api/users/me").status_code == 200
            except BaseException as exc:
                errors.append(exc)
            end_round.wait()

    with httpx.Client(transport=httpx.MockTransport(api), auth=BearerAuth(manager)) as http:
        pool = [threading.Thread(target=worker, args=(http,)) for _ in range(threads)]
        for t in pool:
            t.start()
        for r in range(rounds):
            clock.set(r * 0.125)
            start_round.wait(timeout=10)
            end_round.wait(timeout=10)
        for t in pool:
            t.join(10)

    assert not errors, errors
    assert len(seen) == rounds * threads * per_round
    # Renewals at 0, 0.5, 1.0, … 5.5 s: one per period of 4 rounds.
    assert manager.refresh_count == rounds // 4 == len(server.forms)
    assert server.max_active == 1
    # Each refresh used the refresh token of the one before (rotation, no lost update).
    assert [f["refresh_token"] for f in server.forms] == ["refresh-0"] + [
        f"refresh-{n}" for n in range(1, 12)
    ]
    for now, header in seen:
        assert header == f"Bearer access-{int(now // 0.5) + 1}"
