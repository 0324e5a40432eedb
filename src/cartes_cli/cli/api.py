"""``cartes api``: any endpoint of the platform's Entrepôt API, with the current login (``gh api``'s
model).

The Entrepôt API has far more than the commands cover (keys and their accesses, permissions,
organisations, uploads, stored data, processings). This command sends one call to it (or reads a
whole listing with ``--paginate``) with the login renewed as needed, and prints the answer: JSON
pretty-printed on a terminal, the body as it came when piped.

Everything the person typed is checked before any request: the method, a path under the API
root (never another host: the token goes with it), the fields, the headers, the files to read.
A 4xx or 5xx answer prints the platform's body on stdout and one line on stderr, and exits with
the contract's code: 3 (404), 4 (401), 5 (403), 1 (any other).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cartes_cli.cli.exit_codes import ExitCode
from cartes_cli.cli.options import DEFAULT_CONCURRENCY, check_concurrency, connections_for
from cartes_cli.cli.references import resolve_workspace
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    import httpx

    from cartes_cli.cli.context import AppContext
    from cartes_cli.cli.output import Terminal
    from cartes_cli.client import GeoplateformeClient

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_HEADER = re.compile(r"^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$")
_INTEGER = re.compile(r"^-?(?:0|[1-9][0-9]{0,17})$")
MAX_FILE_BYTES = 16 * 1024 * 1024
"""A body or a field read from a file is at most this big (the API refuses far less)."""


@dataclass(frozen=True)
class ApiOptions:
    """What the person asked of ``cartes api``."""

    arguments: tuple[str, ...]
    """``[METHOD] PATH`` as typed."""
    method: str | None = None
    raw_fields: tuple[str, ...] = ()
    """``-f key=value``: a string."""
    typed_fields: tuple[str, ...] = ()
    """``-F key=value``: true, false, null and integers typed, ``@file`` (or ``@-``) read."""
    headers: tuple[str, ...] = ()
    input: str | None = None
    paginate: bool = False
    include: bool = False
    concurrency: int = DEFAULT_CONCURRENCY


@dataclass
class Call:
    """The checked call: what is sent once the placeholders are filled."""

    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    body: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def api(
    ctx: typer.Context,
    arguments: Annotated[list[str], typer.Argument(metavar="[METHOD] PATH", show_default=False)],
    method: Annotated[
        str | None,
        typer.Option("--method", "-X", help=_("HTTP method (default: GET, or POST with fields or --input).")),
    ] = None,
    raw_field: Annotated[
        list[str] | None,
        typer.Option("--raw-field", "-f", metavar="KEY=VALUE", help=_("A string field of the JSON body.")),
    ] = None,
    field_: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            "-F",
            metavar="KEY=VALUE",
            help=_("A typed field: true, false, null and integers as such, @FILE (or @-) read from a file."),
        ),
    ] = None,
    header: Annotated[
        list[str] | None, typer.Option("--header", "-H", metavar="'NAME: VALUE'", help=_("An extra header."))
    ] = None,
    input_: Annotated[
        str | None,
        typer.Option("--input", metavar="FILE", help=_("Send this file as the body ('-': standard input).")),
    ] = None,
    paginate: Annotated[
        bool, typer.Option("--paginate", help=_("Read every page of a listing and print one JSON array."))
    ] = False,
    include: Annotated[
        bool, typer.Option("--include", "-i", help=_("Print the HTTP status and headers before the body."))
    ] = False,
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", help=_("Pages in flight at once with --paginate."))
    ] = DEFAULT_CONCURRENCY,
) -> None:
    """Call any endpoint of the Entrepôt API with the current login.

    PATH is relative to the API root (/users/me, /communities/{id}/users); {me} is replaced by your
    user id, {workspace:NAME} by a workspace's community id and {datastore:NAME} by its datastore's
    id. Fields go to the query string of a GET, to a JSON body otherwise
    (key[sub]=value nests, key[]=value appends).
    """
    from cartes_cli.cli.context import AppContext

    app = ctx.obj
    assert isinstance(app, AppContext)
    options = ApiOptions(
        arguments=tuple(arguments),
        method=method,
        raw_fields=tuple(raw_field or ()),
        typed_fields=tuple(field_ or ()),
        headers=tuple(header or ()),
        input=input_,
        paginate=paginate,
        include=include,
        concurrency=concurrency,
    )
    raise typer.Exit(run(app, options))


def run(app: AppContext, options: ApiOptions) -> int:
    """Check everything, send the call (or read the listing), print the answer; the exit code."""
    call = prepare(options)
    client = app.client(max_connections=connections_for(options.concurrency))
    try:
        fill_placeholders(call, client)
        if options.paginate:
            return _paginate(app.terminal, client, call, options)
        response = client.send(
            call.method,
            call.path,
            params=call.params or None,
            json_body=call.body,
            content=call.content,
            headers=call.headers or None,
            raise_for_status=False,
        )
        return _print_response(app.terminal, response, include=options.include)
    except Exception as exc:
        from cartes_cli.errors import ApiError

        if isinstance(exc, ApiError):
            return _api_error(app.terminal, exc)
        raise


# --- checking what was typed, before any request ---------------------------------------------------


def prepare(options: ApiOptions) -> Call:
    """The call ``options`` describe, or a ``UsageError`` naming what is wrong."""
    typed = (
        *options.arguments,
        options.method or "",
        *options.raw_fields,
        *options.typed_fields,
        *options.headers,
    )
    for text in typed:
        check_text(text)
    method, path = _method_and_path(options.arguments, options.method)
    check_placeholders(path)
    headers = parse_headers(options.headers)
    fields = build_fields(options.raw_fields, options.typed_fields)
    content = read_input(options.input) if options.input is not None else None
    if not method:  # gh's rule: a call with fields or a body is a POST, unless it reads a listing
        method = "POST" if (content is not None or fields) and not options.paginate else "GET"
    call = Call(method=method, path=path, headers=headers, content=content)
    if fields and (method in ("GET", "HEAD") or content is not None):
        call.params = _as_query(fields)  # gh's rule: with a body of its own, the fields are the query
    elif fields:
        call.body = fields
    if content is not None and not any(k.lower() == "content-type" for k in headers):
        call.headers["Content-Type"] = "application/json"
    if options.paginate and method != "GET":
        raise UsageError(_("--paginate reads a listing: it goes with GET only."))
    check_concurrency(options.concurrency)
    return call


def _method_and_path(arguments: Sequence[str], option: str | None) -> tuple[str, str]:
    if len(arguments) == 1:
        given, path = option, arguments[0]
    elif len(arguments) == 2:
        given, path = arguments[0], arguments[1]
        if option is not None and option.upper() != given.upper():
            raise UsageError(_("Two methods given: {a} and {b}.").format(a=given.upper(), b=option.upper()))
    else:
        raise UsageError(
            _("Give the path of the call, optionally after its method: cartes api [METHOD] PATH.")
        )
    method = (given or "").upper()
    if method and method not in METHODS:
        raise UsageError(
            _("Unknown HTTP method {method!r}; choose one of: {choices}.").format(
                method=given, choices=", ".join(METHODS)
            )
        )
    return method, check_path(path)


def check_text(text: str) -> None:
    """What was typed is text: bytes that are not UTF-8 (a lone surrogate from the command line)
    cannot be sent, and are said so before any request."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        shown = text.encode("utf-8", errors="backslashreplace").decode("ascii", errors="replace")
        raise UsageError(_("Not valid text (bytes that are not UTF-8): {text}").format(text=shown)) from None


