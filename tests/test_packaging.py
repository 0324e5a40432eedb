"""The wheel: built from this tree without the network, it carries the man pages, the completion
scripts and the catalogues, installs its man pages under share/man/man1, and says one version.

Bounded to a few seconds: the wheel is built in place with the installed hatchling (no build
isolation, no index), then installed without dependencies into a bare virtualenv.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import cartes_cli

ROOT = Path(__file__).resolve().parents[1]
NAME = "cartes_cli"
VERSION = cartes_cli.__version__
NO_NETWORK = ["--no-index", "--no-deps", "--disable-pip-version-check", "--quiet"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        import hatchling  # noqa: F401  (the build backend, used in place: no download)
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("hatchling must be installed (it is in the dev extra of pyproject.toml)")
        pytest.skip("building the wheel needs hatchling (pip install -e '.[dev]')")
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-build-isolation",
            *NO_NETWORK,
            "-w",
            str(out),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    (built,) = out.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_wheel_is_named_after_the_one_version(wheel: Path) -> None:
    assert wheel.name == f"{NAME}-{VERSION}-py3-none-any.whl"
    assert re.fullmatch(r"\d+\.\d+\.\d+([ab]|rc|\.dev|\.post)?\d*", VERSION)


def test_metadata_and_package_agree_on_the_version(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"{NAME}-{VERSION}.dist-info/METADATA").decode()
        init = archive.read(f"{NAME}/__init__.py").decode()
        entry_points = archive.read(f"{NAME}-{VERSION}.dist-info/entry_points.txt").decode()
    assert f"\nVersion: {VERSION}\n" in metadata
    assert f'__version__ = "{VERSION}"' in init
    assert "cartes = cartes_cli.__main__:entry" in entry_points


def test_wheel_carries_man_pages_and_completions(names: set[str]) -> None:
    pages = sorted(p.name for p in (ROOT / "man").glob("*.1"))
    assert "cartes.1" in pages
    for page in pages:
        assert f"{NAME}/data/man/{page}" in names
        assert f"{NAME}-{VERSION}.data/data/share/man/man1/{page}" in names
    for shell in ("bash", "zsh", "fish", "powershell"):
        assert f"{NAME}/data/completions/cartes.{shell}" in names
    assert f"{NAME}/__main__.py" in names
    assert f"{NAME}/cli/help.py" in names


def test_wheel_carries_the_catalogues(names: set[str]) -> None:
    locale = ROOT / "src" / NAME / "locale"
    if not locale.is_dir():
        pytest.skip("no src/cartes_cli/locale yet")
    for path in locale.rglob("*"):
        if path.is_file() and path.suffix in (".mo", ".po"):
            assert f"{NAME}/locale/{path.relative_to(locale).as_posix()}" in names
    for po in locale.rglob("*.po"):
        mo = po.with_suffix(".mo").relative_to(locale).as_posix()
        assert f"{NAME}/locale/{mo}" in names, f"{mo}: the wheel needs the compiled catalogue"


def test_wheel_holds_nothing_else(names: set[str]) -> None:
    allowed = (f"{NAME}/", f"{NAME}-{VERSION}.dist-info/", f"{NAME}-{VERSION}.data/data/share/man/man1/")
    assert [n for n in names if not n.startswith(allowed)] == []
    assert [n for n in names if "__pycache__" in n or n.endswith(".pyc")] == []


def test_installed_wheel_serves_its_man_pages(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", *NO_NETWORK, str(wheel)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    # Where pipx and packagers link man pages from.
    assert (venv / "share" / "man" / "man1" / "cartes.1").read_text(encoding="utf-8").startswith('.\\"')
    code = (
        "import importlib.resources as r, cartes_cli\n"
        "data = r.files('cartes_cli') / 'data'\n"
        "print(cartes_cli.__file__)\n"
        "print((data / 'man' / 'cartes.1').read_text(encoding='utf-8').splitlines()[1])\n"
        "print((data / 'completions' / 'cartes.bash').is_file())\n"
    )
    proc = subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    where, title, bash = proc.stdout.splitlines()
    assert where.startswith(str(venv)), where  # the installed copy, not this tree
    assert title.startswith(".TH CARTES 1 ")
    assert f'"cartes {VERSION}"' in title
    assert bash == "True"
    # The version fast path needs none of the dependencies.
    proc = subprocess.run(
        [str(venv / "bin" / "cartes"), "--version"], capture_output=True, text=True, timeout=60
    )
    assert (proc.returncode, proc.stdout) == (0, f"cartes {VERSION}\n"), proc.stderr
