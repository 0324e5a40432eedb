"""The permission matrix (issue 7, item 5): every mutating route of the sandbox that acts for the
bearer of an access token × who calls it → the expected status, in every cell; a refusal changes
no data.

Scope: the Entrepôt and request API (``/api/…``) and the Keycloak account REST endpoints
(``/realms/geoplateforme/account…``). Out of scope, by design: the OpenID Connect endpoints and
browser pages (authenticated by their own credentials: client secrets, codes, login cookies; see
tests/sandbox/test_oidc.py and test_weblogin.py) and the ``/sandbox/…`` control routes (no
authentication: a sandbox listens on loopback only). ``test_every_mutating_route_is_in_the_matrix``
keeps the table complete: a new write route without a row fails it.

Each cell runs on its own copy of the demo data. The target is always the community ``ddt33``
(supervised by julien.lefebvre).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cartes_cli.sandbox.domain.keys import SigningKey
from cartes_cli.sandbox.seed import demo_id
from cartes_cli.sandbox.util import iso
from tests.conftest import DEMO_PASSWORD
from tests.sandbox.conftest import seeded_harness

from .conftest import Harness

pytestmark = pytest.mark.reliability

DDT33 = demo_id("community", "ddt33")
ACCOUNT = "/realms/geoplateforme/account"
SOPHIE = demo_id("user", "sophie.martin")  # member of ddt33 (UPLOAD, PROCESSING, BROADCAST)
NICOLAS = demo_id("user", "nicolas.bernard")  # not in ddt33
INES = "ines.benali@geomatique-conseil.test"  # signed up, e-mail not verified
A_CODE = {"json": {"code": "123456"}}
JOIN = {
    "type": "join",
    "community": "ddt33",
    "message": "Bonjour",
    "answers": {"service": "Service de test", "usage": "Vérifier qui peut demander à rejoindre l'espace."},
}

ROLES = ("anonymous", "plain", "member", "other_admin", "staff", "manager")
"""Who calls:
- anonymous: no token;
- plain: an account that belongs to no community;
- member: a member of ddt33 holding UPLOAD, not COMMUNITY (and managing nothing anywhere);
- other_admin: elodie.chevalier, supervisor (all rights) of other communities, not in ddt33;
- staff: claire.moreau, platform staff (``administrator``), not in ddt33;
- manager: julien.lefebvre, supervisor of ddt33 — the control column: who may, may.
"""

# fmt: off
MATRIX: dict[str, tuple[int, int, int, int, int, int]] = {
    # route                                      anonymous plain member other_admin staff manager
    "PATCH community (description)":              (401,    403,  403,   403,        200,  200),
    "PATCH community (supervisor)":               (401,    403,  403,   403,        200,  200),
    "PUT member":                                 (401,    403,  403,   403,        200,  200),
    "DELETE member":                              (401,    403,  403,   403,        204,  204),
    "DELETE leave community":                     (401,    404,  204,   404,        404,  409),
    "POST request (join)":                        (401,    201,  409,   201,        201,  409),
    "POST request (datastore)":                   (401,    201,  201,   201,        201,  201),
    "POST accept join request":                   (401,    403,  403,   403,        200,  200),
    "POST reject join request":                   (401,    403,  403,   403,        200,  200),
    "POST cancel someone else's request":         (401,    404,  404,   404,        403,  403),
    "POST accept datastore request":              (401,    403,  403,   403,        200,  403),
    "POST reject datastore request":              (401,    403,  403,   403,        200,  403),
    "POST sign-up (empty form)":                  (400,    400,  400,   400,        400,  400),
    "POST sign-up verify (wrong code)":           (400,    400,  400,   400,        400,  400),
    "POST sign-up resend code":                   (202,    202,  202,   202,        202,  202),
    "POST account (profile)":                     (401,    204,  204,   204,        204,  204),
    "POST account password":                      (401,    204,  204,   204,        204,  204),
    "POST account TOTP set-up":                   (401,    200,  200,   200,        200,  200),
    "POST account TOTP confirm (none pending)":   (401,    409,  409,   409,        409,  409),
    "POST account TOTP disable (not on)":         (401,    409,  409,   409,        409,  409),
}
# fmt: on
"""The sign-up routes are public by design (the token, if any, is ignored): the same answer for
everyone, anonymous included."""


@dataclass
class World:
    """A copy of the demo data with everything a cell needs (built once per module, copied per cell)."""

    sb: Harness
    tokens: dict[str, str]  # role → access token (anonymous absent)
    join_request: str  # a pending join request to ddt33, by a fixture user
    datastore_request: str  # a pending datastore request, by camille.dubois


USERS = {
    "plain": "paul.simple",
    "member": "marie.membre",
    "other_admin": "elodie.chevalier",
    "staff": "claire.moreau",
    "manager": "julien.lefebvre",
}


@pytest.fixture(scope="module")
def world_template(
    tmp_path_factory: pytest.TempPathFactory, demo_template: Path, demo_key: SigningKey
) -> Iterator[tuple[World, sqlite3.Connection]]:
    """One in-process sandbox for the module: the demo data plus the cast and the targets, with an
    access token per role, and a copy of its database that each cell starts from."""
    directory = tmp_path_factory.mktemp("matrix") / "data"
    sb = seeded_harness(directory, demo_template, demo_key, token_ttl=3600)
    sandbox = sb.sandbox
    when = iso(sb.clock())
    sb.add_user("paul.simple")
    member_id = sb.add_user("marie.membre", first_name="Marie", last_name="Membre")
    sb.sandbox.store.communities.put_membership(DDT33, member_id, ["UPLOAD"], when)
    fixture = sb.client.post("/sandbox/fixtures/join-requests", json={"community": "ddt33", "count": 1})
    assert fixture.status_code == 201, fixture.text
    datastore = sb.post(
        "/api/requests",
        as_user="camille.dubois",
        json={"type": "datastore", "name": "Observatoire du littoral breton", "offer": "essential"},
    )
    assert datastore.status_code == 201, datastore.text
    tokens = {role: sb.access_token(username) for role, username in USERS.items()}
    world = World(sb, tokens, fixture.json()["requests"][0], datastore.json()["_id"])
    pristine = sqlite3.connect(":memory:")
    sandbox.store.db.conn.backup(pristine)
    yield world, pristine
    pristine.close()
    sandbox.close()


@pytest.fixture
def world(world_template: tuple[World, sqlite3.Connection]) -> World:
    """The module's sandbox, its data as they were before any cell ran."""
    world, pristine = world_template
    pristine.backup(world.sb.sandbox.store.db.conn)
    return world


