"""Argument fuzzing of the whole command tree (issue 7, item 4): hypothesis builds invocations from
the real tree (``typer.main.get_command(make_app())``), mixing valid and junk values, unicode,
empty strings, ``--``, unknown options, and runs them in process (``cartes_cli.cli.main.run``).
Never a traceback, never an "Unexpected error", always an exit code of the contract.

The platform is a demo sandbox on 127.0.0.1 (half the runs with a staff token in CARTES_TOKEN,
so commands get past authentication and really call it). Nothing else is reachable: name
resolution refuses every host but loopback, browsers do not open, the keyring is keyring's
"fail" backend, stdin is empty, CARTES_NO_INPUT=1, CARTES_HOME and the working directory are
temporary. Left out because they wait by design: ``sandbox serve`` (a server), ``login --web``
(waits for the browser's redirect) and ``login --device`` (polls until the code expires).
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import sys
import tempfile
import time
import traceback
import webbrowser
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Sandbox, start_sandbox

pytestmark = pytest.mark.reliability

EXAMPLES = int(os.environ.get("CARTES_FUZZ_EXAMPLES", "220"))
"""Invocations per test (there are several tests: thousands in all)."""
EXIT_CODES = {0, 1, 2, 3, 4, 5, 130}
EXCLUDED_COMMANDS = {("sandbox", "serve")}
EXCLUDED_FOR = {("login",): {"--web", "--device"}}  # `account create --web` only prints a URL
LOOPBACK = ("127.0.0.1", "localhost", "::1")
REQUEST_ID = "00000000-0000-4000-8000-000000000000"


# --- the command tree ---------------------------------------------------------------------------


@dataclass
class Option:
    names: list[str]
    flag: bool
    kind: str  # click type name: text, integer, float, path, choice, boolean…
    choices: list[str] = field(default_factory=list)


@dataclass
class Command:
    path: tuple[str, ...]
    options: list[Option]
    arguments: list[tuple[str, bool]]  # (name, variadic)


def _tree() -> tuple[list[Command], list[Option]]:
    import typer

    from cartes_cli.cli.app import make_app

    root = typer.main.get_command(make_app())

    def options_of(command: Any) -> list[Option]:
        found = []
        for param in command.params:
            if param.param_type_name != "option":
                continue
            names = [*param.opts, *param.secondary_opts]
            choices = [str(c) for c in getattr(param.type, "choices", None) or []]
            found.append(Option(names, bool(param.is_flag), str(param.type.name), choices))
        return found

    commands: list[Command] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        subcommands = getattr(command, "commands", None) or {}
        if path:
            arguments = [(p.name, p.nargs == -1) for p in command.params if p.param_type_name == "argument"]
            commands.append(Command(path, options_of(command), arguments))
        for name, sub in subcommands.items():
            if (*path, name) not in EXCLUDED_COMMANDS:
                walk(sub, (*path, name))

    walk(root, ())
    return commands, options_of(root)


COMMANDS, GLOBAL_OPTIONS = _tree()
GROUPS = sorted({c.path[0] for c in COMMANDS})


# --- values -------------------------------------------------------------------------------------

# Text a person (or a script gone wrong) could type. No NUL (argv cannot carry one), no path
# separators or colons (no writing outside the working directory, no URLs to other hosts).
_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",), blacklist_characters="\x00/\\:", max_codepoint=0x1FAFF
    ),
    max_size=12,
)
JUNK = st.one_of(
    _TEXT,
    st.sampled_from(
        [
            "",
            " ",
            "-",
            "--",
            "-1",
            "0",
            "1e309",
            "nan",
            "-0",
            "99999999999999999999",
            "é",
            "中文",
            "🗺️",
            "\udcff",  # an undecodable byte, as Python shows it in sys.argv (surrogateescape)
            "'; DROP TABLE users;--",
            "%s%n{0}{detail}",
            "x" * 3000,
            "--=",
            "-=x",
            "\t\n",
        ]
    ),
)
GOOD = {
    "--format": ["table", "tsv", "csv", "json"],
    "--json": ["", "id,name", "id", "nope,,x"],
    "--env": ["sandbox", "prod", "qualif"],
    "--profile": ["default", "ci", "autre"],
    "-p": ["default", "ci"],
    "--rights": ["UPLOAD", "UPLOAD,PROCESSING", "community", "ALL"],
    "--status": ["pending", "accepted,rejected", "done"],
    "--type": ["join", "datastore"],
    "--offer": ["essential", "premium"],
    "--workspace": ["ddt33", "tutoriels", "pn_ecrins"],
    "-w": ["ddt33"],
    "--email": ["claire.moreau@ign.test", "x@exemple.test", "not-an-email"],
    "--to": ["claire.moreau@ign.test"],
    "--code": ["123456", "12"],
    "--concurrency": ["1", "8", "0", "-3", "100000"],
    "-c": ["4"],
    "--limit": ["1", "5", "0"],
    "--answer": ["service=SIG", "usage=Croiser nos données avec les vôtres.", "novalue"],
    "-a": ["service=SIG"],
    "--api-url": ["http://127.0.0.1:9/api", "https://127.0.0.1:9/api", "ftp", "http"],
    "--issuer": ["http://127.0.0.1:9/realms/geoplateforme"],
    "--username": ["claire.moreau", "julien.lefebvre"],
    "-u": ["claire.moreau"],
    "--output": ["captcha.png", "sortie"],
    "-o": ["captcha.png"],
    "--photo": ["photo.png", "absent.png"],
    "--from-file": ["inscription.json", "absent.json"],
    "--postcode": ["94160", "2A004", "1"],
    "--company-postcode": ["75001"],
    "--siret": ["73282932000074", "1"],
    "--tva": ["FR40303265045"],
    "--phone": ["06 12 34 56 78", "+33 1 23"],
}
ARGUMENTS = {
    "workspace": ["ddt33", "tutoriels", "ign_recette", "Parc national des Écrins", "nope"],
    "user": ["claire.moreau@ign.test", "sophie.martin", "nope"],
    "request_id": [REQUEST_ID, "abc"],
    "ids": [REQUEST_ID, "-", "abc"],
    "name": ["Observatoire du littoral breton", "court"],
    "shell": ["bash", "zsh", "fish", "powershell", "tcsh"],
    "profile_name": ["default", "ci"],
}


def _value(option: Option, name: str) -> st.SearchStrategy[str]:
    good = list(option.choices) + GOOD.get(name, [])
    if option.kind == "integer" or option.kind.startswith("integer"):
        good += ["1", "0", "-1", "3"]
    if option.kind in ("float", "float range"):
        good += ["0.5", "1", "-2"]
    return st.one_of(st.sampled_from(good), JUNK) if good else JUNK


@st.composite
def _option_words(draw: st.DrawFn, options: list[Option], excluded: set[str]) -> list[str]:
    usable = [o for o in options if not excluded & set(o.names)]
    words: list[str] = []
    if not usable:
        return words
    for option in draw(st.lists(st.sampled_from(usable), max_size=4)):
        name = draw(st.sampled_from(option.names))
        if option.flag:
            words.append(name)
        elif draw(st.booleans()) and name.startswith("--"):
            words.append(f"{name}={draw(_value(option, name))}")
        else:
            words += [name, draw(_value(option, name))]
    return words


@st.composite
def invocations(draw: st.DrawFn, group: str) -> list[str]:
    """One argv for a command of ``group`` (sometimes cut short, sometimes with junk)."""
    words: list[str] = draw(_option_words(GLOBAL_OPTIONS, {"--version", "-V"}))
    command = draw(st.sampled_from([c for c in COMMANDS if c.path[0] == group]))
    path = list(command.path)
    if draw(st.integers(0, 9)) == 0:
        path = path[: draw(st.integers(1, len(path)))]  # a group alone: its help
    words += path
    excluded = set().union(*(v for k, v in EXCLUDED_FOR.items() if tuple(path[: len(k)]) == k))
    tail = draw(_option_words(command.options, excluded))
    for name, variadic in command.arguments:
        count = draw(st.integers(0, 3 if variadic else 1))
        good = ARGUMENTS.get(name, [])
        tail += [draw(st.one_of(st.sampled_from(good), JUNK) if good else JUNK) for _ in range(count)]
    for _ in range(draw(st.integers(0, 2))):  # unknown options, stray words, "--", help
        extra = draw(st.one_of(JUNK, st.sampled_from(["--nope", "-z", "--", "--help", "-h", "--json", "-"])))
        tail.insert(draw(st.integers(0, len(tail))), extra)
    if draw(st.booleans()):
        tail = draw(st.permutations(tail))
    return words + tail


# --- running ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    argv: list[str]
    code: Any
    stdout: str
    stderr: str
    seconds: float
    unexpected: list[str]  # tracebacks of exceptions that reached the generic handler


class Runner:
    """Runs ``cartes_cli.cli.main.run(argv)`` with captured streams, empty stdin, isolated files."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env = env
        self.workdir = workdir
        self.count = 0
        self.unexpected: list[str] = []
        self.blocked_hosts: set[str] = set()

    def __call__(self, argv: list[str], extra_env: dict[str, str] | None = None) -> Outcome:
        from cartes_cli.cli.main import run

        saved_env = {k: os.environ.get(k) for k in {**self.env, **(extra_env or {})}}
        os.environ.update({**self.env, **(extra_env or {})})
        saved = sys.stdout, sys.stderr, sys.stdin
        self.unexpected = []
        with contextlib.ExitStack() as stack:
            out, err = (
                stack.enter_context(
                    tempfile.TemporaryFile("w+", encoding="utf-8", errors="backslashreplace")  # has a fileno
                )
                for _ in range(2)
            )
            sys.stdout, sys.stderr, sys.stdin = out, err, io.StringIO("")
            started = time.monotonic()
            try:
                code: Any = run(list(argv))
            except BaseException as exc:  # anything escaping run() is a finding
                code = f"{type(exc).__name__} escaped run(): " + "".join(traceback.format_exception(exc))
            finally:
                sys.stdout, sys.stderr, sys.stdin = saved
                for key, value in saved_env.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
            seconds = time.monotonic() - started
            texts = []
            for stream in (out, err):
                stream.flush()
                stream.seek(0)
                texts.append(stream.read())
        self.count += 1
        return Outcome(list(argv), code, texts[0], texts[1], seconds, list(self.unexpected))


