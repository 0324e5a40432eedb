"""Tab completion: the committed scripts match the generator, bash really completes, and the
dynamic candidates (profiles, workspaces, pending requests) are cheap, cached and quiet."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from cartes_cli.cli import candidates
from cartes_cli.cli.candidates import (
    CATALOGUE,
    INCOMING,
    MY_WORKSPACES,
    CandidateCache,
    Deadline,
    Session,
)
from tests.conftest import base_env

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SHELLS = ("bash", "zsh", "fish", "powershell")


def cartes(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "cartes"), *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("shell", SHELLS)
def test_committed_scripts_match_the_generator(shell: str) -> None:
    r = cartes("completion", shell)
    assert r.returncode == 0, r.stderr
    committed = (ROOT / "completions" / f"cartes.{shell}").read_text(encoding="utf-8")
    assert r.stdout == committed, f"regenerate: cartes completion {shell} > completions/cartes.{shell}"


def test_unknown_shell_is_a_usage_error() -> None:
    r = cartes("completion", "tcsh")
    assert r.returncode == 2
    assert "tcsh" in r.stderr


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["cartes", "work"], {"workspace"}),
        (["cartes", "login", "sw"], {"switch"}),
        (["cartes", "request", "approve", "--con"], {"--concurrency"}),
        (["cartes", "workspace", "member", ""], {"add", "set", "remove"}),
    ],
)
def test_bash_completes_in_a_real_bash(words: list[str], expected: set[str]) -> None:
    script = ROOT / "completions" / "cartes.bash"
    words_literal = " ".join(f"'{w}'" for w in words)
    program = (
        f"source '{script}'\n"
        f"COMP_WORDS=({words_literal})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        "_cartes_completion cartes\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    r = subprocess.run(["bash", "-c", program], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert expected <= set(r.stdout.split()), r.stdout


# --- dynamic completion -------------------------------------------------------------------------------
#
# Unit tests of the providers and their cache, and the whole completion path run as the shells run
# it (the installed executable, _CARTES_COMPLETE set) against small local HTTP servers on 127.0.0.1:
# one that answers like the Entrepôt API, one that accepts connections and never answers.


USER = "alice.martin"
TOKEN = "unit-test-access-token"
WORKSPACE_IDS = {f"ws{i:02d}": f"{i:08x}-0000-4000-8000-{i:012x}" for i in range(1, 121)}
MINE = ("ws01", "ws02")
PENDING = [
    {
        "_id": "3f0c5e4a-1111-4a2b-9c3d-000000000001",
        "type": "join",
        "requester": {"email": "bob@example.test"},
        "community": {"_id": WORKSPACE_IDS["ws01"], "technical_name": "ws01", "name": "Workspace 1"},
    },
    {
        "_id": "3f0c5e4a-2222-4a2b-9c3d-000000000002",
        "type": "datastore",
        "requester": {"first_name": "Chloé", "last_name": "Roux"},
        "name": "New space",
        "technical_name": "new_space",
    },
]


class FakeApi(http.server.ThreadingHTTPServer):
    """``/api/users/me``, ``/api/catalogs/communities`` (120 in pages of at most 50) and
    ``/api/requests``; every hit is recorded, and a wrong token is a 401."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _FakeApiHandler)
        self.hits: list[str] = []

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api"


class _FakeApiHandler(http.server.BaseHTTPRequestHandler):
    server: FakeApi

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.server.hits.append(url.path)
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._send(401, {"error": "unauthorized"})
        if url.path == "/api/users/me":
            memberships = [
                {"rights": ["UPLOAD"], "community": {"_id": WORKSPACE_IDS[n], "technical_name": n, "name": n}}
                for n in MINE
            ]
            return self._send(200, {"_id": "me", "communities_member": memberships})
        if url.path == "/api/catalogs/communities":
            rows = [
                {"_id": i, "technical_name": n, "name": f"Title of {n}"} for n, i in WORKSPACE_IDS.items()
            ]
            evil = {"_id": "x", "technical_name": "evil'$(touch /tmp/pwned)", "name": "New\nline"}
            return self._page([*rows, evil], query)
        if url.path in ("/api/requests", "/api/users/me/requests"):
            return self._page(PENDING if query.get("status") == "pending" else [], query)
        return self._send(404, {"error": "not found"})

    def _page(self, rows: list[dict[str, Any]], query: dict[str, str]) -> None:
        page, limit = int(query.get("page", 1)), min(50, int(query.get("limit", 10)))
        chunk = rows[(page - 1) * limit : page * limit]
        first = (page - 1) * limit
        self._send(200, chunk, {"Content-Range": f"{first}-{first + max(len(chunk), 1) - 1}/{len(rows)}"})

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    server = FakeApi()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


