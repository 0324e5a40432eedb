"""Bulk approvals that must hold over a bad network (issue 7, items 1 to 3).

1. 1,000 join requests approved at a 20 % fault rate (every kind of fault, including answers lost
   after the change was made): each request accepted exactly once, one decision e-mail each, the
   summary exact, exit 0.
2. The same run killed with SIGKILL at a random point, then run again: the same end state, nothing
   decided twice.
3. Access tokens lasting 2 s during a 20-second run with 16 workers: no 401 reaches the user, the
   refreshes follow the run time, none racing (a raced refresh revokes the session).

The installed ``cartes`` runs against a real sandbox server on 127.0.0.1.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import STAFF, Cartes, Sandbox, cartes_executable, start_sandbox
from tests.e2e.test_requests import decided, fixture_requests, outbox
from tests.reliability.conftest import fault_state, set_faults, start_faulty_sandbox

pytestmark = [pytest.mark.e2e, pytest.mark.reliability]

SEED = 20261123
CLIENT_TIMEOUT = "1"  # seconds; the sandbox holds "slow" answers 2 s, past it
WORKSPACE = "ddt67"
APPROVE_ALL = ("request", "approve", "--all", "--workspace", WORKSPACE, "--yes", "--concurrency", "16")


def _statuses(cli: Cartes) -> dict[str, str]:
    return {
        rid: status
        for status in ("pending", "accepted", "rejected")
        for rid in decided(cli, WORKSPACE, status)
    }


def _decision_mails(sandbox: Sandbox, ids: set[str]) -> list[dict[str, Any]]:
    """The e-mails about these requests (fixtures send none: each one here is a decision's)."""
    return [m for m in outbox(sandbox) if m.get("related") in ids]


def _faulty(tmp_path: Path, keyring: bool) -> tuple[Sandbox, Cartes]:
    sandbox = start_faulty_sandbox(tmp_path / "sb", rate=0.0, seed=SEED, kinds="all", delay=2.0)
    cli = Cartes(tmp_path / "cli", sandbox, keyring)
    assert cli.login(STAFF).returncode == 0  # faults off while logging in
    cli.env["CARTES_TIMEOUT"] = CLIENT_TIMEOUT
    return sandbox, cli


def test_a_thousand_approvals_at_a_20_percent_fault_rate(tmp_path: Path, keyring_available: bool) -> None:
    sandbox, cli = _faulty(tmp_path, keyring_available)
    try:
        ids = set(fixture_requests(sandbox, WORKSPACE, 1000)["requests"])
        mails_before = len(_decision_mails(sandbox, ids))
        set_faults(sandbox, rate=0.2, seed=SEED)
        started = time.monotonic()
        r = cli(
            *APPROVE_ALL,
            timeout=240,
        )
        elapsed = time.monotonic() - started
        state = set_faults(sandbox, rate=0.0)
        assert r.returncode == 0, r
        assert "Accepted: 1000, unchanged: 0, failed: 0." in r.stderr, r.stderr[-2000:]
        assert "Traceback" not in r.stderr
        accepted = {line.split("\t")[1] for line in r.stdout.splitlines() if line.startswith("accepted\t")}
        assert accepted == ids
        statuses = _statuses(cli)
        assert all(statuses[i] == "accepted" for i in ids)
        assert mails_before == 0
        assert len(_decision_mails(sandbox, ids)) == 1000  # exactly one decision e-mail per request
        injected = fault_state(sandbox)["by_kind"]
        # The run really met every kind, including answers lost after the change.
        for kind in ("500", "502", "503", "429", "drop", "slow", "after-500", "after-502", "after-drop"):
            assert injected.get(kind, 0) > 0, (kind, injected)
        print(
            f"\n1,000 approvals at fault rate 0.2: {elapsed:.1f} s, faults {state.get('injected')} {injected}"
        )
    finally:
        sandbox.stop()


def test_killed_at_a_random_point_then_rerun_under_faults(tmp_path: Path, keyring_available: bool) -> None:
    sandbox, cli = _faulty(tmp_path, keyring_available)
    try:
        ids = set(fixture_requests(sandbox, WORKSPACE, 600)["requests"])
        set_faults(sandbox, rate=0.2, seed=SEED + 1)
        kill_after = random.Random(SEED).randint(50, 500)
        proc = subprocess.Popen(
            [cartes_executable(), *APPROVE_ALL],
            env=cli.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert proc.stdout is not None
        seen = 0
        for line in proc.stdout:
            seen += line.startswith("accepted\t")
            if seen >= kill_after:
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        time.sleep(2.5)  # "slow" answers held by the server land after the kill: let them
        set_faults(sandbox, rate=0.0)
        pending = {i for i, s in _statuses(cli).items() if i in ids and s == "pending"}
        assert 0 < len(pending) < len(ids) - kill_after + 1, (len(pending), kill_after)
        set_faults(sandbox, rate=0.2)
        r = cli(
            *APPROVE_ALL,
            timeout=240,
        )
        set_faults(sandbox, rate=0.0)
        assert r.returncode == 0, r
        assert f"Accepted: {len(pending)}, unchanged: 0, failed: 0." in r.stderr, r.stderr[-2000:]
        statuses = _statuses(cli)
        assert all(statuses[i] == "accepted" for i in ids)
        assert len(_decision_mails(sandbox, ids)) == len(ids)  # nothing decided twice
    finally:
        sandbox.stop()


def test_two_second_tokens_during_a_twenty_second_run_with_16_workers(
    tmp_path: Path, keyring_available: bool
) -> None:
    home = tmp_path / "sb"
    # 1,600 decisions × 200 ms ÷ 16 workers ≈ 20 s.
    sandbox = start_sandbox(home, home / "data", "--seed", "demo", "--token-ttl", "2", "--latency", "200")
    try:
        cli = Cartes(tmp_path / "cli", sandbox, keyring_available)
        assert cli.login(STAFF).returncode == 0
        ids = set(fixture_requests(sandbox, WORKSPACE, 1600)["requests"])
        httpx.post(sandbox.base_url + "/sandbox/stats/reset", timeout=10).raise_for_status()
        started = time.monotonic()
        r = cli(
            *APPROVE_ALL,
            timeout=120,
        )
        elapsed = time.monotonic() - started
        assert r.returncode == 0, r
        assert "Accepted: 1600, unchanged: 0, failed: 0." in r.stderr
        assert "401" not in r.stderr
        assert len({line.split("\t")[1] for line in r.stdout.splitlines()} & ids) == 1600
        stats = httpx.get(sandbox.base_url + "/sandbox/stats", timeout=10).json()
        assert stats["refresh_reuse_detected"] == 0  # no two refreshes ever raced
        sessions = [s for s in stats["refresh_by_session"].values() if s["count"]]
        assert len(sessions) == 1, sessions
        refreshes = sessions[0]["count"]
        assert elapsed > 18, elapsed
        # Renewed when half its life is left: about one refresh per second of run time.
        assert elapsed / 2 - 1 <= refreshes <= elapsed + 2, (refreshes, elapsed)
        print(f"\n2 s tokens, 16 workers: {elapsed:.1f} s, {refreshes} refreshes, no 401, no race")
    finally:
        sandbox.stop()