def check_path(path: str) -> str:
    """A path under the API root: ``/users/me``, with an optional query. Never an address of
    another host (the login's token goes with the call)."""
    text = path.strip()
    if not text.startswith("/"):
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", text):
            raise UsageError(
                _("Give a path under the API root (such as /users/me), not an address: {path}").format(
                    path=text
                )
            )
        text = "/" + text
    if text.startswith("//") or "\\" in text or any(ch.isspace() or ord(ch) < 0x20 for ch in text):
        raise UsageError(_("Not a path under the API root: {path!r}.").format(path=path))
    if any(segment in (".", "..") for segment in text.split("?", 1)[0].split("/")):
        raise UsageError(_("The path may not contain '.' or '..' segments: {path}").format(path=text))
    return text


def check_placeholders(text: str) -> None:
    for match in _PLACEHOLDER.finditer(text):
        name = match.group(1)
        kind, _sep, value = name.partition(":")
        if name == "me" or (kind in ("workspace", "datastore") and value.strip()):
            continue
        raise UsageError(
            _("Unknown placeholder {{{name}}}: use {{me}}, {{workspace:NAME}} or {{datastore:NAME}}.").format(
                name=name
            )
        )


def parse_headers(headers: Sequence[str]) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in headers:
        match = _HEADER.match(item.strip())
        if match is None:
            raise UsageError(_("A header is 'Name: value': {header!r}.").format(header=item))
        if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in match.group(2)):
            raise UsageError(
                _("A header's value may not hold control characters: {header!r}.").format(header=item)
            )
        result[match.group(1)] = match.group(2)
    return result


