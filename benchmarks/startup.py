"""Start-up benchmark: how long the first second of cartes takes.

Prints medians of repeated runs, next to ``python -c pass`` measured in the same run:

- ``cartes --version`` (target ≤ 40 ms),
- ``cartes --help`` (target ≤ 90 ms),
- ``cartes workspace list --public`` against a local sandbox, end to end (target ≤ 250 ms),
- for information: a group's help, ``request list`` and a completion request.

    .venv/bin/python benchmarks/startup.py            # 21 runs of each
    .venv/bin/python benchmarks/startup.py --runs 7   # quicker

The package is byte-compiled first, as an installed wheel is (pip compiles at install time):
otherwise a machine with PYTHONDONTWRITEBYTECODE set would compile cartes from source at every run
and this would measure the compiler. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import Cartes, base_env, cartes_executable, start_sandbox  # noqa: E402

TARGETS_MS = {"--version": 40, "--help": 90, "workspace list --public": 250}


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
            cases: list[tuple[str, list[str], dict[str, str]]] = [
                ("python -c pass", [sys.executable, "-c", "pass"], env),
                ("--version", [exe, "--version"], env),
                ("--help", [exe, "--help"], env),
                ("--help (CARTES_LANG=fr)", [exe, "--help"], {**env, "CARTES_LANG": "fr"}),
                ("request --help", [exe, "request", "--help"], env),
                ("workspace list --public", [exe, "workspace", "list", "--public"], env),
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
            print(
                f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {args.runs} runs each (median, min)"
            )
            times = measure(cases, args.runs)
            for label, _argv, _env in cases:
                median, fastest = statistics.median(times[label]), min(times[label])
                target = TARGETS_MS.get(label)
                verdict = ""
                if target is not None:
                    verdict = f"  target ≤ {target} ms: {'met' if median <= target else 'MISSED'}"
                print(f"{label:<28} {median:7.1f} ms  (min {fastest:6.1f}){verdict}")
        finally:
            sandbox.stop()


if __name__ == "__main__":
    main()
