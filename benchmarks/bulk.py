"""Bulk approval and catalogue benchmarks against a local sandbox with injected latency.

Prints figures; asserts nothing (targets are checked by reading them, not by a timed test).

    .venv/bin/python benchmarks/bulk.py                 # the full set (about 2 minutes)
    .venv/bin/python benchmarks/bulk.py --quick         # smaller counts, for a smoke run

Figures: wall time of ``cartes request approve --all --yes`` over N pending join requests at
``--latency 50`` (the median of ``--repeat`` runs, with their range: this kind of machine is
noisy), the ideal time (N × 50 ms ÷ concurrency), their ratio, the same at
``--concurrency 1``, the CLI's peak resident memory (from ``wait4``), and
``cartes workspace list --public --json --concurrency 16`` over many communities
(``benchmarks/listings.py`` has the listings in detail).

cartes is byte-compiled first, as pip does when it installs a wheel (see benchmarks/startup.py).
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import Cartes, Sandbox, base_env, cartes_executable, start_sandbox  # noqa: E402

from cartes_cli.client.pagination import PAGE_LIMIT  # noqa: E402

LATENCY_MS = 50
STAFF = "claire.moreau"


def peak_rss(
    home: Path, *args: str, extra_env: dict[str, str] | None = None
) -> tuple[float, float, int, str]:
    """Run and measure wall time and the peak RSS of that very process (with ``CARTES_WARM=1`` in
    ``extra_env``, that process is the client: its command runs elsewhere).

    The peak comes from GNU time (``/usr/bin/time -f %M``) when it is installed. ``os.wait4`` of
    a child started from this process is not the child's own: Linux starts the child's peak at
    the size of the process that forked it (at ``exec``, the old memory's high-water mark is
    kept), so it reported this benchmark's own memory, growing run after run. GNU time's child
    is forked from a small process. Without it the figure is 0 (not measured)."""
    env = {**base_env(home), **(extra_env or {})}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # cartes runs byte-compiled, as an installed wheel does
    err_path = home / "bench-stderr.txt"
    rss_path = home / "bench-rss.txt"
    gnu_time = shutil.which("time", path="/usr/bin")
    prefix = [gnu_time, "-f", "%M", "-o", str(rss_path)] if gnu_time else []
    with open(os.devnull, "w") as devnull, open(err_path, "w") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [*prefix, cartes_executable(), *args],
            env=env,
            stdout=devnull,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )
        proc.wait()
        elapsed = time.perf_counter() - started
    rss = 0.0
    if gnu_time:
        lines = [line for line in rss_path.read_text().splitlines() if line.strip()]
        rss = int(lines[-1]) / 1024 if lines and lines[-1].strip().isdigit() else 0.0
    return elapsed, rss, proc.returncode, err_path.read_text()


def make_requests(base_url: str, community: str, count: int) -> None:
    r = httpx.post(
        f"{base_url}/sandbox/fixtures/join-requests",
        json={"community": community, "count": count},
        timeout=600,
    )
    r.raise_for_status()


def make_communities(base_url: str, count: int) -> None:
    r = httpx.post(f"{base_url}/sandbox/fixtures/communities", json={"count": count}, timeout=600)
    r.raise_for_status()


@contextlib.contextmanager
def staff_on_a_slow_sandbox(tmpdir: Path) -> Iterator[tuple[Sandbox, Cartes]]:
    """A demo sandbox on 127.0.0.1 answering every API call after ``LATENCY_MS``, with the staff
    account logged in (private file store), cartes byte-compiled as an installed wheel is."""
    compileall.compile_dir(str(ROOT / "src" / "cartes_cli"), quiet=1)
    sandbox = start_sandbox(
        tmpdir / "sb",
        tmpdir / "sb" / "data",
        "--seed",
        "demo",
        "--latency",
        str(LATENCY_MS),
        "--token-ttl",
        "3600",
    )
    try:
        cli = Cartes(tmpdir / "cli", sandbox, keyring=False)
        r = cli.login(STAFF)
        assert r.returncode == 0, r
        yield sandbox, cli
    finally:
        sandbox.stop()


def approve(home: Path, community: str, concurrency: int) -> tuple[float, float, int, str]:
    return peak_rss(
        home,
        "request",
        "approve",
        "--all",
        "--workspace",
        community,
        "--yes",
        "--concurrency",
        str(concurrency),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each 1,000-request approval at concurrency 16 and 8; the median is shown (default 3)",
    )
    args = parser.parse_args()
    n = 200 if args.quick else 1000
    n_memory = 2000 if args.quick else 10_000
    n_catalogue = 2000 if args.quick else 10_000
    with (
        tempfile.TemporaryDirectory(prefix="cartes-bench-") as tmp,
        staff_on_a_slow_sandbox(Path(tmp)) as pair,
    ):
        sandbox, cli = pair
        print(f"sandbox latency: {LATENCY_MS} ms per API answer; {os.cpu_count()} CPUs")
        print()
        results = {}
        for concurrency in (16, 8, 1):
            community = "tutoriels" if concurrency == 16 else "ddt33" if concurrency == 8 else "pn_ecrins"
            count = n if concurrency != 1 else max(100, n // 5)
            runs = []
            for _ in range(args.repeat if concurrency != 1 else 1):
                make_requests(sandbox.base_url, community, count)
                elapsed, rss, code, err = approve(cli.home, community, concurrency)
                runs.append(elapsed)
                if code != 0:
                    print(err[-2000:])
            elapsed = statistics.median(runs)
            ideal = count * LATENCY_MS / 1000 / concurrency
            results[concurrency] = elapsed / count
            spread = (
                f" [{min(runs) / ideal:4.2f}–{max(runs) / ideal:4.2f}× in {len(runs)} runs]"
                if len(runs) > 1
                else ""
            )
            print(
                f"approve {count:>6} requests  concurrency {concurrency:>2}: {elapsed:7.2f} s "
                f"(ideal {ideal:6.2f} s, ratio {elapsed / ideal:4.2f}×){spread}, "
                f"peak RSS {rss:5.1f} MiB, exit {code}"
            )
        print(f"speed-up of concurrency 16 over 1 (per request): {results[1] / results[16]:.1f}×")
        print()
        make_requests(sandbox.base_url, "region_naq", n_memory)
        elapsed, rss, code, err = approve(cli.home, "region_naq", 16)
        ideal = n_memory * LATENCY_MS / 1000 / 16
        print(
            f"approve {n_memory:>6} requests  concurrency 16: {elapsed:7.2f} s "
            f"(ideal {ideal:6.2f} s, ratio {elapsed / ideal:4.2f}×), peak RSS {rss:5.1f} MiB, exit {code}"
        )
        if code != 0:
            print(err[-2000:])
        print()
        make_communities(sandbox.base_url, n_catalogue)
        elapsed, rss, code, err = peak_rss(
            cli.home, "workspace", "list", "--public", "--json", "--concurrency", "16"
        )
        total = json.loads(httpx.get(sandbox.base_url + "/sandbox/stats", timeout=10).text).get(
            "api_requests"
        )
        pages = -(-(n_catalogue + 30) // PAGE_LIMIT)
        ideal = LATENCY_MS / 1000 * (1 + (pages - 1) / 16)
        print(
            f"workspace list --public --json over {n_catalogue + 30} communities ({pages} pages of "
            f"{PAGE_LIMIT}, 16 in flight): {elapsed:6.2f} s (ideal {ideal:5.2f} s, "
            f"ratio {elapsed / ideal:4.2f}×), peak RSS {rss:5.1f} MiB, exit {code}"
        )
        _ = total


if __name__ == "__main__":
    main()
