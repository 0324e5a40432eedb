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
    for path in PACKAGE_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith("cartes_cli.cli"), f"{path.name} imports {name}"


def _sandbox_imports() -> dict[str, set[str]]:
    """Each sandbox module → the sandbox modules it imports (at the top or inside a function)."""
    modules = {
        "cartes_cli.sandbox." + ".".join(path.relative_to(PACKAGE_DIR).with_suffix("").parts): path
        for path in PACKAGE_DIR.rglob("*.py")
    }
    modules = {name.removesuffix(".__init__"): path for name, path in modules.items()}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    targets.add(submodule if submodule in modules else node.module)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def test_no_import_circle_inside_the_sandbox() -> None:
    graph = _sandbox_imports()
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            raise AssertionError("import circle: " + " -> ".join([*path[path.index(name) :], name]))
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def test_the_layers_import_downwards_only() -> None:
    """routes → domain → store: the store knows no domain, the domain no HTTP route or FastAPI."""
    graph = _sandbox_imports()
    for name, targets in graph.items():
        if name.startswith("cartes_cli.sandbox.store"):
            assert not {t for t in targets if ".domain" in t or ".routes" in t}, name
        if name.startswith("cartes_cli.sandbox.domain"):
            assert not {t for t in targets if ".routes" in t}, name
    for path in (PACKAGE_DIR / "domain").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "import fastapi" not in source, path.name
        assert "from fastapi" not in source, path.name
        assert "from starlette" not in source, path.name


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
