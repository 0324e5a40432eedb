"""In-process scaffolding for command tests: a fake terminal, an app context whose client talks
to a respx-mocked platform, and JSON fixtures of the Entrepôt API. Every command group uses it
(workspace, request, login, sandbox, account…); nothing here is specific to one of them.

A test gets a :class:`Harness` (the ``harness`` fixture, ``with Harness() as h:``, or
``make_harness(**kwargs)`` for several or for a group's own, as ``login_world``), declares the API
answers it needs on ``h.mock`` (a ``respx.MockRouter``; paths under :data:`API`, helpers below),
then runs the command one of two ways:

* ``h.run(module.run, Options(...))``: the user story itself, with the options object its Typer
  function would build;
* ``h.invoke(group_app, ["show", "WS", ...])``: the group's Typer app parses the words, builds
  the options and calls ``run`` (use it for what parsing adds: defaults, repeated options,
  nested groups such as ``["2fa", "lost", ...]``).

Both return an :class:`Outcome`: the exit code, stdout and stderr as the executable would give
them (an exception becomes ``Error: <message>`` and the code of ``cli/errors.describe``, as in
``cli/main.py``), and the exception itself (:meth:`Outcome.raised` checks its kind and message,
as ``pytest.raises`` would; a ``typer.Exit`` is a code with no exception). Requests sent are read
back from the routes (``route.calls``; :func:`sent_json` for a JSON body) or all at once
(:meth:`Harness.requests`). Nothing starts a process or a server: a test runs in milliseconds.

The terminal (``h.terminal``) is the real :class:`~cartes_cli.cli.output.Terminal` writing to
``io.StringIO``: ``format="tsv"`` by default (a script's view), ``format="table"`` for a person's
(``"auto"``: the one ``tty`` implies), ``json_fields=[]`` for ``--json``. ``tty=True`` with
``answers=[...]`` makes it interactive (prompts read those lines; ``CI`` and ``CARTES_NO_INPUT``
are lifted for the run); hidden prompts (passwords) read the :func:`hidden_answers` fixture.
``stdin`` gives standard input as one text instead.

The platform: ``options`` gives the global options the root would have parsed (``--profile``,
``--api-url``, ``--issuer``…); by default :func:`on_platform`, ``--api-url``/``--issuer`` naming
the mocked platform, so that what a command resolves itself (``app.platform()``: capabilities,
login pages, the login server's account and admin APIs under :data:`ISSUER`) and the context's
clients agree. Those clients are anonymous; ``token="…"`` logs in from ``CARTES_TOKEN`` (the
context's real token path, so the requests carry ``Authorization: Bearer …``).

The machine: the :func:`home` fixture gives an empty ``CARTES_HOME`` and a shell without the
developer's variables (:data:`SCRUB`); it is autouse in the groups whose ``conftest.py`` imports
it (those whose commands read or write configuration, cache or logins).

JSON fixtures (:func:`user`, :func:`membership`, :func:`community`, :func:`catalog_item`,
:func:`member`, :func:`request`, :func:`datastore`, :func:`join_form`) give the platform's
shape with defaults; keyword arguments override or add fields; :func:`problems` is an error answer
naming fields. Route helpers on the harness: :meth:`Harness.sandbox` /
:meth:`Harness.real_platform` / :meth:`Harness.capabilities` (what ``/sandbox/capabilities``
says), :meth:`Harness.me` (``GET /users/me``), :meth:`Harness.listing` (a list on one page with
its ``Content-Range``), :meth:`Harness.pages` (a list over several pages).
"""

from __future__ import annotations

import io
import json
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from unittest import mock as unittest_mock

import httpx
import pytest
import respx
import typer

from cartes_cli import hints
from cartes_cli.cli.context import AppContext, GlobalOptions
from cartes_cli.cli.output import Terminal
from cartes_cli.client import GeoplateformeClient
from cartes_cli.client.retry import RetryPolicy
from tests.client.fakes import (  # shared with the client's tests, and re-exported
    API as API,
)
from tests.client.fakes import (
    C1 as C1,
)
from tests.client.fakes import (
    C2 as C2,
)
from tests.client.fakes import (
    ISSUER as ISSUER,
)
from tests.client.fakes import (
    PLATFORM as PLATFORM,
)
from tests.client.fakes import (
    R1 as R1,
)
from tests.client.fakes import (
    ROOT as ROOT,
)
from tests.client.fakes import (
    U1 as U1,
)
from tests.client.fakes import (
    request_json,
)
from tests.conftest import SCRUB as SHELL_VARIABLES  # what the executable's tests take away too

