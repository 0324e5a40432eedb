"""Dynamic Tab completion end to end: a real sandbox, real logins, the committed bash script sourced
in a real bash.

Staff (claire.moreau) and a community administrator (julien.lefebvre, supervisor of ddt33) log in
in one home, as two profiles; bash then completes workspace names, pending request ids and profile
names. A second Tab is answered from the cache without a call to the platform. With the sandbox
frozen (it accepts connections and never answers) or stopped, and nothing cached, a Tab comes back
quickly and offers nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN, BIN_DIR, STAFF, Cartes, Sandbox, own_sandbox, start_sandbox
from tests.e2e.conftest import log_seq

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash"),
]

SCRIPT = Path(__file__).resolve().parents[2] / "completions" / "cartes.bash"


sandbox = own_sandbox("sandbox")


@pytest.fixture
def cli(tmp_path: Path, sandbox: Sandbox, keyring_available: bool) -> Cartes:
    """Claire (staff) in the default profile, Julien (ddt33's supervisor) in the profile ddt."""
    cli = Cartes(tmp_path / "home", sandbox, keyring_available)
    assert cli.login(ADMIN, profile="ddt").returncode == 0
    assert cli.login(STAFF, profile="default").returncode == 0
    assert cli("login", "switch", "default").returncode == 0
    return cli


def bash_complete(cli: Cartes, line: str) -> tuple[list[str], str, float]:
    """Source the committed script in bash, press Tab at the end of ``line``: COMPREPLY, stderr and
    the seconds it took."""
    words = line.split(" ")  # a trailing space makes an empty last word, as bash does
    literal = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    program = (
        f"source '{SCRIPT}'\n"
        f"COMP_WORDS=({literal})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        "_cartes_completion cartes\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = dict(cli.env, PATH=f"{BIN_DIR}{os.pathsep}{cli.env.get('PATH', '')}")
    start = time.monotonic()
    r = subprocess.run(["bash", "-c", program], capture_output=True, text=True, env=env, timeout=60)
    elapsed = time.monotonic() - start
    assert r.returncode == 0, r.stderr
    return [x for x in r.stdout.splitlines() if x], r.stderr, elapsed


def json_column(cli: Cartes, *args: str, field: str) -> list[str]:
    r = cli(*args, "--json", field)
    assert r.returncode == 0, r
    return [row[field] for row in json.loads(r.stdout)]


def api_calls_since(sandbox: Sandbox, seq: int) -> list[str]:
    r = httpx.get(sandbox.base_url + "/sandbox/log", params={"since": seq, "limit": 1000}, timeout=10)
    entries = r.json()
    entries = entries.get("entries", entries) if isinstance(entries, dict) else entries
    return [f"{e['method']} {e['path']}" for e in entries if e["path"].startswith("/api")]


def test_workspace_names_come_from_the_platform_then_from_the_cache(cli: Cartes, sandbox: Sandbox) -> None:
    mine = json_column(cli, "workspace", "list", field="technical_name")
    public = json_column(cli, "workspace", "list", "--public", field="technical_name")
    assert mine
    assert public

    names, err, _elapsed = bash_complete(cli, "cartes workspace show ")
    assert err == ""
    assert set(names) == set(mine) | set(public)
    assert set(names[: len(mine)]) == set(mine)  # mine come first

    seq = log_seq(sandbox)
    again, err, _elapsed = bash_complete(cli, "cartes workspace show dd")
    assert err == ""
    assert again == [n for n in names if n.startswith("dd")]
    assert "ddt33" in again
    assert api_calls_since(sandbox, seq) == []  # the second Tab is answered from the cache

    # Only mine where only mine make sense; an id when the word looks like the start of one.
    assert set(bash_complete(cli, "cartes workspace leave ")[0]) == set(mine)
    ddt33 = json.loads(cli("workspace", "show", "ddt33", "--json", "id").stdout)["id"]
    assert bash_complete(cli, f"cartes workspace show {ddt33[:8]}")[0] == [ddt33]
    # Global options anywhere, as for commands: Julien's workspaces.
    julien = bash_complete(cli, "cartes workspace leave --profile ddt ")[0]
    assert "ddt33" in julien
    assert set(julien) == set(json_column(cli, "-p", "ddt", "workspace", "list", field="technical_name"))


def test_pending_request_ids_for_staff_and_for_a_community_administrator(cli: Cartes) -> None:
    staff_pending = json_column(cli, "request", "list", "--incoming", field="id")
    admin_pending = json_column(cli, "-p", "ddt", "request", "list", "--incoming", field="id")
    assert staff_pending
    assert admin_pending
    assert set(admin_pending) < set(staff_pending)

    ids, err, _elapsed = bash_complete(cli, "cartes request approve ")
    assert err == ""
    assert sorted(ids) == sorted(staff_pending)
    assert sorted(bash_complete(cli, "cartes -p ddt request reject ")[0]) == sorted(admin_pending)
    # Ids already on the line are not offered again; a prefix narrows the choice.
    first = staff_pending[0]
    rest = bash_complete(cli, f"cartes request approve {first} ")[0]
    assert sorted(rest) == sorted(set(staff_pending) - {first})
    assert bash_complete(cli, f"cartes request show {first[:13]}")[0] == [first]


def test_zsh_and_fish_show_what_each_candidate_is(cli: Cartes) -> None:
    """bash shows values only; zsh and fish also show a description (the protocol, no zsh needed)."""
    env = dict(cli.env, _CARTES_COMPLETE="complete_fish", _TYPER_COMPLETE_FISH_ACTION="get-args")
    env["_TYPER_COMPLETE_ARGS"] = "cartes -p ddt request approve "
    r = subprocess.run([str(BIN_DIR / "cartes")], capture_output=True, text=True, env=env, timeout=60)
    assert r.stderr == ""
    listed = cli("-p", "ddt", "request", "list", "--incoming", "--json", "id,requester,workspace")
    rows = json.loads(listed.stdout)
    expected = {f"{row['id']}\tjoin: {row['requester']} → {row['workspace']}" for row in rows}
    assert set(r.stdout.splitlines()) == expected

    env["_TYPER_COMPLETE_ARGS"] = "cartes workspace show ddt33"
    r = subprocess.run([str(BIN_DIR / "cartes")], capture_output=True, text=True, env=env, timeout=60)
    assert "ddt33\tDDT de la Gironde" in r.stdout.splitlines()


def test_profile_names(cli: Cartes) -> None:
    names, err, _elapsed = bash_complete(cli, "cartes --profile ")
    assert (names, err) == (["ddt", "default"], "")
    assert bash_complete(cli, "cartes login switch d")[0] == ["ddt", "default"]
    assert bash_complete(cli, "cartes request list -p dd")[0] == ["ddt"]


def test_a_frozen_or_stopped_sandbox_gives_a_quick_empty_answer(
    tmp_path: Path, keyring_available: bool
) -> None:
    home = tmp_path / "sandbox-home"
    own = start_sandbox(home, home / "data", "--seed", "demo")
    try:
        cli = Cartes(tmp_path / "home", own, keyring_available)
        assert cli.login(STAFF).returncode == 0
        cache = cli.home / "cache" / "completion"
        assert not cache.exists()  # cold

        own.proc.send_signal(signal.SIGSTOP)  # accepts connections, never answers
        try:
            for line in ("cartes request approve ", "cartes workspace show "):
                names, err, elapsed = bash_complete(cli, line)
                assert (names, err) == ([], "")
                assert elapsed < 2.0
            # The time-out is remembered: the next Tab does not wait again.
            _names, _err, again = bash_complete(cli, "cartes request approve ")
            assert again < 2.0
        finally:
            own.proc.send_signal(signal.SIGCONT)

        own.stop()
        shutil.rmtree(cache, ignore_errors=True)  # cold again
        for line in ("cartes request approve ", "cartes workspace show ", "cartes request show 0"):
            names, err, elapsed = bash_complete(cli, line)
            assert (names, err) == ([], "")
            assert elapsed < 2.0
        # Static completion does not depend on the platform.
        assert bash_complete(cli, "cartes request ap")[0] == ["approve"]
    finally:
        own.proc.send_signal(signal.SIGCONT)
        own.stop()
