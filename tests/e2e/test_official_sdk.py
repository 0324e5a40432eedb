"""IGN's own Python SDK (``sdk-entrepot-gpf`` from PyPI, in a virtual environment of its own that
``scripts/test`` prepares as ``.venv-sdk``) logs in to the sandbox and reads ``/users/me``: the
sandbox and a client written by IGN agree on the wire, gpf-warehouse's secret included.

The SDK is configured as its documentation says: an ini file whose ``store_authentification``
section gives the token URL, ``client_id``, ``client_secret``, login, password and TOTP seed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DEMO_PASSWORD, Sandbox

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SDK_PYTHON = ROOT / ".venv-sdk" / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
DEMO_SECRET = "sandbox-gpf-warehouse-demo-2026"  # README, "Demo accounts"

PROBE = '''
import json, sys
from pathlib import Path
issuer, api, user, password, secret, totp, ini = sys.argv[1:8]
Path(ini).write_text(f"""[store_authentification]
token_url={issuer}/protocol/openid-connect/token
client_id=gpf-warehouse
client_secret={secret}
login={user}
password={password}
totp_key={totp}
nb_attempts=1
sec_between_attempt=0
[store_api]
root_url={api}
nb_attempts=1
sec_between_attempt=0
""", encoding="utf-8")
from sdk_entrepot_gpf.io.Config import Config
Config().read(ini)
from sdk_entrepot_gpf.io.ApiRequester import ApiRequester
try:
    response = ApiRequester().route_request("user_get")
except Exception as exc:
    print(json.dumps({"error": type(exc).__name__}))
else:
    print(json.dumps({"status": response.status_code, "email": response.json().get("email")}))
'''


@pytest.fixture(scope="module")
def sdk_python() -> Path:
    if not SDK_PYTHON.exists():
        if os.environ.get("CARTES_REQUIRE_SDK"):
            pytest.fail(f"CARTES_REQUIRE_SDK is set but {SDK_PYTHON} is missing (scripts/test installs it)")
        pytest.skip("IGN's SDK is not installed in .venv-sdk (scripts/test installs it)")
    return SDK_PYTHON


def probe(
    sdk: Path, sandbox: Sandbox, tmp_path: Path, user: str, secret: str, totp: str = ""
) -> dict[str, object]:
    script = tmp_path / "probe.py"
    script.write_text(PROBE, encoding="utf-8")
    proc = subprocess.run(
        [
            str(sdk),
            str(script),
            sandbox.issuer,
            sandbox.api_url,
            user,
            DEMO_PASSWORD,
            secret,
            totp,
            str(tmp_path / "c.ini"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "NO_PROXY": "*"},
    )
    assert proc.stdout.strip(), proc.stderr[-2000:]
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_the_official_sdk_logs_in_with_the_demo_secret(
    sdk_python: Path, demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    assert probe(sdk_python, demo_sandbox, tmp_path, "julien.lefebvre", DEMO_SECRET) == {
        "status": 200,
        "email": "julien.lefebvre@ddt-gironde.test",
    }


def test_the_official_sdk_sends_the_totp_code_as_the_sandbox_expects(
    sdk_python: Path, demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    user = demo_sandbox.new_totp_user()
    assert probe(sdk_python, demo_sandbox, tmp_path, user.username, DEMO_SECRET, user.seed) == {
        "status": 200,
        "email": f"{user.username}@exemple.test",
    }


def test_the_sandbox_refuses_the_sdk_without_the_right_secret(
    sdk_python: Path, demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    # The SDK's own default secret is production's, which the sandbox does not accept.
    assert probe(
        sdk_python, demo_sandbox, tmp_path, "julien.lefebvre", "BK2G7Vvkn7UDc8cV7edbCnHdYminWVw2"
    ) == {"error": "AuthentificationError"}
