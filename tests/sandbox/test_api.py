"""The Entrepôt API side: authentication, shapes, pagination, visibility, error shape."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import httpx
import jwt
import pyotp
import pytest

from cartes_cli.sandbox.domain.keys import SigningKey
from cartes_cli.sandbox.routes.schemas import (
    ApiErrorBody,
    CatalogCommunity,
    CommunityDetail,
    DatastoreDetail,
    UserMe,
)
from cartes_cli.textsearch import fold

from .conftest import DEMO_TOTP_SECRET, ISSUER, Harness, demo_id

ALL_RIGHTS = ["COMMUNITY", "UPLOAD", "PROCESSING", "BROADCAST", "ANNEX"]
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def assert_api_error(response: httpx.Response, status: int) -> ApiErrorBody:
    assert response.status_code == status, response.text
    body = ApiErrorBody.model_validate(response.json())
    assert body.error_description
    assert all(body.error_description)
    return body


# --- authentication --------------------------------------------------------------------------


def test_no_token_is_401_with_a_bearer_challenge(sb: Harness) -> None:
    response = sb.get("/api/users/me")
    assert_api_error(response, 401)
    assert response.headers["www-authenticate"] == 'Bearer realm="geoplateforme"'
    basic = sb.get("/api/users/me", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert_api_error(basic, 401)


def test_garbage_and_foreign_tokens_are_401(sb: Harness) -> None:
    assert_api_error(sb.get("/api/users/me", token="not-a-jwt"), 401)
    # Same claims, signed by another key.
    claims = jwt.decode(sb.access_token("julien.lefebvre"), options={"verify_signature": False})
    forged = SigningKey.generate().sign(claims)
    response = sb.get("/api/users/me", token=forged)
    assert_api_error(response, 401)
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_token_of_another_realm_or_type_is_401(sb: Harness) -> None:
    claims = jwt.decode(sb.access_token("julien.lefebvre"), options={"verify_signature": False})
    keys = sb.sandbox.keys
    assert sb.get("/api/users/me", token=keys.sign(claims)).status_code == 200
    other_realm = {**claims, "iss": "http://127.0.0.1/realms/master"}
    assert_api_error(sb.get("/api/users/me", token=keys.sign(other_realm)), 401)
    assert_api_error(sb.get("/api/users/me", token=keys.sign({**claims, "typ": "Refresh"})), 401)
    refresh_token = sb.tokens("julien.lefebvre")["refresh_token"]
    assert_api_error(sb.get("/api/users/me", token=refresh_token), 401)


def test_expired_access_token_is_401(sb: Harness) -> None:
    token = sb.access_token("julien.lefebvre")
    sb.clock.advance(299)
    assert sb.get("/api/users/me", token=token).status_code == 200
    sb.clock.advance(2)
    body = assert_api_error(sb.get("/api/users/me", token=token), 401)
    assert "expired" in body.error_description[0]


def test_disabled_account_token_is_401(sb: Harness) -> None:
    # A token minted for the disabled account (as if disabled after login).
    claims = jwt.decode(sb.access_token("julien.lefebvre"), options={"verify_signature": False})
    token = sb.sandbox.keys.sign({**claims, "sub": demo_id("user", "hugo.lambert")})
    assert_api_error(sb.get("/api/users/me", token=token), 401)


# --- /users/me -------------------------------------------------------------------------------


def test_users_me_shape(sb: Harness) -> None:
    response = sb.get("/api/users/me", as_user="julien.lefebvre")
    assert response.status_code == 200
    raw = response.json()
    me = UserMe.model_validate(raw)
    assert me.id == demo_id("user", "julien.lefebvre")
    assert (me.email, me.first_name, me.last_name) == (
        "julien.lefebvre@ddt-gironde.test",
        "Julien",
        "Lefebvre",
    )
    assert me.administrator is False
    assert me.technical is False
    assert me.documents_quota == 1_000_000_000
    assert 0 <= me.documents_use <= me.documents_quota
    assert me.keys_quota == 50
    for date in (me.creation, me.update, me.last_login):
        assert date is not None
        assert ISO_UTC.match(date), date

    mine = {m.community.technical_name: m for m in me.communities_member}
    assert set(mine) == {"tutoriels", "ddt33", "ddt33_interne", "region_naq", "eptb_dordogne"}
    ddt33 = mine["ddt33"]
    assert ddt33.rights == ALL_RIGHTS
    assert ddt33.community.supervisor == me.id
    assert ddt33.community.datastore == demo_id("datastore", "ddt33")
    assert ddt33.community.name == "DDT de la Gironde"
    assert mine["eptb_dordogne"].rights == ["COMMUNITY", "UPLOAD"]
    # A community without a datastore has no "datastore" key at all.
    naq = next(m for m in raw["communities_member"] if m["community"]["technical_name"] == "region_naq")
    assert "datastore" not in naq["community"]
    names = [fold(m.community.name) for m in me.communities_member]
    assert names == sorted(names)


def test_users_me_of_staff_and_totp_user(sb: Harness) -> None:
    staff = UserMe.model_validate(sb.get("/api/users/me", as_user="claire.moreau").json())
    assert staff.administrator is True
    token = sb.tokens("amelie.rousseau", totp=pyotp.TOTP(DEMO_TOTP_SECRET).at(sb.clock()))["access_token"]
    amelie = UserMe.model_validate(sb.get("/api/users/me", token=token).json())
    assert [(m.community.technical_name, m.rights) for m in amelie.communities_member] == [
        ("pn_ecrins", ["UPLOAD", "PROCESSING"])
    ]


# --- catalogue -------------------------------------------------------------------------------


def test_catalogue_first_page(sb: Harness) -> None:
    response = sb.get("/api/catalogs/communities", as_user="julien.lefebvre")
    assert response.status_code == 200
    assert response.headers["content-range"] == "0-9/30"
    items = [CatalogCommunity.model_validate(i) for i in response.json()]
    assert len(items) == 10
    assert all(i.organization and i.organization.name for i in items)
    assert all("@" in i.contact and i.contact.endswith(".test") for i in items)


def test_catalogue_walks_every_public_community_in_name_order(sb: Harness) -> None:
    seen: list[dict[str, object]] = []
    for page in (1, 2, 3):
        response = sb.get("/api/catalogs/communities", as_user="julien.lefebvre", params={"page": page})
        first = (page - 1) * 10
        assert response.headers["content-range"] == f"{first}-{first + 9}/30"
        seen += response.json()
    assert len({i["_id"] for i in seen}) == 30
    assert all(i["public"] is True for i in seen)
    technical = {i["technical_name"] for i in seen}
    assert {"ddt33", "pn_ecrins"} <= technical
    assert not technical & {"ign_recette", "ddt33_interne", "ofb_sensible", "pn_ecrins_faune"}
    keys = [fold(str(i["name"])) for i in seen]
    assert keys == sorted(keys)  # accents ignored: "Écrins" sorts among the E's

    past_the_end = sb.get("/api/catalogs/communities", as_user="julien.lefebvre", params={"page": 4})
    assert past_the_end.status_code == 200
    assert past_the_end.json() == []
    assert past_the_end.headers["content-range"] == "*/30"


@pytest.mark.parametrize("max_page_size", [None, 50])
def test_catalogue_limit_is_clamped_to_the_page_size(
    make_harness: Callable[..., Harness], max_page_size: int | None
) -> None:
    # 100 by default (what IGN's web front end asks), 50 with --max-page-size 50 (IGN's user guide);
    # the offset counts from the size served.
    sb = make_harness(**({"max_page_size": max_page_size} if max_page_size else {}))
    size = max_page_size or 100
    store = sb.sandbox.store
    for n in range(140):
        store.communities.insert(
            id=demo_id("community", f"extra{n}"),
            name=f"Commune test {n:03d}",
            technical_name=f"extra_{n:03d}",
            supervisor_id=demo_id("user", "claire.moreau"),
            created="2025-01-01T00:00:00Z",
            public=True,
        )
    response = sb.get("/api/catalogs/communities", as_user="julien.lefebvre", params={"limit": 1000})
    assert response.status_code == 200
    assert len(response.json()) == size
    assert response.headers["content-range"] == f"0-{size - 1}/170"
    second = sb.get("/api/catalogs/communities", as_user="julien.lefebvre", params={"limit": 1000, "page": 2})
    assert second.headers["content-range"] == f"{size}-{min(2 * size, 170) - 1}/170"
    small = sb.get("/api/catalogs/communities", as_user="julien.lefebvre", params={"limit": 7, "page": 2})
    assert small.headers["content-range"] == "7-13/170"


def test_catalogue_total_follows_a_new_community_between_pages(sb: Harness) -> None:
    # The total is counted once and kept until the database changes (Database.count).
    first = sb.get("/api/catalogs/communities", as_user="julien.lefebvre")
    assert first.headers["content-range"] == "0-9/30"
    sb.sandbox.store.communities.insert(
        id=demo_id("community", "nouvelle"),
        name="Nouvelle communauté",
        technical_name="nouvelle",
        supervisor_id=demo_id("user", "claire.moreau"),
        created="2025-01-01T00:00:00Z",
        public=True,
    )
    second = sb.get("/api/catalogs/communities", as_user="julien.lefebvre", params={"page": 2})
    assert second.headers["content-range"] == "10-19/31"


@pytest.mark.parametrize(
    "params",
    [{"page": "0"}, {"page": "-1"}, {"page": "abc"}, {"page": "1.5"}, {"limit": "0"}, {"limit": "x"}],
)
def test_catalogue_bad_paging_is_400(sb: Harness, params: dict[str, str]) -> None:
    response = sb.get("/api/catalogs/communities", as_user="julien.lefebvre", params=params)
    body = assert_api_error(response, 400)
    assert body.error == "bad_request"
    assert next(iter(params)) in body.error_description[0]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("gironde", {"ddt33"}),
        ("ECRINS", {"pn_ecrins"}),
        ("écrins", {"pn_ecrins"}),
        ("pn_", {"pn_ecrins", "pn_vanoise", "pn_cevennes", "pn_calanques", "pn_pyrenees"}),
        ("zzzz-nothing", set()),
    ],
)
def test_catalogue_name_filter(sb: Harness, search: str, expected: set[str]) -> None:
    response = sb.get("/api/catalogs/communities", as_user="julien.lefebvre", params={"name": search})
    assert {i["technical_name"] for i in response.json()} == expected
    total = response.headers["content-range"].rsplit("/", 1)[1]
    assert int(total) == len(expected)


# --- community detail ------------------------------------------------------------------------


def test_public_community_detail_for_anyone(sb: Harness) -> None:
    # camille.dubois is not a member of ddt33.
    response = sb.get(f"/api/communities/{demo_id('community', 'ddt33')}", as_user="camille.dubois")
    assert response.status_code == 200
    detail = CommunityDetail.model_validate(response.json())
    assert detail.technical_name == "ddt33"
    assert detail.public
    assert detail.datastore is not None
    assert detail.datastore.id == demo_id("datastore", "ddt33")
    assert detail.datastore.active is True
    assert detail.supervisor.id == demo_id("user", "julien.lefebvre")
    assert detail.supervisor.email == "julien.lefebvre@ddt-gironde.test"
    # A public community of which the caller is not a member.
    other = sb.get(f"/api/communities/{demo_id('community', 'sdis74')}", as_user="julien.lefebvre")
    assert other.status_code == 200


def test_community_without_datastore_has_no_datastore_key(sb: Harness) -> None:
    response = sb.get(f"/api/communities/{demo_id('community', 'region_naq')}", as_user="julien.lefebvre")
    assert response.status_code == 200
    assert "datastore" not in response.json()


def test_private_community_visibility(sb: Harness) -> None:
    private = f"/api/communities/{demo_id('community', 'ddt33_interne')}"
    assert sb.get(private, as_user="julien.lefebvre").status_code == 200  # member (supervisor)
    assert_api_error(sb.get(private, as_user="sophie.martin"), 403)  # not a member
    staff = sb.get(private, as_user="claire.moreau")  # platform staff
    assert staff.status_code == 200
    assert staff.json()["public"] is False


@pytest.mark.parametrize("community_id", ["00000000-0000-4000-8000-000000000000", "not-a-uuid", "ddt33"])
def test_unknown_or_malformed_community_is_404(sb: Harness, community_id: str) -> None:
    assert_api_error(sb.get(f"/api/communities/{community_id}", as_user="claire.moreau"), 404)


# --- datastore -------------------------------------------------------------------------------


def test_datastore_detail_for_members_and_staff(sb: Harness) -> None:
    path = f"/api/datastores/{demo_id('datastore', 'ddt33')}"
    response = sb.get(path, as_user="julien.lefebvre")
    assert response.status_code == 200
    detail = DatastoreDetail.model_validate(response.json())
    assert detail.community.id == demo_id("community", "ddt33")
    assert detail.technical_name == "ddt33"
    assert detail.active
    types = {s.storage.type for s in detail.storages.data}
    assert {"POSTGRESQL", "S3"} <= types
    assert all(0 <= s.use <= s.quota for s in detail.storages.data)
    assert 0 <= detail.storages.uploads.use <= detail.storages.uploads.quota
    assert detail.endpoints
    assert all(e.endpoint.urls for e in detail.endpoints)
    assert all(0 <= e.use <= e.quota for e in detail.endpoints)
    assert {e.endpoint.type for e in detail.endpoints} >= {"WMS-VECTOR", "WFS", "WMTS-TMS"}

    assert sb.get(path, as_user="sophie.martin").status_code == 200  # a plain member (UPLOAD…)
    assert sb.get(path, as_user="claire.moreau").status_code == 200  # staff
    assert_api_error(sb.get(path, as_user="camille.dubois"), 403)  # public community, not a member


def test_inactive_datastore_and_unknown_datastore(sb: Harness) -> None:
    annecy = sb.get(f"/api/datastores/{demo_id('datastore', 'agglo_annecy')}", as_user="claire.moreau")
    assert annecy.json()["active"] is False
    assert_api_error(sb.get(f"/api/datastores/{demo_id('datastore', 'nope')}", as_user="claire.moreau"), 404)
    assert_api_error(sb.get("/api/datastores/xyz", as_user="claire.moreau"), 404)


# --- error shape -----------------------------------------------------------------------------


def test_unknown_routes_answer_the_api_error_shape(sb: Harness) -> None:
    for path in ("/api/nope", "/api", "/api/users/me/nothing-here"):
        body = assert_api_error(sb.get(path, as_user="julien.lefebvre"), 404)
        assert body.error == "not_found"
    # Unknown routes are 404 even without a token (routing comes before authentication).
    assert_api_error(sb.get("/api/nope"), 404)
    wrong_method = sb.client.delete("/api/catalogs/communities")
    assert_api_error(wrong_method, 405)


def test_token_issuer_host_does_not_matter_only_its_realm(sb: Harness) -> None:
    # A token obtained through "localhost" is accepted on "127.0.0.1" (same server).
    claims = jwt.decode(sb.access_token("julien.lefebvre"), options={"verify_signature": False})
    assert claims["iss"] == ISSUER
    moved = sb.sandbox.keys.sign({**claims, "iss": "http://localhost:9999/realms/geoplateforme"})
    assert sb.get("/api/users/me", token=moved).status_code == 200


def test_latency_applies_to_api_only(make_harness: Callable[..., Harness]) -> None:
    sb = make_harness(latency_ms=400)  # large enough that machine load cannot blur the verdict
    token = sb.access_token("julien.lefebvre")
    control = 10.0
    for _ in range(3):  # the fastest of three: a loaded machine's pauses are not the sandbox's
        started = time.perf_counter()
        assert sb.get("/sandbox/health").status_code == 200
        control = min(control, time.perf_counter() - started)
    started = time.perf_counter()
    assert sb.get("/api/users/me", token=token).status_code == 200
    api = time.perf_counter() - started
    assert api >= 0.4
    assert control < api - 0.3  # a loaded machine slows both; only the API waits the 400 ms
