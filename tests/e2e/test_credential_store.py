"""Where logins are kept: the system keyring, a 0600 file on request, or nowhere (environment)."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN, DEMO_PASSWORD, WAREHOUSE, Cartes

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]


def with_backend(backend: str, **extra: str) -> dict[str, str]:
    env = {
        "PYTHON_KEYRING_BACKEND": backend,
        "PYTHONPATH": str(REPO),
        "CARTES_USERNAME": ADMIN,
        "CARTES_PASSWORD": DEMO_PASSWORD,
    }
    env.update(extra)
    return env


def tripwire(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A keyring backend that records any use in the returned file (tests.fake_keyrings.Tripwire)."""
    wire = tmp_path / "tripwire"
    env = {
        "PYTHON_KEYRING_BACKEND": "tests.fake_keyrings.Tripwire",
        "PYTHONPATH": str(REPO),
        "CARTES_TEST_TRIPWIRE": str(wire),
    }
    return env, wire


def password_grants(cartes: Cartes) -> int:
    assert cartes.sandbox is not None
    stats = cartes.sandbox.get("/sandbox/stats")
    assert isinstance(stats, dict)
    return int(stats["token_grants"].get("password", 0))


def test_no_keyring_fails_with_a_fix_before_sending_the_password(cartes: Cartes) -> None:
    before = password_grants(cartes)
    r = cartes("--env", "sandbox", "login", env=with_backend("keyring.backends.fail.Keyring"))
    assert r.returncode == 1, r
    assert "--insecure-storage" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert password_grants(cartes) == before  # nothing was sent


def test_insecure_storage_writes_a_private_file_only(cartes: Cartes) -> None:
    r = cartes(
        "--env", "sandbox", "login", "--insecure-storage", env=with_backend("keyring.backends.fail.Keyring")
    )
    assert r.returncode == 0, r
    path = cartes.home / "config" / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    stored = json.loads(path.read_text())
    assert any(v.startswith("eyJ") for v in stored.values())
    config = (cartes.home / "config" / "config.toml").read_text()
    assert "eyJ" not in config
    assert 'storage = "file"' in config
    r = cartes("login", "status", "--json", "source,state", env=with_backend("keyring.backends.fail.Keyring"))
    assert {"source": "file", "state": "ok"} in json.loads(r.stdout)


def test_locked_keyring_is_one_clear_sentence(cartes: Cartes) -> None:
    r = cartes("--env", "sandbox", "login", env=with_backend("tests.fake_keyrings.Locked"))
    assert r.returncode == 1, r
    assert "lock" in r.stderr.lower()
    assert "Traceback" not in r.stderr


def test_hanging_keyring_is_bounded_by_the_timeout(cartes: Cartes) -> None:
    started = time.monotonic()
    r = cartes("--env", "sandbox", "login", env=with_backend("tests.fake_keyrings.Hanging"), timeout=30)
    elapsed = time.monotonic() - started
    assert r.returncode == 1, r
    assert elapsed < 12, elapsed  # 3 s per keyring call at most, and no call after a time-out
    assert "3 s" in r.stderr or "did not answer" in r.stderr


