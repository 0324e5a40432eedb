"""The client's unit-test fixtures: respx's router, and clients of the made-up platform that never
wait between retries (``client``, ``anonymous``: both without a login; a module that needs a
logged-in client overrides ``client``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx

from cartes_cli.client import GeoplateformeClient
from tests.client.fakes import PLATFORM, no_sleep


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


@pytest.fixture
def client() -> Iterator[GeoplateformeClient]:
    with GeoplateformeClient(PLATFORM, sleep=no_sleep) as c:
        yield c


@pytest.fixture
def anonymous() -> Iterator[GeoplateformeClient]:
    with GeoplateformeClient(PLATFORM, sleep=no_sleep) as c:
        yield c
