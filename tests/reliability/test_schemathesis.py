"""schemathesis against the sandbox's OpenAPI document (issue 7, item 6): for every operation,
generated requests (valid and invalid) sent as platform staff and as a plain user (a member of
nothing) get no 5xx, and every answer conforms to the document: a documented status, content type,
headers and body schema.

In process (the ASGI app), bounded and derandomized: the same cases every run. Left out: the two
control routes that change the sandbox itself (``PUT /sandbox/faults`` would inject 5xx by design,
the fixtures create up to 50,000 accounts per call); tests/reliability/test_faults.py covers them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks

from cartes_cli.sandbox.app import build_app
from cartes_cli.sandbox.config import SandboxConfig
from cartes_cli.sandbox.domain.keys import SigningKey
from tests.sandbox.conftest import seeded_harness

pytestmark = pytest.mark.reliability

MAX_EXAMPLES = int(os.environ.get("CARTES_SCHEMATHESIS_EXAMPLES", "15"))
"""Per operation, per generation mode (raise it for a deeper run: CARTES_SCHEMATHESIS_EXAMPLES=200)."""
EXCLUDED = {
    ("PUT", "/sandbox/faults"),
    ("POST", "/sandbox/fixtures/join-requests"),
    ("POST", "/sandbox/fixtures/communities"),
}
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


def _document() -> dict[str, Any]:
    """The OpenAPI document, built without opening any data (routes depend on the settings only)."""
    stand_in: Any = SimpleNamespace(config=SandboxConfig(scriptable_captchas=True))
    document: dict[str, Any] = build_app(stand_in).openapi()
    return document


schema = schemathesis.openapi.from_dict(_document())
for method, path in EXCLUDED:
    assert method.lower() in schema.raw_schema["paths"][path], (method, path)
schema = schema.exclude(
    path_regex=r"^/sandbox/(faults|fixtures/.*)$", method=["PUT", "POST"]
)  # the EXCLUDED pairs


@dataclass
class Target:
    app: Any
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def target(
    tmp_path_factory: pytest.TempPathFactory, demo_template: Path, demo_key: SigningKey
) -> Iterator[Target]:
    directory = tmp_path_factory.mktemp("schemathesis") / "data"
    sb = seeded_harness(directory, demo_template, demo_key, token_ttl=3600, scriptable_captchas=True)
    sandbox, app = sb.sandbox, sb.client.app
    sb.add_user("paul.simple")  # a plain user: member of nothing
    tokens = {"staff": sb.access_token("claire.moreau"), "plain": sb.access_token("paul.simple")}
    for token in tokens.values():  # the tokens work: cases go past authentication
        assert sb.get("/api/users/me", token=token).status_code == 200
    yield Target(app, tokens)
    sandbox.close()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_operation(case: schemathesis.Case, target: Target) -> None:
    for token in target.tokens.values():
        headers = {
            "Authorization": f"Bearer {token}",
            "Host": "127.0.0.1",
        }  # the control routes want loopback
        case.call_and_validate(app=target.app, headers=headers, checks=CHECKS)
