"""Tables, records, dates and bulk runs as a person sees them: the installed ``cartes`` in a real
terminal (tmux, 80 and 120 columns) against the session's demo sandbox (issue 13).

Nothing here changes the sandbox: the bulk runs decide requests already decided that way
(``unchanged``) or refused by the platform (``failed``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ADMIN, STAFF, Cartes, Sandbox, cartes_executable

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        shutil.which("tmux") is None and not os.environ.get("CARTES_REQUIRE_TMUX"),
        reason="tmux is not installed (CI installs it and sets CARTES_REQUIRE_TMUX)",
    ),
]

# The demo's requests (sandbox/seed/demo_data.py): ddt33's pending joins, and some already decided.
PENDING_DDT33 = 4
ACCEPTED_DATASTORE = "a5082e64-f8d5-52a3-8a48-9de73a6c5fc4"  # camille.dubois → Région Bretagne
ACCEPTED_JOIN = "c42565af-6115-5a70-9d63-7ab204438d30"  # antoine.petit → ddt33
REJECTED_JOIN = "c1406773-43ac-5254-88a6-66a8148436d3"  # elodie.chevalier → ddt33
PENDING_JOIN = "01d1824c-393c-5b7a-b1cf-710df49e873e"  # mathieu.garnier → ddt33, with answers

WHOLE_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
HUMAN_TIME = re.compile(r"\b\d{4}-\d\d-\d\d \d\d:\d\d\b")


@pytest.fixture(scope="module")
def users(
    tmp_path_factory: pytest.TempPathFactory, demo_sandbox: Sandbox, keyring_available: bool
) -> dict[str, Cartes]:
    """The workspace administrator and a staff member, each logged in once for the module."""
    out = {}
    for name in (ADMIN, STAFF):
        cli = Cartes(tmp_path_factory.mktemp(f"tables-{name}"), demo_sandbox, keyring_available)
        r = cli.login(name)
        assert r.returncode == 0, r
        out[name] = cli
    return out


class Tmux:
    """A private tmux server (its own socket), started with the test's environment."""

    def __init__(self, socket: Path, env: dict[str, str]) -> None:
        self.socket = socket
        self.env = {k: v for k, v in env.items() if k != "CI"}  # a person at a terminal
        self.env["TERM"] = "xterm-256color"
        self.n = 0

    def _tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-u", "-S", str(self.socket), *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=20,
        ).stdout

    def run(self, width: int, shell: str, *, timeout: float = 30, join: bool = False) -> tuple[int, str]:
        """Run a shell command line at ``width`` columns; its exit code and the screen (and
        scroll-back) as printed, trailing blanks removed; ``join`` joins lines the terminal
        wrapped."""
        self.n += 1
        name = f"t{self.n}"
        marker = "__CARTES_DONE__"
        self._tmux(
            "new-session", "-d", "-s", name, "-x", str(width), "-y", "50",
            f"{shell}; echo {marker}$?; sleep 120",
        )  # fmt: skip
        try:
            deadline = time.monotonic() + timeout
            while True:
                screen = self._tmux(
                    "capture-pane", "-p", "-S", "-", "-E", "-", *(["-J"] if join else []), "-t", name
                )
                found = re.search(rf"^{marker}(\d+)$", screen, re.M)
                if found:
                    break
                if time.monotonic() > deadline:
                    raise AssertionError(f"no end after {timeout} s:\n{screen}")
                time.sleep(0.1)
        finally:
            subprocess.run(["tmux", "-S", str(self.socket), "kill-session", "-t", name], capture_output=True)
        text = screen[: found.start()]
        return int(found.group(1)), "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")


@pytest.fixture(scope="module")
def tmux(tmp_path_factory: pytest.TempPathFactory, users: dict[str, Cartes]) -> Iterator[Tmux]:
    server = Tmux(tmp_path_factory.mktemp("tmux") / "socket", users[ADMIN].env)
    yield server
    subprocess.run(["tmux", "-S", str(server.socket), "kill-server"], capture_output=True)


def _line(cli: Cartes, *args: str) -> str:
    """A shell command line running ``cartes`` with this user's home."""
    import shlex

    return shlex.join(["env", f"CARTES_HOME={cli.home}", cartes_executable(), "--env", "sandbox", *args])


def _headers_whole(screen: str, headers: list[str]) -> None:
    """Each header appears whole, as a table's header or a record's key; none is cut."""
    for header in headers:
        pattern = rf"(^|  ){re.escape(header)}(  |$)"
        assert re.search(pattern, screen, re.M), f"header {header!r} missing or cut:\n{screen}"


def _word(value: str) -> bool:
    """A value shown as is on a terminal, on one line: not a time, a yes/no, a list or a sentence
    (those are reworded, or may wrap)."""
    return bool(value) and value not in ("true", "false") and not re.search(r"[ ,]|^\d{4}-\d\d-", value)