Call = tuple[str, str, dict[str, Any]]
ROUTES: dict[str, Callable[[World], Call]] = {
    "PATCH community (description)": lambda w: (
        "PATCH", f"/api/communities/{DDT33}", {"json": {"description": "Modifiée par le test."}}
    ),
    "PATCH community (supervisor)": lambda w: (
        "PATCH", f"/api/communities/{DDT33}", {"json": {"supervisor": SOPHIE}}
    ),
    "PUT member": lambda w: (
        "PUT", f"/api/communities/{DDT33}/users/{NICOLAS}", {"json": {"rights": ["UPLOAD"]}}
    ),
    "DELETE member": lambda w: (
        "DELETE", f"/api/communities/{DDT33}/users/{SOPHIE}", {}
    ),
    "DELETE leave community": lambda w: ("DELETE", f"/api/users/me/communities/{DDT33}", {}),
    "POST request (join)": lambda w: (
        "POST", "/api/requests", {"json": JOIN}
    ),
    "POST request (datastore)": lambda w: (
        "POST", "/api/requests", {"json": {"type": "datastore", "name": "Espace de démonstration du test"}}
    ),
    "POST accept join request": lambda w: (
        "POST", f"/api/requests/{w.join_request}/accept", {"json": {"rights": ["UPLOAD"]}}
    ),
    "POST reject join request": lambda w: (
        "POST", f"/api/requests/{w.join_request}/reject", {"json": {"reason": "Non."}}
    ),
    "POST cancel someone else's request": lambda w: ("POST", f"/api/requests/{w.join_request}/cancel", {}),
    "POST accept datastore request": lambda w: ("POST", f"/api/requests/{w.datastore_request}/accept", {}),
    "POST reject datastore request": lambda w: ("POST", f"/api/requests/{w.datastore_request}/reject", {}),
    "POST sign-up (empty form)": lambda w: ("POST", "/api/accounts", {"json": {}}),
    "POST sign-up verify (wrong code)": lambda w: (
        "POST", "/api/accounts/verify", {"json": {"email": INES, "code": "000000"}}
    ),
    "POST sign-up resend code": lambda w: (
        "POST", "/api/accounts/verify/resend", {"json": {"email": "personne@exemple.test"}}
    ),
    "POST account (profile)": lambda w: ("POST", ACCOUNT, {"json": {"firstName": "Prénom-modifié"}}),
    "POST account password": lambda w: (
        "POST",
        f"{ACCOUNT}/credentials/password",
        {
            "json": {
                "currentPassword": DEMO_PASSWORD,
                "newPassword": "Nouveau-Secret-2027!!",
                "confirmation": "Nouveau-Secret-2027!!",
            }
        },
    ),
    "POST account TOTP set-up": lambda w: ("POST", f"{ACCOUNT}/totp", {}),
    "POST account TOTP confirm (none pending)": lambda w: ("POST", f"{ACCOUNT}/totp/confirm", A_CODE),
    "POST account TOTP disable (not on)": lambda w: ("POST", f"{ACCOUNT}/totp/disable", A_CODE),
}  # fmt: skip

