"""Fixtures for the sandbox's own tests: an in-process app on a copy of a seeded data directory.

The demo data is seeded once per session into a template directory; each test gets a fresh copy
(isolation at the cost of a file copy) and a clock it can move.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from starlette.types import ASGIApp

from cartes_cli.sandbox.app import build_app
from cartes_cli.sandbox.config import DB_FILENAME, KEY_FILENAME, SandboxConfig
from cartes_cli.sandbox.domain.context import Sandbox
from cartes_cli.sandbox.domain.keys import SigningKey
from cartes_cli.sandbox.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET, apply_seed, demo_id
from cartes_cli.sandbox.startup import open_sandbox
from cartes_cli.sandbox.store import Store
from tests.conftest import client_form

__all__ = ["DEMO_PASSWORD", "DEMO_TOTP_SECRET", "FakeClock", "Harness", "demo_id"]

TOKEN_PATH = "/realms/geoplateforme/protocol/openid-connect/token"
ISSUER = "http://127.0.0.1/realms/geoplateforme"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Nothing a test runs may touch the real home: config, data and state go to tmp_path."""
    home = tmp_path / "cartes-home"
    monkeypatch.setenv("CARTES_HOME", str(home))
    return home


class AsgiClient:
    """A synchronous client that drives the ASGI app in process (httpx.ASGITransport).

    Each request runs on a fresh event loop in the calling thread, like the real server's single
    loop: nothing in the app is bound to a loop.
    """

    def __init__(self, app: ASGIApp, base_url: str = "http://127.0.0.1") -> None:
        self.app = app
        self.base_url = base_url

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url=self.base_url) as client:
                return await client.request(method, url, **kwargs)

        return anyio.run(send)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, **kwargs)

    async def gather(self, *calls: tuple[str, str, dict[str, Any]]) -> list[httpx.Response]:
        """Send ``(method, url, kwargs)`` calls concurrently on one event loop, like a busy server."""
        import asyncio

        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url=self.base_url) as client:
            return list(await asyncio.gather(*(client.request(m, u, **kw) for m, u, kw in calls)))


