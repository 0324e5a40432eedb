"""Long listings read several pages at a time give what one page at a time gives (issue 17)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.conftest import STAFF, Cartes, Sandbox, own_sandbox

pytestmark = pytest.mark.e2e


def fill(sandbox: Sandbox) -> None:
    """Some 12 pages of communities, 8 of pending requests, 5 of members (of 50)."""
    base = sandbox.base_url
    r = httpx.post(f"{base}/sandbox/fixtures/communities", json={"count": 560}, timeout=120)
    r.raise_for_status()
    for community, count in (("pn_ecrins", 240), ("ddt33", 380)):
        r = httpx.post(
            f"{base}/sandbox/fixtures/join-requests",
            json={"community": community, "count": count},
            timeout=120,
        )
        r.raise_for_status()


listings_sandbox = own_sandbox("listings_sandbox", check=fill)


@pytest.fixture(scope="module")
def staff(listings_sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Cartes:
    cli = Cartes(Path(tmp_path_factory.mktemp("listings-cli")), listings_sandbox, keyring=False)
    r = cli.login(STAFF)
    assert r.returncode == 0, r
    r = cli("request", "approve", "--all", "--workspace", "pn_ecrins", "--yes", timeout=120)
    assert r.returncode == 0, r  # 240 new members
    return cli


@pytest.mark.parametrize(
    ("args", "at_least"),
    [
        (("workspace", "list", "--public"), 560),
        (("request", "list", "--incoming"), 380),
        (("workspace", "members", "pn_ecrins"), 240),
    ],
)
def test_eight_pages_at_once_give_what_one_at_a_time_gives(
    staff: Cartes, args: tuple[str, ...], at_least: int
) -> None:
    one = staff(*args, "--json", "--concurrency", "1", timeout=120)
    eight = staff(*args, "--json", "--concurrency", "8", timeout=120)
    assert one.returncode == 0, one
    assert eight.returncode == 0, eight
    assert len(json.loads(one.stdout)) >= at_least  # several pages
    assert eight.stdout == one.stdout
    tsv_one = staff(*args, "--concurrency", "1", timeout=120)
    tsv_eight = staff(*args, "-c", "8", timeout=120)
    assert tsv_eight.stdout == tsv_one.stdout


def test_the_read_only_listings_run_without_pydantic(tmp_path: Path, listings_sandbox: Sandbox) -> None:
    """The installed command, as a user runs it, with Python's own import log
    (``PYTHONPROFILEIMPORTTIME``): a read-only listing, finding its workspace included, reads the
    platform's answers as records and never imports pydantic (about 0.1 s of a cold start).
    Staff is no member of pn_ecrins: the first lookup reads the catalogue, the second confirms the
    id it found (the known workspaces), the third finds it by its exact name."""
    cli = Cartes(tmp_path / "cli", listings_sandbox, keyring=False)
    assert cli.login(STAFF).returncode == 0
    for args in (
        ("workspace", "list", "--public"),
        ("workspace", "list"),
        ("request", "list", "--incoming"),
        ("request", "list", "--incoming", "--workspace", "DDT33"),
        ("workspace", "members", "pn_ecrins"),
        ("workspace", "members", "PN_ECRINS"),
        ("workspace", "members", "Parc national des Écrins"),
    ):
        r = cli(*args, "--json", env={"PYTHONPROFILEIMPORTTIME": "1"}, timeout=120)
        assert r.returncode == 0, r
        assert json.loads(r.stdout), args
        log = [
            line.rsplit("|", 1)[-1].strip()
            for line in r.stderr.splitlines()
            if line.startswith("import time:")
        ]
        assert "httpx" in log, args  # the log is there
        assert [m for m in log if m.split(".")[0] in ("pydantic", "pydantic_core")] == [], args
