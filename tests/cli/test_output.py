from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from cartes_cli.cli.cells import as_time, json_value
from cartes_cli.cli.columns import rfc3339
from cartes_cli.cli.output import ESSENTIAL, Column, relative_time, terminal_for_tests
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


def test_table_on_a_terminal_has_headers_and_local_times_to_the_minute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    try:
        term, out, _err = terminal_for_tests(tty=True, width=100)
        term.print_list([ROWS[0]], COLUMNS)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    text = out.getvalue()
    assert "NAME" in text
    assert "RIGHTS" in text
    assert "ID" not in text
    assert "2026-01-02 04:04" in text  # 03:04:05 UTC, in Paris
    assert "DDT de la Gironde" in text
    assert "UPLOAD, ANNEX" in text


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


# --- tables that fit the terminal (issue 13) ---------------------------------------------------

WIDE = [
    Column("id", "ID", no_wrap=True, priority=ESSENTIAL),
    Column("kind", "KIND", no_wrap=True, priority=3),
    Column("email", "REQUESTER", no_wrap=True, min_width=12),
    Column("workspace", "WORKSPACE", no_wrap=True, priority=ESSENTIAL),
    Column("when", "CREATED", kind="datetime"),
    Column("note", "NOTE", table=False, record=True),
]
WIDE_ROW = {
    "id": "01d1824c-393c-5b7a-b1cf-710df49e873e",
    "kind": "datastore",
    "email": "mathieu.garnier@ecrins-parcnational.test",
    "workspace": "ddt33",
    "when": datetime(2025, 11, 18, 9, 12, 0, 493252, tzinfo=UTC),
    "note": "hello",
}


def _lines(width: int, rows: list[dict[str, object]], columns: list[Column]) -> list[str]:
    term, out, _ = terminal_for_tests(tty=True, width=width)
    term.print_list(rows, columns)
    return [line.rstrip() for line in out.getvalue().splitlines()]


@pytest.mark.parametrize("width", [60, 80, 100, 120, 160])
def test_no_column_vanishes_no_header_is_cut_no_line_is_too_long(width: int) -> None:
    lines = _lines(width, [WIDE_ROW, WIDE_ROW], WIDE)
    text = "\n".join(lines)
    assert max(len(line) for line in lines) <= width
    for header in ("ID", "KIND", "REQUESTER", "WORKSPACE", "CREATED"):
        assert header in text
    assert "NOTE" not in text
    # the essential values in full, in a table or in records
    assert WIDE_ROW["id"] in text
    assert "ddt33" in text
    assert "2025-11-18" in text


def test_least_priority_gives_way_first_with_an_ellipsis() -> None:
    # 36 + 9 + 40 + 9 + 16 + 4 gaps of 2 = 118: at 108, KIND (priority 3) is already shorter
    # than any shortening leaves; the requester (priority 2) loses 10 characters, ending in "…";
    # the essentials and the date stay whole.
    lines = _lines(108, [WIDE_ROW], WIDE)
    assert lines[0].split() == ["ID", "KIND", "REQUESTER", "WORKSPACE", "CREATED"]
    assert "  datastore  mathieu.garnier@ecrins-parcna…  ddt33 " in lines[2]
    assert WIDE_ROW["id"] in lines[2]
    assert max(len(line) for line in lines) <= 108


def test_records_when_the_essential_columns_do_not_fit() -> None:
    lines = _lines(60, [WIDE_ROW, WIDE_ROW], WIDE)
    assert lines[:5] == [
        "ID         01d1824c-393c-5b7a-b1cf-710df49e873e",
        "KIND       datastore",
        "REQUESTER  mathieu.garnier@ecrins-parcnational.test",
        "WORKSPACE  ddt33",
        f"CREATED    {lines[4].split(maxsplit=1)[1]}",
    ]
    assert lines[5] == ""  # a blank line between records
    assert lines[6].startswith("ID ")


def test_wrapped_columns_wrap_between_words_and_show_everything() -> None:
    columns = [
        Column("name", "NAME", no_wrap=True, priority=ESSENTIAL),
        Column("title", "TITLE", min_width=20),
        Column("org", "ORGANIZATION", no_wrap=True, priority=3),
    ]
    row = {
        "name": "agglo_larochelle",
        "title": "Communauté d'agglomération de La Rochelle",
        "org": "Cerema " * 8,
    }
    lines = _lines(60, [row], columns)
    assert max(len(line) for line in lines) <= 60
    assert lines[0].split() == ["NAME", "TITLE", "ORGANIZATION"]
    assert "…" in lines[2]  # the organization, shortened first
    words = " ".join(line[18:].split("Cerema")[0] for line in lines[2:])
    assert " ".join(words.split()) == row["title"]


