"""The command layout (docs/design.md, "Commands, one room each"): one module per verb with its
options object and its run(), imports that go one way, and rooms that stay small."""

from __future__ import annotations

import ast
import dataclasses
import importlib
from pathlib import Path

import pytest

CLI_DIR = Path(__file__).resolve().parents[2] / "src" / "cartes_cli" / "cli"
GROUP_PACKAGES = ("workspace", "request")
NOT_VERBS = {"__init__", "common", "rows", "targets", "reasons", "review_screen"}
"""Modules of a group package that are not verbs: what several verbs share, or what one verb
draws or keeps (``review``'s screen and remembered reasons)."""
RESTRUCTURED = [
    *(p for group in GROUP_PACKAGES for p in (CLI_DIR / group).glob("*.py")),
    *(CLI_DIR / name for name in ("options.py", "references.py", "bulk.py", "completion.py")),
    CLI_DIR / "completion_request.py",
]


def _runtime_imports(path: Path) -> set[str]:
    """Every module ``path`` imports when it runs (function bodies included; ``TYPE_CHECKING``
    blocks excluded), with ``from a import b`` counted as both ``a`` and ``a.b``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
        for inner in ast.walk(node)
    }
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _room(module: str) -> str | None:
    """The module or package of ``cli/`` a dotted name belongs to (``request`` for
    ``cartes_cli.cli.request.rows``), if any."""
    parts = module.split(".")
    if parts[:2] != ["cartes_cli", "cli"] or len(parts) < 3:
        return None
    name = parts[2]
    return name if (CLI_DIR / name).is_dir() or (CLI_DIR / f"{name}.py").exists() else None


def _import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in CLI_DIR.rglob("*.py"):
        me = path.relative_to(CLI_DIR).with_suffix("").parts[0]
        for name in _runtime_imports(path):
            room = _room(name)
            if room is not None and room != me:
                graph.setdefault(me, set()).add(room)
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    return circles


def test_no_import_circle_between_cli_modules() -> None:
    """Not even through a function-level import: the request commands do not import the
    workspace ones, and candidates and completion do not import each other."""
    graph = _import_graph()
    assert _circles(graph) == []
    assert "workspace" not in graph.get("request", set())
    assert "request" in graph["workspace"]  # join prints the request it sent: one way only


def test_the_circle_finder_finds_a_circle() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _verb_modules() -> list[str]:
    return [
        f"cartes_cli.cli.{group}.{path.stem}"
        for group in GROUP_PACKAGES
        for path in sorted((CLI_DIR / group).glob("*.py"))
        if path.stem not in NOT_VERBS
    ]


@pytest.mark.parametrize("name", _verb_modules())
def test_a_verb_module_has_a_frozen_options_object_and_a_run(name: str) -> None:
    module = importlib.import_module(name)
    options = [
        value
        for key, value in vars(module).items()
        if key.endswith("Options") and dataclasses.is_dataclass(value) and value.__module__ == name
    ]
    assert options, f"{name} has no options dataclass"
    for cls in options:
        assert cls.__dataclass_params__.frozen, f"{cls.__name__} is not frozen"
    runs = [key for key, value in vars(module).items() if key.split("_")[0] == "run" and callable(value)]
    assert runs, f"{name} has no run()"


@pytest.mark.parametrize("group", GROUP_PACKAGES)
def test_every_verb_module_is_in_its_group_registry(group: str) -> None:
    """The group registers its verbs from a registry (cli/verbs.py): a verb module missing there
    would be no command at all."""
    from cartes_cli.cli.verbs import Verb

    package = importlib.import_module(f"cartes_cli.cli.{group}")
    registries = [value for key, value in vars(package).items() if key.endswith("VERBS")]
    named = {verb.module for registry in registries for verb in registry.values() if isinstance(verb, Verb)}
    files = {path.stem for path in (CLI_DIR / group).glob("*.py")} - NOT_VERBS
    assert named == files


@pytest.mark.parametrize("path", RESTRUCTURED, ids=lambda p: str(p.relative_to(CLI_DIR)))
def test_rooms_stay_small(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 600
    long = [
        f"{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno >= 80
    ]
    assert long == []