# Route templates (as in /openapi.json) of the rows above, for the completeness check.
TEMPLATES = {
    ("PATCH", "/api/communities/{community_id}"),
    ("PUT", "/api/communities/{community_id}/users/{user_id}"),
    ("DELETE", "/api/communities/{community_id}/users/{user_id}"),
    ("DELETE", "/api/users/me/communities/{community_id}"),
    ("POST", "/api/requests"),
    ("POST", "/api/requests/{request_id}/accept"),
    ("POST", "/api/requests/{request_id}/reject"),
    ("POST", "/api/requests/{request_id}/cancel"),
    ("POST", "/api/accounts"),
    ("POST", "/api/accounts/verify"),
    ("POST", "/api/accounts/verify/resend"),
    ("POST", ACCOUNT),
    ("POST", f"{ACCOUNT}/credentials/password"),
    ("POST", f"{ACCOUNT}/totp"),
    ("POST", f"{ACCOUNT}/totp/confirm"),
    ("POST", f"{ACCOUNT}/totp/disable"),
}


def _snapshot(sb: Harness) -> list[str]:
    """Every row of every table: what "data unchanged" compares."""
    return list(sb.sandbox.store.db.conn.iterdump())


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(MATRIX))
def test_cell(route: str, role: str, world: World) -> None:
    sb = world.sb
    token = world.tokens.get(role)
    method, path, kwargs = ROUTES[route](world)
    before = _snapshot(sb)

    response = sb.call(method, path, token=token, **kwargs)

    expected = MATRIX[route][ROLES.index(role)]
    assert response.status_code == expected, f"{route} as {role}: {response.status_code} {response.text}"
    after = _snapshot(sb)
    if expected >= 400:
        assert after == before, f"{route} as {role} was refused but changed data"
    elif route != "POST sign-up resend code":  # always 202, sends nothing for an unknown address
        assert after != before, f"{route} as {role} succeeded but changed nothing"


def test_matrix_covers_every_role_and_route() -> None:
    assert set(ROUTES) == set(MATRIX)
    assert all(len(row) == len(ROLES) for row in MATRIX.values())


def test_every_mutating_route_is_in_the_matrix(sb: Harness) -> None:
    """Every write route that a bearer token can reach has a row (others are listed out of scope)."""
    paths = sb.get("/openapi.json").json()["paths"]
    writes = {
        (method.upper(), path)
        for path, operations in paths.items()
        for method in operations
        if method in ("post", "put", "patch", "delete")
        and (path.startswith("/api/") or path == ACCOUNT or path.startswith(ACCOUNT + "/"))
    }
    assert writes == TEMPLATES
