"""cartes in French and in English: the main commands, and no message left in the other language.

The installed executable runs each command with ``CARTES_LANG=fr`` and ``CARTES_LANG=en``. A
message is recognised by its words, whatever the line wrapping and the values filled in: every
run of three words from a message id (English) or from its translation (French), and messages of
one or two words of at least 8 letters. French output must hold no such piece of an English
message whose translation differs, English output none of a French translation. Pieces that both
languages share (option and command names, 'cartes login'…) and the platform's data (workspace
names, descriptions: what ``--format json`` prints for the same command) are not held against it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.conftest import STAFF, Cartes, Result, Sandbox

pytestmark = pytest.mark.e2e

PO = (
    Path(__file__).resolve().parents[2] / "src" / "cartes_cli" / "locale" / "fr" / "LC_MESSAGES" / "cartes.po"
)
# A word; joined by - or _ it is one (NOT_FOUND, e-mail: names, not prose). Case counts.
WORD = re.compile(r"[^\W\d_]+(?:[-_'’][^\W\d_]+)*")
# Where a run of words stops: a {placeholder} (the value differs) or an option name (--company).
BREAK = re.compile(r"\{[^{}]*\}|(?<![\w-])--?[A-Za-z][\w-]*")
SPAN = 3  # words in a row
SHORT = 8  # letters of a one- or two-word message worth checking


def _parts(text: str) -> list[list[str]]:
    return [WORD.findall(part) for part in BREAK.split(text)]


def _pieces(message: str) -> set[tuple[str, ...]]:
    """What identifies a message: runs of SPAN words in each part between its placeholders, or a
    short part as a whole."""
    pieces: set[tuple[str, ...]] = set()
    for words in _parts(message):
        if len(words) >= SPAN:
            pieces.update(tuple(words[i : i + SPAN]) for i in range(len(words) - SPAN + 1))
        elif words and sum(len(w) for w in words) >= SHORT:
            pieces.add(tuple(words))
    return pieces


def _all_runs(text: str) -> set[tuple[str, ...]]:
    """Every run of 1 to SPAN words of a text."""
    return {
        tuple(words[i : i + n])
        for words in _parts(text)
        for n in range(1, SPAN + 1)
        for i in range(len(words) - n + 1)
    }


@dataclass(frozen=True)
class Language:
    """The pieces that betray a message of the other language (piece → the message it comes from)."""

    foreign: dict[tuple[str, ...], str]
    own: frozenset[tuple[str, ...]]


@cache
def command_names() -> set[str]:
    """The names of every command and group (the same in both languages)."""
    import typer

    from cartes_cli.cli.app import make_app

    names: set[str] = set()
    stack = [typer.main.get_command(make_app())]
    while stack:
        command = stack.pop()
        names.add(str(command.name))
        stack.extend(getattr(command, "commands", {}).values())
    return names


@cache
def languages() -> dict[str, Language]:
    with PO.open("rb") as handle:
        catalogue = read_po(handle, locale="fr")
    pairs: list[tuple[str, str]] = []
    for message in catalogue:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        pairs += list(zip(ids, strings, strict=False))
    names = {(name,) for name in command_names()}  # 'cartes account password': a name, not prose
    english_runs = names.union(*(_all_runs(en) for en, _fr in pairs))
    french_runs = names.union(*(_all_runs(fr) for _en, fr in pairs))
    english: dict[tuple[str, ...], str] = {}
    french: dict[tuple[str, ...], str] = {}
    for en, fr in pairs:
        if en == fr:
            continue
        english.update({p: en for p in _pieces(en) - french_runs})
        french.update({p: fr for p in _pieces(fr) - english_runs})
    return {
        "fr": Language(foreign=english, own=frozenset(french)),
        "en": Language(foreign=french, own=frozenset(english)),
    }


def untranslated(result: Result, lang: str, data: Iterable[str] = ()) -> list[str]:
    """The pieces of the other language's messages in a run's output (none expected)."""
    text = result.stdout + "\n" + result.stderr
    allowed = set().union(set(), *(_all_runs(d) for d in data))
    found = (_all_runs(text) - allowed) & languages()[lang].foreign.keys()
    return sorted(f"{' '.join(p)!r} (from {languages()[lang].foreign[p][:70]!r})" for p in found)


def speaks(result: Result, lang: str) -> bool:
    """Does the output hold at least one message piece of this language?"""
    return bool(_all_runs(result.stdout + "\n" + result.stderr) & languages()[lang].own)


# --- the commands ---------------------------------------------------------------------------------

GROUPS = ("login", "logout", "account", "workspace", "request", "sandbox", "completion", "help")

LOGGED_OUT: list[tuple[list[str], int]] = [
    (["--help"], 0),
    ([], 0),  # no arguments: the root's help
    *[([group, "--help"], 0) for group in GROUPS],
    (["workspace", "list", "--help"], 0),
    (["workspace", "join", "--help"], 0),
    (["request", "approve", "--help"], 0),
    (["login", "--help"], 0),
    (["login", "status", "--help"], 0),
    (["account", "create", "--help"], 0),
    (["account", "2fa", "enable", "--help"], 0),
    (["sandbox", "serve", "--help"], 0),
    (["help", "exit-codes"], 0),
    # usage errors: exit 2, before any request
    (["workspace", "show"], 2),
    (["workspace", "list", "--nope"], 2),
    (["workspace", "list", "--pub"], 2),
    (["workspace", "list", "extra"], 2),
    (["nosuch"], 2),
    (["--format"], 2),
    (["--format", "xml", "workspace", "list"], 2),
    (["sandbox", "outbox", "--limit", "abc"], 2),
    (["sandbox", "outbox", "--limit", "0"], 2),
    (["request", "approve", "--concurrency", "1000", "x"], 2),
    (["completion", "tcsh"], 2),
    # invalid input
    (["--api-url", "http://example.com", "workspace", "list"], 2),
    (["--env", "nowhere", "workspace", "list"], 2),
    # not logged in: exit 4, or 1 for the status of a login that does not work
    (["--env", "sandbox", "workspace", "list"], 4),
    (["--env", "sandbox", "request", "list"], 4),
    (["--env", "sandbox", "--format", "table", "login", "status"], 1),
]

LOGGED_IN: list[tuple[list[str], int]] = [
    (["--env", "sandbox", "--format", "table", "workspace", "list", "--public"], 0),
    (["--env", "sandbox", "--format", "table", "workspace", "list", "--public", "--search", "zzzz"], 0),
    (["--env", "sandbox", "--format", "table", "request", "list", "--incoming"], 0),
    (["--env", "sandbox", "request", "list"], 0),
    (["--env", "sandbox", "--format", "table", "login", "status"], 0),
    (["--env", "sandbox", "--format", "table", "account", "show"], 0),
    (["--env", "sandbox", "workspace", "show", "zzzz-no-such-workspace"], 3),  # not found
    (["--env", "sandbox", "request", "show", "not-a-uuid"], 2),  # invalid input
    (["--env", "sandbox", "request", "approve", "--all", "--dry-run"], 0),
    (["--env", "sandbox", "request", "reject", "--all"], 2),  # would need --yes
    (["--env", "sandbox", "workspace", "create", "Court"], 2),  # name too short
]


def _ids(cases: list[tuple[list[str], int]]) -> list[str]:
    return [" ".join(args) or "(no arguments)" for args, _code in cases]


def _check(cli: Cartes, args: list[str], code: int, lang: str) -> None:
    result = cli(*args, env={"CARTES_LANG": lang})
    assert result.returncode == code, result
    data: list[str] = []
    if "table" in args and "status" not in args:  # the platform's data, as JSON
        as_json = [a if a != "table" else "json" for a in args]
        data.append(cli(*as_json, env={"CARTES_LANG": lang}).stdout)
    assert untranslated(result, lang, data) == [], result
    if result.stdout.strip() or result.stderr.strip():
        assert speaks(result, lang), f"no {lang} message in {result!r}"


@pytest.fixture(scope="module")
def logged_out(
    tmp_path_factory: pytest.TempPathFactory, demo_sandbox: Sandbox, keyring_available: bool
) -> Cartes:
    return Cartes(tmp_path_factory.mktemp("languages-out"), demo_sandbox, keyring_available)


@pytest.fixture(scope="module")
def staff(tmp_path_factory: pytest.TempPathFactory, demo_sandbox: Sandbox, keyring_available: bool) -> Cartes:
    cli = Cartes(tmp_path_factory.mktemp("languages-staff"), demo_sandbox, keyring_available)
    result = cli.login(STAFF)
    assert result.returncode == 0, result
    return cli


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(("args", "code"), LOGGED_OUT, ids=_ids(LOGGED_OUT))
def test_logged_out(logged_out: Cartes, args: list[str], code: int, lang: str) -> None:
    _check(logged_out, args, code, lang)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(("args", "code"), LOGGED_IN, ids=_ids(LOGGED_IN))
def test_logged_in(staff: Cartes, args: list[str], code: int, lang: str) -> None:
    _check(staff, args, code, lang)


def test_french_help_reads_french(logged_out: Cartes) -> None:
    result = logged_out("--help", env={"CARTES_LANG": "fr"})
    assert result.stdout.startswith("Usage : cartes ")
    assert "Options :" in result.stdout
    assert "Commandes :" in result.stdout
    assert "-h, --help           Afficher ce message et quitter." in result.stdout
    assert "défaut : auto]" in result.stdout
    error = logged_out("workspace", "show", env={"CARTES_LANG": "fr"})
    assert (
        error.stderr
        == "Erreur : Argument manquant : 'WS'.\nLancez 'cartes workspace show --help' pour l'aide.\n"
    )


def test_english_is_unchanged(logged_out: Cartes) -> None:
    result = logged_out("--help", env={"CARTES_LANG": "en"})
    assert result.stdout.startswith("Usage: cartes ")
    assert "-h, --help           Show this message and exit." in result.stdout
    error = logged_out("workspace", "show", env={"CARTES_LANG": "en"})
    assert error.stderr == "Error: Missing argument 'WS'.\nRun 'cartes workspace show --help' for usage.\n"


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "en_US.UTF-8", "LANGUAGE": "fr:en"}, "fr"),
        ({"LANG": "fr_FR.UTF-8", "LC_ALL": "C"}, "en"),
        ({"LANG": "fr_FR.UTF-8", "CARTES_LANG": "en"}, "en"),
        ({"LANG": "C.UTF-8", "CARTES_LANG": "fr"}, "fr"),
    ],
)
def test_the_locale_chooses_the_language(logged_out: Cartes, env: dict[str, str], lang: str) -> None:
    for args, code in ((["--help"], 0), (["workspace", "show"], 2), (["request", "--help"], 0)):
        result = logged_out(*args, env=env)
        assert result.returncode == code, result
        assert untranslated(result, lang) == [], result
        assert speaks(result, lang), result
