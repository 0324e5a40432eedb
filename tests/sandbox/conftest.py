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
from cartes_cli.sandbox.context import Sandbox
from cartes_cli.sandbox.db import Store
from cartes_cli.sandbox.keys import SigningKey
from cartes_cli.sandbox.seed import DEMO_PASSWORD, DEMO_TOTP_SECRET, apply_seed, demo_id

__all__ = ["DEMO_PASSWORD", "DEMO_TOTP_SECRET", "FakeClock", "Harness", "demo_id"]

TOKEN_PATH = "/realms/geoplateforme/protocol/openid-connect/token"
ISSUER = "http://testserver/realms/geoplateforme"


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

    def __init__(self, app: ASGIApp, base_url: str = "http://testserver") -> None:
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
            grant_type="password", client_id=client_id, username=username, password=password, **extra
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
            grant_type="refresh_token", client_id=client_id, refresh_token=refresh_token
        )

    def get(
        self, path: str, *, as_user: str | None = None, token: str | None = None, **kw: Any
    ) -> httpx.Response:
        if as_user is not None:
            token = self.access_token(as_user)
        headers = dict(kw.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.get(path, headers=headers, **kw)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded data directory, built once; tests work on copies."""
    directory = tmp_path_factory.mktemp("demo-template")
    store = Store.open(directory / DB_FILENAME)
    assert apply_seed(store, "demo")
    store.close()
    SigningKey.load_or_create(directory / KEY_FILENAME)
    return directory


@pytest.fixture
def make_harness(tmp_path: Path, demo_template: Path) -> Iterator[Callable[..., Harness]]:
    made: list[Harness] = []

    def make(*, seeded: bool = True, **settings: Any) -> Harness:
        data_dir = tmp_path / f"data-{len(made)}"
        if seeded:
            shutil.copytree(demo_template, data_dir)
        clock = FakeClock()
        sandbox = Sandbox.open(SandboxConfig(data_dir=data_dir, **settings), clock=clock)
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
