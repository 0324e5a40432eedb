"""Long listings read page by page against a local sandbox with injected latency.

Prints figures; asserts nothing (targets are checked by reading them, not by a timed test).

    .venv/bin/python benchmarks/listings.py             # the full set (about 2 minutes)
    .venv/bin/python benchmarks/listings.py --quick     # smaller listings and fewer runs

Three listings at ``--latency 50``: ``cartes workspace list --public --json`` over 10,030
communities (201 pages of 50), ``cartes request list --incoming --json`` over about 200 pages of
pending requests and ``cartes workspace members WS --json`` over about 100 pages of members, as
staff, who is not a member: the workspace is found in the catalogue by the first (counting) run
and confirmed with one request by the measured ones, as for anyone naming it twice. Each
is run at ``--concurrency 16``, at the default (8) and at ``--concurrency 4`` (what the listings
did before they took the option), the runs interleaved; the median wall time is printed with
the range of the runs. The ideal at N in flight is one page alone (it gives the total), then the
others N at a time: ``latency × (1 + (pages − 1) / N)``; it leaves out the CLI's start-up (about
0.2 s here), which the ratio therefore includes. Each listing is also run warm at
``--concurrency 16`` (``CARTES_WARM=1``, its server running: docs/design.md, "Warm start").

cartes is byte-compiled first, as pip does when it installs a wheel (see benchmarks/startup.py).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import Cartes, cartes_executable  # noqa: E402
from tests.warm_start import start_server, stop_servers  # noqa: E402

from benchmarks.bulk import (  # noqa: E402
    LATENCY_MS,
    make_communities,
    make_requests,
    peak_rss,
    staff_on_a_slow_sandbox,
)

PAGE = 50
MEMBERS_OF = "pn_ecrins"  # its members: the seed's, then the fixtures' join requests approved
INCOMING_OF = "ddt33"
CONCURRENCIES = (16, 8, 4)


def ideal(pages: int, in_flight: int) -> float:
    return LATENCY_MS / 1000 * (1 + (pages - 1) / in_flight)


def bare_read(
    api_url: str, token: str, path: str, params: dict[str, str], pages: int, in_flight: int
) -> float:
    """Seconds a minimal client takes to read the same pages from the same sandbox: the standard
    library's ``http.client`` on ``in_flight`` kept-alive connections, page 1 alone (it gives the
    total), then the others ``in_flight`` at a time, each body decoded with ``json.loads`` and
    nothing else done. No start-up, no checks, no output: what this machine and its sandbox
    allow, the sandbox's own CPU included, which the ideal leaves out."""
    import http.client
    import threading
    from concurrent.futures import ThreadPoolExecutor
    from urllib.parse import urlencode, urlsplit

    url = urlsplit(api_url)
    local = threading.local()
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def get(page: int) -> int:
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = http.client.HTTPConnection(url.hostname or "", url.port)
        query = urlencode({**params, "page": page, "limit": PAGE})
        connection.request("GET", f"{url.path}{path}?{query}", headers=headers)
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200, (response.status, body[:200])
        return len(json.loads(body))

    started = time.perf_counter()
    count = get(1)
    with ThreadPoolExecutor(max_workers=in_flight) as pool:
        count += sum(pool.map(get, range(2, pages + 1)))
    elapsed = time.perf_counter() - started
    assert count > (pages - 1) * PAGE, count
    return elapsed


def count_items(cli: Cartes, *args: str) -> int:
    r = cli(*args, "--json", timeout=300)
    assert r.returncode == 0, r
    return len(json.loads(r.stdout))


@dataclass(frozen=True)
class Bare:
    """What the bare client reads for a listing: the API root, a token, the path and its query."""

    api_url: str
    token: str
    path: str
    params: dict[str, str]


