"""Start-up benchmark: how long the first second of cartes takes, as ratios to a Go peer.

Every command runs in rounds, the cases interleaved (a slow moment of the machine then spreads over
every case instead of spoiling one), and each figure is printed as its median and range in
milliseconds and as a ratio to ``gh --help`` measured in the same round (GitHub's CLI, a Go
binary: what a command-line tool's start-up can be), median and range of the per-round ratios.
``python -c pass`` is the floor any Python program pays. Targets (issue 17 and earlier):

- a networked one-shot command (``workspace list --public``, ``workspace list``, ``request list
  --incoming`` against a local sandbox, end to end): within 2.5× ``gh --help``;
- ``cartes --help``: within 2× ``gh --help``; ``cartes --version``: ≤ 40 ms.

``python + httpx + typer`` imports the design's dependencies and nothing of cartes: the floor of a
networked command as long as they stay (issue 17 keeps them), and the measure of what cartes's own
modules add above it.

    .venv/bin/python benchmarks/startup.py            # 21 rounds
    .venv/bin/python benchmarks/startup.py --runs 7   # quicker

Without ``gh`` on the PATH (``apt-get install gh``), the ratios are to ``python -c pass`` only.
The package is byte-compiled first, as an installed wheel is (pip compiles at install time):
otherwise a machine with PYTHONDONTWRITEBYTECODE set would compile cartes from source at every run
and this would measure the compiler. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import warm_start  # noqa: E402
from tests.conftest import Cartes, base_env, cartes_executable, start_sandbox  # noqa: E402

TARGET_MS = {"--version": 40}
TARGET_RATIO = {  # to gh --help
    "--help": 2.0,
    "workspace list --public": 2.5,
    "workspace list": 2.5,
    "request list --incoming": 2.5,
}
WARM = " (warm)"  # the same command with CARTES_WARM=1 and its server running (docs/design.md)
WARM_CASES = ("--help", "workspace list --public", "workspace list", "request list --incoming")
TARGET_RATIO |= {label + WARM: goal for label, goal in TARGET_RATIO.items()}
PEER = "gh --help"
FLOOR = "python -c pass"
DEPENDENCIES = "python + httpx + typer"
# What any networked cartes command imports before a line of its own runs: the design's
# dependencies (httpx with httpcore, typer), with the same optional parts left out as the
# executable leaves out (cartes_cli.__main__._lighten_imports). The gap between this row and a
# command is what cartes itself costs.
_DEPENDENCIES_ONLY = (
    "from cartes_cli.__main__ import _lighten_imports; _lighten_imports(); "
    "import json, httpx, httpcore, typer.main"
)


def measure(cases: list[tuple[str, list[str], dict[str, str]]], runs: int) -> dict[str, list[float]]:
    """Wall times in milliseconds, the cases interleaved (a slow moment of the machine then spreads
    over every case instead of spoiling one), after one warm-up run of each."""
    times: dict[str, list[float]] = {label: [] for label, _argv, _env in cases}
    for i in range(runs + 1):
        for label, argv, env in cases:
            started = time.perf_counter()
            proc = subprocess.run(
                argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
            )
            elapsed = (time.perf_counter() - started) * 1000
            if proc.returncode != 0:
                raise SystemExit(f"{label} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
            if i:
                times[label].append(elapsed)
    return times


def report(times: dict[str, list[float]], labels: list[str], peer: str) -> None:
    """Median and range in ms; per-round ratio to ``peer`` (median and range); the target."""
    print(f"{'':<36} {'median':>8} {'range (ms)':>17}   ratio to {peer}: median [range]   target")
    for label in labels:
        runs = times[label]
        ratios = sorted(t / p for t, p in zip(runs, times[peer], strict=True))
        target = ""
        if label in TARGET_RATIO and peer == PEER:
            goal = TARGET_RATIO[label]
            target = f"≤ {goal}× {'met' if statistics.median(ratios) <= goal else 'MISSED'}"
        elif label in TARGET_MS:
            goal_ms = TARGET_MS[label]
            target = f"≤ {goal_ms} ms {'met' if statistics.median(runs) <= goal_ms else 'MISSED'}"
        print(
            f"{label:<36} {statistics.median(runs):7.1f}  {min(runs):7.1f}–{max(runs):7.1f}   "
            f"{statistics.median(ratios):5.2f}× [{ratios[0]:.2f}–{ratios[-1]:.2f}]{'':>18}{target}"
        )


def private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of each command (default 21)")
    args = parser.parse_args()
    compileall.compile_dir(str(ROOT / "src" / "cartes_cli"), quiet=1)

    with tempfile.TemporaryDirectory(prefix="cartes-startup-") as tmp:
        tmpdir = Path(tmp)
        sandbox = start_sandbox(
            tmpdir / "sb", tmpdir / "sb" / "data", "--seed", "demo", "--token-ttl", "3600"
        )
        try:
            cli = Cartes(tmpdir / "cli", sandbox, keyring=False)
            login = cli.login("claire.moreau")
            assert login.returncode == 0, login
            env = base_env(cli.home)
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            exe = cartes_executable()
            floor = (FLOOR, [sys.executable, "-c", "pass"], env)
            cases: list[tuple[str, list[str], dict[str, str]]] = [floor]
            gh = shutil.which("gh")
            if gh:
                cases.append((PEER, [gh, "--help"], env))
            cases += [
                (DEPENDENCIES, [sys.executable, "-c", _DEPENDENCIES_ONLY], env),
                ("--version", [exe, "--version"], env),
                ("--help", [exe, "--help"], env),
                ("--help (CARTES_LANG=fr)", [exe, "--help"], {**env, "CARTES_LANG": "fr"}),
                ("request --help", [exe, "request", "--help"], env),
                ("workspace list --public", [exe, "workspace", "list", "--public"], env),
                ("workspace list", [exe, "workspace", "list"], env),
                ("request list --incoming", [exe, "request", "list", "--incoming"], env),
                (
                    "completion of 'cartes wor'",
                    [exe],
                    {
                        **env,
                        "_CARTES_COMPLETE": "complete_bash",
                        "COMP_WORDS": "cartes wor",
                        "COMP_CWORD": "1",
                    },
                ),
            ]
            warm_env = {**env, "CARTES_WARM": "1", "XDG_RUNTIME_DIR": str(private_dir(tmpdir / "run"))}
            cases += [(label + WARM, argv, warm_env) for label, argv, _env in cases if label in WARM_CASES]
            cases.append(
                (
                    "completion of 'cartes wor'" + WARM,
                    [exe],
                    {
                        **warm_env,
                        "_CARTES_COMPLETE": "complete_bash",
                        "COMP_WORDS": "cartes wor",
                        "COMP_CWORD": "1",
                    },
                )
            )
            warm_start.start_server(exe, warm_env, tmpdir / "run")
            print(f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {args.runs} rounds")
            times = measure(cases, args.runs)
            report(times, [label for label, _argv, _env in cases], PEER if gh else FLOOR)
        finally:
            warm_start.stop_servers(tmpdir / "run")
            sandbox.stop()


if __name__ == "__main__":
    main()
