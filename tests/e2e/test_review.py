"""``cartes request review`` as a person uses it: the installed ``cartes`` in a real terminal
(tmux, at 80×24 and 200×50) against a sandbox of this module's own, keys sent one at a time
(issue 16): approve, reject with a reason, skip, back, quit; a long request; a request decided
by someone else between two keys; Ctrl-C mid-session (the terminal sane again, what was decided
kept, a second review showing only the rest).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN, STAFF, Cartes, Sandbox, cartes_executable, own_sandbox
from tests.e2e.conftest import PRODUCER

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        shutil.which("tmux") is None and not os.environ.get("CARTES_REQUIRE_TMUX"),
        reason="tmux is not installed (CI installs it and sets CARTES_REQUIRE_TMUX)",
    ),
]

sandbox = own_sandbox("sandbox")
END = "__REVIEW_END__"
STTY_END = "__STTY_END__"


class Screen:
    """One ``cartes`` command in a tmux session of its own size; keys in, the screen out."""

    def __init__(self, socket: Path, cli: Cartes, width: int, height: int, *args: str) -> None:
        self.socket = socket
        # A person at a terminal; its size is the pane's (COLUMNS and LINES, which the test
        # runner's workers may export, would override it).
        self.env = {k: v for k, v in cli.env.items() if k not in ("CI", "COLUMNS", "LINES")}
        self.env["TERM"] = "xterm-256color"
        self.name = f"r{time.monotonic_ns()}"
        command = shlex.join(
            ["env", f"CARTES_HOME={cli.home}", cartes_executable(), "--env", "sandbox", *args]
        )
        # After it ends: its exit code, then the terminal's modes (was it given back as it was?).
        shell = f"{command}; echo {END}$?; stty -a; echo {STTY_END}; sleep 60"
        self._tmux("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), shell)

    def _tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-u", "-S", str(self.socket), *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout

    def screen(self, *, history: bool = False) -> str:
        extra = ["-S", "-", "-E", "-"] if history else []
        return self._tmux("capture-pane", "-p", *extra, "-t", self.name)

    def wait(self, pattern: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if re.search(pattern, shown, re.M):
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} not shown after {timeout} s:\n{shown}")
            time.sleep(0.05)

    def key(self, *keys: str) -> None:
        """tmux key names (``Enter``, ``Left``, ``C-c``) or single characters."""
        self._tmux("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-t", self.name, "-l", text)

    def end(self, timeout: float = 10) -> tuple[int, str]:
        """The exit code and everything printed (scroll-back included) once the command ended."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen(history=True)
            found = re.search(rf"^{END}(\d+)$", shown, re.M)
            # stty -a printed too, all of it (its first line alone came before the rest once)
            if found and re.search(rf"^{STTY_END}$", shown[found.end() :], re.M):
                return int(found.group(1)), shown
            if time.monotonic() > deadline:
                raise AssertionError(f"no end after {timeout} s:\n{shown}")
            time.sleep(0.05)

    def close(self) -> None:
        subprocess.run(["tmux", "-S", str(self.socket), "kill-session", "-t", self.name], capture_output=True)


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Any]:
    socket = tmp_path / "tmux.sock"
    screens: list[Screen] = []

    def open_screen(cli: Cartes, width: int, height: int, *args: str) -> Screen:
        screens.append(Screen(socket, cli, width, height, *args))
        return screens[-1]

    yield open_screen
    for s in screens:
        s.close()
    subprocess.run(["tmux", "-S", str(socket), "kill-server"], capture_output=True)


def api(sb: Sandbox, user: str, method: str, path: str, **kwargs: Any) -> Any:
    token = sb.access_token(user)
    response = httpx.request(
        method, sb.api_url + path, headers={"Authorization": f"Bearer {token}"}, timeout=10, **kwargs
    )
    assert response.status_code < 300, response.text
    return response.json()


def pending_ids(sb: Sandbox, user: str, community: str) -> list[str]:
    """The pending requests of a workspace, in the order the review lists them."""
    return [
        r["_id"]
        for r in api(sb, user, "GET", "/requests", params={"status": "pending", "community": community})
    ]


def fixture_community(sb: Sandbox, *, fields: int = 0, requests: int = 0) -> str:
    """A new public workspace (``fields`` questions in its join form), with ``requests`` pending
    join requests from new users."""
    form = [{"name": f"question_{n:02d}", "title": f"Question {n}", "type": "string"} for n in range(fields)]
    made = httpx.post(
        sb.base_url + "/sandbox/fixtures/communities",
        json={"count": 1, "prefix": "Revue", **({"join_form": form} if form else {})},
        timeout=10,
    )
    assert made.status_code == 201, made.text
    community = str(made.json()["communities"][0])
    if requests:
        joins = httpx.post(
            sb.base_url + "/sandbox/fixtures/join-requests",
            json={"community": community, "count": requests},
            timeout=10,
        )
        assert joins.status_code == 201, joins.text
    return community


def panel_fits(shown: str, width: int, height: int) -> None:
    """The panel whole on the screen: its top on the first row, its bottom border drawn, its
    right border on the last column (nothing wider), no row past the screen's height."""
    lines = shown.rstrip("\n").split("\n")
    assert len(lines) <= height, shown
    assert lines[0].startswith("╭"), shown
    bottom = [n for n, line in enumerate(lines) if line.startswith("╰")]
    assert bottom, shown
    for line in lines[1 : bottom[0]]:
        assert len(line) == width, f"{line!r}\n{shown}"
        assert line.startswith("│"), shown
        assert line.endswith("│"), shown


