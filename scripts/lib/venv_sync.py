"""Keep a virtual environment exactly in step with a lock file, without the network when it already is.

Used by scripts/test and scripts/demo, run with the system's python3 (standard library only):

    python3 scripts/lib/venv_sync.py sync .venv requirements/dev.txt --editable . --watch pyproject.toml
    python3 scripts/lib/venv_sync.py sync .venv-sdk requirements/sdk.txt
    python3 scripts/lib/venv_sync.py latest .venv-latest requirements/dev.txt

``sync`` writes a stamp inside the environment (STAMP) holding a hash of the lock, of the watched
files and of the interpreter; while the stamp matches, it prints one line and installs nothing (no
network). Otherwise it installs every locked version with pip in hash-checking mode and without
resolving anything (``--require-hashes --no-deps``), removes whatever the lock does not name,
installs the working tree in editable mode offline (``--no-index --no-build-isolation``: the build
backend is in the lock), runs ``pip check``, and only then writes the stamp. A changed interpreter
or a moved environment is made anew. With ``--editable``, it then byte-compiles the project's
``src/`` (every time: only what changed is compiled), as installing a wheel would.

``latest`` installs the newest versions that pyproject.toml allows (the network, on purpose) and
prints how they differ from the lock. It never writes the lock stamp.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import venv as stdlib_venv
from collections.abc import Callable, Sequence
from pathlib import Path

STAMP = "cartes-lock.stamp"
# Bumped when what sync does changes, so that environments made by an older sync are redone.
SYNC_VERSION = "1"
# Installed by `python -m venv` itself; never removed, never in the lock.
SEEDED = frozenset({"pip", "setuptools", "wheel"})
PIP_NOISE = re.compile(r"^WARNING: Location '.*' is ignored")
# name[extras]==version ; marker \   (the first line of a requirement in a pip-compile style lock)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)\s*(?:;\s*([^\\]*?))?\s*\\?$")
# Installing the working tree from what is already there: no index, no build environment.
OFFLINE_EDITABLE = ("install", "--quiet", "--no-deps", "--no-index", "--no-build-isolation", "-e")

Runner = Callable[[Sequence[str]], subprocess.CompletedProcess[str]]


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(lock: Path) -> dict[str, list[tuple[str, str]]]:
    """Every pinned requirement of a lock file: normalized name -> [(version, marker)]. A universal
    lock may pin a name twice, under exclusive markers (one per Python version, say)."""
    pins: dict[str, list[tuple[str, str]]] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            name, version, marker = match.groups()
            pins.setdefault(normalize(name), []).append((version, (marker or "").strip()))
    return pins


def bin_dir(env: Path) -> Path:
    return env / ("Scripts" if os.name == "nt" else "bin")


def env_python(env: Path) -> Path:
    return bin_dir(env) / ("python.exe" if os.name == "nt" else "python")


def fingerprint(lock: Path, watched: Sequence[Path] = ()) -> str:
    """What the environment was made from: the lock, the watched files, this interpreter."""
    digest = hashlib.sha256()
    digest.update(f"sync {SYNC_VERSION}\n".encode())
    for path in (lock, *watched):
        digest.update(f"{path.name}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).hexdigest().encode())
    return digest.hexdigest()


def interpreter(env: Path) -> str:
    """The interpreter and the place the environment was made with: if either changes, the
    environment's scripts and links are stale and it is made anew."""
    return f"{sys.version.split()[0]} {os.path.realpath(sys.executable)} {env.resolve()}"


