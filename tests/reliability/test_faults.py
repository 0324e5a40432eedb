"""The fault injector itself (``cartes sandbox serve --fault-rate``): replayable, each kind as a real
client meets it, after-apply faults really apply the change, and a rate of 0 costs nothing."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from cartes_cli.sandbox.app import ConnectionDropped
from cartes_cli.sandbox.domain.faults import AFTER_KINDS, FAULT_KINDS, FaultInjector, FaultSettings
from cartes_cli.sandbox.seed import demo_id
from tests.conftest import Sandbox, wait_until

from .conftest import Harness, fault_state, set_faults

pytestmark = pytest.mark.reliability

ME = "/api/users/me"
TOKEN = "/realms/geoplateforme/protocol/openid-connect/token"
DDT33 = demo_id("community", "ddt33")
TRANSPORT_DROPS = (httpx.RemoteProtocolError, httpx.ReadError)
"""What httpx raises when the server closes the connection without (completing) an answer."""


def _outcome(sb: Harness, token: str) -> int | str:
    """One GET /api/users/me in process: its status, or "drop"."""
    try:
        return sb.get(ME, token=token).status_code
    except ConnectionDropped:
        return "drop"


def test_rate_zero_injects_nothing_and_never_draws(
    make_harness: Callable[..., Harness], monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = make_harness()  # the default: no fault injection
    assert sb.sandbox.faults.rate == 0

    def draw(path: str) -> str | None:
        raise AssertionError("the fault generator was consulted at rate 0")

    monkeypatch.setattr(sb.sandbox.faults, "draw", draw)
    token = sb.access_token("julien.lefebvre")
    assert [_outcome(sb, token) for _ in range(100)] == [200] * 100
    state = sb.get("/sandbox/faults").json()
    assert (state["rate"], state["considered"], state["injected"], state["records"]) == (0.0, 0, 0, [])
    assert set(state["by_kind"]) == set(FAULT_KINDS)
    assert all(entry["fault"] is None for entry in sb.get("/sandbox/log", params={"limit": 1000}).json())
    assert set(sb.get("/sandbox/stats").json()["faults_injected"].values()) == {0}


def test_same_seed_and_order_replay_the_same_faults(make_harness: Callable[..., Harness]) -> None:
    kinds = ("500", "502", "503", "429", "drop", "after-500", "after-502", "after-drop")
    sb = make_harness(fault_rate=0.5, fault_seed=1234, fault_kinds=kinds, fault_scope=("api",))
    token = sb.access_token("julien.lefebvre")  # the token endpoint is out of this scope

    def run() -> tuple[list[int | str], list[tuple[int, str]]]:
        last = sb.get("/sandbox/faults", params={"limit": 1}).json()["injected"]
        outcomes = [_outcome(sb, token) for _ in range(80)]
        records = sb.get("/sandbox/faults", params={"since": last}).json()["records"]
        return outcomes, [(r["request"], r["kind"]) for r in records]

    first, first_records = run()
    assert sb.client.put("/sandbox/faults", json={"seed": 1234}).status_code == 200  # restart the sequence
    second, second_records = run()
    assert second == first
    assert second_records == first_records
    assert 25 <= len(first_records) <= 55  # about half of 80
    assert {kind for _, kind in first_records} == set(kinds)  # 40 draws over 8 kinds: all of them

    # The sequence is the generator's, request by request: a fault where it says, 200 elsewhere.
    generator = FaultInjector(
        FaultSettings(rate=0.5, seed=1234, kinds=kinds, scope=("api",)), token_path=TOKEN
    )
    expected_status = {"500": 500, "502": 502, "503": 503, "429": 429, "after-500": 500, "after-502": 502}
    expected = []
    for _ in range(80):
        kind = generator.draw(ME)
        expected.append(200 if kind is None else expected_status.get(kind, "drop"))
    assert first == expected

    sb.client.put("/sandbox/faults", json={"seed": 99})
    other, _ = run()
    assert other != first


def test_each_kind_as_a_real_httpx_client_meets_it(faulty_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = faulty_sandbox(rate=1.0, seed=5, kinds="500", scope="api", retry_after=3, delay=1.5)
    assert wait_until(
        lambda: any("FAULT INJECTION on" in line and "seed 5" in line for line in sandbox.stderr_lines)
    )
    url = sandbox.api_url + "/users/me"
    seen: dict[str, Any] = {}
    with httpx.Client(timeout=0.5) as client:
        for kind in FAULT_KINDS:
            set_faults(sandbox, kinds=[kind])
            try:
                seen[kind] = client.get(url)
            except httpx.TransportError as exc:
                seen[kind] = exc
    for kind in ("500", "503", "429", "after-500"):
        response = seen[kind]
        assert isinstance(response, httpx.Response), (kind, response)
        assert response.status_code == int(kind.removeprefix("after-"))
        assert response.headers["x-sandbox-fault"] == kind
        body = response.json()
        assert isinstance(body["error_description"], list), body  # the Entrepôt API's error shape
    assert seen["429"].headers["retry-after"] == "3"
    for kind in ("502", "after-502"):  # a gateway's HTML page, not the API's JSON
        assert seen[kind].status_code == 502
        assert seen[kind].headers["content-type"].startswith("text/html")
    for kind in ("drop", "after-drop"):
        assert isinstance(seen[kind], TRANSPORT_DROPS), (kind, seen[kind])
    assert isinstance(seen["slow"], httpx.ReadTimeout)

    # The token endpoint, in its own scope, answers faults in Keycloak's error shape.
    set_faults(sandbox, kinds=["503"], scope=["token"])
    token = httpx.post(
        sandbox.issuer + "/protocol/openid-connect/token",
        data={"grant_type": "password", "client_id": "gpf-warehouse", "username": "x", "password": "y"},
        timeout=5,
    )
    assert token.status_code == 503
    assert isinstance(token.json()["error_description"], str)
    assert httpx.get(url, timeout=5).status_code == 401  # /api is out of that scope now

    # Never on the sandbox's own routes, whatever the scope.
    set_faults(sandbox, kinds=["all"], scope=["api", "token", "oidc"])
    for path in ("/sandbox/health", "/sandbox/stats", "/sandbox/outbox", "/sandbox/log", "/"):
        assert httpx.get(sandbox.base_url + path, timeout=5).status_code == 200, path

    time.sleep(1.2)  # the slow request finishes on the server (1.5 s after it came)
    records = fault_state(sandbox)["records"]
    on_me = [r for r in records if r["path"] == ME]  # recorded once answered: the slow one last
    assert sorted(r["kind"] for r in on_me) == sorted(FAULT_KINDS)
    statuses = {r["kind"]: r["status"] for r in on_me}
    assert statuses["drop"] == statuses["after-drop"] == 0
    assert statuses["slow"] == 401  # served late: the route ran (no token here)
    assert [(r["kind"], r["status"]) for r in records if r["path"] != ME] == [("503", 503)]
    # Clean drops: uvicorn neither complained nor answered a 500 of its own.
    noise = [line for line in sandbox.stderr_lines if "ASGI" in line or "Traceback" in line]
    assert noise == []


def _accept(sandbox: Sandbox, token: str, request_id: str, *, timeout: float = 5) -> int | str:
    try:
        response = httpx.post(
            f"{sandbox.api_url}/requests/{request_id}/accept",
            json={"rights": ["UPLOAD"]},
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )
    except TRANSPORT_DROPS:
        return "drop"
    except httpx.ReadTimeout:
        return "timeout"
    return response.status_code


def _request(sandbox: Sandbox, token: str, request_id: str) -> dict[str, Any]:
    response = httpx.get(
        f"{sandbox.api_url}/requests/{request_id}", headers={"Authorization": f"Bearer {token}"}, timeout=5
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def test_after_apply_faults_lose_the_answer_not_the_change(
    faulty_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sandbox = faulty_sandbox(rate=0.0, scope="api", delay=1.0)
    token = sandbox.access_token("julien.lefebvre")
    fixture = httpx.post(
        sandbox.base_url + "/sandbox/fixtures/join-requests",
        json={"community": "ddt33", "count": 4},
        timeout=10,
    ).json()
    requests, users = fixture["requests"], fixture["users"]

    for request_id, kind in zip(requests, AFTER_KINDS, strict=False):
        set_faults(sandbox, rate=1.0, kinds=[kind])
        assert _accept(sandbox, token, request_id) == {"after-500": 500, "after-502": 502}.get(kind, "drop")
        set_faults(sandbox, rate=0.0)
        record = _request(sandbox, token, request_id)
        assert record["status"] == "accepted", kind  # the change was made…
        assert record["rights"] == ["UPLOAD"]
        assert record["decided_by"]["_id"] == demo_id("user", "julien.lefebvre")
        # … once: one decision e-mail, and the retry a client would make changes nothing.
        outbox = httpx.get(sandbox.base_url + "/sandbox/outbox", params={"related": request_id}, timeout=5)
        assert len(outbox.json()) == 1, kind
        retry = httpx.post(
            f"{sandbox.api_url}/requests/{request_id}/accept",
            json={"rights": ["UPLOAD"]},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        assert retry.status_code == 200
        assert retry.json()["unchanged"] is True
        assert (
            len(httpx.get(sandbox.base_url + "/sandbox/outbox", params={"related": request_id}).json()) == 1
        )

    members = httpx.get(
        f"{sandbox.api_url}/communities/{DDT33}/users",
        params={"limit": 50},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    ).json()
    member_ids = {m["user"]["_id"] for m in members}
    assert set(users[:3]) <= member_ids
    assert users[3] not in member_ids

    # A slow answer: the client gives up, the change lands late anyway.
    set_faults(sandbox, rate=1.0, kinds=["slow"])
    assert _accept(sandbox, token, requests[3], timeout=0.3) == "timeout"
    set_faults(sandbox, rate=0.0)
    assert _request(sandbox, token, requests[3])["status"] == "pending"
    deadline = time.monotonic() + 5
    while _request(sandbox, token, requests[3])["status"] == "pending" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _request(sandbox, token, requests[3])["status"] == "accepted"


def test_faults_show_in_the_log_the_stats_and_the_record(make_harness: Callable[..., Harness]) -> None:
    sb = make_harness(fault_rate=1.0, fault_seed=3, fault_kinds=("503",), fault_scope=("api",))
    token = sb.access_token("julien.lefebvre")
    assert [_outcome(sb, token) for _ in range(3)] == [503, 503, 503]
    log = [e for e in sb.get("/sandbox/log", params={"limit": 100}).json() if e["path"] == ME]
    assert [(e["status"], e["fault"]) for e in log] == [(503, "503")] * 3
    state = sb.get("/sandbox/faults").json()
    assert [r["log_seq"] for r in state["records"]] == [e["seq"] for e in log]
    assert [r["request"] for r in state["records"]] == [1, 2, 3]
    assert [(r["method"], r["path"], r["status"]) for r in state["records"]] == [("GET", ME, 503)] * 3
    stats = sb.get("/sandbox/stats").json()
    assert stats["faults_injected"]["503"] == 3
    assert stats["api_errors"] == 3
    sb.client.post("/sandbox/stats/reset")
    assert sb.get("/sandbox/stats").json()["faults_injected"]["503"] == 0
    assert sb.get("/sandbox/faults").json()["injected"] == 3  # the record is kept over the server's life


def test_faults_are_switched_at_run_time(make_harness: Callable[..., Harness]) -> None:
    sb = make_harness()
    token = sb.access_token("julien.lefebvre")
    put = sb.client.put("/sandbox/faults", json={"rate": 1, "kinds": ["after"], "scope": ["api"], "seed": 8})
    assert put.status_code == 200
    state = put.json()
    assert (state["rate"], state["seed"], state["kinds"], state["scope"]) == (
        1.0,
        8,
        list(AFTER_KINDS),
        ["api"],
    )
    assert _outcome(sb, token) in (500, 502, "drop")
    assert sb.client.put("/sandbox/faults", json={"rate": 0}).status_code == 200
    assert _outcome(sb, token) == 200
    for bad in (
        {"rate": 1.5},
        {"rate": -0.1},
        {"kinds": ["nope"]},
        {"kinds": []},
        {"scope": ["sandbox"]},
        {"retry_after": -1},
        {"delay": 0},
        {"seed": -1},
        {"unknown": 1},
    ):
        response = sb.client.put("/sandbox/faults", json=bad)
        assert response.status_code == 400, bad
        assert response.json()["error"] == "bad_request"
    assert (
        "kinds: unknown fault kind 'nope'" in sb.client.put("/sandbox/faults", json={"kinds": ["nope"]}).text
    )
    assert sb.get("/sandbox/faults").json()["rate"] == 0.0  # refused settings changed nothing


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--fault-kinds", "nope"], "unknown fault kind 'nope'"),
        (["--fault-kinds", ","], "no fault kind given"),
        (["--fault-scope", "sandbox"], "unknown scope 'sandbox'"),
        (["--fault-rate", "1.5"], "--fault-rate"),
        (["--fault-delay", "0"], "--fault-delay"),
    ],
)
def test_serve_refuses_bad_fault_settings(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cartes_cli.cli.main import run

    code = run(["sandbox", "serve", "--data", str(tmp_path / "data"), *argv])
    captured = capsys.readouterr()
    assert code == 2
    assert message in captured.err
    assert "Traceback" not in captured.err
    assert not (tmp_path / "data").exists()  # refused before anything was created
