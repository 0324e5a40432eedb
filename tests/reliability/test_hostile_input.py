"""Hostile input to the sandbox (issue 7, item 8): oversized bodies, deep JSON, invalid UTF-8, NUL
bytes, very long strings and SQL-looking strings in every text field of every write route. Always a
clean answer (never a 5xx), and the data intact: a SQL-looking string, when accepted, is stored
verbatim.

The field-by-field cases run in process, each on the module's sandbox reset to the same data; the
body-level cases also run against a real server (uvicorn), where a refused body must still end in
a readable 413, not a reset connection.
"""

from __future__ import annotations

import copy
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from cartes_cli.sandbox.config import SandboxConfig
from cartes_cli.sandbox.domain.keys import SigningKey
from cartes_cli.sandbox.seed import demo_id
from tests.conftest import DEMO_PASSWORD, start_sandbox
from tests.sandbox.conftest import seeded_harness
from tests.validation_cases import full_registration

from .conftest import Harness

pytestmark = pytest.mark.reliability

DDT33 = demo_id("community", "ddt33")
ACCOUNT = "/realms/geoplateforme/account"
TOKEN = "/realms/geoplateforme/protocol/openid-connect/token"
PUT_MEMBER = f"/api/communities/{DDT33}/users/{demo_id('user', 'nicolas.bernard')}"

SQL_LIKE = ("'; DROP TABLE users;--", '" OR 1=1 --', "Robert'); DELETE FROM communities WHERE ('1'='1")
HOSTILE = (
    *SQL_LIKE,
    "nul\x00byte",
    "\x00",
    "x" * 100_000,  # very long
    "\ud800",  # a lone surrogate: valid JSON (\\ud800), not encodable as UTF-8
    "\u202egnp.exe",  # right-to-left override
    "<script>alert(1)</script>\r\nSet-Cookie: a=b",
    "",
    "   ",
)
MAX_BODY = SandboxConfig().max_body_bytes


@dataclass
class Route:
    """A write route, a body it accepts, and the text fields (dotted paths) to attack."""

    name: str
    method: str
    path: str
    body: dict[str, Any]
    fields: tuple[str, ...]
    as_user: str | None = "julien.lefebvre"
    form: bool = False
    transient: tuple[str, ...] = ()
    """Fields never stored as given (passwords are hashed, codes compared): no verbatim check."""


ROUTES = (
    Route(
        "patch community",
        "PATCH",
        f"/api/communities/{DDT33}",
        {"name": "DDT de la Gironde", "description": "Urbanisme.", "contact": "sig@ddt-gironde.test"},
        ("name", "description", "contact", "supervisor"),
    ),
    Route("put member", "PUT", PUT_MEMBER, {"rights": ["UPLOAD"]}, ("rights.0",)),
    Route(
        "join request",
        "POST",
        "/api/requests",
        {
            "type": "join",
            "community": "ddt33",
            "message": "Bonjour",
            "answers": {"service": "Service SIG", "usage": "Croiser nos données avec les vôtres, merci."},
        },
        ("community", "message", "answers.service", "answers.usage", "answers.siret", "type"),
        as_user="mathieu.garnier",
    ),
    Route(
        "datastore request",
        "POST",
        "/api/requests",
        {
            "type": "datastore",
            "name": "Observatoire du littoral",
            "technical_name": "obs_littoral",
            "description": "Un espace.",
            "offer": "essential",
            "public": True,
            "justification": "Diffuser au public les données de l'observatoire, mises à jour chaque mois.",
        },
        ("name", "technical_name", "description", "justification", "offer"),
        as_user="mathieu.garnier",
    ),
    Route("accept", "POST", "/api/requests/@join/accept", {"rights": ["UPLOAD"]}, ("rights.0",)),
    Route("reject", "POST", "/api/requests/@join/reject", {"reason": "Non."}, ("reason",)),
    Route(
        "sign-up",
        "POST",
        "/api/accounts",
        full_registration(7) | {"photo": None},
        (
            "username",
            "password",
            "email",
            "first_name",
            "last_name",
            "phone",
            "address.street",
            "address.locality",
            "address.postcode",
            "professional.siret",
            "professional.company",
            "professional.position",
            "professional.street",
            "professional.locality",
            "professional.postcode",
            "captcha.answer",
            "captcha._id",
        ),
        as_user=None,
        transient=("password", "captcha.answer", "captcha._id"),
    ),
    Route(
        "verify e-mail",
        "POST",
        "/api/accounts/verify",
        {"email": "ines.benali@geomatique-conseil.test", "code": "123456"},
        ("email", "code"),
        as_user=None,
        transient=("email", "code"),
    ),
    Route("resend code", "POST", "/api/accounts/verify/resend", {"email": "x@ex.test"}, ("email",), None,
          transient=("email",)),
    Route(
        "account profile",
        "POST",
        ACCOUNT,
        {"firstName": "Julien", "lastName": "Lefebvre", "attributes": {"locality": "Bordeaux"}},
        ("firstName", "lastName", "email", "username", "attributes.locality", "attributes.position"),
        transient=("email", "username"),  # a new e-mail waits for its code; the username cannot change
    ),
    Route(
        "account password",
        "POST",
        f"{ACCOUNT}/credentials/password",
        {"currentPassword": DEMO_PASSWORD, "newPassword": "Nouveau-Secret-2027!!", "confirmation": "x"},
        ("currentPassword", "newPassword", "confirmation"),
        transient=("currentPassword", "newPassword", "confirmation"),
    ),
    Route("totp confirm", "POST", f"{ACCOUNT}/totp/confirm", {"code": "1"}, ("code",), transient=("code",)),
    Route(
        "token (password grant)",
        "POST",
        TOKEN,
        {"grant_type": "password", "client_id": "gpf-warehouse", "username": "julien", "password": "x"},
        ("grant_type", "client_id", "username", "password", "totp", "scope"),
        as_user=None,
        form=True,
        transient=("grant_type", "client_id", "username", "password", "totp", "scope"),
    ),
    Route(
        "fixtures (control)",
        "POST",
        "/sandbox/fixtures/communities",
        {"count": 1, "prefix": "Lot"},
        ("prefix",),
        as_user=None,
    ),
)  # fmt: skip


@dataclass
class Bench:
    sb: Harness
    pristine: sqlite3.Connection
    tokens: dict[str, str]
    join_request: str

    def reset(self) -> None:
        self.pristine.backup(self.sb.sandbox.store.db.conn)


@pytest.fixture(scope="module")
def bench(
    tmp_path_factory: pytest.TempPathFactory, demo_template: Path, demo_key: SigningKey
) -> Iterator[Bench]:
    directory = tmp_path_factory.mktemp("hostile") / "data"
    sb = seeded_harness(directory, demo_template, demo_key, token_ttl=3600)
    sandbox = sb.sandbox
    fixture = sb.client.post("/sandbox/fixtures/join-requests", json={"community": "ddt33", "count": 1})
    assert fixture.status_code == 201
    tokens = {name: sb.access_token(name) for name in ("julien.lefebvre", "mathieu.garnier")}
    pristine = sqlite3.connect(":memory:")
    sandbox.store.db.conn.backup(pristine)
    yield Bench(sb, pristine, tokens, fixture.json()["requests"][0])
    pristine.close()
    sandbox.close()


def _set(body: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    body = copy.deepcopy(body)
    *parents, last = dotted.split(".")
    target: Any = body
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return body


def _send(bench: Bench, route: Route, body: dict[str, Any]) -> httpx.Response:
    sb = bench.sb
    path = route.path.replace("@join", bench.join_request).replace(
        "@nicolas", demo_id("user", "nicolas.bernard")
    )
    headers = {}
    if route.as_user is not None:
        headers["Authorization"] = f"Bearer {bench.tokens[route.as_user]}"
    if route.name == "sign-up":
        captcha = sb.sandbox.captchas.new(now=sb.clock(), ttl=300)
        body = {**body, "captcha": {"_id": captcha.id, "answer": captcha.answer, **body.get("captcha", {})}}
    if (
        route.form
    ):  # percent-encoded by hand: httpx cannot encode a lone surrogate (its UTF-8 form is invalid)
        encoded = "&".join(
            f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'))}"
            for k, v in body.items()
            if isinstance(v, str)
        )
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return sb.client.request(route.method, path, content=encoded.encode(), headers=headers)
    content = json.dumps(body).encode()  # ensure_ascii: a lone surrogate travels as \\ud800
    headers["Content-Type"] = "application/json"
    return sb.client.request(route.method, path, content=content, headers=headers)


def _integrity(bench: Bench) -> dict[str, Any]:
    conn = bench.sb.sandbox.store.db.conn
    tables = sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
    counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in ("users", "communities")}  # noqa: S608
    return {"tables": tables, "counts": counts, "check": conn.execute("PRAGMA integrity_check").fetchone()[0]}


def _problems_with(bench: Bench, route: Route, field_name: str, value: str) -> list[str]:
    """What is wrong with the answer to ``value`` in ``field_name`` (nothing: an empty list)."""
    shown = f"{field_name}={value[:30]!a}{'…' if len(value) > 30 else ''}"
    bench.reset()
    before = _integrity(bench)
    try:
        response = _send(bench, route, _set(route.body, field_name, value))
    except Exception as exc:  # in process, an app's exception reaches the caller (a server sends a 500)
        return [f"{shown}: a 500, the app raised {type(exc).__name__}: {ascii(str(exc))[:200]}"]
    status, problems = response.status_code, []
    if status not in (200, 201, 202, 204, 400, 401, 403, 404, 409, 413, 415):
        return [f"{shown}: {status} {response.text[:200]!a}"]
    is_json = response.headers.get("content-type", "").startswith("application/json")
    if status >= 400 and is_json and not {"error", "errorMessage"} & set(response.json()):
        problems.append(f"{shown}: an error answer without the error shape: {response.text[:200]!a}")
    after = _integrity(bench)
    if status == 201 and route.name in ("sign-up", "fixtures (control)"):
        before["counts"]["users"] += 1
        before["counts"]["communities"] += route.name == "fixtures (control)"
    if after != before:
        problems.append(f"{shown}: the data are not intact ({before} → {after})")
    if value in SQL_LIKE and status < 300 and field_name not in route.transient:
        dump = "\n".join(bench.sb.sandbox.store.db.conn.iterdump())  # quotes doubled, as SQL writes them
        if value.replace("'", "''") not in dump:
            problems.append(f"{shown}: accepted but not stored verbatim")
    return problems


@pytest.mark.parametrize(
    ("route", "field_name"),
    [pytest.param(route, name, id=f"{route.name}: {name}") for route in ROUTES for name in route.fields],
)
def test_hostile_values_in_a_text_field(bench: Bench, route: Route, field_name: str) -> None:
    bench.reset()
    baseline = _send(bench, route, route.body)  # the plain body gets a clean answer too
    assert baseline.status_code < 500, ascii(baseline.text)
    problems = [p for value in HOSTILE for p in _problems_with(bench, route, field_name, value)]
    assert not problems, f"{route.name}:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("label", "content"),
    [
        ("deep arrays", b"[" * 100_000 + b"]" * 100_000),
        ("deep objects", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
        ("invalid UTF-8", b'{"reason": "\xff\xfe\xc3\x28"}'),
        ("truncated", b'{"reason": "abc'),
        ("huge integer", b'{"reason": ' + b"9" * 10_000 + b"}"),
        ("not an object", b'"just a string"'),
        ("NUL outside strings", b'{"reason"\x00: "x"}'),
        ("UTF-16 with a BOM", '{"reason": "x"}'.encode("utf-16")),  # RFC 8259 wants UTF-8; read, or refused
        ("empty", b""),
    ],
    ids=lambda value: value if isinstance(value, str) else "body",
)
def test_malformed_bodies_are_clean_400s(bench: Bench, label: str, content: bytes) -> None:
    bench.reset()
    before = _integrity(bench)
    auth = {"Authorization": f"Bearer {bench.tokens['julien.lefebvre']}", "Content-Type": "application/json"}
    targets = [
        ("POST", f"/api/requests/{bench.join_request}/reject"),
        ("PATCH", f"/api/communities/{DDT33}"),
        ("POST", "/api/requests"),
        ("POST", "/api/accounts"),
        ("POST", ACCOUNT),
        ("PUT", "/sandbox/faults"),
    ]
    for method, path in targets:
        response = bench.sb.client.request(method, path, content=content, headers=auth)
        if path.endswith("/reject") and label in ("empty", "UTF-16 with a BOM"):
            assert response.status_code == 200  # the reason is optional: an empty body is fine
            bench.reset()
            continue
        assert response.status_code == 400, (label, method, path, response.status_code, response.text[:200])
    assert _integrity(bench) == before


