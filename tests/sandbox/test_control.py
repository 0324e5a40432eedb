"""Sandbox-only routes: capabilities, health, stats, the request log, the OpenAPI document."""

from __future__ import annotations

import pytest

from cartes_cli import __version__
from cartes_cli.sandbox.routes.schemas import Capabilities, LogEntry, Stats

from .conftest import DEMO_PASSWORD, Harness, demo_id


def test_capabilities_and_health_need_no_token(sb: Harness) -> None:
    caps = Capabilities.model_validate(sb.get("/sandbox/capabilities").json())
    assert caps.sandbox is True
    assert caps.version == __version__
    assert caps.schema_version >= 1
    assert caps.features == [
        "web-login",
        "device",
        "client-credentials",
        "requests",
        "join-forms",
        "accounts",
        "outbox",
        "support-mail",
        "admin-credentials",
        "fixtures",
        "faults",
    ]
    assert sb.get("/sandbox/health").json() == {"status": "ok", "problems": []}


def test_stats_count_grants_and_api_requests(sb: Harness) -> None:
    start = Stats.model_validate(sb.get("/sandbox/stats").json())
    assert start.api_requests == 0
    assert set(start.token_grants) >= {"password", "refresh_token", "client_credentials"}
    assert all(n == 0 for n in start.token_grants.values())

    tokens = sb.tokens("julien.lefebvre")
    sb.refresh(tokens["refresh_token"])
    sb.login("julien.lefebvre", "Wrong-Password-42!!")
    sb.get("/api/users/me", token=tokens["access_token"])
    sb.get("/api/catalogs/communities", token=tokens["access_token"])
    sb.get("/api/users/me")  # 401

    stats = Stats.model_validate(sb.get("/sandbox/stats").json())
    assert stats.token_grants["password"] == 1
    assert stats.token_grants["refresh_token"] == 1
    assert stats.token_errors == {"invalid_grant": 1}
    assert stats.api_requests == 3
    assert stats.api_errors == 1
    assert stats.active_sessions == 1
    assert stats.refresh_reuse_detected == 0

    assert sb.client.post("/sandbox/stats/reset").status_code == 204
    reset = Stats.model_validate(sb.get("/sandbox/stats").json())
    assert reset.api_requests == 0
    assert reset.token_grants["password"] == 0
    assert set(reset.token_grants) == {
        "password",
        "refresh_token",
        "client_credentials",
        "authorization_code",
        "urn:ietf:params:oauth:grant-type:device_code",
    }


def test_log_lists_requests_without_secrets(sb: Harness) -> None:
    tokens = sb.tokens("julien.lefebvre")
    sb.get("/api/users/me", token=tokens["access_token"])
    sb.get("/api/catalogs/communities", token=tokens["access_token"], params={"page": 2})
    sb.get("/api/nope", token=tokens["access_token"])

    response = sb.get("/sandbox/log", params={"limit": 3})
    entries = [LogEntry.model_validate(e) for e in response.json()]
    assert [(e.method, e.path, e.status) for e in entries] == [
        ("GET", "/api/users/me", 200),
        ("GET", "/api/catalogs/communities", 200),
        ("GET", "/api/nope", 404),
    ]
    assert all(e.duration_ms >= 0 for e in entries)
    everything = response.text + sb.get("/sandbox/log").text
    for secret in (tokens["access_token"], tokens["refresh_token"], DEMO_PASSWORD, "page=2"):
        assert secret not in everything
    token_entry = sb.get("/sandbox/log").json()[0]
    assert token_entry["path"] == "/realms/geoplateforme/protocol/openid-connect/token"
    assert sb.get("/sandbox/log", params={"limit": 0}).status_code == 400