TIMESTAMP = "2025-03-01T10:00:00Z"

# Ids for fixtures (the client tests' C1, C2, U1, R1 and platform, from tests/client/fakes.py):
# communities, users (ME is the caller), datastores, requests.
ME = "99999999-9999-4999-8999-999999999999"
U2 = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
D1 = "dddddddd-dddd-4ddd-8ddd-dddddddddddd"
R2 = "ffffffff-0000-4000-8000-000000000002"
R3 = "ffffffff-0000-4000-8000-000000000003"

OptionsT = TypeVar("OptionsT")
ErrorT = TypeVar("ErrorT", bound=BaseException)

SCRUB = (
    *(name for name in SHELL_VARIABLES if name != "CARTES_LANG"),  # the harness sets the language
    "CI",
    "CARTES_OIDC_CLIENT_ID",
    "CARTES_OIDC_CLIENT_SECRET",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "SSH_CONNECTION",
    "SSH_TTY",
    "SSH_CLIENT",
)
"""Variables from the developer's shell that would change what a command does (a login, another
platform, prompts, a browser to open): :func:`home` removes them. The executable's tests remove
:data:`SHELL_VARIABLES`; in-process, prompts and browsers depend on the process's own shell too."""


# --- the machine: an empty home, a shell that says nothing ------------------------------------------


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty ``CARTES_HOME`` (``tmp_path/home``), nothing from the developer's shell
    (:data:`SCRUB`), answers awaited 5 s at most. Autouse in a group whose ``conftest.py``
    imports it (a command that reads or writes its configuration, cache or logins)."""
    for name in SCRUB:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CARTES_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CARTES_TIMEOUT", "5")
    return tmp_path / "home"


@pytest.fixture
def hidden_answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Answers to hidden prompts (passwords, secrets), in order: ``getpass`` reads the real
    terminal, not the harness's stdin. A hidden prompt with no answer left fails the test."""
    answers: list[str] = []

    def getpass(prompt: str = "", stream: object = None) -> str:
        assert answers, f"unexpected hidden prompt {prompt!r}"
        return answers.pop(0)

    monkeypatch.setattr("getpass.getpass", getpass)
    return answers


# --- JSON fixtures of the API -----------------------------------------------------------------------


def user(user_id: str = ME, *, memberships: Sequence[dict[str, Any]] = (), **fields: Any) -> dict[str, Any]:
    """``GET /users/me``: a user and their memberships (see :func:`membership`)."""
    return {
        "_id": user_id,
        "email": "me@ign.fr",
        "first_name": "Marie",
        "last_name": "Curie",
        "administrator": False,
        "communities_member": list(memberships),
        **fields,
    }


def community(community_id: str = C1, technical_name: str = "tutoriels", **fields: Any) -> dict[str, Any]:
    """A community as ``GET /communities/{id}`` gives it (``supervisor``, ``datastore`` by id)."""
    return {
        "_id": community_id,
        "name": technical_name.capitalize() + " de la Géoplateforme",
        "technical_name": technical_name,
        "description": "Pour apprendre.",
        "contact": "contact@ign.fr",
        "public": True,
        "supervisor": ME,
        "datastore": D1,
        "creation": TIMESTAMP,
        "update": TIMESTAMP,
        **fields,
    }


def membership(rights: Sequence[str] = ("UPLOAD",), **community_fields: Any) -> dict[str, Any]:
    """One of ``communities_member`` in :func:`user`: rights in a community."""
    return {"rights": list(rights), "community": community(**community_fields)}


def catalog_item(community_id: str = C1, technical_name: str = "tutoriels", **fields: Any) -> dict[str, Any]:
    """An item of ``GET /catalogs/communities`` (the public catalogue)."""
    return {
        "_id": community_id,
        "name": technical_name.capitalize() + " de la Géoplateforme",
        "technical_name": technical_name,
        "description": "Pour apprendre.",
        "contact": "contact@ign.fr",
        "public": True,
        "organization": {"_id": "org", "name": "IGN"},
        "creation": TIMESTAMP,
        "update": TIMESTAMP,
        **fields,
    }


