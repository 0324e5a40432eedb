"""Start-up budget: ``cartes --help`` and ``--version`` import only what they print."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from tests.conftest import base_env

HEAVY = (
    "httpx",
    "pydantic",
    "keyring",
    "rich",
    "PIL",
    "segno",
    "cartes_cli.sandbox",
    "fastapi",
    "uvicorn",
    "jwt",
)
CLI_DIR = Path(__file__).resolve().parents[2] / "src" / "cartes_cli" / "cli"


def _imported_modules(args: list[str], env: dict[str, str] | None = None) -> set[str]:
    code = (
        "import sys\n"
        "from cartes_cli.__main__ import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    # The stub that keeps httpx's own command-line tool out (cartes_cli.__main__) is not httpx.
    return set(proc.stderr.split()) - {"httpx._main"}


@pytest.mark.parametrize("args", [["--help"], ["--version"]])
def test_help_and_version_import_no_heavy_module(args: list[str]) -> None:
    modules = _imported_modules(args)
    loaded = sorted(m for m in modules for h in HEAVY if m == h or m.startswith(h + "."))
    assert loaded == [], f"{args} imported {loaded}"


@pytest.mark.parametrize(
    "args", [["workspace", "--help"], ["login", "status", "--help"], ["sandbox", "serve", "--help"]]
)
def test_subcommand_help_imports_no_client_keyring_or_sandbox(args: list[str]) -> None:
    # Typer's parameter handling may import pydantic (0.29 does); it is allowed here.
    modules = _imported_modules(args)
    heavy = [h for h in HEAVY if h != "pydantic"]
    loaded = sorted(m for m in modules for h in heavy if m == h or m.startswith(h + "."))
    assert loaded == [], f"{args} imported {loaded}"


# The registries of cli/verbs.py: (package, registry attribute).
REGISTRIES = [
    ("cartes_cli.cli.workspace", "VERBS"),
    ("cartes_cli.cli.workspace", "MEMBER_VERBS"),
    ("cartes_cli.cli.request", "VERBS"),
    ("cartes_cli.cli.account", "VERBS"),
    ("cartes_cli.cli.account.twofa", "VERBS"),
    ("cartes_cli.cli.login", "VERBS"),
    ("cartes_cli.cli.sandbox", "VERBS"),
]


def _verb_modules() -> set[str]:
    from cartes_cli.cli.verbs import Verb

    return {
        f"{package}.{verb.module}"
        for package, registry in REGISTRIES
        for verb in getattr(importlib.import_module(package), registry).values()
        if isinstance(verb, Verb)
    }


@pytest.mark.parametrize(
    ("args", "own"),
    [
        (["workspace", "list", "--public"], "cartes_cli.cli.workspace.list"),
        (["--profile", "ci", "request", "list", "--status", "pending"], "cartes_cli.cli.request.list"),
        (["account", "show"], "cartes_cli.cli.account.show"),
        (["account", "2fa", "enable", "--help"], "cartes_cli.cli.account.twofa.enable"),
        (["workspace", "member", "add", "--help"], "cartes_cli.cli.workspace.member"),
        (["login", "status"], "cartes_cli.cli.login.status"),
        (["sandbox", "outbox", "--help"], "cartes_cli.cli.sandbox.outbox"),
    ],
)
def test_a_command_imports_its_own_verb_module_only(args: list[str], own: str, tmp_path: Path) -> None:
    """The group is built with the verb the command line names (cli/verbs.py): its siblings'
    modules are not imported (run without a login: the command stops before any request)."""
    modules = _imported_modules(args, env=base_env(tmp_path))
    assert sorted(modules & _verb_modules()) == [own]
    if args[0] == "account" and args[1] != "2fa":
        assert "cartes_cli.cli.account.twofa" not in modules


@pytest.mark.parametrize(
    "args", [["workspace", "--help"], ["workspace", "--help", "list"], ["workspace", "lst"]]
)
def test_the_group_help_and_an_unknown_verb_import_every_verb(args: list[str], tmp_path: Path) -> None:
    modules = _imported_modules(args, env=base_env(tmp_path))
    workspace = {m for m in _verb_modules() if m.startswith("cartes_cli.cli.workspace.")}
    assert workspace <= modules


def _verb_paths(command: typer.core.TyperGroup, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, sub in command.commands.items():
        if isinstance(sub, typer.core.TyperGroup):
            paths.extend(_verb_paths(sub, (*path, name)))
        else:
            paths.append((*path, name))
    return paths


def _help_of(app: typer.Typer, path: tuple[str, ...]) -> tuple[str, list[str]]:
    """The help of ``cartes PATH…``, and the names of its parent group's commands."""
    root = typer.main.get_command(app)
    context = root.make_context("cartes", [], resilient_parsing=True)
    command = root
    for word in path:
        parent = command
        command = command.get_command(context, word)
        context = command.make_context(word, [], parent=context, resilient_parsing=True)
    return context.get_help(), sorted(parent.commands)


