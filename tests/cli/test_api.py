"""``cartes api``: what is typed is checked before any request (the pure part of the command),
and the answer is printed as it should be (JSON made safe on a terminal, raw when piped)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from cartes_cli.cli.api import ApiOptions, build_fields, check_path, prepare
from cartes_cli.cli.exit_codes import ExitCode
from cartes_cli.cli.output import Terminal
from cartes_cli.errors import UsageError


def options(*arguments: str, **kw: Any) -> ApiOptions:
    return ApiOptions(arguments=arguments, **kw)


def test_the_method_defaults_like_gh() -> None:
    assert prepare(options("/users/me")).method == "GET"
    call = prepare(options("/requests", raw_fields=("type=join",)))
    assert (call.method, call.body, call.params) == ("POST", {"type": "join"}, {})
    call = prepare(options("/catalogs/communities", raw_fields=("limit=500",), paginate=True))
    assert (call.method, call.params, call.body) == ("GET", {"limit": "500"}, None)
    assert prepare(options("delete", "/communities/x")).method == "DELETE"
    assert prepare(options("/x", method="patch")).method == "PATCH"


def test_fields_go_to_the_query_of_a_get_and_beside_a_body_of_its_own(tmp_path: Path) -> None:
    call = prepare(options("/communities", method="GET", raw_fields=("search=ddt",), typed_fields=("n=3",)))
    assert call.params == {"search": "ddt", "n": "3"}
    body = tmp_path / "body.json"
    body.write_text('{"a": 1}', encoding="utf-8")
    call = prepare(options("/things", input=str(body), raw_fields=("dry=yes",)))
    assert (call.method, call.content, call.params, call.body) == ("POST", b'{"a": 1}', {"dry": "yes"}, None)
    assert call.headers == {"Content-Type": "application/json"}
    call = prepare(options("/things", input=str(body), headers=("content-type: text/csv",)))
    assert call.headers == {"content-type": "text/csv"}


def test_typed_and_nested_fields(tmp_path: Path) -> None:
    message = tmp_path / "message.txt"
    message.write_text("Bonjour,\nje souhaite rejoindre l'espace.", encoding="utf-8")
    body = build_fields(
        ["name=true", "tags[]=a"],
        [
            "public=true",
            "seats=12",
            "ratio=1.5",
            "gone=null",
            "tags[]=7",
            "answers[siret]=123",
            f"text=@{message}",
        ],
    )
    assert body == {
        "name": "true",  # -f keeps strings
        "tags": ["a", 7],
        "public": True,
        "seats": 12,
        "ratio": "1.5",  # only integers are typed, as gh does
        "gone": None,
        "answers": {"siret": 123},
        "text": "Bonjour,\nje souhaite rejoindre l'espace.",
    }
    assert build_fields([], ["rows[][x]=1", "rows[][x]=2"]) == {"rows": [{"x": 1}, {"x": 2}]}


@pytest.mark.parametrize(
    ("arguments", "extra", "says"),
    [
        ((), {}, "Give the path"),
        (("a", "b", "c"), {}, "Give the path"),
        (("FETCH", "/x"), {}, "Unknown HTTP method 'FETCH'"),
        (("GET", "/x"), {"method": "POST"}, "Two methods given: GET and POST"),
        (("https://evil.example/users/me",), {}, "not an address"),
        (("//evil.example/x",), {}, "Not a path under the API root"),
        (("/users/../admin",), {}, "'.' or '..'"),
        (("/users/me x",), {}, "Not a path under the API root"),
        (("/communities/{workspace}/users",), {}, "Unknown placeholder {workspace}"),
        (("/x/{token}",), {}, "Unknown placeholder {token}"),
        (("/x",), {"headers": ("Accept application/json",)}, "A header is 'Name: value'"),
        (("/x",), {"headers": ("X-A: b\x1b[2J",)}, "control characters"),
        (("/x",), {"raw_fields": ("novalue",)}, "A field is KEY=VALUE"),
        (("/x",), {"raw_fields": ("=v",)}, "A field is KEY=VALUE"),
        (("/x",), {"raw_fields": ("a]b=v",)}, "Not a field name"),
        (("/x",), {"raw_fields": ("a=1", "a[]=2")}, "mixes a list and an object"),
        (("/x",), {"method": "GET", "raw_fields": ("a[b]=1",)}, "cannot be nested"),
        (("/x",), {"typed_fields": ("f=@/no/such/file",)}, "Cannot read /no/such/file"),
        (("/x",), {"input": "/no/such/file"}, "Cannot read /no/such/file"),
        (("POST", "/x"), {"paginate": True}, "--paginate reads a listing"),
        (("/x",), {"concurrency": 0}, "--concurrency"),
        (("/users/\udcff",), {}, "Not valid text"),
        (("/x",), {"raw_fields": ("a=\udcff",)}, "Not valid text"),
        (("/x",), {"headers": ("X-A: \udcff",)}, "Not valid text"),
    ],
)
def test_bad_input_is_a_usage_error_before_any_request(
    arguments: tuple[str, ...], extra: dict[str, Any], says: str
) -> None:
    with pytest.raises(UsageError) as caught:
        prepare(options(*arguments, **extra))
    assert says in caught.value.message


def test_paths_are_under_the_api_root() -> None:
    assert check_path("users/me") == "/users/me"
    assert check_path(" /communities?page=2 ") == "/communities?page=2"


def _response(status: int, body: bytes, content_type: str = "application/json") -> httpx.Response:
    request = httpx.Request("GET", "https://data.test/api/x")
    return httpx.Response(status, content=body, headers={"content-type": content_type}, request=request)


def _print(response: httpx.Response, *, tty: bool) -> tuple[int, str, str]:
    from cartes_cli.cli.api import _print_response

    out, err = io.StringIO(), io.StringIO()
    term = Terminal(stdout=out, stderr=err, stdout_isatty=tty, stderr_isatty=False)
    return _print_response(term, response, include=False), out.getvalue(), err.getvalue()


def test_a_terminal_gets_indented_json_without_the_servers_control_characters() -> None:
    body = json.dumps({"name": "x\x1b]8;;https://evil/\x1b\\y\u009b2J", "n": 1}).encode()
    code, out, _err = _print(_response(200, body), tty=True)
    assert code == ExitCode.OK
    assert out.startswith("{\n  ")
    assert "\x1b" not in out
    assert "\x9b" not in out
    assert json.loads(out) == json.loads(body)
    code, out, _err = _print(_response(200, b"<html>\x1b[2Jhello</html>", "text/html"), tty=True)
    assert "\x1b" not in out
    assert "\\x1b[2J" in out


def test_piped_the_body_is_as_it_came() -> None:
    body = b'{"b":2,"a":[1,2]}'
    assert _print(_response(200, body), tty=False)[1] == body.decode() + "\n"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, ExitCode.FAILURE),
        (401, ExitCode.AUTH),
        (403, ExitCode.PERMISSION),
        (404, ExitCode.NOT_FOUND),
        (409, ExitCode.FAILURE),
        (422, ExitCode.FAILURE),
        (500, ExitCode.FAILURE),
    ],
)
def test_an_error_answer_prints_its_body_and_one_line_and_exits_with_the_contracts_code(
    status: int, code: ExitCode
) -> None:
    body = json.dumps({"error": "x", "error_description": ["Ce n'est pas possible."]}).encode()
    got, out, err = _print(_response(status, body), tty=False)
    assert got == code
    assert json.loads(out)["error"] == "x"
    assert len(err.strip().splitlines()) == 1
