"""``serve()``: the real server in a subprocess (ready line, signals, state file, restart), and
the start-up failures in process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from cartes_cli.sandbox.server import _DataDirLock, serve
from tests.conftest import WAREHOUSE

from .conftest import DEMO_PASSWORD

READY_KEYS = {"event", "base_url", "api_url", "issuer", "pid", "data_dir"}


@dataclass
class Running:
    proc: subprocess.Popen[str]
    info: dict[str, object]
    stderr: list[str] = field(default_factory=list)
    drain: threading.Thread | None = None

    def stop(self, sig: int) -> tuple[int, str]:
        """Send ``sig``, wait, and return the exit status and what stdout had after the ready line."""
        self.proc.send_signal(sig)
        try:
            code = self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            pytest.fail("the sandbox did not stop")
        assert self.proc.stdout is not None
        assert self.proc.stderr is not None
        rest = self.proc.stdout.read()
        if self.drain is not None:
            self.drain.join(5)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return code, rest


def start(home: Path, data: Path, *extra: str) -> Running:
    env = {**os.environ, "CARTES_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "cartes_cli.sandbox", "serve", "--port", "0", "--data", str(data), *extra]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, env=env
    )
    running = Running(proc, {})

    def drain() -> None:
        assert proc.stderr is not None
        running.stderr.extend(proc.stderr)

    def read_ready() -> None:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if line:
            running.info.update(json.loads(line))

    running.drain = threading.Thread(target=drain, daemon=True)
    running.drain.start()
    reader = threading.Thread(target=read_ready, daemon=True)
    reader.start()
    reader.join(30)
    if not running.info:
        proc.kill()
        proc.wait(5)
        pytest.fail(f"the sandbox did not start: {''.join(running.stderr)[-2000:]}")
    return running


def test_serve_for_real_then_restart_on_the_same_data(tmp_path: Path) -> None:
    home, data = tmp_path / "home", tmp_path / "data"
    state_file = home / "state" / "sandbox.json"

    first = start(home, data, "--seed", "demo")
    info = first.info
    assert set(info) == READY_KEYS
    assert info["event"] == "ready"
    assert info["pid"] == first.proc.pid
    base = str(info["base_url"])
    assert base.startswith("http://127.0.0.1:")
    assert info["api_url"] == base + "/api"
    assert info["issuer"] == base + "/realms/geoplateforme"
    assert info["data_dir"] == str(data.resolve())
    assert json.loads(state_file.read_text(encoding="utf-8")) == info

    token_url = f"{info['issuer']}/protocol/openid-connect/token"
    login = httpx.post(
        token_url,
        data={
            "grant_type": "password",
            **WAREHOUSE,
            "username": "julien.lefebvre",
            "password": DEMO_PASSWORD,
        },
        timeout=10,
    )
    assert login.status_code == 200, login.text
    tokens = login.json()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = httpx.get(f"{info['api_url']}/users/me", headers=bearer, timeout=10)
    assert me.status_code == 200
    assert me.json()["email"] == "julien.lefebvre@ddt-gironde.test"
    catalogue = httpx.get(f"{info['api_url']}/catalogs/communities", headers=bearer, timeout=10)
    assert catalogue.headers["content-range"] == "0-9/30"

    code, rest_of_stdout = first.stop(signal.SIGTERM)
    assert code == 0
    assert rest_of_stdout == ""  # exactly one line on stdout
    assert not state_file.exists()
    stderr = "".join(first.stderr)
    assert "Traceback" not in stderr
    assert "julien.lefebvre" in stderr  # the human-readable banner
    for secret in (tokens["access_token"], tokens["refresh_token"]):
        assert secret not in stderr

    # Same data directory, no seed: the data, the signing key and the session survived.
    second = start(home, data)
    assert second.info["base_url"] != ""
    api = str(second.info["api_url"])
    assert httpx.get(f"{api}/users/me", headers=bearer, timeout=10).status_code == 200
    refreshed = httpx.post(
        f"{second.info['issuer']}/protocol/openid-connect/token",
        data={
            "grant_type": "refresh_token",
            **WAREHOUSE,
            "refresh_token": tokens["refresh_token"],
        },
        timeout=10,
    )
    assert refreshed.status_code == 200, refreshed.text
    code, _ = second.stop(signal.SIGINT)
    assert code == 0
    assert "Traceback" not in "".join(second.stderr)
    assert not state_file.exists()


def test_unknown_seed_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert serve(data_dir=tmp_path / "data", seed="nope") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Unknown seed 'nope'" in captured.err
    assert "demo" in captured.err
    assert not (tmp_path / "data").exists()


def test_bad_settings_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert serve(data_dir=tmp_path, token_ttl=0) == 2
    assert serve(data_dir=tmp_path, latency_ms=-5) == 2
    assert serve(data_dir=tmp_path, port=70000) == 2
    assert capsys.readouterr().out == ""


def test_port_in_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert serve(port=port, data_dir=tmp_path / "data") == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"127.0.0.1:{port}" in captured.err


def test_data_directory_used_by_another_server(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    data.mkdir()
    lock = _DataDirLock(data)
    try:
        assert serve(data_dir=data) == 1
    finally:
        lock.release()
    assert "already using" in capsys.readouterr().err


def test_serve_options_and_an_access_log_without_query_strings(tmp_path: Path) -> None:
    """The new serve options reach the server; the access log never shows query strings (login
    URLs carry user codes, broker codes and states there)."""
    running = start(
        tmp_path / "home",
        tmp_path / "data",
        "--seed",
        "demo",
        "--log-requests",
        "--no-requests-api",
        "--device-interval",
        "2",
        "--device-expires-in",
        "40",
        "--scriptable-captchas",
        "--password-max-age-days",
        "100000",
    )
    issuer, api = str(running.info["issuer"]), str(running.info["api_url"])
    base = str(running.info["base_url"])
    features = httpx.get(f"{base}/sandbox/capabilities", timeout=10).json()["features"]
    assert "requests" not in features
    device = httpx.post(
        f"{issuer}/protocol/openid-connect/auth/device", data={"client_id": "cartes-cli"}, timeout=10
    )
    assert (device.json()["interval"], device.json()["expires_in"]) == (2, 40)
    user_code = device.json()["user_code"]
    page = httpx.get(f"{issuer}/device", params={"user_code": user_code}, timeout=10)
    assert page.status_code == 200
    login = httpx.post(
        f"{issuer}/protocol/openid-connect/token",
        data={"grant_type": "password", **WAREHOUSE, "username": "julien.lefebvre",
              "password": DEMO_PASSWORD},
        timeout=10,
    )  # fmt: skip
    bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert httpx.get(f"{api}/requests", headers=bearer, timeout=10).status_code == 404
    captcha = httpx.get(f"{api}/accounts/captcha", timeout=10).json()
    assert len(captcha["answer"]) == 6  # --scriptable-captchas
    assert captcha["audio_url"].startswith(f"{api}/accounts/captcha/")
    expired = {"grant_type": "password", **WAREHOUSE, "username": "paul.mercier"}
    expired["password"] = DEMO_PASSWORD
    token = httpx.post(f"{issuer}/protocol/openid-connect/token", data=expired, timeout=10)
    assert token.status_code == 200  # --password-max-age-days 100000: not expired any more
    code, _ = running.stop(signal.SIGTERM)
    assert code == 0
    stderr = "".join(running.stderr)
    assert "/realms/geoplateforme/device" in stderr  # the access log is on
    assert user_code not in stderr
    assert "user_code" not in stderr
    assert "Request API off" in stderr
    assert "Scriptable captchas" in stderr
    assert captcha["answer"] not in stderr


def test_access_log_filter_keeps_the_path_only() -> None:
    import logging

    from cartes_cli.sandbox.server import DropQueryString

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/realms/geoplateforme/device?user_code=WDJB-MJHT", "1.1", 200),
        None,
    )
    assert DropQueryString().filter(record)
    assert record.getMessage() == '127.0.0.1:5 - "GET /realms/geoplateforme/device HTTP/1.1" 200'


def test_serve_accepts_the_new_settings_as_keywords(tmp_path: Path) -> None:
    from dataclasses import fields

    from cartes_cli.sandbox.config import SandboxConfig

    defaults = {f.name: f.default for f in fields(SandboxConfig)}
    assert defaults["requests_api"] is True
    assert defaults["device_interval"] == 5
    assert defaults["device_expires_in"] == 600
    assert defaults["accounts_api"] is True
    assert defaults["scriptable_captchas"] is False
    assert defaults["password_max_age_days"] == 365
    # serve() takes every setting by name (and checks it), and no other name.
    assert serve(data_dir=tmp_path / "data", device_interval=0, requests_api=False) == 2
    with pytest.raises(TypeError):
        serve(data_dir=tmp_path / "data", no_such_setting=1)


def test_module_entry_point_flags() -> None:
    from cartes_cli.sandbox.__main__ import _parser

    defaults = _parser().parse_args(["serve"])
    assert (defaults.accounts_api, defaults.scriptable_captchas, defaults.password_max_age_days) == (
        True,
        False,
        365,
    )
    chosen = _parser().parse_args(
        ["serve", "--no-accounts-api", "--scriptable-captchas", "--password-max-age-days", "7"]
    )
    assert (chosen.accounts_api, chosen.scriptable_captchas, chosen.password_max_age_days) == (
        False,
        True,
        7,
    )
