"""Man pages, the Markdown reference and ``cartes help``: committed files match the generator,
every page renders without a warning, every command is documented, the topics answer."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cartes_cli.cli import command_docs, man_pages
from cartes_cli.cli.exit_codes import ExitCode
from tests.conftest import Cartes

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted((ROOT / "man").glob("*.1"))
REGENERATE = "stale man pages or docs/reference.md: run scripts/gen-docs and commit the result"


def _english_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env["CARTES_LANG"] = "en"
    env.pop("CARTES_HOME", None)
    return env


@pytest.fixture(scope="module")
def tree() -> command_docs.Command:
    """The command tree as the generator sees it (names and options do not depend on the language)."""
    return command_docs.command_tree()


@pytest.fixture
def cli(tmp_path: Path) -> Cartes:
    return Cartes(tmp_path / "home", None, keyring=False)


# --- drift ----------------------------------------------------------------------------------------


def test_committed_docs_match_the_generator() -> None:
    # A process of its own: help texts are translated when their modules are imported.
    proc = subprocess.run(
        [sys.executable, "-m", "cartes_cli.cli.docgen", "--check", "--root", str(ROOT)],
        capture_output=True,
        text=True,
        env=_english_env(),
        timeout=60,
    )
    assert proc.returncode == 0, f"{REGENERATE}:\n{proc.stderr}"


def test_generation_is_deterministic_and_english(tmp_path: Path) -> None:
    outputs = []
    for lang in ("fr_FR.UTF-8", "C.UTF-8"):
        env = _english_env()
        env.pop("CARTES_LANG")
        env["LANG"] = lang
        root = tmp_path / lang
        (root / "man").mkdir(parents=True)
        proc = subprocess.run(
            [sys.executable, "-m", "cartes_cli.cli.docgen", "--root", str(root)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        outputs.append({p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]


def test_gen_docs_script_is_executable() -> None:
    script = ROOT / "scripts" / "gen-docs"
    assert os.access(script, os.X_OK)


# --- rendering ------------------------------------------------------------------------------------


def _need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is required in CI (apt-get install groff-base man-db)")
        pytest.skip(f"needs {tool}")
    return found


def test_there_is_a_page_per_top_level_command(tree: command_docs.Command) -> None:
    expected = {"cartes.1"} | {f"{c.page}.1" for c in tree.commands}
    assert {p.name for p in PAGES} == expected
    assert {"cartes-login.1", "cartes-account.1", "cartes-workspace.1", "cartes-request.1"} <= expected
    assert {"cartes-sandbox.1", "cartes-logout.1", "cartes-completion.1", "cartes-help.1"} <= expected


@pytest.mark.parametrize("device", ["default", "utf8"])
@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_groff_renders_every_page_without_a_warning(page: Path, device: str) -> None:
    groff = _need("groff")
    args = [groff, "-man", "-ww", "-z"] + ([] if device == "default" else [f"-T{device}"])
    proc = subprocess.run([*args, str(page)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr


@pytest.mark.parametrize("locale", ["C", "C.UTF-8"])
@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_man_renders_every_page_without_a_warning(page: Path, locale: str) -> None:
    man = _need("man")
    env = dict(os.environ, LC_ALL=locale, MANWIDTH="80", MAN_DISABLE_SECCOMP="1")
    proc = subprocess.run(
        [man, "--warnings", "-l", str(page)], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr
    name = page.stem.upper()
    assert name in proc.stdout.splitlines()[0]


def test_pages_are_ascii_with_no_stray_request_lines() -> None:
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        assert text.isascii(), f"{page.name}: non-ASCII characters must be roff escapes"
        for number, line in enumerate(text.splitlines(), 1):
            if line.startswith((".", "'")):
                request = re.match(r"^[.'](\\\"|[A-Za-z]+)", line)
                assert request, f"{page.name}:{number}: {line!r}"


# --- completeness ---------------------------------------------------------------------------------


def test_every_command_and_option_is_in_its_man_page(tree: command_docs.Command) -> None:
    texts = {p.stem: p.read_text(encoding="utf-8") for p in PAGES}
    overview = texts["cartes"]
    reference = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    for command in tree.walk()[1:]:
        page = texts[command.page]
        escaped = man_pages.roff_name(command.name)
        assert escaped in page, f"{command.name} missing from {command.page}.1"
        assert f"## {command.name}\n" in reference, f"{command.name} missing from docs/reference.md"
        for param in command.params:
            assert man_pages._roff_param(param) in page, f"{command.name} {param.names} missing"
            for name in [n for n in param.names if n != "/"] if param.kind == "option" else []:
                assert f"\\fB{man_pages.roff(name)}\\fR" in page, f"{command.name} {name} missing"
        if len(command.path) == 2:
            assert f"\\fB{escaped}\\fR" in overview, f"{command.name} missing from cartes.1"
            assert f"\\fB{man_pages.roff_name(command.page)}\\fR(1)" in overview
    for param in tree.options:
        for name in param.names:
            assert man_pages.roff(name) in overview


def test_overview_has_the_usual_sections() -> None:
    text = (ROOT / "man" / "cartes.1").read_text(encoding="utf-8")
    for section in (
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "OPTIONS",
        "COMMANDS",
        "ENVIRONMENT",
        "EXIT STATUS",
        "FILES",
        "EXAMPLES",
        "SEE ALSO",
    ):
        assert f"\n.SH {section}\n" in text, section
    for code in ExitCode:
        assert f"\\fB{int(code)}\\fR ({code.name})" in text


def _environment_variables_read_by_the_code() -> set[str]:
    names: set[str] = set()
    pattern = re.compile(
        r"""environ(?:\.get\(|\[)\s*["']([A-Z][A-Z0-9_]+)["']|["']([A-Z][A-Z0-9_]+)["']\s+(?:not\s+)?in\s+os\.environ"""
    )
    for path in (ROOT / "src" / "cartes_cli").rglob("*.py"):
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            names.add(match.group(1) or match.group(2))
    return names


def test_every_environment_variable_the_code_reads_is_documented() -> None:
    from cartes_cli.cli.help import environment_variables

    documented = {name.strip() for names, _meaning in environment_variables() for name in names.split(",")}
    # The shell-completion protocol's own variables, set by the completion scripts, not by users.
    protocol = {"COMP_WORDS", "COMP_CWORD"}
    read = _environment_variables_read_by_the_code() - protocol
    assert "CARTES_HOME" in read  # the scan works
    assert read - documented == set(), "document them in cartes_cli/cli/help.py, then run scripts/gen-docs"
    design = {
        "CARTES_PROFILE",
        "CARTES_ENV",
        "CARTES_API_URL",
        "CARTES_ISSUER",
        "CARTES_NO_INPUT",
        "CARTES_DEBUG",
        "NO_COLOR",
        "CARTES_TOKEN",
        "CARTES_CLIENT_ID",
        "CARTES_CLIENT_SECRET",
        "CARTES_USERNAME",
        "CARTES_PASSWORD",
        "CARTES_TOTP_SECRET",
        "CARTES_HOME",
        "CARTES_LANG",
    }
    assert design <= documented


# --- roff escaping --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("--all and -y", "\\-\\-all and \\-y"),
        ("an e-mail, a 6-digit code", "an e-mail, a 6-digit code"),
        ("or - for standard input", "or \\- for standard input"),
        ("C:\\path", "C:\\epath"),
        ("Géoplateforme…", "G\\[u00E9]oplateforme..."),
        ("--captcha-answer", "\\-\\-captcha\\-answer"),
    ],
)
def test_roff_escaping(text: str, expected: str) -> None:
    assert man_pages.roff(text) == expected