def _seen_or_shortened(value: str, screen: str) -> bool:
    return value in screen or any(value[:k] + "…" in screen for k in range(1, len(value)))


TABLES = [
    # (user, arguments, the headers, the TSV fields that must be seen whole)
    (ADMIN, ["request", "list", "--incoming"], ["ID", "TYPE", "STATUS", "REQUESTER", "WORKSPACE", "CREATED"],
     [0, 4]),
    (ADMIN, ["workspace", "list", "--public"], ["NAME", "TITLE", "ORGANIZATION"], [0, 1]),
    (ADMIN, ["workspace", "members", "ddt33"], ["E-MAIL", "NAME", "RIGHTS", "SINCE"], [0]),
    (ADMIN, ["login", "status"], ["PROFILE", "ACTIVE", "PLATFORM", "USER", "SOURCE", "STATE", "EXPIRES"],
     [0, 3, 5]),
    (STAFF, ["sandbox", "outbox", "--limit", "12"], ["SENT", "TO", "SUBJECT"], []),
    (ADMIN, ["help", "exit-codes"], ["CODE", "NAME", "MEANING"], [0, 1]),
    (ADMIN, ["request", "approve", "--all", "--dry-run"], ["ID", "ACTION", "REQUEST"], [0, 2]),
]  # fmt: skip


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize(
    ("who", "args", "headers", "whole"), TABLES, ids=["-".join(t[1][:2]) for t in TABLES]
)
def test_tables_fit_the_terminal(
    tmux: Tmux,
    users: dict[str, Cartes],
    width: int,
    who: str,
    args: list[str],
    headers: list[str],
    whole: list[int],
) -> None:
    cli = users[who]
    piped = cli(*args)
    assert piped.returncode == 0, piped
    rows = [line.split("\t") for line in piped.stdout.splitlines()]
    assert rows
    code, screen = tmux.run(width, _line(cli, *args))
    assert code == 0, screen
    lines = screen.splitlines()
    too_long = [line for line in lines if len(line) > width]
    assert not too_long, f"lines over {width} columns:\n{screen}"
    _headers_whole(screen, headers)
    for row in rows:
        for index in whole:
            value = row[index].replace("\\t", "\t")
            if value:
                assert value in screen, f"{value!r} not seen whole:\n{screen}"
        # every other word-like value is seen whole, or its beginning with an ellipsis
        for value in row[: len(headers)]:  # the TSV may add fields the table leaves out
            if _word(value):
                assert _seen_or_shortened(value, screen), f"{value!r} cut without an ellipsis:\n{screen}"
    # times: one human format on a terminal, RFC 3339 to the second when piped
    assert not re.search(r"\d\dT\d\d:\d\d", screen)
    for row in rows:
        for value in row:
            if re.match(r"^\d{4}-\d\d-\d\dT", value):
                assert WHOLE_SECONDS.match(value), value


def test_request_list_at_80_columns_is_a_record_per_request(tmux: Tmux, users: dict[str, Cartes]) -> None:
    code, screen = tmux.run(80, _line(users[ADMIN], "request", "list", "--incoming"))
    assert code == 0
    blocks = screen.split("\n\n")
    assert len(blocks) == PENDING_DDT33
    for block in blocks:
        keys = [line.split()[0] for line in block.splitlines()]
        assert keys == ["ID", "TYPE", "STATUS", "REQUESTER", "WORKSPACE", "CREATED"]
        assert "WORKSPACE  ddt33" in block
        assert HUMAN_TIME.search(block)


def test_workspace_catalogue_at_80_columns_keeps_titles_on_one_line(
    tmux: Tmux, users: dict[str, Cartes]
) -> None:
    piped = users[ADMIN]("workspace", "list", "--public")
    titles = [line.split("\t")[1] for line in piped.stdout.splitlines()]
    code, screen = tmux.run(80, _line(users[ADMIN], "workspace", "list", "--public"))
    assert code == 0
    lines = screen.splitlines()
    assert lines[0].split() == ["NAME", "TITLE", "ORGANIZATION"]
    body = lines[2 : 2 + len(titles)]
    assert all(title in body_line for title, body_line in zip(titles, body, strict=True))
    assert any(line.endswith("…") for line in body)  # organizations shortened, visibly


def test_request_show_prints_the_message_answers_description_and_justification(
    tmux: Tmux, users: dict[str, Cartes]
) -> None:
    code, screen = tmux.run(80, _line(users[ADMIN], "request", "show", PENDING_JOIN))
    assert code == 0, screen
    keys = [line.split("  ")[0] for line in screen.splitlines() if line and not line.startswith(" ")]
    for key in ("MESSAGE", "ANSWERS", "DESCRIPTION", "JUSTIFICATION", "REQUESTER NAME"):
        assert key in keys, screen
    assert "Je coordonne l'inventaire des zones humides" in screen
    assert re.search(r"^ANSWERS +service: Parc national des Écrins", screen, re.M)
    assert re.search(r"^ +usage: Croiser nos inventaires", screen, re.M)
    assert max(len(line) for line in screen.splitlines()) <= 80


