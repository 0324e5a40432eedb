"""What the client's unit tests share: a platform at made-up addresses, ids, answers of the API,
and small helpers. The fixtures (``mock``, ``client``, ``anonymous``) are in ``conftest.py``."""

from __future__ import annotations

import json
from typing import Any

import respx

from cartes_cli.client.retry import RetryPolicy
from cartes_cli.platforms import Platform

ROOT = "https://data.test"
API = ROOT + "/api"
ISSUER = "https://sso.test/realms/geoplateforme"
PLATFORM = Platform(name="test", api_url=API, issuer=ISSUER)
C1 = "11111111-1111-4111-8111-111111111111"
C2 = "22222222-2222-4222-8222-222222222222"
U1 = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
R1 = "ffffffff-0000-4000-8000-000000000001"
ACCESS = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLW9uZQ"
NO_RETRY = RetryPolicy.never()


def no_sleep(seconds: float) -> None:
    """Retries in these tests do not wait."""


def body(route: respx.Route) -> Any:
    """The JSON body of the last request ``route`` received."""
    return json.loads(route.calls.last.request.content)


def request_json(**changes: Any) -> dict[str, Any]:
    return {
        "_id": R1,
        "type": "join",
        "status": "pending",
        "requester": {"_id": U1, "email": "dave@ign.fr", "first_name": "Dave", "last_name": "Lopper"},
        "community": {"_id": C1, "name": "Tutoriels", "technical_name": "tutoriels"},
        "message": "Bonjour",
        "rights": [],
        "creation": "2025-03-01T10:00:00Z",
        "update": "2025-03-01T10:00:00Z",
        **changes,
    }
