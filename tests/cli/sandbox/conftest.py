"""The sandbox commands' world: an empty ``CARTES_HOME`` and nothing from the developer's shell;
``--api-url`` names the (respx-mocked) sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cartes_cli.cli.context import GlobalOptions
from tests.cli.harness import API, ROOT, Harness, harness, home, make_harness

OUTBOX_URL = ROOT + "/sandbox/outbox"
CAPTCHAS_URL = ROOT + "/sandbox/captchas/"

__all__ = ["harness", "home", "make_harness"]  # home: an empty CARTES_HOME, autouse


@pytest.fixture
def sandbox_world(make_harness: Callable[..., Harness]) -> Callable[..., Harness]:
    """``sandbox_world(format=…, json_fields=…, api_url=…)``: a harness whose ``--api-url`` is the
    mocked sandbox."""

    def make(*, api_url: str | None = API, **kwargs: Any) -> Harness:
        return make_harness(options=GlobalOptions(api_url=api_url), **kwargs)

    return make
