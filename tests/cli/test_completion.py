"""Tab completion: the committed scripts match the generator, and bash really completes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SHELLS = ("bash", "zsh", "fish", "powershell")


def cartes(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "cartes"), *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("shell", SHELLS)
def test_committed_scripts_match_the_generator(shell: str) -> None:
    r = cartes("completion", shell)
    assert r.returncode == 0, r.stderr
    committed = (ROOT / "completions" / f"cartes.{shell}").read_text(encoding="utf-8")
    assert r.stdout == committed, f"regenerate: cartes completion {shell} > completions/cartes.{shell}"


def test_unknown_shell_is_a_usage_error() -> None:
    r = cartes("completion", "tcsh")
    assert r.returncode == 2
    assert "tcsh" in r.stderr


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["cartes", "work"], {"workspace"}),
        (["cartes", "login", "sw"], {"switch"}),
        (["cartes", "request", "approve", "--con"], {"--concurrency"}),
        (["cartes", "workspace", "member", ""], {"add", "set", "remove"}),
    ],
)
def test_bash_completes_in_a_real_bash(words: list[str], expected: set[str]) -> None:
    script = ROOT / "completions" / "cartes.bash"
    words_literal = " ".join(f"'{w}'" for w in words)
    program = (
        f"source '{script}'\n"
        f"COMP_WORDS=({words_literal})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        "_cartes_completion cartes\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    r = subprocess.run(["bash", "-c", program], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert expected <= set(r.stdout.split()), r.stdout