def test_bulk_result_lines_print_above_the_bar_on_their_own_lines(
    tmux: Tmux, users: dict[str, Cartes]
) -> None:
    cli = users[STAFF]
    code, screen = tmux.run(
        80, _line(cli, "request", "approve", ACCEPTED_DATASTORE, ACCEPTED_JOIN, "--yes"), join=True
    )
    assert code == 0, screen
    lines = screen.splitlines()
    results = [line for line in lines if "unchanged" in line and "→" in line]
    assert len(results) == 2, screen
    for line in results:
        assert line.startswith("unchanged "), f"a result line shares a line:\n{screen}"
        assert "━" not in line
    assert any(
        ACCEPTED_JOIN in line and "antoine.petit@agglo-larochelle.test → ddt33" in line for line in results
    )
    assert any(ACCEPTED_DATASTORE in line and "→ Région Bretagne" in line for line in results)
    assert lines[-1] == "Accepted: 0, unchanged: 2, failed: 0."


def test_bulk_stdout_piped_gets_only_result_lines(
    tmux: Tmux, users: dict[str, Cartes], tmp_path: Path
) -> None:
    cli = users[STAFF]
    out = tmp_path / "out.tsv"
    line = _line(cli, "request", "reject", REJECTED_JOIN, ACCEPTED_JOIN, "--yes") + f" > {out}"
    code, screen = tmux.run(120, line)
    assert code == 1  # the accepted one cannot be rejected
    assert out.read_text(encoding="utf-8") == (
        f"unchanged\t{REJECTED_JOIN}\telodie.chevalier@ddtm-finistere.test → ddt33\n"
    )
    assert f"failed {ACCEPTED_JOIN}" in screen


def test_bulk_json_reports_each_outcome(users: dict[str, Cartes]) -> None:
    r = users[STAFF](
        "request", "approve", ACCEPTED_DATASTORE, ACCEPTED_JOIN, REJECTED_JOIN, "--json", "--yes"
    )
    assert r.returncode == 1, r
    by_id = {item["id"]: item for item in json.loads(r.stdout)}
    assert by_id[ACCEPTED_JOIN]["status"] == "unchanged"
    assert by_id[ACCEPTED_JOIN]["requester"] == "antoine.petit@agglo-larochelle.test"
    assert by_id[ACCEPTED_JOIN]["workspace"] == "ddt33"
    assert by_id[ACCEPTED_DATASTORE]["status"] == "unchanged"
    assert by_id[REJECTED_JOIN]["status"] == "failed"
    assert by_id[REJECTED_JOIN]["error"]
    assert "done" not in r.stdout


def test_dry_run_on_ids_names_requester_and_workspace(users: dict[str, Cartes]) -> None:
    r = users[STAFF]("request", "approve", ACCEPTED_JOIN, REJECTED_JOIN, "--dry-run")
    assert r.returncode == 0, r
    assert r.stdout.splitlines() == [
        f"{ACCEPTED_JOIN}\tunchanged\tantoine.petit@agglo-larochelle.test → ddt33",
        f"{REJECTED_JOIN}\tapprove\telodie.chevalier@ddtm-finistere.test → ddt33",
    ]


def test_the_dry_run_plan_speaks_french_to_a_person_and_stays_raw_for_scripts(
    users: dict[str, Cartes],
) -> None:
    args = ("request", "approve", ACCEPTED_JOIN, REJECTED_JOIN, "--dry-run")
    table = users[STAFF](*args, "--format", "table", env={"CARTES_LANG": "fr", "COLUMNS": "200"})
    assert table.returncode == 0, table
    assert "accepter" in table.stdout
    assert "sans changement" in table.stdout
    assert "approve" not in table.stdout
    piped = users[STAFF](*args, env={"CARTES_LANG": "fr"})
    assert "\tapprove\t" in piped.stdout  # TSV keeps the values scripts compare


def test_times_in_json_are_utc_to_the_second(users: dict[str, Cartes]) -> None:
    cli = users[ADMIN]
    status = json.loads(cli("login", "status", "--json").stdout)
    assert all(WHOLE_SECONDS.match(p["expires_at"]) for p in status if p["expires_at"]), status
    requests = json.loads(cli("request", "list", "--incoming", "--json").stdout)
    assert requests
    assert all(WHOLE_SECONDS.match(r["creation"]) for r in requests)
    members = json.loads(cli("workspace", "members", "ddt33", "--json").stdout)
    assert all(WHOLE_SECONDS.match(m["since"]) for m in members if m["since"])
