"""Where a long listing's CPU goes, item by item, against what a bare client spends.

Prints figures; asserts nothing.

    .venv/bin/python benchmarks/cpu.py             # 10,000 communities and requests, 5,000 members
    .venv/bin/python benchmarks/cpu.py --quick     # a tenth of that

``benchmarks/listings.py`` shows that the long listings are bound by the CLI's own CPU, not by
the network nor the sandbox. This one says where that CPU goes. The listings are read behind
``benchmarks/replay.py`` (each page answered from memory after 50 ms: the sandbox's CPU is out
of the way), in this process, after one run has imported everything, so that start-up is left
out; each figure is ``time.process_time`` per item, the best of a few runs:

- **in the command**: ``cartes … --json`` run in process (standard output thrown away), at
  ``--concurrency 16`` and 1;
- **stage by stage**: the same pages, each stage alone over all of them: the request (the
  client's ``send``, httpx), decoding the JSON, reading the records, the rows, the JSON objects
  and the JSON text the command writes. Alone, a stage runs with warmer caches than interleaved
  with the others, so the sum is below the command's figure;
- **bare client**: ``http.client`` and ``json.loads`` on one connection, nothing else.

Issue 17's target (within 1.3× of the ideal of pages of 50 at 16 in flight: 0.88 s for 10,000
items) leaves 88 µs an item for everything, start-up and waiting included; the last line of
each listing says it for its number of items.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bulk import LATENCY_MS, staff_on_a_slow_sandbox  # noqa: E402
from benchmarks.listings import MEMBERS_OF, home_behind, make_listings  # noqa: E402
from benchmarks.replay import start_proxy  # noqa: E402


@dataclass(frozen=True)
class Listing:
    label: str
    args: tuple[str, ...]
    path: str
    params: dict[str, str]
    record: str  # a class of cartes_cli.client.records
    row: Callable[[Any], dict[str, Any]]
    columns: Sequence[Any]


def best(run: Callable[[], object], times: int) -> float:
    """The least CPU (``process_time``) of ``times`` runs of ``run``."""
    least = float("inf")
    for _ in range(times):
        started = time.process_time()
        run()
        least = min(least, time.process_time() - started)
    return least


def in_command(args: Sequence[str]) -> None:
    """``cartes ARGS`` in this process, its standard output thrown away."""
    from cartes_cli.__main__ import main

    code: object
    with open(os.devnull, "w", encoding="utf-8") as devnull, contextlib.redirect_stdout(devnull):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code
    assert code in (0, None), (args, code)


def _command(args: Sequence[str], concurrency: int) -> Callable[[], None]:
    return lambda: in_command((*args, "--concurrency", str(concurrency)))


def listings() -> list[Listing]:
    from cartes_cli.cli.request.rows import REQUEST_COLUMNS, request_row
    from cartes_cli.cli.workspace.list import CATALOG_COLUMNS, catalog_row
    from cartes_cli.cli.workspace.members import MEMBER_COLUMNS, member_row

    return [
        Listing(
            "workspace list --public",
            ("workspace", "list", "--public"),
            "catalogs/communities",
            {},
            "CatalogRecord",
            catalog_row,
            CATALOG_COLUMNS,
        ),
        Listing(
            "request list --incoming",
            ("request", "list", "--incoming"),
            "requests",
            {"status": "pending"},
            "RequestRecord",
            request_row,
            REQUEST_COLUMNS,
        ),
        Listing(
            f"workspace members {MEMBERS_OF}",
            ("workspace", "members", MEMBERS_OF),
            "",  # the workspace's id, found below
            {},
            "MemberRecord",
            lambda member: member_row(member, None),
            MEMBER_COLUMNS,
        ),
    ]


def measure(listing: Listing, repeat: int) -> None:
    import http.client
    from urllib.parse import urlencode, urlsplit

    from cartes_cli.cli.cells import json_default
    from cartes_cli.cli.context import AppContext, GlobalOptions
    from cartes_cli.cli.output import Terminal, _json_items
    from cartes_cli.cli.terminal_text import json_text
    from cartes_cli.client import records
    from cartes_cli.client._base import json_of, read_record

    app = AppContext(GlobalOptions(), Terminal())
    client = app.client()
    path = listing.path or f"communities/{client.records.resolve(MEMBERS_OF).id}/users"
    record = getattr(records, listing.record)

    first = client.send("GET", path, params={**listing.params, "page": 1, "limit": 100})
    total = int(first.headers["content-range"].rsplit("/", 1)[1])
    pages = range(1, -(-total // 100) + 1)

    def send() -> list[Any]:
        return [client.send("GET", path, params={**listing.params, "page": p, "limit": 100}) for p in pages]

    answers = send()
    bodies: list[list[Any]] = [json_of(a) for a in answers]
    read: list[list[Any]] = [
        [read_record(record, i, a) for i in b] for b, a in zip(bodies, answers, strict=True)
    ]
    rows = [[listing.row(r) for r in page] for page in read]
    objects = [list(_json_items(page, listing.columns)) for page in rows]
    n = sum(map(len, bodies))
    stages = {
        "the request (client.send, httpx)": best(send, repeat),
        "decoding the JSON": best(lambda: [json_of(a) for a in answers], repeat),
        "reading the records": best(
            lambda: [[read_record(record, i, a) for i in b] for b, a in zip(bodies, answers, strict=True)],
            repeat,
        ),
        "the rows": best(lambda: [[listing.row(r) for r in page] for page in read], repeat),
        "the JSON objects": best(lambda: [list(_json_items(page, listing.columns)) for page in rows], repeat),
        "the JSON text": best(lambda: [json_text(page, default=json_default) for page in objects], repeat),
    }

    url = urlsplit(client.platform.api_url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port)
    headers = {"Authorization": answers[0].request.headers["authorization"], "Accept": "application/json"}

    def bare() -> None:
        for page in pages:
            query = urlencode({**listing.params, "page": page, "limit": 100})
            connection.request("GET", f"{url.path.rstrip('/')}/{path}?{query}", headers=headers)
            json.loads(connection.getresponse().read())

    bare_cpu = best(bare, repeat)
    args = (*listing.args, "--json")
    in_command(args)
    command = {c: best(_command(args, c), repeat) for c in (16, 1)}

    def per_item(seconds: float) -> str:
        return f"{seconds / n * 1e6:6.1f} µs"

    print(f"{listing.label}: {n} items, {len(pages)} pages of 100")
    print(f"  in the command, --concurrency 16: {per_item(command[16])} an item")
    print(f"  in the command, --concurrency  1: {per_item(command[1])} an item")
    for name, seconds in stages.items():
        print(f"    {name:34s} {per_item(seconds)}")
    print(f"    {'the stages, summed':34s} {per_item(sum(stages.values()))}")
    print(f"  bare client (http.client, json.loads): {per_item(bare_cpu)} an item")
    print(f"  the command to the bare client: {command[16] / bare_cpu:4.1f}×")
    target = 1.3 * LATENCY_MS / 1000 * (1 + (-(-n // 50) - 1) / 16)
    print(
        f"  issue 17's target, {target:4.2f} s (1.3× the ideal of pages of 50, 16 in flight), leaves "
        f"{per_item(target)} an item for everything, start-up and waiting included"
    )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the items, 3 runs")
    parser.add_argument("--repeat", type=int, default=None, help="runs of each (best kept; default 5)")
    options = parser.parse_args()
    repeat = options.repeat or (3 if options.quick else 5)
    scale = 10 if options.quick else 1
    with (
        tempfile.TemporaryDirectory(prefix="cartes-cpu-") as tmp,
        staff_on_a_slow_sandbox(Path(tmp)) as (sandbox, cli),
    ):
        make_listings(
            sandbox, cli, communities=10_000 // scale, members=5_000 // scale, incoming=10_000 // scale
        )
        with start_proxy(sandbox.base_url, LATENCY_MS) as proxy:
            pcli = home_behind(proxy, sandbox, Path(tmp) / "cli-replay")
            for listing in listings():  # every page through the proxy once: it has them from now on
                r = pcli(*listing.args, "--json", timeout=300)
                assert r.returncode == 0, r
            proxy.control("caching")
            print(f"behind the replay proxy ({LATENCY_MS} ms a page, from memory); {os.cpu_count()} CPUs")
            print(f"best of {repeat} runs, CPU (process_time) per item, start-up left out")
            print()
            with _environment(pcli.env):
                for listing in listings():
                    measure(listing, repeat)


@contextlib.contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    """This process's environment as the CLI home's (its profile, its login), then back."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


if __name__ == "__main__":
    main()
