"""Short-lived tokens during a long bulk run: renewed in a single flight, never a 401 to the user.

The sandbox issues 2-second access tokens and rotates refresh tokens, revoking the whole session
when a used refresh token comes back (as Keycloak can). Eight workers approve requests for about
eight seconds: if two of them ever refreshed at once, the second would present a used refresh
token, the session would die and the run would fail.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import STAFF, Cartes, start_sandbox

pytestmark = pytest.mark.e2e


def test_refresh_single_flight_under_eight_workers(tmp_path: Path, keyring_available: bool) -> None:
    home = tmp_path / "sb"
    sandbox = start_sandbox(home, home / "data", "--seed", "demo", "--token-ttl", "2", "--latency", "100")
    try:
        cli = Cartes(tmp_path / "cli", sandbox, keyring_available)
        assert cli.login(STAFF).returncode == 0
        r = httpx.post(
            sandbox.base_url + "/sandbox/fixtures/join-requests",
            json={"community": "ddt67", "count": 600},
            timeout=60,
        )
        r.raise_for_status()
        httpx.post(sandbox.base_url + "/sandbox/stats/reset", timeout=10).raise_for_status()
        started = time.monotonic()
        r = cli(
            "request", "approve", "--all", "--workspace", "ddt67", "--yes", "--concurrency", "8", timeout=120
        )
        elapsed = time.monotonic() - started
        assert r.returncode == 0, r
        assert "Accepted: 600, unchanged: 0, failed: 0." in r.stderr
        assert "401" not in r.stderr
        stats = httpx.get(sandbox.base_url + "/sandbox/stats", timeout=10).json()
        assert stats["refresh_reuse_detected"] == 0
        sessions = [s for s in stats["refresh_by_session"].values() if s["count"]]
        assert len(sessions) == 1, sessions  # one login, one session, refreshed by one flight at a time
        refreshes = sessions[0]["count"]
        # A 2 s token is renewed when half its life is left: about one refresh per second of work.
        assert elapsed > 6, elapsed
        assert elapsed / 2 - 1 <= refreshes <= elapsed + 2, (refreshes, elapsed)
    finally:
        sandbox.stop()