def test_logout_ends_the_session_at_the_platform(cartes: Cartes) -> None:
    r = cartes(
        "--env", "sandbox", "login", "--insecure-storage", env=with_backend("keyring.backends.fail.Keyring")
    )
    assert r.returncode == 0, r
    stored = json.loads((cartes.home / "config" / "credentials.json").read_text())
    refresh_token = next(v for k, v in stored.items() if k.endswith("refresh_token"))
    r = cartes("logout", env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"})
    assert r.returncode == 0, r
    assert (
        not (cartes.home / "config" / "credentials.json").exists()
        or "refresh_token" not in (cartes.home / "config" / "credentials.json").read_text()
    )
    assert cartes.sandbox is not None
    answer = httpx.post(
        cartes.sandbox.issuer + "/protocol/openid-connect/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token, **WAREHOUSE},
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


@pytest.mark.keyring
def test_real_secret_service_holds_only_the_refresh_token(cartes: Cartes) -> None:
    if not cartes.keyring:
        pytest.skip("no Secret Service here (CI runs this inside dbus-run-session with gnome-keyring)")
    import keyring

    from cartes_cli.cli.context import keyring_service

    assert cartes.login(ADMIN).returncode == 0
    os.environ["CARTES_HOME"], saved = str(cartes.home), os.environ.get("CARTES_HOME")
    try:
        service = keyring_service()
    finally:
        if saved is None:
            del os.environ["CARTES_HOME"]
        else:
            os.environ["CARTES_HOME"] = saved
    value = keyring.get_password(service, f"default/{ADMIN}/refresh_token")
    assert value
    assert value.startswith("eyJ")
    assert not (cartes.home / "config" / "credentials.json").exists()
    assert cartes("logout").returncode == 0
    assert keyring.get_password(service, f"default/{ADMIN}/refresh_token") is None


def test_a_command_served_by_the_cached_access_token_leaves_the_keyring_alone(
    cartes: Cartes, tmp_path: Path
) -> None:
    """The refresh token stays in the keyring until a renewal is due: a command whose cached access
    token is good reads nothing there (no keyring library, no D-Bus round trip)."""
    if not cartes.keyring:
        pytest.skip("no Secret Service here (CI runs this inside dbus-run-session with gnome-keyring)")
    assert cartes.login(ADMIN).returncode == 0
    env, wire = tripwire(tmp_path)
    r = cartes("workspace", "list", "--json", "technical_name", env=env)
    assert r.returncode == 0, r
    assert {"technical_name": "ddt33"} in json.loads(r.stdout)
    assert not wire.exists(), wire.read_text()
    # A renewal does read it (the real keyring again), and the renewed login keeps working.
    assert cartes("login", "refresh").returncode == 0
    r = cartes("workspace", "list", "--json", "technical_name", env=env)
    assert r.returncode == 0, r
    assert not wire.exists(), wire.read_text()


def test_cartes_token_wins_and_the_keyring_is_never_touched(cartes: Cartes, tmp_path: Path) -> None:
    # Get a real access token from a normal login in another home.
    assert cartes.login(ADMIN).returncode == 0
    token = cartes("login", "token").stdout.strip()
    assert token.startswith("eyJ")
    env, wire = tripwire(tmp_path)
    env["CARTES_TOKEN"] = token
    r = cartes("workspace", "list", "--json", "technical_name", env=env)
    assert r.returncode == 0, r
    assert {"technical_name": "ddt33"} in json.loads(r.stdout)
    r = cartes("login", "status", "--json", "source,state,active", env=env)
    assert {"source": "CARTES_TOKEN", "state": "ok", "active": True} in json.loads(r.stdout)
    r = cartes("--env", "sandbox", "login", env=env)
    assert r.returncode == 0, r
    assert "CARTES_TOKEN" in r.stderr
    assert not wire.exists(), wire.read_text()


def test_service_account_from_the_environment(cartes: Cartes, tmp_path: Path) -> None:
    env, wire = tripwire(tmp_path)
    env.update({"CARTES_CLIENT_ID": "cartes-ci", "CARTES_CLIENT_SECRET": "ci-demo-secret-2026"})
    r = cartes("--env", "sandbox", "workspace", "list", "--json", "technical_name", env=env)
    assert r.returncode == 0, r
    r = cartes("--env", "sandbox", "login", "status", "--json", "source,state", env=env)
    assert {"source": "CARTES_CLIENT_ID", "state": "ok"} in json.loads(r.stdout)
    bad = dict(env, CARTES_CLIENT_SECRET="wrong-secret")
    r = cartes("--env", "sandbox", "workspace", "list", env=bad)
    assert r.returncode == 4, r
    assert "wrong-secret" not in r.stderr
    assert not wire.exists()
    half = {"CARTES_CLIENT_ID": "cartes-ci"}
    r = cartes("--env", "sandbox", "workspace", "list", env=half)
    assert r.returncode == 2, r
    assert "CARTES_CLIENT_SECRET" in r.stderr


def test_with_token_from_stdin(cartes: Cartes, tmp_path: Path) -> None:
    assert cartes.login(ADMIN).returncode == 0
    token = cartes("login", "token").stdout.strip()
    other = Cartes(tmp_path / "other", cartes.sandbox, cartes.keyring)
    storage = () if other.keyring else ("--insecure-storage",)
    r = other(
        "--env", "sandbox", "--profile", "pipeline", "login", "--with-token", *storage, input=token + "\n"
    )
    assert r.returncode == 0, r
    assert token not in r.stdout + r.stderr
    r = other("--profile", "pipeline", "workspace", "list", "--json", "technical_name")
    assert r.returncode == 0, r
    r = other("--env", "sandbox", "login", "--with-token", *storage, input="not a token\n")
    assert r.returncode == 2, r
    r = other("--env", "sandbox", "login", "--with-token", *storage, input="")
    assert r.returncode == 2, r


def test_profiles_switch_token_refresh_and_logout_all(cartes: Cartes) -> None:
    assert cartes.login(ADMIN, profile="gironde").returncode == 0
    assert cartes.login("claire.moreau", profile="staff").returncode == 0
    r = cartes("login", "status", "--json", "profile,active,user,state")
    rows = {row["profile"]: row for row in json.loads(r.stdout)}
    # A login with --profile does not switch: the first profile stays the active one.
    assert rows["gironde"]["active"] is True
    assert rows["staff"]["state"] == "ok"
    assert cartes("login", "switch", "staff").returncode == 0
    r = cartes("login", "status", "--json", "profile,active")
    assert {"profile": "staff", "active": True} in json.loads(r.stdout)
    assert cartes("login", "switch", "gironde").returncode == 0
    r = cartes("login", "status", "--json", "profile,active")
    assert {"profile": "gironde", "active": True} in json.loads(r.stdout)
    r = cartes("login", "switch", "nowhere")
    assert r.returncode == 2, r
    r = cartes("login", "token")
    assert r.returncode == 0
    assert r.stdout.count("\n") == 1
    assert r.stdout.startswith("eyJ")
    assert r.stderr == ""
    r = cartes("login", "refresh")
    assert r.returncode == 0, r
    assert "renewed" in r.stderr
    r = cartes("logout", "--all")
    assert r.returncode == 0, r
    r = cartes("login", "status", "--json", "profile,state")
    assert all(row["state"] == "not logged in" for row in json.loads(r.stdout))
    assert r.returncode == 1