def test_a_leading_dot_or_apostrophe_cannot_become_a_request() -> None:
    lines = man_pages._roff_paragraphs([".hidden", "'quoted'", "plain"])
    assert lines == ["\\&.hidden", ".PP", "\\&'quoted'", ".PP", "plain"]


def test_release_date_comes_from_the_changelog(tmp_path: Path) -> None:
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text("## [Unreleased]\n\n## [1.2.0] - 2026-05-04\n", encoding="utf-8")
    assert command_docs.release_date("1.2.0", changelog) == "2026-05-04"
    assert command_docs.release_date("1.3.0", changelog) == ""
    assert command_docs.release_date("1.2.0", tmp_path / "missing.md") == ""


# --- cartes help, through the installed executable -------------------------------------------------


def test_help_exit_codes_lists_the_contract(cli: Cartes) -> None:
    r = cli("help", "exit-codes", env={"CARTES_LANG": "en"})
    assert r.returncode == 0, r
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    assert [(int(code), name) for code, name, _meaning in rows] == [(int(c), c.name) for c in ExitCode]
    meanings = {int(code): meaning for code, _name, meaning in rows}
    assert "not found" in meanings[3].lower()
    assert "cartes login" in meanings[4]
    assert "interrupted" in meanings[130].lower()


def test_help_exit_codes_json(cli: Cartes) -> None:
    r = cli("help", "exit-codes", "--json")
    assert r.returncode == 0, r
    data = json.loads(r.stdout)
    assert [d["code"] for d in data] == [int(c) for c in ExitCode]
    assert set(data[0]) == {"code", "name", "meaning"}
    r = cli("--json", "code,name", "help", "exit-codes")
    assert json.loads(r.stdout)[1] == {"code": 1, "name": "FAILURE"}


def test_help_environment(cli: Cartes) -> None:
    r = cli("help", "environment")
    assert r.returncode == 0, r
    listed = {line.split("\t")[0] for line in r.stdout.splitlines()}
    assert {"CARTES_PROFILE", "CARTES_TOKEN", "CARTES_HOME", "CARTES_LANG", "NO_COLOR"} <= listed
    r = cli("help", "environment", "--json", "variable")
    assert {"variable": "CARTES_TOTP_SECRET"} in json.loads(r.stdout)


def test_help_of_a_command_is_its_help(cli: Cartes) -> None:
    r = cli("help", "workspace", "list")
    assert r.returncode == 0, r
    assert r.stdout == cli("workspace", "list", "--help").stdout
    assert r.stdout.startswith("Usage: cartes workspace list")
    r = cli("help")
    assert r.returncode == 0, r
    assert "exit-codes" in r.stdout
    assert "environment" in r.stdout


@pytest.mark.parametrize("words", [["no-such-topic"], ["workspace", "no-such-command"]])
def test_unknown_help_topic_is_a_usage_error(cli: Cartes, words: list[str]) -> None:
    r = cli("help", *words)
    assert r.returncode == 2, r
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert words[-1] in r.stderr
    assert "Traceback" not in r.stderr