def test_piped_output_is_never_shortened_and_times_are_whole_seconds_utc() -> None:
    term, out, _ = terminal_for_tests(tty=False, width=40)
    term.print_list([WIDE_ROW], WIDE)
    assert out.getvalue() == (
        "01d1824c-393c-5b7a-b1cf-710df49e873e\tdatastore\tmathieu.garnier@ecrins-parcnational.test"
        "\tddt33\t2025-11-18T09:12:00Z\n"
    )
    term, out, _ = terminal_for_tests(json_fields=["when"])
    term.print_list(
        [WIDE_ROW, {"when": "2026-12-04T15:00:41.493252Z"}, {"when": "2026-12-04T16:00:41+01:00"}], WIDE
    )
    assert json.loads(out.getvalue()) == [
        {"when": "2025-11-18T09:12:00Z"},
        {"when": "2026-12-04T15:00:41Z"},
        {"when": "2026-12-04T15:00:41Z"},
    ]


def test_a_time_given_as_text_reads_like_any_other() -> None:
    term, out, _ = terminal_for_tests(tty=True, width=200)
    term.print_list([dict(WIDE_ROW, when="2025-11-18T09:12:00.5Z")], WIDE)
    assert "2025-11-18T" not in out.getvalue()


def test_a_record_shows_record_fields_and_mappings_line_by_line() -> None:
    columns = [*WIDE, Column("answers", "ANSWERS", table=False, record=True)]
    term, out, _ = terminal_for_tests(tty=True, width=80)
    term.print_object(dict(WIDE_ROW, answers={"service": "SIG", "usage": "Zones humides"}), columns)
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    assert "NOTE       hello" in lines
    assert "ANSWERS    service: SIG" in lines
    assert "           usage: Zones humides" in lines
    # piped, a record's fields are those of the table and TSV, as before
    term, out, _ = terminal_for_tests(tty=False)
    term.print_object(WIDE_ROW, WIDE)
    assert "note" not in out.getvalue()


# --- text from the server is shown, never obeyed ----------------------------------------------------

HOSTILE = "ok\x1b[2J\x1b]8;;https://evil.test\x07click\x1b]8;;\x07\r\u202eevil"


@pytest.mark.parametrize("fmt", ["table", "tsv", "csv"])
def test_escape_sequences_from_the_server_are_neutralised_in_every_format(fmt: str) -> None:
    columns = [Column("name", "NAME"), Column("message", "MESSAGE")]
    term, out, err = terminal_for_tests(tty=fmt == "table", format=fmt)  # type: ignore[arg-type]
    term.print_list([{"name": "ddt33", "message": HOSTILE}], columns)
    term.print_object({"name": "ddt33", "message": HOSTILE}, columns)
    term.error(f"The platform said: {HOSTILE}")
    term.out(HOSTILE)
    written = out.getvalue() + err.getvalue()
    assert "\x1b" not in written
    assert "\x07" not in written
    assert "\r" not in written
    assert "\u202e" not in written
    assert "\\x1b[2J" in written  # shown, so a person sees that something odd was sent


def test_json_escapes_control_characters_by_itself() -> None:
    term, out, _err = terminal_for_tests(format="json")
    term.print_list([{"name": HOSTILE}], [Column("name", "NAME")])
    assert "\x1b" not in out.getvalue()
    assert "\\u001b" in out.getvalue()


def test_messages_wrap_between_words_and_never_break_an_address() -> None:
    from cartes_cli.cli.terminal_text import wrap_for_terminal

    url = "https://sso.geopf.fr/realms/geoplateforme/protocol/openid-connect/auth?client_id=gpf-warehouse&x=1"
    text = (
        "The platform refused the token in CARTES_TOKEN: it has expired. Open "
        + url
        + " again.\n  an indented line"
    )
    wrapped = wrap_for_terminal(text, 80)
    assert all(len(line) <= 80 or line.strip() == url for line in wrapped.splitlines())
    assert url in wrapped.split()  # whole, to be copied
    assert wrapped.endswith("\n  an indented line")
    assert wrap_for_terminal(text, 10) == text  # too narrow to help


def test_messages_on_a_terminal_are_wrapped_and_neutralised() -> None:
    term, _out, err = terminal_for_tests(tty=True, width=60)
    term.error("The platform said: " + "word " * 30 + "\x1b[2J")
    lines = err.getvalue().splitlines()
    assert len(lines) > 1
    assert all(len(line) <= 60 for line in lines)
    assert "\x1b" not in err.getvalue()


def test_a_quoted_command_is_never_split_across_lines() -> None:
    from cartes_cli.cli.terminal_text import wrap_for_terminal

    command = "'cartes --env sandbox sandbox outbox --to x@y.test'"
    text = f"Created. Read the code in the outbox with {command} now."
    for width in (40, 60, 80):
        assert any(command in line for line in wrap_for_terminal(text, width).splitlines()), width