def build_fields(raw: Sequence[str], typed: Sequence[str]) -> dict[str, Any]:
    """The JSON object the fields describe: ``a=1``, ``a[b]=1`` (nested), ``a[]=1`` (appended)."""
    result: dict[str, Any] = {}
    for item, is_typed in [(x, False) for x in raw] + [(x, True) for x in typed]:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(_("A field is KEY=VALUE: {field!r}.").format(field=item))
        match = _KEY.match(key)
        if match is None:
            raise UsageError(_("Not a field name: {key!r} (KEY, KEY[SUB] or KEY[]).").format(key=key))
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        _place(result, parts, _typed_value(value) if is_typed else value, item)
    return result


def _typed_value(value: str) -> Any:
    if value.startswith("@"):
        return read_input(value[1:]).decode("utf-8", errors="replace")
    if value in ("true", "false"):
        return value == "true"
    if value == "null":
        return None
    if _INTEGER.match(value):
        return int(value)
    return value


def _place(target: dict[str, Any], parts: list[str], value: Any, item: str) -> None:
    node: Any = target
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        following = None if last else parts[index + 1]
        if part == "":
            if not isinstance(node, list):
                raise UsageError(_("Field {field!r} mixes a list and an object.").format(field=item))
            if last:
                node.append(value)
                return
            child: Any = [] if following == "" else {}
            node.append(child)
            node = child
            continue
        if not isinstance(node, dict):
            raise UsageError(_("Field {field!r} mixes a list and an object.").format(field=item))
        if last:
            node[part] = value
            return
        existing = node.get(part)
        wanted: type = list if following == "" else dict
        if existing is None:
            existing = wanted()
            node[part] = existing
        elif not isinstance(existing, wanted):
            raise UsageError(_("Field {field!r} mixes a list and an object.").format(field=item))
        node = existing


def _as_query(fields: dict[str, Any]) -> dict[str, str]:
    query: dict[str, str] = {}
    for key, value in fields.items():
        if isinstance(value, (dict, list)):
            raise UsageError(_("A field of a query string cannot be nested: {key}.").format(key=key))
        query[key] = (
            "true" if value is True else "false" if value is False else "" if value is None else str(value)
        )
    return query