def member(
    user_id: str = U1, email: str = "dave@ign.fr", rights: Sequence[str] = ("UPLOAD",)
) -> dict[str, Any]:
    """An item of ``GET /communities/{id}/users``."""
    first, _sep, last = email.partition("@")[0].partition(".")
    return {
        "rights": list(rights),
        "user": {
            "_id": user_id,
            "email": email,
            "first_name": first.capitalize(),
            "last_name": last.capitalize(),
        },
        "creation": TIMESTAMP,
    }


def request(request_id: str = R1, **fields: Any) -> dict[str, Any]:
    """A request to join :data:`C1` (``type="datastore"`` and ``name`` for a new workspace)."""
    return request_json(_id=request_id, **fields)


def datastore(datastore_id: str = D1, **fields: Any) -> dict[str, Any]:
    """``GET /datastores/{id}``: storages and endpoints with their quotas."""
    return {
        "_id": datastore_id,
        "name": "Tutoriels",
        "technical_name": "tutoriels_ds",
        "active": True,
        "storages": {
            "data": [{"use": 1_000_000, "quota": 10_000_000, "storage": {"_id": "s1", "type": "POSTGRESQL"}}],
            "uploads": {"use": 2_000, "quota": 1_000_000},
            "annexes": {"use": 0, "quota": 1_000_000},
        },
        "endpoints": [{"use": 1, "quota": 5, "endpoint": {"_id": "e1", "name": "WMS-V"}}],
        **fields,
    }


def join_form(*fields: dict[str, Any], description: str | None = None) -> dict[str, Any]:
    """A join form; each field ``{"name", "title", "type", "constraints": {...}}``."""
    return {"description": description, "fields": list(fields)}


def sent_json(route: respx.Route, call: int = -1) -> Any:
    """The JSON body a route received (the last call by default)."""
    return json.loads(route.calls[call].request.content)


def problems(*items: tuple[str | None, str, str], status: int = 400) -> httpx.Response:
    """An error answer naming what is wrong, field by field: ``(field, code, message)`` each
    (``field`` None for the request as a whole)."""
    body = {"problems": [{"field": f, "code": c, "message": m} for f, c, m in items]}
    return httpx.Response(status, json=body)


# --- a run and its outcome ------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a command left: its exit code, its output streams, and the exception if it raised."""

    code: int
    out: str
    err: str
    error: BaseException | None = None

    @property
    def lines(self) -> list[str]:
        """stdout's lines."""
        return self.out.splitlines()

    @property
    def rows(self) -> list[list[str]]:
        """stdout's lines split on tabs (TSV output)."""
        return [line.split("\t") for line in self.lines]

    def json(self) -> Any:
        return json.loads(self.out)

    def raised(self, kind: type[ErrorT], match: str | None = None) -> ErrorT:
        """The exception the command raised, which must be a ``kind`` whose message matches
        ``match`` (``re.search``, as ``pytest.raises(kind, match=…)``)."""
        assert isinstance(self.error, kind), f"expected {kind.__name__}, got {self.error!r} ({self.err!r})"
        if match is not None:
            assert re.search(match, str(self.error)), f"{match!r} not found in {str(self.error)!r}"
        return self.error


def on_platform(**fields: Any) -> GlobalOptions:
    """The global options naming the test platform (``--api-url`` :data:`API`, ``--issuer``
    :data:`ISSUER`) and any other given: the context's own platform (``app.platform()``, its
    capabilities, its login pages) is then :data:`PLATFORM` too."""
    return GlobalOptions(**{"api_url": API, "issuer": ISSUER, **fields})


