"""``client.sandbox`` (the sandbox's own routes) against a respx-mocked platform."""

from __future__ import annotations

import pytest
import respx

from cartes_cli.client import GeoplateformeClient
from cartes_cli.client.errors import (
    InvalidResponse,
)
from cartes_cli.client.retry import RetryPolicy
from tests.client.fakes import API, PLATFORM, R1, ROOT, U1


def test_outbox(mock: respx.MockRouter, client: GeoplateformeClient) -> None:
    route = mock.get(f"{ROOT}/sandbox/outbox").respond(
        200,
        json=[
            {
                "_id": "m1",
                "to": "Dave@IGN.fr",
                "subject": "Demande reçue",
                "body": "…",
                "related": {"request": R1},
                "creation": "2025-03-01T10:00:00Z",
            },
            {
                "_id": "m2",
                "to": ["eve@ign.fr", "dave@ign.fr"],
                "subject": "Décision",
                "body": "…",
                "related": R1,
            },
        ],
    )
    messages = client.sandbox.outbox()
    assert [m.id for m in messages] == ["m1", "m2"]
    assert messages[0].to == ["Dave@IGN.fr"]
    assert messages[0].related == {"request": R1}
    assert [m.id for m in client.sandbox.outbox(to="dave@ign.fr")] == ["m1", "m2"]
    assert [m.id for m in client.sandbox.outbox(to="eve@ign.fr")] == ["m2"]
    assert "authorization" not in route.calls.last.request.headers
    route.respond(200, json={"messages": [{"_id": "m3"}]})
    assert client.sandbox.outbox()[0].to == []
    route.respond(200, json={"oops": 1})
    with pytest.raises(InvalidResponse):
        client.sandbox.outbox()


def test_sandbox_routes_carry_no_credentials(mock: respx.MockRouter) -> None:
    from cartes_cli.auth.httpx_auth import BearerAuth
    from cartes_cli.auth.session import TokenManager

    caps = mock.get(f"{ROOT}/sandbox/capabilities").respond(200, json={"sandbox": True})
    me_route = mock.get(f"{API}/users/me").respond(200, json={"_id": U1})
    with GeoplateformeClient(
        PLATFORM, auth=BearerAuth(TokenManager.static("tok")), retry=RetryPolicy.never()
    ) as c:
        c.capabilities()
        c.users.me()
    assert "authorization" not in caps.calls.last.request.headers
    assert me_route.calls.last.request.headers["authorization"] == "Bearer tok"
