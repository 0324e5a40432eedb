"""Several cartes processes on one login, as scripts with '&', parallel CI steps and Tab completion
run them: one refresh at a time across processes, and no write of the config or the credential file
undone by another.

The sandbox rotates refresh tokens and ends a session whose used refresh token comes back, as
Keycloak does with refresh-token rotation: two processes refreshing with the same token end it.
"""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import httpx
import pytest

from tests.conftest import (
    ADMIN,
    DEMO_PASSWORD,
    STAFF,
    Cartes,
    Sandbox,
    cartes_executable,
    own_sandbox,
)

pytestmark = pytest.mark.e2e

PROCESSES = 8


short_tokens = own_sandbox("short_tokens", "--token-ttl", "20")


def forget_access_tokens(cli: Cartes) -> None:
    """Drop the cached access tokens: the next command must renew the login with its refresh token."""
    import shutil

    shutil.rmtree(cli.home / "cache" / "tokens", ignore_errors=True)


def start_all(
    cli: Cartes, commands: list[list[str]], envs: list[dict[str, str]] | None = None
) -> list[subprocess.Popen[str]]:
    procs = []
    for i, args in enumerate(commands):
        env = {**cli.env, **((envs or [{}] * len(commands))[i])}
        procs.append(
            subprocess.Popen(
                [cartes_executable(), *args],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    return procs


def finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str]]:
    results = []
    for proc in procs:
        _out, err = proc.communicate(timeout=90)
        results.append((proc.returncode, err))
    return results


def test_processes_sharing_an_expired_login_refresh_it_once(
    tmp_path: Path, short_tokens: Sandbox, keyring_available: bool
) -> None:
    cli = Cartes(tmp_path / "home", short_tokens, keyring_available)
    assert cli.login(ADMIN).returncode == 0
    forget_access_tokens(cli)  # as if the cached access token had expired: every process wants a new one
    httpx.post(short_tokens.base_url + "/sandbox/stats/reset", timeout=10).raise_for_status()
    results = finish(start_all(cli, [["workspace", "list", "--json", "technical_name"]] * PROCESSES))
    assert [code for code, _ in results] == [0] * PROCESSES, results
    stats = httpx.get(short_tokens.base_url + "/sandbox/stats", timeout=10).json()
    assert stats["refresh_reuse_detected"] == 0
    sessions = [s for s in stats["refresh_by_session"].values() if s["count"]]
    assert len(sessions) == 1
    assert sessions[0]["count"] <= 2  # one renewal shared (a second one only if it expired again meanwhile)
    # And the login still works afterwards: its newest refresh token was kept.
    forget_access_tokens(cli)
    assert cli("workspace", "list", "--json", "technical_name").returncode == 0


def test_simultaneous_logins_to_different_profiles_are_all_kept(
    tmp_path: Path, short_tokens: Sandbox, keyring_available: bool
) -> None:
    cli = Cartes(tmp_path / "home", short_tokens, keyring_available)
    storage = [] if keyring_available else ["--insecure-storage"]
    users = [ADMIN, STAFF, "elodie.chevalier", "sophie.martin", ADMIN, STAFF]
    commands = [["--profile", f"p{i}", "--env", "sandbox", "login", *storage] for i in range(len(users))]
    envs = [{"CARTES_USERNAME": user, "CARTES_PASSWORD": DEMO_PASSWORD} for user in users]
    results = finish(start_all(cli, commands, envs))
    assert [code for code, _ in results] == [0] * len(users), results
    config = tomllib.loads((cli.home / "config" / "config.toml").read_text(encoding="utf-8"))
    assert sorted(config["profiles"]) == [f"p{i}" for i in range(len(users))]
    for i, user in enumerate(users):
        assert config["profiles"][f"p{i}"]["user"] == user
        r = cli("--profile", f"p{i}", "login", "status", "--json", "profile,user,state")
        assert r.returncode in (0, 1), r
        row = next(x for x in __import__("json").loads(r.stdout) if x["profile"] == f"p{i}")
        assert (row["user"], row["state"]) == (user, "ok"), row