def problems_of(outcome: Outcome) -> list[str]:
    debug = "--debug" in outcome.argv
    found = []
    if outcome.code not in EXIT_CODES:
        found.append(f"exit code {outcome.code!r}")
    for stream, text in (("stdout", outcome.stdout), ("stderr", outcome.stderr)):
        if "Traceback (most recent call last)" in text and not debug:
            found.append(f"a traceback on {stream}")
    if outcome.unexpected or "Unexpected error (" in outcome.stderr:
        found.append("an unexpected exception: " + " | ".join(outcome.unexpected)[-1500:])
    return found


@pytest.fixture(scope="module")
def fuzz_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, str]]:
    home = tmp_path_factory.mktemp("fuzz-sandbox")
    # One token for the whole module: it must outlive every fuzz test, however loaded the machine.
    sandbox = start_sandbox(home, home / "data", "--seed", "demo", "--token-ttl", "7200")
    yield sandbox, sandbox.access_token("claire.moreau")
    sandbox.stop()


@pytest.fixture(scope="module")
def runner(fuzz_sandbox: tuple[Sandbox, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    sandbox, _ = fuzz_sandbox
    workdir = tmp_path_factory.mktemp("fuzz-cwd")
    (workdir / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (workdir / "inscription.json").write_text('{"username": "essai", "email": 3}', encoding="utf-8")
    env = {
        "CARTES_HOME": str(workdir / "home"),
        "CARTES_API_URL": sandbox.api_url,
        "CARTES_ISSUER": sandbox.issuer,
        "CARTES_NO_INPUT": "1",
        "CARTES_LANG": "en",
        "NO_COLOR": "1",
        "CI": "true",
        "BROWSER": "true",  # webbrowser, if asked despite the patch below: a command that does nothing
    }
    scrubbed = ("CARTES_TOKEN", "CARTES_PROFILE", "CARTES_ENV", "CARTES_USERNAME", "CARTES_PASSWORD",
                "CARTES_TOTP_SECRET", "CARTES_CLIENT_ID", "CARTES_CLIENT_SECRET", "CARTES_DEBUG")  # fmt: skip
    fuzz = Runner(env, workdir)
    patcher = pytest.MonkeyPatch()
    for name in scrubbed:
        patcher.delenv(name, raising=False)
    patcher.chdir(workdir)

    import keyring
    from keyring.backends import fail

    previous_keyring = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    for name in ("open", "open_new", "open_new_tab"):
        patcher.setattr(webbrowser, name, lambda *args, **kwargs: False)
    real_getaddrinfo = socket.getaddrinfo

    def loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        if str(host).strip("[]") not in LOOPBACK:
            fuzz.blocked_hosts.add(str(host))
            raise socket.gaierror(socket.EAI_NONAME, "name resolution is off in this test")
        return real_getaddrinfo(host, *args, **kwargs)

    patcher.setattr(socket, "getaddrinfo", loopback_only)

    from cartes_cli.cli import errors

    real_describe = errors.describe

    def describe(exc: BaseException) -> Any:
        code, message = real_describe(exc)
        if message.startswith("Unexpected error ("):
            fuzz.unexpected.append("".join(traceback.format_exception(exc)))
        return code, message

    patcher.setattr(errors, "describe", describe)
    yield fuzz
    patcher.undo()
    keyring.set_keyring(previous_keyring)


def _fuzz(runner: Runner, token: str, argv: list[str], with_token: bool) -> None:
    outcome = runner(argv, {"CARTES_TOKEN": token} if with_token else {})
    problems = problems_of(outcome)
    assert not problems, (
        f"cartes {argv!a} (CARTES_TOKEN {'set' if with_token else 'unset'}) -> {outcome.code!r}: "
        f"{'; '.join(problems)}\nstdout: {outcome.stdout[-800:]!a}\nstderr: {outcome.stderr[-1500:]!a}"
    )
    assert outcome.seconds < 30, f"cartes {argv!a} took {outcome.seconds:.0f} s"


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


def _make_test(group: str) -> Callable[..., None]:
    @FUZZ_SETTINGS
    @given(argv=invocations(group), with_token=st.booleans())
    def test(runner: Runner, fuzz_sandbox: tuple[Sandbox, str], argv: list[str], with_token: bool) -> None:
        _fuzz(runner, fuzz_sandbox[1], argv, with_token)

    test.__name__ = f"test_fuzz_{group.replace('-', '_')}"
    test.__doc__ = f"Generated invocations of 'cartes {group} …'."
    return test


for _group in GROUPS:
    globals()[f"test_fuzz_{_group.replace('-', '_')}"] = _make_test(_group)


@FUZZ_SETTINGS
@given(argv=st.lists(st.one_of(JUNK, st.sampled_from([*GROUPS, "--help", "--json", "--", "-V"])), max_size=5))
def test_fuzz_anything(runner: Runner, fuzz_sandbox: tuple[Sandbox, str], argv: list[str]) -> None:
    """Words in any order, commands or not."""
    _fuzz(runner, fuzz_sandbox[1], argv, with_token=False)


def test_the_fuzzer_reaches_the_platform(runner: Runner, fuzz_sandbox: tuple[Sandbox, str]) -> None:
    """Guard against a fuzzer that only ever meets usage errors: with the token, commands work."""
    token = fuzz_sandbox[1]
    listed = runner(["workspace", "list", "--public", "--json", "id"], {"CARTES_TOKEN": token})
    assert listed.code == 0, listed.stderr
    assert '"id"' in listed.stdout
    assert runner(["workspace", "list"]).code == 4  # no token: not logged in
    assert runner(["--env", "prod", "workspace", "list"], {"CARTES_TOKEN": token}).code == 1
    assert runner.blocked_hosts  # the real platform was asked for, and never reached
    assert {c.path[0] for c in COMMANDS} >= {"login", "account", "workspace", "request", "sandbox"}