def measure(
    cli: Cartes, label: str, args: Sequence[str], repeat: int, warm_env: dict[str, str], bare: Bare
) -> None:
    items = count_items(cli, *args)
    pages = max(1, math.ceil(items / PAGE))
    runs: dict[int, list[float]] = {c: [] for c in CONCURRENCIES}
    warm_runs: list[float] = []
    bare_runs: list[float] = []
    peaks: dict[int, float] = {}
    for _ in range(repeat):
        bare_runs.append(bare_read(bare.api_url, bare.token, bare.path, bare.params, pages, 16))
        for concurrency in CONCURRENCIES:  # interleaved: the machine's drift touches all alike
            elapsed, rss, code, err = peak_rss(cli.home, *args, "--json", "--concurrency", str(concurrency))
            if code != 0:
                print(err[-2000:])
            runs[concurrency].append(elapsed)
            peaks[concurrency] = max(peaks.get(concurrency, 0.0), rss)
        elapsed, _rss, code, err = peak_rss(
            cli.home, *args, "--json", "--concurrency", "16", extra_env=warm_env
        )
        if code != 0:
            print(err[-2000:])
        warm_runs.append(elapsed)
    print(f"{label}: {items} items, {pages} pages of {PAGE}")
    ideal16 = ideal(pages, 16)
    medians = {c: statistics.median(r) for c, r in runs.items()}
    floor = statistics.median(bare_runs)
    print(
        f"  bare client (http.client, 16 in flight, json.loads only, no start-up): median {floor:5.2f} s "
        f"(range {min(bare_runs):5.2f}–{max(bare_runs):5.2f} s); to the 16-in-flight ideal "
        f"({ideal16:4.2f} s) {floor / ideal16:4.2f}×: what this machine and its sandbox allow"
    )
    for concurrency in CONCURRENCIES:
        r = runs[concurrency]
        own = ideal(pages, concurrency)
        print(
            f"  --concurrency {concurrency:>2}: median {medians[concurrency]:5.2f} s "
            f"(range {min(r):5.2f}–{max(r):5.2f} s, {len(r)} runs); "
            f"ideal at {concurrency:>2} in flight {own:4.2f} s, ratio {medians[concurrency] / own:4.2f}×; "
            f"to the 16-in-flight ideal ({ideal16:4.2f} s) {medians[concurrency] / ideal16:4.2f}× "
            f"({min(r) / ideal16:4.2f}–{max(r) / ideal16:4.2f}×); peak RSS {peaks[concurrency]:5.1f} MiB"
        )
    warm = statistics.median(warm_runs)
    print(
        f"  --concurrency 16, warm (CARTES_WARM=1): median {warm:5.2f} s "
        f"(range {min(warm_runs):5.2f}–{max(warm_runs):5.2f} s); to the 16-in-flight ideal "
        f"{warm / ideal16:4.2f}× ({min(warm_runs) / ideal16:4.2f}–{max(warm_runs) / ideal16:4.2f}×)"
    )
    print(
        f"  to the bare client: --concurrency 16 {medians[16] / floor:4.2f}×, warm {warm / floor:4.2f}× "
        "(start-up included)"
    )
    print(f"  speed-up of --concurrency 16 over --concurrency 4: {medians[4] / medians[16]:4.2f}×")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller listings, 3 runs")
    parser.add_argument("--repeat", type=int, default=None, help="runs of each (default 7; 3 with --quick)")
    args = parser.parse_args()
    repeat = args.repeat or (3 if args.quick else 7)
    n_catalogue = 2000 if args.quick else 10_000
    n_incoming = 1000 if args.quick else 10_000
    n_members = 500 if args.quick else 5000
    with (
        tempfile.TemporaryDirectory(prefix="cartes-bench-") as tmp,
        staff_on_a_slow_sandbox(Path(tmp)) as pair,
    ):
        sandbox, cli = pair
        print(f"sandbox latency: {LATENCY_MS} ms per API answer; {os.cpu_count()} CPUs; {repeat} runs")
        print()
        started = time.perf_counter()
        make_communities(sandbox.base_url, n_catalogue)
        make_requests(sandbox.base_url, MEMBERS_OF, n_members)
        approve = cli(
            "request", "approve", "--all", "--workspace", MEMBERS_OF, "--yes", "--concurrency", "16",
            timeout=600,
        )  # fmt: skip
        assert approve.returncode == 0, approve
        make_requests(sandbox.base_url, INCOMING_OF, n_incoming)
        print(f"(fixtures made in {time.perf_counter() - started:.0f} s)")
        print()
        runtime = Path(tempfile.mkdtemp(prefix="cw-"))  # mode 0700: the warm-start server's socket
        warm_env = {"CARTES_WARM": "1", "XDG_RUNTIME_DIR": str(runtime)}
        start_server(cartes_executable(), {**cli.env, **warm_env}, runtime)
        try:
            token = cli("login", "token").stdout.strip()
            shown = cli("workspace", "show", MEMBERS_OF, "--json")
            assert shown.returncode == 0, shown
            members_path = f"/communities/{json.loads(shown.stdout)['id']}/users"

            def bare(path: str, **params: str) -> Bare:
                return Bare(sandbox.api_url, token, path, params)

            catalogue = ["workspace", "list", "--public"]
            measure(
                cli, "workspace list --public", catalogue, repeat, warm_env, bare("/catalogs/communities")
            )
            incoming = ["request", "list", "--incoming"]
            measure(
                cli,
                "request list --incoming",
                incoming,
                repeat,
                warm_env,
                bare("/requests", status="pending"),
            )
            members = ["workspace", "members", MEMBERS_OF]
            measure(cli, f"workspace members {MEMBERS_OF}", members, repeat, warm_env, bare(members_path))
        finally:
            stop_servers(runtime)


if __name__ == "__main__":
    main()