def test_a_group_built_for_one_verb_shows_that_verb_as_the_whole_group_does() -> None:
    from cartes_cli.cli.app import VERB_GROUPS, make_app

    whole = make_app()
    full_tree = typer.main.get_command(whole)
    checked = 0
    for group in VERB_GROUPS:
        for path in _verb_paths(full_tree.commands[group]):
            text, _siblings = _help_of(whole, (group, *path))
            alone, siblings = _help_of(make_app(group, words=path), (group, *path))
            assert alone == text, (group, path)
            assert siblings == [path[-1]], (group, path)  # the verb only, not its siblings
            checked += 1
    assert checked >= 30
    # No verb named (the group's help), or a word that is none: the whole group.
    for words in ([], ["lst"]):
        built = typer.main.get_command(make_app("workspace", words=words)).commands["workspace"]
        assert sorted(built.commands) == sorted(full_tree.commands["workspace"].commands)
    built = typer.main.get_command(make_app("workspace", words=["member", "ad"])).commands["workspace"]
    assert sorted(built.commands) == ["member"]
    assert sorted(built.commands["member"].commands) == ["add", "remove", "set"]


def test_a_bare_word_after_json_is_read_against_the_whole_group_fields(tmp_path: Path) -> None:
    """'rights' is a field of 'workspace members', not of 'workspace show': as when every verb
    was loaded, it is a field list (show then misses its workspace), not the workspace's name."""
    code = (
        "from cartes_cli.__main__ import main\n"
        "raise SystemExit(main(['workspace', 'show', '--json', 'rights']))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=base_env(tmp_path)
    )
    assert proc.returncode == 2, proc.stderr
    assert "Missing argument 'WS'" in proc.stderr


def test_version_fast_path_does_not_import_typer() -> None:
    modules = _imported_modules(["--version"])
    assert "typer" not in modules
    # Not even typing or contextlib (10 ms together on a 2-core machine, as much as Python's own start).
    assert "typing" not in modules
    assert "contextlib" not in modules


def test_cli_modules_have_no_top_level_heavy_imports() -> None:
    """A lint rule: in cli/, heavy modules are imported inside functions only."""
    offenders = []
    for path in CLI_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # top level only (TYPE_CHECKING blocks are ast.If: skipped)
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if any(name == h or name.startswith(h + ".") for h in HEAVY) or name.startswith(
                    ("cartes_cli.client", "cartes_cli.auth")
                ):
                    offenders.append(f"{path.relative_to(CLI_DIR)}: {name}")
    assert offenders == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_root_help_outline_matches_the_full_tree(lang: str) -> None:
    """'cartes --help' is printed from an outline of the groups (fast); it must read exactly as the
    help of the whole command tree would."""
    code = (
        "import io, contextlib, typer\n"
        "from cartes_cli.cli.app import make_app\n"
        "def render(app):\n"
        "    out = io.StringIO()\n"
        "    with contextlib.redirect_stdout(out):\n"
        "        try:\n"
        "            typer.main.get_command(app).main(['--help'], prog_name='cartes')\n"
        "        except SystemExit:\n"
        "            pass\n"
        "    return out.getvalue()\n"
        "full, outline = render(make_app()), render(make_app(outline=True))\n"
        "assert full == outline, (full, outline)\n"
        "assert 'workspace' in full and 'request' in full\n"
    )
    env = {"PATH": "/usr/bin:/bin", "CARTES_LANG": lang, "COLUMNS": "100"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_the_executable_collects_no_garbage_at_start_up_and_freezes_it_for_long_runs() -> None:
    code = (
        "import gc\n"
        "from cartes_cli import garbage_collection\n"
        "default = gc.get_threshold()\n"
        "garbage_collection.for_long_run()\n"
        "assert gc.get_freeze_count() == 0, 'a library user is left alone'\n"
        "collections = []\n"
        "gc.callbacks.append(lambda phase, info: collections.append(info) if phase == 'stop' else None)\n"
        "garbage_collection.for_start_up()\n"
        "from cartes_cli.__main__ import main\n"
        "import cartes_cli.client._client, cartes_cli.auth.httpx_auth, cartes_cli.cli.request\n"
        "assert main(['request', '--help']) == 0\n"
        "assert collections == [], collections\n"
        "garbage_collection.for_long_run()\n"
        "assert gc.get_freeze_count() > 50_000, gc.get_freeze_count()\n"
        "assert gc.get_threshold() == default\n"
        "print('ok')\n"
    )
    proc = _python(code)
    assert proc.stdout.strip().endswith("ok")


def test_the_executable_runs_with_that_policy() -> None:
    code = (
        "import atexit, gc, sys\n"
        "from cartes_cli.__main__ import entry\n"
        "seen = []\n"
        "gc.callbacks.append(lambda phase, info: seen.append(info) if phase == 'stop' else None)\n"
        "report = lambda: sys.stderr.write(f'collections={len(seen)} threshold={gc.get_threshold()[0]}')\n"
        "atexit.register(report)\n"
        "sys.argv = ['cartes', 'workspace', '--help']\n"
        "entry()\n"
    )
    assert _python(code).stderr == "collections=0 threshold=200000"


def _python(code: str) -> subprocess.CompletedProcess[str]:
    """``python -c code`` in a fresh process (start-up is what these tests look at)."""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc
