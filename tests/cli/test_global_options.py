from __future__ import annotations

import pytest
import typer

from cartes_cli.cli.app import app
from cartes_cli.cli.global_options import (
    ROOT_FLAGS,
    ROOT_VALUED,
    FieldsOnDemand,
    command_words,
    first_command_word,
    hoist_global_options,
    parse_json_option,
)
from cartes_cli.cli.output import KNOWN_FIELDS

ROOT = typer.main.get_command(app)


def hoist(*args: str) -> list[str]:
    return hoist_global_options(ROOT, list(args), KNOWN_FIELDS)


def test_global_options_after_subcommand_move_to_front() -> None:
    assert hoist("workspace", "list", "--public", "--env", "sandbox") == [
        "--env",
        "sandbox",
        "workspace",
        "list",
        "--public",
    ]
    assert hoist("login", "status", "--profile=ci") == ["--profile=ci", "login", "status"]
    assert hoist("workspace", "list", "--debug") == ["--debug", "workspace", "list"]


def test_options_before_subcommand_stay() -> None:
    assert hoist("--env", "sandbox", "login") == ["--env", "sandbox", "login"]


def test_bare_json_means_every_field() -> None:
    assert hoist("workspace", "list", "--json") == ["--json=", "workspace", "list"]
    assert parse_json_option("") == []
    assert parse_json_option(None) is None


def test_json_with_fields() -> None:
    assert hoist("workspace", "list", "--json", "id,name") == ["--json=id,name", "workspace", "list"]
    assert hoist("workspace", "list", "--json", "name") == ["--json=name", "workspace", "list"]
    assert hoist("workspace", "list", "--json=id") == ["--json=id", "workspace", "list"]
    assert parse_json_option("id, name") == ["id", "name"]


def test_json_leaves_positional_words_alone() -> None:
    # "tutoriels" is not a field name and "show" takes a workspace: it stays the argument.
    assert hoist("workspace", "show", "--json", "tutoriels") == ["--json=", "workspace", "show", "tutoriels"]
    assert hoist("workspace", "show", "tutoriels", "--json") == ["--json=", "workspace", "show", "tutoriels"]
    # Commands with a variable number of arguments keep every word too.
    assert hoist("request", "approve", "--json", "abc") == ["--json=", "request", "approve", "abc"]


def test_json_word_without_room_for_an_argument_is_a_field_list() -> None:
    # "list" takes no argument, "show" has its workspace already: the word was meant as fields,
    # so that the unknown field is reported as such (issue 13), as with --json=badfield.
    assert hoist("workspace", "list", "--json", "badfield") == ["--json=badfield", "workspace", "list"]
    assert hoist("workspace", "show", "tutoriels", "--json", "badfield") == [
        "--json=badfield",
        "workspace",
        "show",
        "tutoriels",
    ]
    assert hoist("workspace", "show", "--json", "badfield", "tutoriels") == [
        "--json=badfield",
        "workspace",
        "show",
        "tutoriels",
    ]
    # A subcommand's name is never a field.
    assert hoist("workspace", "--json", "list") == ["--json=", "workspace", "list"]


def test_values_of_local_options_are_not_taken_for_global_options() -> None:
    # --search takes a value, even one that looks like a global flag.
    assert hoist("workspace", "list", "--search", "--debug") == ["workspace", "list", "--search", "--debug"]


def test_double_dash_stops_hoisting() -> None:
    assert hoist("workspace", "list", "--", "--env") == ["workspace", "list", "--", "--env"]


@pytest.mark.parametrize("args", [[], ["--help"], ["-h"]])
def test_trivial(args: list[str]) -> None:
    assert hoist(*args) == args


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (["request", "approve", "--all"], "request"),
        (["--env", "sandbox", "login", "status"], "login"),
        (["-p", "ci", "--json", "workspace", "list"], "workspace"),
        (["--api-url=http://127.0.0.1:1/api", "logout"], "logout"),
        (["--help"], None),
        (["--", "login"], None),
    ],
)
def test_first_command_word(args: list[str], word: str | None) -> None:
    assert first_command_word(args) == word


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["workspace", "list", "--public"], ["workspace", "list"]),
        (["-p", "ci", "--json", "workspace", "--env", "sandbox", "list"], ["workspace", "list"]),
        (["--json=id,name", "--format=csv", "request", "show", "42"], ["request", "show", "42"]),
        (["account", "2fa", "enable", "--code", "123456"], ["account", "2fa", "enable"]),
        # An option of a group (its help, the login callback's) ends the command's name.
        (["workspace", "--help", "list"], ["workspace"]),
        (["login", "-u", "status"], ["login"]),
        (["-pci", "workspace", "list"], []),
        (["workspace", "--", "list"], ["workspace"]),
        ([], []),
    ],
)
def test_command_words(args: list[str], words: list[str]) -> None:
    assert command_words(args) == words


def test_the_root_option_tables_are_the_root_options() -> None:
    valued = {o for p in ROOT.params if not p.is_flag and p.name != "json" for o in p.opts}
    flags = {o for p in ROOT.params if p.is_flag or p.name == "json" for o in p.opts} - {"-h", "--help"}
    assert set(ROOT_VALUED) == valued
    assert set(ROOT_FLAGS) == flags


def test_fields_on_demand_are_loaded_at_the_first_lookup_only() -> None:
    fields: set[str] = set()
    loads: list[int] = []
    known = FieldsOnDemand(fields, lambda: (loads.append(1), fields.add("status")))
    assert loads == []
    assert "status" in known
    assert "other" not in known
    assert loads == [1]
