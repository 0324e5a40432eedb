"""The sandbox commands' world: an empty ``CARTES_HOME`` and nothing from the developer's shell;
``--api-url`` names the (respx-mocked) sandbox."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cartes_cli.cli.context import GlobalOptions
from tests.cli.harness import API, ROOT, Harness, harness

OUTBOX_URL = ROOT + "/sandbox/outbox"
CAPTCHAS_URL = ROOT + "/sandbox/captchas/"

__all__ = ["harness"]


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("CARTES_TOKEN", "CARTES_PROFILE", "CARTES_ENV", "CARTES_API_URL", "CARTES_ISSUER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CARTES_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def sandbox_world() -> Iterator[Callable[..., Harness]]:
    """``sandbox_world(format=…, json_fields=…, api_url=…)``: a harness whose ``--api-url`` is the
    mocked sandbox."""
    made: list[Harness] = []

    def make(*, api_url: str | None = API, **kwargs: Any) -> Harness:
        h = Harness(options=GlobalOptions(api_url=api_url), **kwargs).__enter__()
        made.append(h)
        return h

    yield make
    for h in made:
        h.__exit__(None, None, None)
