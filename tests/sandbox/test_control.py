"""Sandbox-only routes: capabilities, health, stats, the request log, the OpenAPI document."""

from __future__ import annotations

from cartes_cli import __version__
from cartes_cli.sandbox.schemas import Capabilities, LogEntry, Stats

from .conftest import DEMO_PASSWORD, Harness


def test_capabilities_and_health_need_no_token(sb: Harness) -> None:
    caps = Capabilities.model_validate(sb.get("/sandbox/capabilities").json())
    assert caps.sandbox is True
    assert caps.version == __version__
    assert caps.schema_version >= 1
    assert isinstance(caps.features, list)
    assert sb.get("/sandbox/health").json() == {"status": "ok"}


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
    assert index["api_url"] == "http://testserver/api"
    assert index["issuer"] == "http://testserver/realms/geoplateforme"
