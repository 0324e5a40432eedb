"""Fixtures of the reliability suite (issue 7): a faulty sandbox server, and the in-process sandbox
harness of ``tests/sandbox`` (re-exported here).

Start a sandbox that misbehaves, from any test under ``tests/``::

    from tests.reliability.conftest import fault_state, set_faults, start_faulty_sandbox

    sandbox = start_faulty_sandbox(home, rate=0.2, seed=7, delay=2.0)  # a tests.conftest.Sandbox
    ...
    sandbox.stop()

or, in ``tests/reliability``, the ``faulty_sandbox`` fixture (a factory, stopped at teardown).
``set_faults(sandbox, rate=0)`` switches faults off (or on) while it runs, e.g. to log in first;
``fault_state(sandbox)`` is ``GET /sandbox/faults`` (settings, counters, the faults injected).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import Sandbox, start_sandbox

# The in-process harness (a demo sandbox per test, driven through httpx.ASGITransport).
from tests.sandbox.conftest import (  # noqa: F401 - fixtures, re-exported
    Harness,
    _isolated_home,
    demo_key,
    demo_template,
    make_harness,
    sb,
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "reliability: the reliability suite (faults, permissions, schemathesis, hostile input, CLI fuzzing)",
    )


def start_faulty_sandbox(
    home: Path,
    *,
    rate: float = 0.2,
    seed: int = 1,
    kinds: str = "all",
    scope: str = "api,token",
    retry_after: int = 1,
    delay: float = 2.0,
    extra: tuple[str, ...] = (),
) -> Sandbox:
    """A demo sandbox server on 127.0.0.1 with fault injection (see docs/reliability.md).

    ``delay``: how long a ``slow`` fault holds a request; make it longer than the client's timeout
    under test (the default 2 s suits a client with a 1 s timeout; the CLI's is 30 s).
    """
    return start_sandbox(
        home,
        home / "data",
        "--seed",
        "demo",
        "--fault-rate",
        str(rate),
        "--fault-seed",
        str(seed),
        "--fault-kinds",
        kinds,
        "--fault-scope",
        scope,
        "--fault-retry-after",
        str(retry_after),
        "--fault-delay",
        str(delay),
        *extra,
    )


def fault_state(sandbox: Sandbox, *, since: int | None = None, limit: int = 10_000) -> dict[str, Any]:
    """``GET /sandbox/faults``: settings, ``considered``, ``injected``, ``by_kind`` and ``records``."""
    params: dict[str, int] = {"limit": limit}
    if since is not None:
        params["since"] = since
    response = httpx.get(sandbox.base_url + "/sandbox/faults", params=params, timeout=10)
    response.raise_for_status()
    state: dict[str, Any] = response.json()
    return state


def set_faults(sandbox: Sandbox, **changes: Any) -> dict[str, Any]:
    """``PUT /sandbox/faults``: rate, seed (restarts the sequence), kinds, scope, retry_after, delay."""
    response = httpx.put(sandbox.base_url + "/sandbox/faults", json=changes, timeout=10)
    response.raise_for_status()
    state: dict[str, Any] = response.json()
    return state


@pytest.fixture
def faulty_sandbox(tmp_path: Path) -> Iterator[Callable[..., Sandbox]]:
    """A factory: ``faulty_sandbox(rate=0.2, seed=7, kinds="all", delay=2.0)`` starts a demo sandbox
    server with fault injection; every one started is stopped at teardown."""
    started: list[Sandbox] = []

    def start(**settings: Any) -> Sandbox:
        home = tmp_path / f"faulty-{len(started)}"
        sandbox = start_faulty_sandbox(home, **settings)
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        sandbox.stop()