class SilentApi:
    """A server that accepts connections and never answers; it counts them."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.api_url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/api"
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                self.connections.append(self.sock.accept()[0])

    def close(self) -> None:
        for conn in self.connections:
            conn.close()
        self.sock.close()


@pytest.fixture
def silent_api() -> Iterator[SilentApi]:
    server = SilentApi()
    yield server
    server.close()


def make_home(home: Path, api_url: str, *, token: str | None = TOKEN) -> dict[str, str]:
    """A CARTES_HOME with two profiles logged in to ``api_url`` (the access token cached for the
    first); the environment to run cartes in it."""
    config = home / "config"
    config.mkdir(parents=True)
    issuer = api_url.rsplit("/api", 1)[0] + "/realms/geoplateforme"
    profile = (
        f'env = "custom"\napi_url = "{api_url}"\nissuer = "{issuer}"\nstorage = "file"\nflow = "password"\n'
    )
    (config / "config.toml").write_text(
        f'active_profile = "default"\n\n[profiles.default]\nuser = "{USER}"\n{profile}\n'
        f'[profiles.recette]\nuser = "bob"\n{profile}',
        encoding="utf-8",
    )
    env = base_env(home)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    if token is not None:
        code = (
            "import sys, time\n"
            "from cartes_cli import paths\n"
            "from cartes_cli.auth.cache import AccessTokenCache\n"
            "from cartes_cli.cli.context import AppContext, GlobalOptions\n"
            "from cartes_cli.cli.output import Terminal\n"
            "app = AppContext(GlobalOptions(), Terminal())\n"
            "profile = app.profile()\n"
            "key = app.cache_key(profile, app.platform(profile))\n"
            "AccessTokenCache(paths.cache_dir() / 'tokens').save(key, sys.argv[1], time.time() + 3600)\n"
        )
        subprocess.run([sys.executable, "-c", code, token], env=env, check=True, timeout=60)
    return env


def complete(env: dict[str, str], line: str, via: str = "bash") -> tuple[list[str], str, float]:
    """What cartes answers to a Tab at the end of ``line``: the lines printed, stderr, seconds."""
    words = line.split()
    run_env = dict(env)
    run_env["_CARTES_COMPLETE"] = f"complete_{via}"
    if via == "bash":
        run_env["COMP_WORDS"] = line
        run_env["COMP_CWORD"] = str(len(words) if line.endswith(" ") else len(words) - 1)
    else:
        run_env["_TYPER_COMPLETE_ARGS"] = line
        if via == "fish":
            run_env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    start = time.monotonic()
    r = subprocess.run([str(BIN / "cartes")], capture_output=True, text=True, env=run_env, timeout=60)
    elapsed = time.monotonic() - start
    assert r.returncode == 0, r.stderr
    return [x for x in r.stdout.splitlines() if x.strip()], r.stderr, elapsed


# --- the cache --------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_cache_is_fresh_until_its_ttl_then_a_miss(tmp_path: Path) -> None:
    clock = Clock()
    cache = CandidateCache(tmp_path / "completion", clock=clock)
    assert cache.lookup(MY_WORKSPACES, "k", 300).state == "miss"
    assert cache.save(MY_WORKSPACES, "k", [{"id": "1", "technical_name": "a"}])
    clock.now += 299
    found = cache.lookup(MY_WORKSPACES, "k", 300)
    assert found.state == "fresh"
    assert found.items == [{"id": "1", "technical_name": "a"}]
    clock.now += 2
    assert cache.lookup(MY_WORKSPACES, "k", 300).state == "miss"
    # Another list, another login: other files.
    assert cache.lookup(CATALOGUE, "k", 300).state == "miss"
    assert cache.lookup(MY_WORKSPACES, "other", 300).state == "miss"
    # Private: 0700 directory, 0600 files, no profile or account name in a file name.
    if os.name == "posix":
        assert (tmp_path / "completion").stat().st_mode & 0o777 == 0o700
        for f in (tmp_path / "completion").iterdir():
            assert f.stat().st_mode & 0o777 == 0o600
            assert re.fullmatch(r"[0-9a-f]{40}", f.stem)  # a digest


def test_a_damaged_cache_file_is_a_miss(tmp_path: Path) -> None:
    cache = CandidateCache(tmp_path)
    cache.path_for(INCOMING, "k").write_text("{not json", encoding="utf-8")
    assert cache.lookup(INCOMING, "k", 60).state == "miss"
    cache.path_for(INCOMING, "k").write_text('{"v": 1, "kind": "other", "fetched_at": 1}', encoding="utf-8")
    assert cache.lookup(INCOMING, "k", 60).state == "miss"


def test_a_time_out_is_remembered_for_a_short_while(tmp_path: Path) -> None:
    clock = Clock()
    cache = CandidateCache(tmp_path, clock=clock)
    cache.note_timeout(INCOMING, "k")
    assert cache.lookup(INCOMING, "k", 60).state == "backoff"
    clock.now += candidates.TIMEOUT_BACKOFF + 1
    assert cache.lookup(INCOMING, "k", 60).state == "miss"


def _counting(items: list[dict[str, Any]], calls: list[str], delay: float = 0.0) -> Any:
    def fetch(session: Session, deadline: Deadline) -> list[dict[str, Any]]:
        calls.append(session.key)
        time.sleep(delay)
        return items

    return fetch


def test_lists_come_from_the_cache_while_fresh_and_are_fetched_again_after(tmp_path: Path) -> None:
    clock = Clock()
    cache = CandidateCache(tmp_path, clock=clock)
    calls: list[str] = []
    lists = {INCOMING: (60.0, _counting([{"id": "r1"}], calls))}
    session = Session("http://127.0.0.1:9/api", "key", "token")
    assert candidates.load_lists(session, [INCOMING], cache=cache, lists=lists) == {INCOMING: [{"id": "r1"}]}
    clock.now += 59
    assert candidates.load_lists(session, [INCOMING], cache=cache, lists=lists) == {INCOMING: [{"id": "r1"}]}
    assert len(calls) == 1
    clock.now += 2
    candidates.load_lists(session, [INCOMING], cache=cache, lists=lists)
    assert len(calls) == 2
    # Without a usable token, a fresh cache still serves; a stale one gives nothing, without fetching.
    no_token = Session(session.api_url, "key", None)
    assert candidates.load_lists(no_token, [INCOMING], cache=cache, lists=lists)[INCOMING] == [{"id": "r1"}]
    clock.now += 61
    assert candidates.load_lists(no_token, [INCOMING], cache=cache, lists=lists) == {INCOMING: None}
    assert len(calls) == 2


def test_a_fetch_that_outlives_the_budget_gives_no_candidates_and_is_not_retried_at_once(
    tmp_path: Path,
) -> None:
    cache = CandidateCache(tmp_path)
    calls: list[str] = []
    lists = {
        INCOMING: (60.0, _counting([{"id": "slow"}], calls, delay=2.0)),
        MY_WORKSPACES: (300.0, _counting([{"id": "w", "technical_name": "quick"}], calls)),
    }
    session = Session("http://127.0.0.1:9/api", "key", "token")
    start = time.monotonic()
    got = candidates.load_lists(session, [INCOMING, MY_WORKSPACES], cache=cache, budget=0.3, lists=lists)
    assert time.monotonic() - start < 1.0
    assert got[INCOMING] is None  # too slow: nothing
    assert got[MY_WORKSPACES] == [{"id": "w", "technical_name": "quick"}]  # in time: offered and kept
    assert cache.lookup(INCOMING, "key", 60).state == "backoff"
    start = time.monotonic()
    assert candidates.load_lists(session, [INCOMING], cache=cache, lists=lists) == {INCOMING: None}
    assert time.monotonic() - start < 0.1
    assert len(calls) == 2


# --- the candidates ---------------------------------------------------------------------------------------


def test_comma_separated_rights_complete_their_last_element() -> None:
    rights = candidates.rights_choices()

    def values(text: str) -> list[str]:
        return [v for v, _help in candidates.comma_list_candidates(rights, text)]

    assert values("") == ["COMMUNITY", "UPLOAD", "PROCESSING", "BROADCAST", "ANNEX"]
    assert values("UPLOAD,PR") == ["UPLOAD,PROCESSING"]
    assert values("upload,pr") == ["upload,processing"]  # the case typed is kept (zsh filters on it)
    assert values("UPLOAD,PROCESSING,") == ["UPLOAD,PROCESSING,COMMUNITY", "UPLOAD,PROCESSING,BROADCAST",
                                            "UPLOAD,PROCESSING,ANNEX"]  # fmt: skip
    assert values("UPLOAD,upload") == []  # no right twice
    assert values("X") == []
    assert all(help_ for _v, help_ in candidates.comma_list_candidates(rights, ""))


def test_workspace_ids_are_offered_only_for_something_uuid_like() -> None:
    mine = [{"id": "7dcb9e2d-1fc1-5dd3-b781-cbdc6afff1c5", "technical_name": "ddt33", "name": "DDT 33"}]
    catalogue = [
        *mine,
        {"id": "dd0e0000-0000-4000-8000-000000000000", "technical_name": "tutoriels", "name": "Tutos"},
    ]
    assert candidates.workspace_candidates(mine, catalogue, "") == [
        ("ddt33", "DDT 33"),
        ("tutoriels", "Tutos"),
    ]
    assert candidates.workspace_candidates(mine, catalogue, "DD") == [("ddt33", "DDT 33")]
    assert candidates.workspace_candidates(mine, catalogue, "7dcb") == [
        ("7dcb9e2d-1fc1-5dd3-b781-cbdc6afff1c5", "ddt33 – DDT 33")
    ]
    assert candidates.workspace_candidates(mine, catalogue, "joinable", exclude_mine=True) == []
    assert candidates.workspace_candidates(mine, catalogue, "", exclude_mine=True) == [("tutoriels", "Tutos")]
    assert candidates.looks_like_uuid("7dcb9e2d-1f")
    assert not candidates.looks_like_uuid("7dcb9e2d1f")  # the dash belongs after 8 digits
    assert not candidates.looks_like_uuid("ddt3")


def test_request_candidates_skip_ids_already_given_and_describe_each_request() -> None:
    rows = [{"id": "AAA-1", "type": "join", "requester": "bob@x.test", "workspace": "ddt33"}, {"id": "aab-2"}]
    assert candidates.request_candidates([rows, rows], "aa") == [
        ("AAA-1", "join: bob@x.test → ddt33"),
        ("aab-2", "?: ? → ?"),
    ]
    assert candidates.request_candidates([rows], "", exclude=["aaa-1"]) == [("aab-2", "?: ? → ?")]


def test_every_workspace_profile_and_request_id_parameter_has_dynamic_completion() -> None:
    import typer

    from cartes_cli.cli.app import make_app

    command = typer.main.get_command(make_app())
    assert candidates.attach(command) >= 20
    missing, seen = [], set()

    def walk(cmd: Any, path: tuple[str, ...]) -> None:
        for p in cmd.params:
            wanted = (
                p.name in ("workspace", "profile", "rights")
                or (path[:1] == ("request",) and p.name in ("request_id", "ids", "status", "type_"))
                or (path == ("login", "switch") and p.name == "profile_name")
                or (not path and p.name in ("env", "format"))
            )
            if wanted:
                seen.add(p.name)
                if getattr(p, "_custom_shell_complete", None) is None:
                    missing.append(f"{' '.join(path)} {p.name}")
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            walk(sub, (*path, name))

    walk(command, ())
    assert missing == []
    assert {"workspace", "profile", "profile_name", "request_id", "ids", "rights", "env"} <= seen


# --- the whole path, as a shell runs it -----------------------------------------------------------------


def test_workspaces_and_requests_are_fetched_once_then_served_from_the_cache(
    tmp_path: Path, fake_api: FakeApi
) -> None:
    env = make_home(tmp_path / "home", fake_api.api_url)
    names, err, _t = complete(env, "cartes workspace show ")
    assert err == ""
    assert names[:2] == list(MINE)  # mine first
    assert set(names) == set(WORKSPACE_IDS)  # the whole catalogue: three pages
    assert sorted(fake_api.hits) == sorted(["/api/users/me"] + ["/api/catalogs/communities"] * 3)
    hits = len(fake_api.hits)
    assert complete(env, "cartes workspace show ws09")[0] == ["ws09"]
    assert complete(env, "cartes workspace leave ")[0] == list(MINE)  # mine only
    assert "ws01" not in complete(env, "cartes workspace join ")[0]  # not the ones I am in
    assert complete(env, f"cartes workspace show {WORKSPACE_IDS['ws07'][:9]}")[0] == [WORKSPACE_IDS["ws07"]]
    assert len(fake_api.hits) == hits  # all from the cache

    ids, err, _t = complete(env, "cartes request approve ")
    assert ids == [r["_id"] for r in PENDING]
    assert complete(env, f"cartes request approve {PENDING[0]['_id']} ")[0] == [PENDING[1]["_id"]]
    described, _err, _t = complete(env, "cartes request show 3f0c", via="fish")
    assert described == [
        f"{PENDING[0]['_id']}\tjoin: bob@example.test → ws01",
        f"{PENDING[1]['_id']}\tdatastore: Chloé Roux → new_space",
    ]
    zsh, _err, _t = complete(env, "cartes workspace show ws0", via="zsh")
    assert '"ws01":"ws01"' in zsh[0]
    assert '"ws03":"Title of ws03"' in "\n".join(zsh)

    # Another profile is another cache (and without a cached token, nothing is fetched).
    assert complete(env, "cartes -p recette workspace show ")[0] == []
    assert complete(env, "cartes workspace show --profile recette ")[0] == []  # global options anywhere


def test_no_usable_login_means_no_candidates_and_no_request(tmp_path: Path, fake_api: FakeApi) -> None:
    env = make_home(tmp_path / "home", fake_api.api_url, token=None)
    names, err, _t = complete(env, "cartes workspace show ")
    assert (names, err) == ([], "")
    wrong = make_home(tmp_path / "wrong", fake_api.api_url, token="an-expired-or-revoked-token")
    names, err, _t = complete(wrong, "cartes request approve ")
    assert (names, err) == ([], "")  # a 401: nothing offered, nothing printed
    assert fake_api.hits == ["/api/requests"]


def test_a_server_that_never_answers_costs_one_short_wait_and_prints_nothing(
    tmp_path: Path, silent_api: SilentApi
) -> None:
    env = make_home(tmp_path / "home", silent_api.api_url)
    names, err, elapsed = complete(env, "cartes request approve ")
    assert (names, err) == ([], "")
    assert elapsed < 1.5
    assert len(silent_api.connections) == 1
    names, err, _again = complete(env, "cartes request approve ")
    assert (names, err) == ([], "")
    assert len(silent_api.connections) == 1  # the time-out is remembered: no second wait


def test_profiles_environments_and_formats_complete_with_descriptions(tmp_path: Path) -> None:
    env = make_home(tmp_path / "home", "http://127.0.0.1:9/api", token=None)
    assert complete(env, "cartes --profile ")[0] == ["default", "recette"]
    assert complete(env, "cartes login switch r")[0] == ["recette"]
    assert complete(env, "cartes workspace list -p ")[0] == ["default", "recette"]
    fish, _err, _t = complete(env, "cartes --profile ", via="fish")
    assert fish[0].startswith(f"default\t{USER} on http://127.0.0.1:9/api")
    assert fish[0].endswith("(active)")
    assert complete(env, "cartes --env ")[0] == ["prod", "qualif", "sandbox"]
    assert complete(env, "cartes --format c")[0] == ["csv"]
    assert complete(env, "cartes request list --status p")[0] == ["pending"]
    assert complete(env, "cartes request approve --type ")[0] == ["join", "datastore"]
    assert complete(env, "cartes workspace member set ws x --rights BROADCAST,")[0] == [
        "BROADCAST,COMMUNITY",
        "BROADCAST,UPLOAD",
        "BROADCAST,PROCESSING",
        "BROADCAST,ANNEX",
    ]
    assert complete(env, "cartes workspace create name --offer ")[0] == ["essential", "premium"]
    assert complete(env, "cartes completion ")[0] == list(SHELLS)


def test_clicks_spelling_of_the_instruction_works_too(tmp_path: Path) -> None:
    env = make_home(tmp_path / "home", "http://127.0.0.1:9/api", token=None)
    env.update(_CARTES_COMPLETE="bash_complete", COMP_WORDS="cartes wor", COMP_CWORD="1")
    r = subprocess.run([str(BIN / "cartes")], capture_output=True, text=True, env=env, timeout=60)
    assert (r.returncode, r.stdout.split(), r.stderr) == (0, ["workspace"], "")


def test_completion_from_a_warm_cache_imports_no_heavy_module(tmp_path: Path, fake_api: FakeApi) -> None:
    env = make_home(tmp_path / "home", fake_api.api_url)
    assert complete(env, "cartes workspace show ")[0]  # warms the cache
    env.update(_CARTES_COMPLETE="complete_bash", COMP_WORDS="cartes workspace show ", COMP_CWORD="3")
    code = (
        "import sys\n"
        "from cartes_cli.__main__ import main\n"
        "try:\n    main([])\nexcept SystemExit:\n    pass\n"
        "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert "ws01" in r.stdout.split()
    modules = set(r.stderr.split()) - {"httpx._main"}  # the stub cartes_cli.__main__ puts in
    heavy = ("httpx", "pydantic", "keyring", "rich", "urllib.request", "cartes_cli.client._base")
    assert sorted(m for m in modules for h in heavy if m == h or m.startswith(h + ".")) == []


def test_pages_are_fetched_together_within_the_deadline(fake_api: FakeApi) -> None:
    session = Session(fake_api.api_url, "key", TOKEN)
    items = candidates.get_list(session, "/catalogs/communities", {}, Deadline(5))
    assert [i["technical_name"] for i in items][:-1] == list(WORKSPACE_IDS)  # and the evil one
    with pytest.raises(candidates.FetchTimeout):
        candidates.get_list(session, "/catalogs/communities", {}, Deadline(0))
    with pytest.raises(candidates.FetchError) as info:
        candidates.get_json(Session(fake_api.api_url, "key", "bad"), "/users/me", {}, Deadline(5))
    assert info.value.status == 401


def test_the_outline_used_for_the_first_word_completes_like_the_whole_tree() -> None:
    """Before the command word is complete, completion builds an outline of the groups (fast): it must
    offer exactly what the whole tree would, descriptions included."""
    import typer
    from typer._completion_classes import BashComplete

    from cartes_cli.cli.app import make_app

    def offered(app: typer.Typer, args: list[str], incomplete: str) -> list[tuple[str, str | None]]:
        command = typer.main.get_command(app)
        candidates.attach(command)
        items = BashComplete(command, {}, "cartes", "_CARTES_COMPLETE").get_completions(args, incomplete)
        return [(i.value, i.help) for i in items]

    for args, incomplete in (([], ""), ([], "w"), ([], "--"), (["--env"], ""), (["-p", "x"], "")):
        assert offered(make_app(outline=True), args, incomplete) == offered(make_app(), args, incomplete)


def test_candidates_that_could_break_a_shell_are_not_offered() -> None:
    """The zsh script evals what cartes prints, and names come from the platform."""
    pairs = [("ok_1", "a\nb\tc"), ("bad'$(x)", "x"), ("", None), ("long", "x" * 200), ("a b", None)]
    provider = candidates.hooks._provider(lambda ctx, param, incomplete: pairs)
    offered = [(i.value, i.help) for i in provider(None, None, "")]
    assert offered == [("ok_1", "a b c"), ("long", "x" * 79 + "…")]