def sane(after: str) -> None:
    """``stty -a`` after the command: line editing and echo back on."""
    assert re.search(r"(?<![-\w])icanon\b", after), after
    assert re.search(r"(?<![-\w])echo\b", after), after


def test_keys_at_80x24_approve_skip_reject_back_quit(sandbox: Sandbox, admin: Cartes, tmux: Any) -> None:
    ids = pending_ids(sandbox, ADMIN, "ddt33")
    total = len(ids)
    s = tmux(admin, 80, 24, "request", "review", "--workspace", "ddt33")
    s.wait(rf"Request 1/{total}")
    shown = s.wait(r"^╰─{78}╯$")
    panel_fits(shown, 80, 24)
    for essential in ("Requester", "Organisation", "Asks to join", "ddt33", "Message", "Answers", "q quit"):
        assert essential in shown, shown
    s.key("a")
    shown = s.wait(rf"Request 2/{total}")
    assert "Accepted:" in shown
    s.key("s")
    s.wait(rf"Request 3/{total}")
    s.key("x")
    s.wait("Reason for rejecting")
    s.type("Réservé aux agents de la DDT")
    s.key("Enter")
    s.wait(rf"Request 4/{total}")
    s.key("b")
    shown = s.wait(rf"Request 3/{total}")
    assert "rejected by you" in shown
    s.key("q")
    code, printed = s.end()
    assert code == 0, printed
    assert "Accepted: 1, rejected: 1, unchanged: 0, failed: 0." in printed
    assert f"{total - 2} still pending" in printed
    sane(printed)
    left = pending_ids(sandbox, ADMIN, "ddt33")
    assert left == [ids[1], *ids[3:]]
    decided = api(sandbox, ADMIN, "GET", f"/requests/{ids[2]}")
    assert (decided["status"], decided["reason"]) == ("rejected", "Réservé aux agents de la DDT")


def test_a_long_request_with_many_answers_at_200x50_and_80x24(
    sandbox: Sandbox, staff: Cartes, tmux: Any
) -> None:
    community = fixture_community(sandbox, fields=16)
    message = "Nous cartographions les haies bocagères du département pour le plan climat. " * 12
    answers = {f"question_{n:02d}": f"Réponse détaillée numéro {n} à la question posée" for n in range(16)}
    body = {"type": "join", "community": community, "message": message, "answers": answers}
    api(sandbox, PRODUCER, "POST", "/requests", json=body)
    wide = tmux(staff, 200, 50, "request", "review", "--workspace", community)
    shown = wide.wait(r"^╰─{198}╯$")  # drawn at the full width (again if tmux resized it after the start)
    panel_fits(shown, 200, 50)
    assert "elodie.chevalier" in shown
    assert all(f"question_{n:02d}" in shown for n in range(16)), shown  # the room used: all of it
    assert "more lines" not in shown
    wide.key("q")
    assert wide.end()[0] == 0

    narrow = tmux(staff, 80, 24, "request", "review", "--workspace", community)
    shown = narrow.wait(r"^╰─{78}╯$")
    panel_fits(shown, 80, 24)
    assert re.search(r"… \d+ more lines: press i for everything", shown), shown
    narrow.key("i")
    narrow.wait("scroll")
    narrow.key("End")
    shown = narrow.wait(r"\((\d+)/\1\)$")  # scrolled to the end: the requester, their other requests
    assert "question_15" in shown
    assert "elodie.chevalier@" in shown
    assert re.search(r"rejected +ddt33", shown), shown
    narrow.key("Escape")
    narrow.wait(r"q quit$")
    narrow.key("q")
    code, printed = narrow.end()
    assert code == 0
    assert "1 still pending" in printed


def test_decided_meanwhile_then_ctrl_c_then_only_the_rest(sandbox: Sandbox, staff: Cartes, tmux: Any) -> None:
    community = fixture_community(sandbox, requests=4)
    ids = pending_ids(sandbox, STAFF, community)
    s = tmux(staff, 100, 30, "request", "review", "--workspace", community)
    s.wait(r"Request 1/4")
    api(sandbox, STAFF, "POST", f"/requests/{ids[1]}/reject", json={"reason": "Décidée ailleurs"})
    s.key("a")  # the first accepted; the second was rejected meanwhile, by someone else
    shown = s.wait(r"Request 2/4")
    assert "Decided by someone else meanwhile (rejected" in shown
    s.key("a")
    s.wait("Already decided")
    s.key("Right")
    s.wait(r"Request 3/4")
    s.key("C-c")
    code, printed = s.end()
    assert code == 130, printed
    assert "Accepted: 1, rejected: 0, unchanged: 1, failed: 0." in printed
    assert "Not started (2):" in printed
    assert "Traceback" not in printed
    sane(printed)

    again = tmux(staff, 100, 30, "request", "review", "--workspace", community)
    shown = again.wait(r"Request 1/2")
    again.key("q")
    assert again.end()[0] == 0
    assert pending_ids(sandbox, STAFF, community) == ids[2:]