class HarnessContext(AppContext):
    """The app context of a test: its clients talk to :data:`PLATFORM` (mocked by respx) and never
    sleep between retries; anonymous, unless ``CARTES_TOKEN`` holds a login (``Harness(token=…)``),
    which they send as the real context does."""

    def __init__(self, terminal: Terminal, options: GlobalOptions | None = None) -> None:
        super().__init__(options or on_platform(), terminal)
        self.client_options: list[dict[str, Any]] = []

    def client(self, *, max_connections: int = 16, retry: RetryPolicy | None = None) -> GeoplateformeClient:
        from cartes_cli.auth.httpx_auth import BearerAuth
        from cartes_cli.cli.context import ENV_TOKEN

        self.client_options.append({"max_connections": max_connections, "retry": retry})
        auth = None
        if os.environ.get(ENV_TOKEN):
            manager, _source = self.token_manager(self.profile(), PLATFORM)
            auth = BearerAuth(manager)
        client = GeoplateformeClient(
            PLATFORM,
            auth=auth,
            max_connections=max_connections,
            sleep=lambda seconds: None,
            **({"retry": retry} if retry is not None else {}),
        )
        self._clients.append(client)
        return client


class Harness:
    """One command run's world: ``mock`` (the platform), ``terminal`` and ``app``."""

    def __init__(
        self,
        *,
        format: str = "tsv",
        json_fields: list[str] | None = None,
        tty: bool = False,
        answers: Sequence[str] = (),
        stdin: str | None = None,
        width: int = 100,
        options: GlobalOptions | None = None,
        token: str | None = None,
    ) -> None:
        self.stdout, self.stderr = io.StringIO(), io.StringIO()
        self.tty = tty
        self.token = token
        self._entered = False
        text = stdin if stdin is not None else "".join(a + "\n" for a in answers)
        self.terminal = Terminal(
            format=format,  # type: ignore[arg-type]
            json_fields=json_fields,
            stdout=self.stdout,
            stderr=self.stderr,
            stdin=io.StringIO(text),
            stdout_isatty=tty,
            stderr_isatty=tty,
            stdin_isatty=tty,
            color=False,
            width=width,
        )
        self.app = HarnessContext(self.terminal, options)
        self.mock = respx.mock(assert_all_called=False, base_url=None)
        self._env = unittest_mock.patch.dict(os.environ, {}, clear=False)

    def __enter__(self) -> Harness:
        self._env.start()
        self._entered = True
        os.environ["CARTES_LANG"] = "en"
        if self.tty:  # a person at a terminal: prompts allowed
            os.environ.pop("CI", None)
            os.environ.pop("CARTES_NO_INPUT", None)
        os.environ.pop("CARTES_TOKEN", None)
        if self.token is not None:  # a login from the environment
            os.environ["CARTES_TOKEN"] = self.token
        hints.forget()
        self.mock.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._entered:  # left already
            return
        self._entered = False
        self.app.close()
        self.mock.stop()
        self._env.stop()
        hints.forget()

    # --- running a command ----------------------------------------------------------------------

    def run(self, run: Callable[[AppContext, OptionsT], int | None], options: OptionsT) -> Outcome:
        """Call a command's ``run(app, options)``; what it raises becomes an exit code."""
        try:
            code = run(self.app, options)
        except typer.Exit as exc:
            return self._outcome(int(exc.exit_code))
        except Exception as exc:
            return self._failure(exc)
        return self._outcome(int(code or 0))

    def invoke(self, group: typer.Typer, args: Sequence[str]) -> Outcome:
        """Parse ``args`` with a group's Typer app (``workspace_app``…) and run the command, with
        this harness's context as the root's object (global options are not parsed here)."""
        import click

        command = typer.main.get_command(group)
        try:
            result = command.main(args=list(args), prog_name="cartes", obj=self.app, standalone_mode=False)
        except click.exceptions.Exit as exc:
            return self._outcome(int(exc.exit_code))
        except click.UsageError as exc:
            self.stderr.write(f"Error: {exc.format_message()}\n")
            return self._outcome(2, exc)
        except Exception as exc:
            return self._failure(exc)
        return self._outcome(result if isinstance(result, int) else 0)

    def _failure(self, exc: BaseException) -> Outcome:
        from cartes_cli.cli.errors import describe
        from cartes_cli.cli.terminal_text import neutralise

        code, message = describe(exc)
        if message:
            self.stderr.write(f"Error: {neutralise(hints.runnable(message))}\n")
        return self._outcome(int(code), exc)

    def _outcome(self, code: int, error: BaseException | None = None) -> Outcome:
        return Outcome(code, self.stdout.getvalue(), self.stderr.getvalue(), error)

    # --- the platform's answers -----------------------------------------------------------------

    def capabilities(self, features: Sequence[str], **fields: Any) -> respx.Route:
        """What ``/sandbox/capabilities`` answers: these features, a sandbox if there are any
        (``fields`` add to the answer or override it)."""
        body = {"sandbox": bool(features), "features": list(features), **fields}
        return self.mock.get(f"{ROOT}/sandbox/capabilities").respond(200, json=body)

    def sandbox(self, features: Sequence[str] = ("requests",)) -> respx.Route:
        """A platform with these sandbox features (``requests``: the request API)."""
        return self.capabilities(features, sandbox=True, version="0.3", schema_version=2)

    def real_platform(self) -> respx.Route:
        """The real Géoplateforme: no sandbox, no request API (requests go by e-mail)."""
        return self.mock.get(f"{ROOT}/sandbox/capabilities").respond(404, json={"error": "not_found"})

    def me(self, **fields: Any) -> respx.Route:
        """``GET /users/me`` answering :func:`user` with these fields."""
        return self.mock.get(f"{API}/users/me").respond(200, json=user(**fields))

    def requests(self, method: str | None = None) -> list[str]:
        """Every request sent (or every ``method`` one), as ``METHOD url`` lines, in order."""
        calls = [call.request for call in self.mock.calls]
        return [f"{r.method} {r.url}" for r in calls if method is None or r.method == method]

    def listing(self, path: str, items: Sequence[dict[str, Any]], **params: Any) -> respx.Route:
        """A listing of ``items`` on one page, with its ``Content-Range`` (``path`` under
        :data:`API`; ``params`` narrow the route to requests with those query parameters)."""
        total = len(items)
        headers = {"Content-Range": f"0-{max(total - 1, 0)}/{total}" if total else "*/0"}
        route = self.mock.get(f"{API}{path}", params=params) if params else self.mock.get(f"{API}{path}")
        return route.mock(return_value=httpx.Response(200, json=list(items), headers=headers))

    def pages(
        self, path: str, items: Sequence[dict[str, Any]], *, on_page: Callable[[int], None] | None = None
    ) -> respx.Route:
        """A listing of ``items`` served page by page as the platform does (``page``, ``limit``,
        ``Content-Range``); ``on_page(page)`` runs in the requesting thread before each answer."""
        total = len(items)

        def answer(request: httpx.Request) -> httpx.Response:
            page = int(request.url.params.get("page", "1"))
            limit = int(request.url.params.get("limit", "50"))
            if on_page is not None:
                on_page(page)
            start = (page - 1) * limit
            chunk = list(items[start : start + limit])
            header = f"{start}-{start + len(chunk) - 1}/{total}" if chunk else f"*/{total}"
            return httpx.Response(200, json=chunk, headers={"Content-Range": header})

        return self.mock.get(f"{API}{path}").mock(side_effect=answer)


