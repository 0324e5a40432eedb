"""docs/library.md cannot rot: its Python blocks run here, against a respx-mocked Géoplateforme,
with the imports, attributes and errors they name."""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import respx

from cartes_cli.client import GeoplateformeClient

PAGE = Path(__file__).resolve().parents[2] / "docs" / "library.md"
API = "https://data.geopf.fr/api"
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJkYXZlIn0.c2lnbmF0dXJl"
C1 = "11111111-1111-4111-8111-111111111111"
C2 = "22222222-2222-4222-8222-222222222222"


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.DOTALL)


def block_with(text: str) -> str:
    found = [b for b in blocks() if text in b]
    assert len(found) == 1, f"one Python block of docs/library.md should contain {text!r}"
    return found[0]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A home with no profile; the token comes from CARTES_TOKEN, as a script's would."""
    for name in ("CARTES_ENV", "CARTES_API_URL", "CARTES_ISSUER", "CARTES_PROFILE", "CARTES_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("CARTES_CLIENT_ID", raising=False)
    monkeypatch.delenv("CARTES_CLIENT_SECRET", raising=False)
    monkeypatch.setenv("CARTES_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.setenv("CARTES_TOKEN", TOKEN)


@pytest.fixture
def platform() -> Iterator[respx.MockRouter]:
    me = {
        "_id": "u1",
        "email": "dave@ign.fr",
        "first_name": "Dave",
        "last_name": "Lopper",
        "communities_member": [
            {
                "rights": ["UPLOAD", "PROCESSING"],
                "community": {"_id": C1, "name": "Mon atelier", "technical_name": "atelier"},
            }
        ],
    }
    catalog = [
        {"_id": C2, "name": "Tutoriels", "technical_name": "tutoriels", "public": True},
        {"_id": "33333333-3333-4333-8333-333333333333", "name": "Cadastre", "technical_name": "cadastre"},
    ]
    with respx.mock(assert_all_called=False) as router:
        router.get(API + "/users/me").respond(200, json=me)
        router.get(API + "/catalogs/communities").respond(
            200, json=catalog, headers={"Content-Range": "0-1/2"}
        )
        router.get("https://data.geopf.fr/sandbox/capabilities").respond(
            200, json={"sandbox": True, "features": ["requests"]}
        )
        router.post(API + "/requests").respond(
            201,
            json={"_id": "r1", "type": "join", "status": "pending", "community": {"_id": C2}},
        )
        yield router


def run(code: str, **names: Any) -> tuple[str, dict[str, Any]]:
    namespace: dict[str, Any] = {"__name__": "library_doc", **names}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(PAGE), "exec"), namespace)  # noqa: S102 - the page's own example
    return out.getvalue(), namespace


def test_the_example_runs_and_says_what_it_did(env: None, platform: respx.MockRouter) -> None:
    out, _ns = run(block_with("with GeoplateformeClient("))
    assert out.splitlines() == [
        "Dave Lopper: 1 workspace(s)",
        "  atelier  Mon atelier  [UPLOAD,PROCESSING]",
        "  public: tutoriels  Tutoriels",
        "request r1: pending",
    ]
    join = [c.request for c in platform.calls if c.request.method == "POST"]
    assert len(join) == 1
    assert json.loads(join[0].content) == {
        "type": "join",
        "community": C2,
        "message": "Bonjour, je produis des données.",
    }
    assert join[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_the_example_catches_a_pending_request(env: None, platform: respx.MockRouter) -> None:
    platform.post(API + "/requests").respond(409, json={"error": "conflict", "error_description": "pending"})
    out, _ns = run(block_with("with GeoplateformeClient("))
    assert out.splitlines()[-1] == "a request to join is already pending"


def test_logging_in_with_a_token(env: None, platform: respx.MockRouter) -> None:
    _out, ns = run(block_with("TokenManager.static(token)"), token=TOKEN)
    api = ns["api"]
    assert isinstance(api, GeoplateformeClient)
    with api:
        assert api.users.me().email == "dave@ign.fr"
    assert platform.calls.last.request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_logging_in_with_the_stored_cartes_login(env: None, platform: respx.MockRouter) -> None:
    """The context finds the login as a command does (here CARTES_TOKEN, the first it tries) and
    closes the client it gave."""
    seen: list[str] = []
    code = block_with("context.client()")
    assert "\n...\n" in code  # where the script does its work
    _out, ns = run(code.replace("\n...\n", "\nseen.append(api.users.me().email)\n"), seen=seen)
    assert seen == ["dave@ign.fr"]
    assert ns["api"].is_closed
    assert platform.calls.last.request.headers["Authorization"] == f"Bearer {TOKEN}"
