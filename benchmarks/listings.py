"""Long listings read page by page against a local sandbox with injected latency.

Prints figures; asserts nothing (targets are checked by reading them, not by a timed test).

    .venv/bin/python benchmarks/listings.py             # the full set (about 2 minutes)
    .venv/bin/python benchmarks/listings.py --quick     # smaller listings and fewer runs

Three listings at ``--latency 50``: ``cartes workspace list --public --json`` over 10,030
communities, ``cartes request list --incoming --json`` over about 10,000 pending requests and
``cartes workspace members WS --json`` over about 5,000 members, as staff, who is not a member:
the workspace is found in the catalogue by the first (counting) run and confirmed with one
request by the measured ones, as for anyone naming it twice. cartes reads them 100 a page
(``PAGE_LIMIT``). Each is run at ``--concurrency 16``, at the default (8) and at
``--concurrency 4``, the runs interleaved; the median wall time is printed with the range of the
runs. The ideal at N in flight is one page alone (it gives the total), then the others N at a
time: ``latency × (1 + (pages − 1) / N)``; it leaves out the CLI's start-up (about 0.15 s
here), which the ratios therefore include. Issue 17's target is stated against the ideal of
pages of 50 (201 pages for the catalogue): both ideals are printed. Each listing is also run
warm at ``--concurrency 16`` (``CARTES_WARM=1``, its server running: docs/design.md, "Warm
start"), and a bare client (``http.client`` and ``json.loads`` only) reads the same pages.

Every listing is then timed again behind ``benchmarks/replay.py``: a proxy that answers each
page it has seen from memory after the same 50 ms. The platform answers from machines of its
own; here the sandbox shares the CLI's two cores and spends 2–5 ms of CPU a page, which the
figures against it include. Behind the proxy the server's share is about a tenth of a
millisecond a page, and what is left is the CLI's own distance to the ideal.

cartes is byte-compiled first, as pip does when it installs a wheel (see benchmarks/startup.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conftest import Cartes, Sandbox, cartes_executable  # noqa: E402
from tests.warm_start import start_server, stop_servers  # noqa: E402

from benchmarks.bulk import (  # noqa: E402
    LATENCY_MS,
    STAFF,
    make_communities,
    make_requests,
    peak_rss,
    staff_on_a_slow_sandbox,
)
from benchmarks.replay import Running, start_proxy  # noqa: E402
from cartes_cli.client.pagination import PAGE_LIMIT  # noqa: E402

PAGE = PAGE_LIMIT
ISSUE_PAGE = 50  # the page size of issue 17's target: its ideal counts pages of 50
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
class Server:
    """A CLI home and what it talks to: the sandbox itself, or the replay proxy in front of it."""

    name: str
    cli: Cartes
    warm_env: dict[str, str]
    api_url: str
    token: str


def spread(runs: Sequence[float], unit: float) -> str:
    return f"{statistics.median(runs) / unit:4.2f}× ({min(runs) / unit:4.2f}–{max(runs) / unit:4.2f}×)"


def measure(
    servers: Sequence[Server], label: str, args: Sequence[str], repeat: int, path: str, params: dict[str, str]
) -> None:
    items = count_items(servers[0].cli, *args)
    pages = max(1, math.ceil(items / PAGE))
    issue_pages = max(1, math.ceil(items / ISSUE_PAGE))
    target, own = ideal(issue_pages, 16), ideal(pages, 16)
    print(
        f"{label}: {items} items, {pages} pages of {PAGE}; ideal at 16 in flight {own:4.2f} s, "
        f"and {target:4.2f} s for the {issue_pages} pages of {ISSUE_PAGE} of issue 17's target "
        "(the ratios below are to that one)"
    )
    for server in servers:
        if server is not servers[0]:
            count_items(server.cli, *args)  # through the proxy once: it has every page from now on
        bare_read(server.api_url, server.token, path, params, pages, 16)
        cold = CONCURRENCIES if server is servers[0] else (16,)
        runs: dict[int, list[float]] = {c: [] for c in cold}
        warm_runs: list[float] = []
        bare_runs: list[float] = []
        peaks: dict[int, float] = {}
        for _ in range(repeat):
            bare_runs.append(bare_read(server.api_url, server.token, path, params, pages, 16))
            for concurrency in cold:  # interleaved: the machine's drift touches all alike
                elapsed, rss, code, err = peak_rss(
                    server.cli.home, *args, "--json", "--concurrency", str(concurrency)
                )
                if code != 0:
                    print(err[-2000:])
                runs[concurrency].append(elapsed)
                peaks[concurrency] = max(peaks.get(concurrency, 0.0), rss)
            elapsed, _rss, code, err = peak_rss(
                server.cli.home, *args, "--json", "--concurrency", "16", extra_env=server.warm_env
            )
            if code != 0:
                print(err[-2000:])
            warm_runs.append(elapsed)
        floor = statistics.median(bare_runs)
        print(f"  {server.name}:")
        print(
            f"    bare client (http.client, 16 in flight, json.loads only, no start-up): "
            f"median {floor:5.2f} s, {spread(bare_runs, target)}; to the ideal of pages of "
            f"{PAGE} {floor / own:4.2f}×"
        )
        for concurrency in cold:
            r = runs[concurrency]
            at = ideal(pages, concurrency)
            print(
                f"    --concurrency {concurrency:>2}: median {statistics.median(r):5.2f} s, "
                f"{spread(r, target)}; ideal at {concurrency:>2} in flight "
                f"{at:4.2f} s, ratio {statistics.median(r) / at:4.2f}×; "
                f"peak RSS {peaks[concurrency]:5.1f} MiB"
            )
        warm = statistics.median(warm_runs)
        print(
            f"    --concurrency 16, warm (CARTES_WARM=1): median {warm:5.2f} s, {spread(warm_runs, target)}"
        )
        print(
            f"    to the bare client: --concurrency 16 {statistics.median(runs[16]) / floor:4.2f}×, "
            f"warm {warm / floor:4.2f}× (start-up included)"
        )
        if 4 in runs:
            print(
                "    speed-up of --concurrency 16 over --concurrency 4: "
                f"{statistics.median(runs[4]) / statistics.median(runs[16]):4.2f}×"
            )
    print()


@contextlib.contextmanager
def warm_server(cli: Cartes) -> Iterator[dict[str, str]]:
    runtime = Path(tempfile.mkdtemp(prefix="cw-"))  # mode 0700: the warm-start server's socket
    env = {"CARTES_WARM": "1", "XDG_RUNTIME_DIR": str(runtime)}
    start_server(cartes_executable(), {**cli.env, **env}, runtime)
    try:
        yield env
    finally:
        stop_servers(runtime)


def make_listings(sandbox: Sandbox, staff: Cartes, *, communities: int, members: int, incoming: int) -> None:
    """The long listings: ``communities`` more workspaces in the catalogue, ``members`` join
    requests to :data:`MEMBERS_OF` approved by ``staff``, ``incoming`` pending requests to
    :data:`INCOMING_OF`."""
    make_communities(sandbox.base_url, communities)
    make_requests(sandbox.base_url, MEMBERS_OF, members)
    approve = staff(
        "request", "approve", "--all", "--workspace", MEMBERS_OF, "--yes", "--concurrency", "16",
        timeout=600,
    )  # fmt: skip
    assert approve.returncode == 0, approve
    make_requests(sandbox.base_url, INCOMING_OF, incoming)


def home_behind(proxy: Running, sandbox: Sandbox, home: Path) -> Cartes:
    """A CLI home in ``home`` pointed at ``proxy`` in front of ``sandbox``, logged in as staff
    through it (the sandbox answering): the sandbox writes its links and issuer with the
    proxy's address, so this home never reaches the sandbox directly."""
    info = {
        k: v.replace(sandbox.base_url, proxy.base_url) if isinstance(v, str) else v
        for k, v in sandbox.info.items()
    }
    cli = Cartes(home, replace(sandbox, info=info), keyring=False)
    assert cli.login(STAFF).returncode == 0
    return cli


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
        make_listings(sandbox, cli, communities=n_catalogue, members=n_members, incoming=n_incoming)
        print(f"(fixtures made in {time.perf_counter() - started:.0f} s)")
        print()
        with (
            start_proxy(sandbox.base_url, LATENCY_MS) as proxy,
            warm_server(cli) as warm_env,
        ):
            pcli = home_behind(proxy, sandbox, Path(tmp) / "cli-replay")
            proxy.control("caching")
            with warm_server(pcli) as replay_warm_env:
                servers = [
                    Server("against the sandbox", cli, warm_env, sandbox.api_url, token_of(cli)),
                    Server(
                        "behind the replay proxy (the server's CPU out of the way)",
                        pcli,
                        replay_warm_env,
                        sandbox.api_url.replace(sandbox.base_url, proxy.base_url),
                        token_of(pcli),
                    ),
                ]
                shown = cli("workspace", "show", MEMBERS_OF, "--json")
                assert shown.returncode == 0, shown
                members_path = f"/communities/{json.loads(shown.stdout)['id']}/users"
                measure(servers, "workspace list --public", ["workspace", "list", "--public"], repeat,
                        "/catalogs/communities", {})  # fmt: skip
                measure(servers, "request list --incoming", ["request", "list", "--incoming"], repeat,
                        "/requests", {"status": "pending"})  # fmt: skip
                measure(servers, f"workspace members {MEMBERS_OF}", ["workspace", "members", MEMBERS_OF],
                        repeat, members_path, {})  # fmt: skip
                stats = proxy.control("stats")
                print(f"replay proxy: {stats['hits']} pages from memory, {stats['misses']} passed on")


def token_of(cli: Cartes) -> str:
    return cli("login", "token").stdout.strip()


if __name__ == "__main__":
    main()