class Together:
    """An ``on_page`` for :meth:`Harness.pages` that holds pages ``2`` to ``count + 1`` until all
    of them are requested at once: a listing that reads fewer pages at a time fails (after
    ``timeout`` seconds, a guard, never reached when the pages overlap) instead of waiting."""

    def __init__(self, count: int, timeout: float = 10.0) -> None:
        self.count = count
        self.barrier = threading.Barrier(count, timeout=timeout)
        self.met = False

    def __call__(self, page: int) -> None:
        if 2 <= page <= self.count + 1:
            self.barrier.wait()
            self.met = True


@pytest.fixture
def harness() -> Iterator[Harness]:
    """A :class:`Harness` with the default terminal (TSV, not a terminal); build your own
    (``with Harness(format="table") as h:``, or :func:`make_harness`) for another."""
    with Harness() as h:
        yield h


@pytest.fixture
def make_harness() -> Iterator[Callable[..., Harness]]:
    """``make_harness(**kwargs)``: a ``Harness(**kwargs)`` entered now and left after the test, the
    last made first (a group's fixture may add its routes, as ``login_world`` does)."""
    made: list[Harness] = []

    def make(**kwargs: Any) -> Harness:
        h = Harness(**kwargs).__enter__()
        made.append(h)
        return h

    yield make
    for h in reversed(made):
        h.__exit__(None, None, None)
