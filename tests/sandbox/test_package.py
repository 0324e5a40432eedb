"""The sandbox as a package: cheap to import, independent of the CLI, robust to its own bugs."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import anyio
import httpx

import cartes_cli.sandbox
from cartes_cli.sandbox.app import build_app

from .conftest import Harness

PACKAGE_DIR = Path(cartes_cli.sandbox.__file__).parent


def test_importing_the_entry_points_loads_no_heavy_module() -> None:
    code = (
        "import sys, cartes_cli.sandbox, cartes_cli.sandbox.server, cartes_cli.sandbox.config\n"
        "from cartes_cli.sandbox import SandboxConfig, serve\n"
        "heavy = ('fastapi', 'uvicorn', 'jwt', 'pydantic', 'httpx', 'starlette', 'cryptography')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_no_sandbox_module_imports_the_cli() -> None:
    for path in PACKAGE_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith("cartes_cli.cli"), f"{path.name} imports {name}"


def test_an_internal_error_is_a_500_in_the_api_shape_without_details(sb: Harness) -> None:
    app = build_app(sb.sandbox)

    async def boom() -> None:
        raise RuntimeError("secret detail from the request")

    app.add_api_route("/api/boom", boom)

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.get("/api/boom")

    response = anyio.run(call)
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "internal_error"
    assert "secret detail" not in response.text