def test_oversized_bodies_are_refused_with_413_in_process(bench: Bench) -> None:
    bench.reset()
    auth = {"Authorization": f"Bearer {bench.tokens['julien.lefebvre']}", "Content-Type": "application/json"}
    big = json.dumps({"reason": "x" * (MAX_BODY + 10)}).encode()
    response = bench.sb.client.post(f"/api/requests/{bench.join_request}/reject", content=big, headers=auth)
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it comes
        yield b'{"reason": "'
        for _ in range(MAX_BODY // 65536 + 2):
            yield b"y" * 65536
        yield b'"}'

    async def send(extra: dict[str, str]) -> httpx.Response:
        async def agen() -> Any:
            for chunk in chunks():
                yield chunk

        transport = httpx.ASGITransport(app=bench.sb.client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.post(
                f"/api/requests/{bench.join_request}/reject", content=agen(), headers={**auth, **extra}
            )

    import anyio

    streamed = anyio.run(send, {})
    assert streamed.status_code == 413
    # With an Idempotency-Key the body is read before the route (to fingerprint it): same answer.
    keyed = anyio.run(send, {"Idempotency-Key": "big-body"})
    assert keyed.status_code == 413
    assert keyed.json()["error"] == "payload_too_large"
    form = bench.sb.client.post(TOKEN, data={"grant_type": "password", "username": "x" * (MAX_BODY + 1)})
    assert form.status_code == 413
    assert isinstance(form.json()["error_description"], str)  # Keycloak's error shape, on its path
    assert (
        bench.sb.get(f"/api/requests/{bench.join_request}", as_user="julien.lefebvre").json()["status"]
        == "pending"
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    home = tmp_path_factory.mktemp("hostile-server")
    sandbox = start_sandbox(home, home / "data", "--seed", "demo")
    yield sandbox
    sandbox.stop()


def test_real_server_refuses_big_bodies_readably(server: Any) -> None:
    """uvicorn in front: the client still reads the 413 (the server drains what it refused), and
    the connection serves the next request."""
    with httpx.Client(base_url=server.base_url, timeout=20) as client:
        for size in (MAX_BODY + 1, 8 * MAX_BODY):
            response = client.post(
                "/api/accounts", content=b"x" * size, headers={"Content-Type": "application/json"}
            )
            assert response.status_code == 413, size
            assert response.json()["error"] == "payload_too_large"
        streamed = client.post(
            "/api/accounts",
            content=(b"z" * 65536 for _ in range(MAX_BODY // 65536 + 4)),
            headers={"Content-Type": "application/json"},
        )
        assert streamed.status_code == 413
        assert client.get("/sandbox/health").json() == {"status": "ok", "problems": []}
        bad_utf8 = client.post(
            "/api/accounts", content=b'{"username": "\xff"}', headers={"Content-Type": "application/json"}
        )
        assert bad_utf8.status_code == 400
    assert not [line for line in server.stderr_lines if "Traceback" in line or "Exception" in line]