class FakeClock:
    """The sandbox's clock, under the test's control."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Harness:
    client: AsgiClient
    sandbox: Sandbox
    clock: FakeClock
    data_dir: Path
    _tokens: dict[str, str] = field(default_factory=dict)

    def token_request(self, **form: str) -> httpx.Response:
        return self.client.post(TOKEN_PATH, data=form)

    def login(
        self, username: str, password: str = DEMO_PASSWORD, *, client_id: str = "gpf-warehouse", **extra: str
    ) -> httpx.Response:
        return self.token_request(
            grant_type="password",
            **client_form(client_id),
            username=username,
            password=password,
            **extra,
        )

    def tokens(self, username: str, **extra: str) -> dict[str, Any]:
        response = self.login(username, **extra)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def access_token(self, username: str) -> str:
        """A (cached) access token of ``username``, who must not need a TOTP code."""
        if username not in self._tokens:
            self._tokens[username] = self.tokens(username)["access_token"]
        return self._tokens[username]

    def refresh(self, refresh_token: str, client_id: str = "gpf-warehouse") -> httpx.Response:
        return self.token_request(
            grant_type="refresh_token", **client_form(client_id), refresh_token=refresh_token
        )

    def auth_headers(self, *, as_user: str | None = None, token: str | None = None) -> dict[str, str]:
        if as_user is not None:
            token = self.access_token(as_user)
        return {"Authorization": f"Bearer {token}"} if token is not None else {}

    def call(
        self, method: str, path: str, *, as_user: str | None = None, token: str | None = None, **kw: Any
    ) -> httpx.Response:
        headers = {**dict(kw.pop("headers", {})), **self.auth_headers(as_user=as_user, token=token)}
        return self.client.request(method, path, headers=headers, **kw)

    def get(
        self, path: str, *, as_user: str | None = None, token: str | None = None, **kw: Any
    ) -> httpx.Response:
        return self.call("GET", path, as_user=as_user, token=token, **kw)

    def post(
        self, path: str, *, as_user: str | None = None, token: str | None = None, **kw: Any
    ) -> httpx.Response:
        return self.call("POST", path, as_user=as_user, token=token, **kw)

    def put(
        self, path: str, *, as_user: str | None = None, token: str | None = None, **kw: Any
    ) -> httpx.Response:
        return self.call("PUT", path, as_user=as_user, token=token, **kw)

    def patch(
        self, path: str, *, as_user: str | None = None, token: str | None = None, **kw: Any
    ) -> httpx.Response:
        return self.call("PATCH", path, as_user=as_user, token=token, **kw)

    def delete(
        self, path: str, *, as_user: str | None = None, token: str | None = None, **kw: Any
    ) -> httpx.Response:
        return self.call("DELETE", path, as_user=as_user, token=token, **kw)

    def add_user(self, username: str, *, first_name: str = "Paul", last_name: str = "Simple") -> str:
        """A plain account (member of nothing) that logs in with DEMO_PASSWORD; returns its id."""
        from cartes_cli.sandbox.domain.credentials import hash_password
        from cartes_cli.sandbox.util import iso, new_id

        user_id = new_id()
        self.sandbox.store.users.insert(
            id=user_id,
            username=username,
            email=f"{username}@exemple.test",
            first_name=first_name,
            last_name=last_name,
            password_hash=hash_password(DEMO_PASSWORD, iterations=1000),
            created=iso(self.clock()),
        )
        return user_id

    def totp_tokens(self, username: str = "amelie.rousseau") -> dict[str, Any]:
        import pyotp

        return self.tokens(username, totp=pyotp.TOTP(DEMO_TOTP_SECRET).at(self.clock()))


FAST_HASH_ITERATIONS = 1000
"""The template's passwords are re-hashed this cheaply: the suite logs in hundreds of times. (The
seed's real cost is checked by test_store, on its own database.)"""


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded data directory, built once; tests work on copies."""
    from cartes_cli.sandbox.domain.credentials import hash_password

    directory = tmp_path_factory.mktemp("demo-template")
    store = Store.open(directory / DB_FILENAME)
    assert apply_seed(store, "demo")
    fast = hash_password(DEMO_PASSWORD, iterations=FAST_HASH_ITERATIONS)
    with store.transaction():
        store.db.exec("UPDATE users SET password_hash = ? WHERE password_hash IS NOT NULL", (fast,))
    store.close()
    SigningKey.load_or_create(directory / KEY_FILENAME)
    return directory


@pytest.fixture(scope="session")
def demo_key(demo_template: Path) -> SigningKey:
    """The template's signing key, loaded once (loading an RSA key costs tens of milliseconds)."""
    return SigningKey.load_or_create(demo_template / KEY_FILENAME)


def seeded_harness(data_dir: Path, template: Path, key: SigningKey, **settings: Any) -> Harness:
    """An in-process sandbox on a copy of the demo ``template`` in ``data_dir`` (the caller closes
    ``harness.sandbox``)."""
    shutil.copytree(template, data_dir)
    clock = FakeClock()
    config = SandboxConfig(data_dir=data_dir, **settings)
    sandbox = Sandbox(config, Store.open(data_dir / DB_FILENAME), key, clock)
    return Harness(AsgiClient(build_app(sandbox)), sandbox, clock, data_dir)


@pytest.fixture
def make_harness(
    tmp_path: Path, demo_template: Path, demo_key: SigningKey
) -> Iterator[Callable[..., Harness]]:
    made: list[Harness] = []

    def make(*, seeded: bool = True, **settings: Any) -> Harness:
        data_dir = tmp_path / f"data-{len(made)}"
        if seeded:
            harness = seeded_harness(data_dir, demo_template, demo_key, **settings)
        else:
            clock = FakeClock()
            sandbox = open_sandbox(SandboxConfig(data_dir=data_dir, **settings), clock=clock)
            harness = Harness(AsgiClient(build_app(sandbox)), sandbox, clock, data_dir)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.sandbox.close()


@pytest.fixture
def sb(make_harness: Callable[..., Harness]) -> Harness:
    """A demo sandbox, in process."""
    return make_harness()