def test_json_escapes_what_json_dumps_lets_through_to_a_terminal() -> None:
    """DEL, C1 controls and bidi overrides in a value reach no terminal raw, and read back the same."""
    import io
    import json as json_module

    from cartes_cli.cli.output import Terminal

    hostile = "a\x1b[2Jb\x7fc\x9b2Jd\u202eevil\u2066e\u2028f"
    for tty in (True, False):
        out = io.StringIO()
        Terminal(format="json", stdout=out, stderr=io.StringIO(), stdout_isatty=tty).print_json(
            {"name": hostile}
        )
        text = out.getvalue()
        assert not any(ch in text for ch in "\x1b\x7f\x9b\u202e\u2066\u2028"), repr(text)
        assert "\\u009b" in text
        assert json_module.loads(text) == {"name": hostile}


@pytest.mark.parametrize("tty", [False, True])
@pytest.mark.parametrize("count", [0, 1, 2, 49, 50, 51, 101])
def test_a_json_listing_is_streamed_with_the_bytes_of_one_array(tty: bool, count: int) -> None:
    from cartes_cli.cli.terminal_text import json_text

    rows = [{**ROWS[i % 2], "id": f"x{i}"} for i in range(count)]
    term, out, _ = terminal_for_tests(json_fields=[], tty=tty)
    assert term.print_list(iter(rows), COLUMNS) == count
    whole = [{c.key: json_value(as_time(r.get(c.key), c)) for c in COLUMNS} for r in rows]
    assert out.getvalue() == json_text(whole, indent=2 if tty else None) + "\n"


def test_a_json_listing_writes_its_first_rows_before_the_last_arrive() -> None:
    term, out, _ = terminal_for_tests(json_fields=[])
    seen_before_the_end: list[str] = []

    def rows() -> Iterator[dict[str, object]]:
        for i in range(120):
            yield {**ROWS[0], "id": f"x{i}"}
        seen_before_the_end.append(out.getvalue())

    term.print_list(rows(), COLUMNS)
    assert '"id": "x0"' in seen_before_the_end[0]
    assert json.loads(out.getvalue())[-1]["id"] == "x119"


def test_an_rfc3339_time_is_whole_seconds_in_utc() -> None:
    paris = timezone(timedelta(hours=2))
    assert rfc3339(datetime(2026, 7, 1, 12, 30, 5, 999_999, tzinfo=paris)) == "2026-07-01T10:30:05Z"
    assert rfc3339(datetime(2026, 7, 1, 12, 30, 5)) == "2026-07-01T12:30:05Z"  # naive: UTC
    assert rfc3339(datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC)) == datetime(999, 1, 2, 3, 4, 5).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert rfc3339(datetime(2026, 7, 1, 12, 30, 5, 7, tzinfo=UTC)) == "2026-07-01T12:30:05Z"
    assert rfc3339(datetime(2026, 7, 1, 0, 30, tzinfo=timezone(timedelta(0)))) == "2026-07-01T00:30:00Z"


def test_json_cells_of_a_time_column_take_every_form_of_time() -> None:
    from cartes_cli.cli.cells import json_converter

    when = Column("when", "WHEN", kind="datetime")
    convert = json_converter(when)
    paris = timezone(timedelta(hours=2))
    for value in (
        datetime(2026, 7, 1, 12, 30, 5, tzinfo=UTC),
        datetime(2026, 7, 1, 14, 30, 5, 123, tzinfo=paris),
        "2026-07-01T12:30:05.5Z",
        "2026-07-01T14:30:05+02:00",
        1782909005,
    ):
        assert convert(value) == "2026-07-01T12:30:05Z", value
    assert convert(None) is None
    assert convert("not a time") == "not a time"
    assert json_converter(Column("n", "N"))(["a", 1]) == ["a", 1]


UNSAFE_IN_JSON = [*range(0x7F, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]


@pytest.mark.parametrize("code", UNSAFE_IN_JSON)
def test_json_text_escapes_each_character_a_terminal_may_obey(code: int) -> None:
    import json as json_module

    from cartes_cli.cli.terminal_text import json_text

    value = {"name": f"Éloïse – l’IGN {chr(code)}", "n": 1}
    text = json_text(value)
    assert chr(code) not in text
    assert f"\\u{code:04x}" in text
    assert json_module.loads(text) == value


@pytest.mark.parametrize("code", [0x7E, 0xA0, 0xE9, 0x2019, 0x2027, 0x202F, 0x2065, 0x206A])
def test_json_text_leaves_their_neighbours_as_they_are(code: int) -> None:
    from cartes_cli.cli.terminal_text import json_text

    assert json_text(f"a{chr(code)}b") == f'"a{chr(code)}b"'
