from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from cartes_cli.cli.output import Column, relative_time, terminal_for_tests
from cartes_cli.errors import UsageError

COLUMNS = [
    Column("name", "NAME"),
    Column("rights", "RIGHTS", kind="list"),
    Column("when", "WHEN", kind="datetime"),
    Column("public", "PUBLIC", kind="bool"),
    Column("id", "ID", table=False),
]
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
ROWS = [
    {"name": "DDT de la Gironde", "rights": ["UPLOAD", "ANNEX"], "when": WHEN, "public": True, "id": "a1"},
    {"name": "tab\there", "rights": [], "when": None, "public": False, "id": "b2"},
]


def test_piped_output_is_tsv_without_header_rfc3339_and_escaped() -> None:
    term, out, err = terminal_for_tests(tty=False)
    assert term.print_list(ROWS, COLUMNS) == 2
    assert out.getvalue() == (
        "DDT de la Gironde\tUPLOAD,ANNEX\t2026-01-02T03:04:05Z\ttrue\ntab\\there\t\t\tfalse\n"
    )
    assert err.getvalue() == ""


def test_json_has_every_field_and_selection_works() -> None:
    term, out, _ = terminal_for_tests(json_fields=[])
    term.print_list(ROWS, COLUMNS)
    data = json.loads(out.getvalue())
    assert data[0] == {
        "name": "DDT de la Gironde",
        "rights": ["UPLOAD", "ANNEX"],
        "when": "2026-01-02T03:04:05Z",
        "public": True,
        "id": "a1",
    }
    term, out, _ = terminal_for_tests(json_fields=["id", "name"])
    term.print_list(ROWS, COLUMNS)
    assert json.loads(out.getvalue()) == [
        {"id": "a1", "name": "DDT de la Gironde"},
        {"id": "b2", "name": "tab\there"},
    ]


def test_json_unknown_field_is_a_usage_error_naming_the_choices() -> None:
    term, _, _ = terminal_for_tests(json_fields=["nope"])
    with pytest.raises(UsageError, match=r"nope.*available fields: name, rights, when, public, id"):
        term.print_list(ROWS, COLUMNS)


def test_empty_json_list_is_an_empty_array() -> None:
    term, out, _ = terminal_for_tests(json_fields=[])
    term.print_list([], COLUMNS)
    assert json.loads(out.getvalue()) == []


def test_csv_has_a_header() -> None:
    term, out, _ = terminal_for_tests(format="csv")
    term.print_list(ROWS[:1], COLUMNS)
    assert out.getvalue().splitlines() == [
        "name,rights,when,public",
        'DDT de la Gironde,"UPLOAD,ANNEX",2026-01-02T03:04:05Z,true',
    ]


def test_table_on_a_terminal_has_headers_and_relative_times() -> None:
    term, out, _err = terminal_for_tests(tty=True, width=100)
    rows = [dict(ROWS[0], when=datetime.now(UTC) - timedelta(days=3))]
    term.print_list(rows, COLUMNS)
    text = out.getvalue()
    assert "NAME" in text
    assert "RIGHTS" in text
    assert "ID" not in text
    assert "3 days ago" in text
    assert "DDT de la Gironde" in text


def test_table_fits_a_narrow_terminal() -> None:
    term, out, _ = terminal_for_tests(tty=True, width=40)
    term.print_list([dict(ROWS[0], name="x" * 200)], COLUMNS)
    assert max(len(line) for line in out.getvalue().splitlines()) <= 40


def test_empty_table_prints_message_on_stderr() -> None:
    term, out, err = terminal_for_tests(tty=True)
    term.print_list([], COLUMNS, empty="Nothing here.")
    assert out.getvalue() == ""
    assert err.getvalue() == "Nothing here.\n"


def test_relative_time() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    assert relative_time(now - timedelta(seconds=10), now) == "just now"
    assert relative_time(now - timedelta(minutes=1), now) == "1 minute ago"
    assert relative_time(now - timedelta(hours=5), now) == "5 hours ago"
    assert relative_time(now + timedelta(days=2), now) == "in 2 days"


def test_prompt_refuses_when_not_interactive() -> None:
    term, _, _ = terminal_for_tests(tty=False)
    with pytest.raises(UsageError):
        term.prompt("Password", secret=True)


@pytest.mark.parametrize(
    ("lang", "size", "expected"),
    [
        ("en", 512, "512 B"),
        ("en", 222_700_000_000, "222.7 GB"),
        ("fr", 222_700_000_000, "222,7 Go"),
        ("fr", 1_500, "1,5 Ko"),
        ("en", None, "—"),
    ],
)
def test_human_size_in_each_language(
    lang: str, size: int | None, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cartes_cli import i18n
    from cartes_cli.cli.output import human_size

    monkeypatch.setenv("CARTES_LANG", lang)
    i18n.reset()
    try:
        assert human_size(size) == expected
    finally:
        i18n.reset()