def read_input(name: str) -> bytes:
    """A file's bytes (``-``: standard input), at most ``MAX_FILE_BYTES``."""
    try:
        if name == "-":
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            with Path(name).expanduser().open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise UsageError(
            _("Cannot read {file}: {reason}.").format(file=name, reason=exc.strerror or type(exc).__name__)
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(_("{file} is larger than {mib} MiB.").format(file=name, mib=MAX_FILE_BYTES // 2**20))
    return data


# --- the call ---------------------------------------------------------------------------------------


def fill_placeholders(call: Call, client: GeoplateformeClient) -> None:
    """``{me}``, ``{workspace:NAME}``, ``{datastore:NAME}`` in the path and the typed fields."""
    from urllib.parse import quote

    cache: dict[str, str] = {}

    def value(name: str) -> str:
        if name not in cache:
            if name == "me":
                cache[name] = client.users.me().id
            else:
                kind, _sep, ref = name.partition(":")
                community = resolve_workspace(client, ref.strip())
                if kind == "workspace":
                    cache[name] = community.id
                else:
                    datastore = community.datastore_id or client.communities.get(community.id).datastore_id
                    if not datastore:
                        raise UsageError(_("The workspace {name} has no datastore.").format(name=ref.strip()))
                    cache[name] = datastore
        return cache[name]

    call.path = _PLACEHOLDER.sub(lambda m: quote(value(m.group(1)), safe=""), call.path)
    if isinstance(call.body, dict):
        call.body = _fill_in(call.body, lambda text: _PLACEHOLDER.sub(lambda m: value(m.group(1)), text))


def _fill_in(node: Any, fill: Any) -> Any:
    if isinstance(node, str):
        return fill(node) if _PLACEHOLDER.search(node) else node
    if isinstance(node, dict):
        return {k: _fill_in(v, fill) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill_in(v, fill) for v in node]
    return node


def _paginate(term: Terminal, client: GeoplateformeClient, call: Call, options: ApiOptions) -> int:
    from cartes_cli.client.pagination import PAGE_LIMIT, PageInfo, iter_pages, parse_content_range

    limit = int(call.params.pop("limit", "") or PAGE_LIMIT)
    call.params.pop("page", None)
    first_response: list[httpx.Response] = []

    def fetch(page: int, size: int) -> tuple[list[Any], PageInfo]:
        response = client.send(
            "GET",
            call.path,
            params={**call.params, "page": page, "limit": size},
            headers=call.headers or None,
        )
        if not first_response:
            first_response.append(response)
        try:
            data = json.loads(response.content)
        except ValueError:
            data = None
        if not isinstance(data, list):
            raise UsageError(
                _("--paginate reads a listing, and {path} does not answer a JSON list.").format(
                    path=call.path
                )
            )
        return data, parse_content_range(response.headers.get("content-range"))

    items = iter_pages(fetch, limit=max(1, limit), concurrency=options.concurrency)
    first = next(items, _NOTHING)
    if options.include and first_response:
        _print_head(term, first_response[0])
    _write_array(term, first, items)
    return ExitCode.OK


_NOTHING = object()


def _write_array(term: Terminal, first: Any, rest: Iterator[Any]) -> None:
    """One JSON array, item by item (memory stays bounded): indented on a terminal."""
    from cartes_cli.cli.terminal_text import json_text

    out = term.stdout
    pretty = bool(term.stdout_isatty)
    if first is _NOTHING:
        out.write("[]\n")
        out.flush()
        return
    out.write("[\n" if pretty else "[")
    separator = ",\n" if pretty else ","
    for index, item in enumerate(_chain(first, rest)):
        if index:
            out.write(separator)
        text = json_text(item, indent=2 if pretty else None)
        out.write("  " + text.replace("\n", "\n  ") if pretty else text)
    out.write("\n]\n" if pretty else "]\n")
    out.flush()


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest


# --- printing the answer -------------------------------------------------------------------------------


def _print_head(term: Terminal, response: httpx.Response) -> None:
    from cartes_cli.client.redact import redact_headers

    term.out(f"{response.http_version} {response.status_code} {response.reason_phrase}")
    for name, value in redact_headers(response.headers.multi_items()).items():
        term.out(f"{name}: {value}")
    term.out("")


def _print_response(term: Terminal, response: httpx.Response, *, include: bool) -> int:
    if include:
        _print_head(term, response)
    body = response.content
    if body:
        _print_body(term, response, body)
    if response.status_code >= 400:
        from cartes_cli.client.errors import error_from_response

        return _api_error(term, error_from_response(response))
    return ExitCode.OK


def _print_body(term: Terminal, response: httpx.Response, body: bytes) -> None:
    from cartes_cli.cli.terminal_text import json_text, neutralise

    if not term.stdout_isatty:  # piped: the body as it came
        term.stdout.flush()
        raw = getattr(term.stdout, "buffer", None)
        if raw is not None:
            raw.write(body if body.endswith(b"\n") else body + b"\n")
            raw.flush()
        else:  # a text-only stream (tests)
            text = body.decode(response.encoding or "utf-8", errors="replace")
            term.stdout.write(text if text.endswith("\n") else text + "\n")
            term.stdout.flush()
        return
    try:
        data = json.loads(body)
    except ValueError:
        term.out(neutralise(body.decode(response.encoding or "utf-8", errors="replace")).rstrip("\n"))
        return
    term.stdout.write(json_text(data, indent=2) + "\n")
    term.stdout.flush()


def _api_error(term: Terminal, exc: Exception) -> int:
    """One line on stderr; 3, 4, 5 for 404, 401, 403, else 1 (a 400 is the platform's refusal
    here, not a usage error caught before the request)."""
    from cartes_cli.cli.errors import describe

    code, message = describe(exc)
    if code not in (ExitCode.NOT_FOUND, ExitCode.AUTH, ExitCode.PERMISSION):
        code = ExitCode.FAILURE
    term.error(message)
    return code