def test_openapi_document_lists_the_routes(sb: Harness) -> None:
    doc = sb.get("/openapi.json").json()
    paths = doc["paths"]
    for path in (
        "/api/users/me",
        "/api/catalogs/communities",
        "/api/communities/{community_id}",
        "/api/datastores/{datastore_id}",
        "/realms/geoplateforme/protocol/openid-connect/token",
        "/sandbox/stats",
    ):
        assert path in paths, path
    assert paths["/api/users/me"]["get"]["summary"]
    schema_ref = paths["/api/users/me"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema_ref["$ref"].endswith("/UserMe")
    assert "_id" in doc["components"]["schemas"]["UserMe"]["properties"]


def test_index_points_to_the_apis(sb: Harness) -> None:
    index = sb.get("/").json()
    assert index["api_url"] == "http://127.0.0.1/api"
    assert index["issuer"] == "http://127.0.0.1/realms/geoplateforme"


def test_log_sequence_proves_that_nothing_was_sent(sb: Harness) -> None:
    first = sb.get("/sandbox/log", params={"limit": 1})
    before = int(first.headers["x-sandbox-log-seq"])
    sb.get("/api/catalogs/communities", as_user="julien.lefebvre")
    after = sb.get("/sandbox/log", params={"since": before})
    entries = [LogEntry.model_validate(e) for e in after.json()]
    assert [e.seq for e in entries] == sorted(e.seq for e in entries)
    assert all(e.seq > before for e in entries)
    paths = [e.path for e in entries if not e.path.startswith("/sandbox/")]
    assert paths == ["/realms/geoplateforme/protocol/openid-connect/token", "/api/catalogs/communities"]
    # "Nothing in between": the next read since the last seq shows only the reads themselves.
    last = int(after.headers["x-sandbox-log-seq"])
    quiet = sb.get("/sandbox/log", params={"since": last}).json()
    assert [e["path"] for e in quiet] == ["/sandbox/log"]
    assert sb.get("/sandbox/log", params={"since": last, "limit": 1}).json()[0]["seq"] == last + 1


def test_fixture_join_requests(sb: Harness) -> None:
    import time

    started = time.perf_counter()
    response = sb.client.post("/sandbox/fixtures/join-requests", json={"community": "ddt33", "count": 2000})
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.text
    body = response.json()
    assert len(body["users"]) == len(body["requests"]) == 2000
    assert len(set(body["requests"])) == 2000
    assert elapsed < 3
    listed = sb.get("/api/requests", as_user="julien.lefebvre", params={"status": "pending", "limit": 50})
    assert listed.headers["content-range"] == "0-49/2004"
    last_page = sb.get(
        "/api/requests", as_user="julien.lefebvre", params={"status": "pending", "limit": 50, "page": 41}
    )
    assert [r["_id"] for r in last_page.json()][-1] == body["requests"][-1]
    # The fixture users can log in, and are the requesters.
    user = sb.sandbox.store.users.get(body["users"][0])
    assert user is not None
    token = sb.tokens(user.username)["access_token"]
    mine = sb.get("/api/users/me/requests", token=token).json()
    assert [r["_id"] for r in mine] == [body["requests"][0]]
    assert sb.get("/sandbox/outbox", params={"related": body["requests"][0]}).json() == []


def test_fixture_join_requests_with_emails_and_errors(sb: Harness) -> None:
    ecrins = demo_id("community", "pn_ecrins")
    response = sb.client.post(
        "/sandbox/fixtures/join-requests", json={"community": ecrins, "count": 3, "notify": True}
    )
    assert response.status_code == 201
    first = response.json()["requests"][0]
    assert len(sb.get("/sandbox/outbox", params={"related": first}).json()) == 2
    missing = sb.client.post("/sandbox/fixtures/join-requests", json={"community": "nope", "count": 1})
    assert missing.status_code == 404
    for bad in ({"community": "ddt33", "count": 0}, {"community": "ddt33"}, {"count": 3}):
        assert sb.client.post("/sandbox/fixtures/join-requests", json=bad).status_code == 400


def test_fixture_communities(sb: Harness) -> None:
    response = sb.client.post("/sandbox/fixtures/communities", json={"count": 1000})
    assert response.status_code == 201
    body = response.json()
    assert len(body["communities"]) == 1000
    catalogue = sb.get("/api/catalogs/communities", as_user="julien.lefebvre", params={"limit": 50})
    assert catalogue.headers["content-range"] == "0-49/1030"
    found = sb.get(
        "/api/catalogs/communities", as_user="julien.lefebvre", params={"name": "Espace de test 00999"}
    )
    assert [c["_id"] for c in found.json()] == [body["communities"][998]]
    again = sb.client.post("/sandbox/fixtures/communities", json={"count": 2, "prefix": "Autre lot"})
    assert again.status_code == 201  # a second batch never collides with the first
    detail = sb.get(f"/api/communities/{body['communities'][0]}", as_user="julien.lefebvre").json()
    assert detail["supervisor"]["_id"] == body["supervisor"]


# --- the control routes answer this machine's scripts only -------------------------------------------


def test_a_text_plain_body_is_refused_before_anything_is_created(sb: Harness) -> None:
    before = sb.sandbox.store.meta.counts()
    # What a web page's <form enctype="text/plain"> can send to 127.0.0.1 without any preflight.
    r = sb.client.post(
        "/sandbox/fixtures/join-requests",
        content=b'{"community": "ddt67", "count": 5}',
        headers={"Content-Type": "text/plain"},
    )
    assert r.status_code == 415
    assert "JSON" in " ".join(r.json()["error_description"])
    assert sb.sandbox.store.meta.counts() == before  # nobody and nothing was created


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "rebinding.evil.test"},  # DNS rebinding: a page's own name pointed at 127.0.0.1
        {"Host": "rebinding.evil.test:8123"},
        {"Origin": "https://evil.test"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_cross_site_and_rebinding_requests_are_refused(sb: Harness, headers: dict[str, str]) -> None:
    r = sb.client.get("/sandbox/outbox", headers=headers)
    assert r.status_code == 403
    assert r.json()["error"] == "forbidden"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Host": "localhost:8123"},
        {"Host": "[::1]:8123"},
        {"Origin": "http://127.0.0.1:8123"},
        {"Sec-Fetch-Site": "none"},
    ],
)
def test_scripts_on_this_machine_are_served(sb: Harness, headers: dict[str, str]) -> None:
    assert sb.client.get("/sandbox/outbox", headers=headers).status_code == 200
    r = sb.client.post("/sandbox/stats/reset", headers=headers)
    assert r.status_code == 204