def read_stamp(env: Path) -> dict[str, str]:
    try:
        data = json.loads((env / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def is_current(env: Path, lock: Path, watched: Sequence[Path] = ()) -> bool:
    """True when the environment was made from this lock (and watched files) with this interpreter,
    here, and its Python still runs: nothing to install."""
    if not env_python(env).exists():  # also false for a dangling link to a removed interpreter
        return False
    stamp = read_stamp(env)
    made = (stamp.get("fingerprint"), stamp.get("interpreter"))
    return made == (fingerprint(lock, watched), interpreter(env))


def write_stamp(env: Path, lock: Path, watched: Sequence[Path] = ()) -> None:
    data = {
        "fingerprint": fingerprint(lock, watched),
        "interpreter": interpreter(env),
        "lock": str(lock),
        "lock_sha256": hashlib.sha256(lock.read_bytes()).hexdigest(),
    }
    tmp = env / (STAMP + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    tmp.replace(env / STAMP)


def run(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Runs a command quietly; on failure, shows what it said (less pip's noise) and stops."""
    proc = subprocess.run(list(argv), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        said = [line for line in (proc.stdout + proc.stderr).splitlines() if not PIP_NOISE.match(line)]
        sys.stderr.write("\n".join(said) + "\n")
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(argv)}")
    return proc


def pip(env: Path, *args: str) -> list[str]:
    return [str(env_python(env)), "-m", "pip", "--disable-pip-version-check", "--no-input", *args]


def installed(env: Path, runner: Runner) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json\n"
        "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions() if d.metadata['Name']}))"
    )
    out = runner([str(env_python(env)), "-c", code]).stdout
    return {normalize(name): version for name, version in json.loads(out).items()}


def create(env: Path) -> None:
    """A new environment of this interpreter, as `python -m venv` makes it."""
    shutil.rmtree(env, ignore_errors=True)
    stdlib_venv.EnvBuilder(with_pip=True, symlinks=os.name != "nt").create(env)


def sync(
    env: Path,
    lock: Path,
    watched: Sequence[Path] = (),
    editable: Path | None = None,
    runner: Runner = run,
) -> bool:
    """Makes `env` match `lock` (plus `editable`, installed without dependencies). Returns whether
    anything was installed; prints one line either way."""
    if is_current(env, lock, watched):
        print(f"» {env} is current with {lock}: nothing to install")
        return False
    stamp = read_stamp(env)
    if not env_python(env).exists() or stamp.get("interpreter") not in (None, interpreter(env)):
        why = "new"
        create(env)
    else:
        changed = " or ".join(str(path) for path in (lock, *watched))
        why = f"{changed} changed since it was made" if stamp else "made before the lock"
    print(f"» {env} ({why}): syncing it with the {len(locked(lock))} packages of {lock}", flush=True)
    (env / STAMP).unlink(missing_ok=True)  # an interrupted install is never taken as current
    runner(pip(env, "install", "--quiet", "--require-hashes", "--no-deps", "-r", str(lock)))
    keep = set(locked(lock)) | SEEDED
    if editable is not None:
        keep |= {normalize(project_name(editable))}
    extra = sorted(name for name in installed(env, runner) if name not in keep)
    if extra:
        print(f"  removing what the lock does not name: {', '.join(extra)}")
        runner(pip(env, "uninstall", "--quiet", "--yes", *extra))
    if editable is not None:
        runner(pip(env, *OFFLINE_EDITABLE, str(editable)))
    runner(pip(env, "check"))
    write_stamp(env, lock, watched)
    return True


def compile_project(env: Path, project: Path, runner: Runner = run) -> None:
    """Byte-compiles the editable project's sources (``src/``) with the environment's Python, as
    installing a wheel does. Python writes no bytecode of its own where PYTHONDONTWRITEBYTECODE is
    set (this machine, CI): without this, every ``cartes`` a test or the demo starts would compile
    the modules it imports from source again. Up-to-date files are skipped; an edited source makes
    its .pyc stale, which Python notices (and compiles in memory) until the next run."""
    sources = project / "src"
    if sources.is_dir():
        runner([str(env_python(env)), "-m", "compileall", "-q", "-j", "0", str(sources)])


def project_name(project: Path) -> str:
    import tomllib

    with (project / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["name"])


def latest(env: Path, lock: Path, project: Path, runner: Runner = run) -> dict[str, tuple[str, str]]:
    """Installs the newest versions pyproject.toml allows for the dev extra, and prints how they
    differ from the lock: name -> (locked, installed)."""
    if not env_python(env).exists():
        create(env)
    print(f"» {env}: the newest versions pyproject.toml allows (from the package index)", flush=True)
    runner(
        pip(env, "install", "--quiet", "--upgrade", "--upgrade-strategy", "eager", "-e", f"{project}[dev]")
    )
    now = installed(env, runner)
    drift = {
        name: (", ".join(v for v, _ in pins), now[name])
        for name, pins in sorted(locked(lock).items())
        if name in now and now[name] not in {v for v, _ in pins}
    }
    new = sorted(set(now) - set(locked(lock)) - SEEDED - {normalize(project_name(project))})
    if drift or new:
        print(f"  newer than {lock}: " + ", ".join(f"{n} {a} → {b}" for n, (a, b) in drift.items()))
        if new:
            print(f"  not in {lock}: {', '.join(new)}")
    else:
        print(f"  the same versions as {lock}")
    return drift


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["sync", "latest", "current"])
    parser.add_argument("env", type=Path)
    parser.add_argument("lock", type=Path)
    parser.add_argument("--editable", type=Path, help="a project to install in editable mode, no deps")
    parser.add_argument("--watch", type=Path, action="append", default=[], help="redo env when it changes")
    args = parser.parse_args(argv)
    if args.action == "current":
        return 0 if is_current(args.env, args.lock, args.watch) else 1
    if args.action == "latest":
        project = args.editable or Path(".")
        latest(args.env, args.lock, project)
        compile_project(args.env, project)
        return 0
    sync(args.env, args.lock, args.watch, args.editable)
    if args.editable is not None:
        compile_project(args.env, args.editable)
    return 0


if __name__ == "__main__":
    sys.exit(main())
