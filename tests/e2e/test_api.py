"""``cartes api`` against a real sandbox: the login, the placeholders, a body of fields, a whole
listing over a capped page size, and each exit code of the contract."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from tests.conftest import Cartes, own_sandbox
from tests.e2e.conftest import log_seq, logged_in

pytestmark = pytest.mark.e2e

# Pages of 50 at most, as IGN's user guide says of the Entrepôt API (cartes asks for 100).
sandbox = own_sandbox("sandbox", "--max-page-size", "50")


def test_a_call_with_the_login_and_the_placeholders(admin: Cartes) -> None:
    r = admin("api", "/users/me")
    assert r.returncode == 0, r
    me = json.loads(r.stdout)
    assert me["email"] == "julien.lefebvre@ddt-gironde.test"
    r = admin("api", "/communities/{workspace:ddt33}")
    assert r.returncode == 0, r
    ddt33 = json.loads(r.stdout)
    assert ddt33["technical_name"] == "ddt33"
    r = admin("api", "GET", "/datastores/{datastore:ddt33}")
    assert r.returncode == 0, r
    assert json.loads(r.stdout)["_id"] == ddt33["datastore"]["_id"]
    r = admin("api", "/communities/{workspace:ddt33}/users", "-X", "GET", "-f", "limit=2", "-i")
    assert r.returncode == 0, r
    head, _blank, body = r.stdout.partition("\n\n")
    assert head.startswith("HTTP/1.1 200 OK")
    assert re.search(r"(?im)^content-range: 0-1/\d+$", head)
    assert len(json.loads(body)) == 2


def test_a_post_of_fields_sends_a_json_body(producer: Cartes) -> None:
    assert producer.sandbox is not None
    seq = log_seq(producer.sandbox)
    r = producer(
        "api",
        "POST",
        "/requests",
        "-f",
        "type=join",
        "-F",
        "community={workspace:tutoriels}",
        "-f",
        "message=Bonjour, par cartes api.",
    )
    assert r.returncode == 0, r
    created = json.loads(r.stdout)
    assert created["type"] == "join"
    assert created["status"] == "pending"
    assert created["message"] == "Bonjour, par cartes api."
    log = httpx.get(producer.sandbox.base_url + "/sandbox/log", params={"since": seq}, timeout=10).json()
    assert [(e["method"], e["status"]) for e in log if e["path"] == "/api/requests"] == [("POST", 201)]
    # The same again: the platform's 409, its body on stdout, one line on stderr, exit 1.
    r = producer("api", "POST", "/requests", "-f", "type=join", "-F", "community={workspace:tutoriels}")
    assert r.returncode == 1, r
    assert json.loads(r.stdout)["error"]
    assert len(r.stderr.strip().splitlines()) == 1


def test_paginate_reads_every_page_of_a_capped_listing(admin: Cartes) -> None:
    assert admin.sandbox is not None
    made = httpx.post(
        admin.sandbox.base_url + "/sandbox/fixtures/communities",
        json={"count": 120, "prefix": "Espace paginé"},
        timeout=60,
    )
    assert made.status_code == 201, made.text
    r = admin("api", "-X", "GET", "-i", "/catalogs/communities", "-f", "limit=1")
    total = int(re.search(r"(?im)^content-range: 0-0/(\d+)$", r.stdout).group(1))  # type: ignore[union-attr]
    assert total > 120
    seq = log_seq(admin.sandbox)
    # limit=500 asked, 50 served: the page size the platform caps to is followed.
    r = admin("api", "--paginate", "/catalogs/communities", "-f", "limit=500", "--concurrency", "3")
    assert r.returncode == 0, r
    items = json.loads(r.stdout)
    assert len(items) == total
    assert len({c["_id"] for c in items}) == total
    log = httpx.get(
        admin.sandbox.base_url + "/sandbox/log", params={"since": seq, "limit": 1000}, timeout=10
    ).json()
    pages = [e for e in log if e["path"] == "/api/catalogs/communities"]
    assert len(pages) == -(-total // 50)
    # The listing command asks for 100 a page and is served 50: it reads every item, in order,
    # one request a page of 50.
    seq = log_seq(admin.sandbox)
    r = admin("workspace", "list", "--public", "--json", "--concurrency", "3")
    assert r.returncode == 0, r
    assert [c["id"] for c in json.loads(r.stdout)] == [c["_id"] for c in items]
    log = httpx.get(
        admin.sandbox.base_url + "/sandbox/log", params={"since": seq, "limit": 1000}, timeout=10
    ).json()
    assert len([e for e in log if e["path"] == "/api/catalogs/communities"]) == -(-total // 50)


def test_each_exit_code_of_the_contract(admin: Cartes, tmp_path: Path) -> None:
    assert admin.sandbox is not None
    r = admin("api", "/communities/00000000-0000-4000-8000-000000000000")
    assert r.returncode == 3, r
    assert json.loads(r.stdout)["error"]
    member = logged_in(tmp_path, admin.sandbox, admin.keyring, "nicolas.bernard")  # no COMMUNITY on pn_ecrins
    r = member("api", "/communities/{workspace:pn_ecrins}/users")
    assert r.returncode == 5, r
    r = member("api", "/users/me", env={"CARTES_TOKEN": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.x"})
    assert r.returncode == 4, r
    r = admin("api", "/communities/{workspace:no-such-workspace}")
    assert r.returncode == 3, r
    seq = log_seq(admin.sandbox)
    for bad in (
        ["api", "https://example.org/users/me"],
        ["api", "/x/{token}"],
        ["api", "-H", "nope", "/users/me"],
    ):
        r = admin(*bad)
        assert r.returncode == 2, r
        assert len(r.stderr.strip().splitlines()) == 1
        assert "Traceback" not in r.stderr
    sent = httpx.get(admin.sandbox.base_url + "/sandbox/log", params={"since": seq}, timeout=10).json()
    assert [e["path"] for e in sent if not e["path"].startswith("/sandbox/")] == []  # nothing was sent


def test_debug_shows_the_exchange_without_the_token(admin: Cartes) -> None:
    r = admin("--debug", "api", "/users/me")
    assert r.returncode == 0, r
    assert "GET" in r.stderr
    assert not re.search(r"eyJ[A-Za-z0-9_-]{10,}\.", r.stderr + r.stdout)
