"""Dynamic Tab completion: profile names, workspace names, pending request ids, option values.

A Tab press must cost next to nothing (issue 6: "cached, never blocking more than a moment"):

* profile names come from the configuration file (no network);
* workspaces and pending requests come from a small cache in the cache directory
  (``<cache>/completion``, one 0600 file per list, named by a hash of the platform, profile and
  account), fresh for 5 minutes (workspaces) or 1 minute (requests);
* on a miss they are fetched with what the login already holds: ``CARTES_TOKEN``, the *cached*
  access token, or a bearer token kept in the credential file. Everything fetched in one Tab press
  shares one budget of 0.4 s (with the start-up, a Tab press stays within half a second); a list
  that fails or runs out of time offers nothing, and one that ran out of time is not asked for
  again for 15 seconds (a frozen server costs one wait, not one per Tab);
* a login is never renewed here. Refresh tokens rotate (the sandbox, like Keycloak when
  configured so, ends the session when a used one comes back), so a renewal cut short by the time
  limit would log the user out; and the system keyring may pop up an unlock prompt. The next
  ordinary command renews the login, and dynamic completion works again;
* nothing is ever written to stdout or stderr except the candidates: every provider swallows its
  own errors, and a value that could upset a shell (the zsh script evals what it reads) is not
  offered.

The fetch uses the standard library (urllib), not the httpx client: importing the client alone
would cost half the budget. Like the client, it verifies TLS against the system trust store, sends
no credential to another host (no redirects), and honours the proxy variables.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from cartes_cli import paths
from cartes_cli.i18n import _

BUDGET = 0.4
"""Seconds one Tab press may spend fetching, all lists together (start-up adds about 0.1 s)."""
WORKSPACES_TTL = 300.0
REQUESTS_TTL = 60.0
TIMEOUT_BACKOFF = 15.0
"""After a fetch ran out of time, serve nothing for this long instead of waiting again."""
PAGE_SIZE = 50
MAX_PAGES = 10
"""At most this many pages of 50 (fetched at once): 500 workspaces or pending requests."""
MAX_BODY = 8 * 1024 * 1024
_VERSION = 1
_UUID_TEMPLATE = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
_HEX = frozenset("0123456789abcdefABCDEF")

Candidate = tuple[str, str | None]
"""A value and its description (zsh, fish and PowerShell show it; bash shows values only)."""
Items = list[dict[str, Any]]


# --- the cache --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lookup:
    state: str  # "fresh" | "backoff" | "miss"
    items: Items | None = None


class CandidateCache:
    """``<cache>/completion/<hash>.json``: ``{"v", "kind", "fetched_at", "items"}``, or after a
    time-out ``{"v", "kind", "timed_out_at"}``. Reading and writing never raise."""

    def __init__(self, directory: Path | None = None, *, clock: Callable[[], float] = time.time) -> None:
        self.directory = directory if directory is not None else paths.cache_dir() / "completion"
        self._clock = clock

    def path_for(self, kind: str, key: str) -> Path:
        digest = hashlib.sha256(f"{kind}\n{key}".encode()).hexdigest()[:40]
        return self.directory / f"{digest}.json"

    def lookup(self, kind: str, key: str, ttl: float) -> Lookup:
        try:
            with open(self.path_for(kind, key), encoding="utf-8") as handle:
                data = json.loads(handle.read(MAX_BODY))
        except (OSError, ValueError):
            return Lookup("miss")
        if not isinstance(data, dict) or data.get("v") != _VERSION or data.get("kind") != kind:
            return Lookup("miss")
        now = self._clock()
        fetched_at, items = data.get("fetched_at"), data.get("items")
        if _number(fetched_at) and isinstance(items, list) and 0 <= now - fetched_at < ttl:
            return Lookup("fresh", [i for i in items if isinstance(i, dict)])
        timed_out_at = data.get("timed_out_at")
        if _number(timed_out_at) and 0 <= now - timed_out_at < TIMEOUT_BACKOFF:
            return Lookup("backoff")
        return Lookup("miss")

    def save(self, kind: str, key: str, items: Items) -> bool:
        return self._write(kind, key, {"fetched_at": self._clock(), "items": items})

    def note_timeout(self, kind: str, key: str) -> bool:
        return self._write(kind, key, {"timed_out_at": self._clock()})

    def _write(self, kind: str, key: str, body: dict[str, Any]) -> bool:
        path = self.path_for(kind, key)
        try:
            paths.ensure_private_dir(self.directory)
            fd, tmp = tempfile.mkstemp(prefix=".cand.", suffix=".tmp", dir=self.directory)
        except OSError:
            return False
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"v": _VERSION, "kind": kind, **body}, handle, ensure_ascii=False)
            os.replace(tmp, path)
        except (OSError, TypeError, ValueError):
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            return False
        return True


def _number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# --- who is asking, on which platform ------------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    api_url: str
    key: str
    """Platform, profile and account: what the cached lists belong to."""
    token: str | None
    """A usable bearer token, or None: then only fresh cached lists are offered."""


def resolve_session(options: Mapping[str, Any]) -> Session | None:
    """The platform and credentials a command with these root options would use, found without
    prompting, renewing anything or touching the keyring; None when there is no such platform."""
    from cartes_cli.cli.context import ENV_TOKEN, AppContext, GlobalOptions
    from cartes_cli.cli.output import Terminal

    try:
        app = AppContext(
            GlobalOptions(
                profile=options.get("profile"),
                env=options.get("env"),
                api_url=options.get("api_url"),
                issuer=options.get("issuer"),
                no_input=True,
            ),
            Terminal(no_input=True),
        )
        profile = app.profile()
        platform = app.platform(profile)
    except Exception:
        return None
    api_url = platform.api_url
    env_token = os.environ.get(ENV_TOKEN, "").strip()
    if env_token:
        if env_token.lower().startswith("bearer "):
            env_token = env_token[len("bearer ") :].strip()
        principal = "token:" + hashlib.sha256(env_token.encode()).hexdigest()[:16]
        return Session(api_url, _key(api_url, profile.name, principal), env_token or None)
    if os.environ.get("CARTES_CLIENT_ID") or os.environ.get("CARTES_CLIENT_SECRET"):
        return None  # a service account gets a fresh token per run: nothing cached to reuse
    if not profile.logged_in or not profile.user or not app.same_platform(profile, platform):
        return None
    token: str | None = None
    try:
        if profile.flow == "token":
            if profile.storage == "file":  # the keyring might ask to be unlocked: not on Tab
                from cartes_cli.auth.store import credential_key

                store = app.credential_store("file")
                token = store.get(credential_key(profile.name, profile.user, "bearer_token"))
        else:
            cached = app.access_token_cache().load(app.cache_key(profile, platform))
            token = cached[0] if cached else None
    except Exception:
        token = None
    return Session(api_url, _key(api_url, profile.name, profile.user), token)


def _key(api_url: str, profile: str, principal: str) -> str:
    return "\n".join([api_url.rstrip("/"), profile, principal])


# --- fetching, within the budget ---------------------------------------------------------------------


class Deadline:
    def __init__(self, budget: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.end = clock() + budget

    def left(self) -> float:
        return self.end - self._clock()


class _Pending:
    """A task still running when the deadline came."""


PENDING = _Pending()


def in_parallel(tasks: Sequence[Callable[[], Any]], deadline: Deadline) -> list[Any]:
    """Run ``tasks`` in daemon threads; each result, exception, or ``PENDING`` if the deadline
    came first (the thread is abandoned: it only reads)."""
    results: list[Any] = [PENDING] * len(tasks)

    def run(index: int, task: Callable[[], Any]) -> None:
        try:
            results[index] = task()
        except BaseException as exc:
            results[index] = exc

    threads = [
        threading.Thread(target=run, args=(i, t), name="cartes-complete", daemon=True)
        for i, t in enumerate(tasks)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline.left()))
    return results


class FetchError(Exception):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class FetchTimeout(FetchError):
    pass


def _opener(url: str) -> Any:
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None  # a redirect is an error: the bearer token goes to this host only

    handlers: list[Any] = [NoRedirect()]
    if url.startswith("https://"):
        import ssl

        from cartes_cli.transport import default_verify

        verify = default_verify()
        handlers.append(
            urllib.request.HTTPSHandler(
                context=verify if isinstance(verify, ssl.SSLContext) else ssl.create_default_context()
            )
        )
    return urllib.request.build_opener(*handlers)


def get_json(
    session: Session, path: str, params: Mapping[str, Any], deadline: Deadline
) -> tuple[Any, Mapping[str, str]]:
    """``GET {api}{path}`` with the session's token; the decoded JSON and the headers."""
    import urllib.error
    import urllib.parse
    import urllib.request

    from cartes_cli import __version__

    if not session.token:
        raise FetchError("no usable token")
    timeout = deadline.left()
    if timeout <= 0:
        raise FetchTimeout("out of time")
    url = session.api_url.rstrip("/") + path
    if params:
        url += "?" + urllib.parse.urlencode(params)
    if not url.startswith(("http://", "https://")):
        raise FetchError("not an HTTP URL")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
        url,
        headers={
            "Authorization": f"Bearer {session.token}",
            "Accept": "application/json",
            "User-Agent": f"cartes/{__version__} (completion)",
        },
    )
    try:
        with _opener(url).open(request, timeout=timeout) as response:
            body = response.read(MAX_BODY + 1)
            headers = {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        exc.close()
        raise FetchError(f"HTTP {exc.code}", exc.code) from None
    except TimeoutError as exc:
        raise FetchTimeout("timed out") from exc
    except (OSError, ValueError) as exc:
        if isinstance(getattr(exc, "reason", None), TimeoutError):
            raise FetchTimeout("timed out") from exc
        raise FetchError(type(exc).__name__) from exc
    if len(body) > MAX_BODY:
        raise FetchError("answer too large")
    try:
        return json.loads(body), headers
    except ValueError as exc:
        raise FetchError("not JSON") from exc


_RANGE = re.compile(r"/\s*(\d+)\s*$")


def get_list(session: Session, path: str, params: Mapping[str, Any], deadline: Deadline) -> Items:
    """Every item of a paged list (``page``/``limit``, ``Content-Range: a-b/total``): the first
    page, then the others at once, at most ``MAX_PAGES`` pages; incomplete is an error."""
    first, headers = get_json(session, path, {**params, "page": 1, "limit": PAGE_SIZE}, deadline)
    if not isinstance(first, list):
        raise FetchError("not a list")
    match = _RANGE.search(headers.get("content-range", ""))
    total = int(match.group(1)) if match else len(first)
    pages = min(MAX_PAGES, max(1, math.ceil(total / PAGE_SIZE)))
    if pages == 1 or len(first) < PAGE_SIZE:
        return [i for i in first if isinstance(i, dict)]

    def page(number: int) -> Any:
        return get_json(session, path, {**params, "page": number, "limit": PAGE_SIZE}, deadline)[0]

    rest = in_parallel([functools.partial(page, n) for n in range(2, pages + 1)], deadline)
    items = list(first)
    for result in rest:
        if result is PENDING:
            raise FetchTimeout("out of time")
        if isinstance(result, BaseException):
            raise result
        if isinstance(result, list):
            items.extend(result)
    return [i for i in items if isinstance(i, dict)]


# --- the lists ------------------------------------------------------------------------------------------


def _community(c: Any) -> dict[str, Any] | None:
    if not isinstance(c, dict) or not isinstance(c.get("_id"), str):
        return None
    return {"id": c["_id"], "technical_name": c.get("technical_name"), "name": c.get("name")}


def fetch_my_workspaces(session: Session, deadline: Deadline) -> Items:
    me, _headers = get_json(session, "/users/me", {}, deadline)
    items: Items = []
    for membership in (me.get("communities_member") if isinstance(me, dict) else None) or []:
        if not isinstance(membership, dict):
            continue
        community = _community(membership.get("community"))
        if community is not None:
            rights = membership.get("rights")
            community["rights"] = [str(r) for r in rights] if isinstance(rights, list) else []
            items.append(community)
    return items


def fetch_catalogue(session: Session, deadline: Deadline) -> Items:
    found = (_community(c) for c in get_list(session, "/catalogs/communities", {}, deadline))
    return [c for c in found if c is not None]


def _request_item(r: dict[str, Any]) -> dict[str, Any] | None:
    if not isinstance(r.get("_id"), str):
        return None
    requester = r.get("requester")
    if isinstance(requester, dict):
        who = requester.get("email") or " ".join(
            p for p in (requester.get("first_name"), requester.get("last_name")) if p
        )
    else:
        who = requester if isinstance(requester, str) else None
    community = r.get("community")
    if r.get("type") == "datastore":
        where = r.get("technical_name") or r.get("name")
    elif isinstance(community, dict):
        where = community.get("technical_name") or community.get("name")
    else:
        where = None
    return {"id": r["_id"], "type": r.get("type"), "requester": who or None, "workspace": where}


def _requests(path: str) -> Callable[[Session, Deadline], Items]:
    def fetch(session: Session, deadline: Deadline) -> Items:
        try:
            rows = get_list(session, path, {"status": "pending"}, deadline)
        except FetchError as exc:
            if exc.status in (403, 404):  # nothing to decide here, or no request API
                return []
            raise
        found = (_request_item(r) for r in rows)
        return [r for r in found if r is not None]

    return fetch


MY_WORKSPACES = "workspaces.mine"
CATALOGUE = "workspaces.catalogue"
INCOMING = "requests.incoming"
MY_REQUESTS = "requests.mine"

Fetcher = Callable[[Session, Deadline], Items]
LISTS: dict[str, tuple[float, Fetcher]] = {
    MY_WORKSPACES: (WORKSPACES_TTL, fetch_my_workspaces),
    CATALOGUE: (WORKSPACES_TTL, fetch_catalogue),
    INCOMING: (REQUESTS_TTL, _requests("/requests")),
    MY_REQUESTS: (REQUESTS_TTL, _requests("/users/me/requests")),
}


def load_lists(
    session: Session,
    kinds: Iterable[str],
    *,
    cache: CandidateCache | None = None,
    budget: float = BUDGET,
    lists: Mapping[str, tuple[float, Fetcher]] | None = None,
) -> dict[str, Items | None]:
    """Each list from the cache when fresh, else fetched (all together, within ``budget``) and
    cached; None for a list that could not be had."""
    cache = cache or CandidateCache()
    lists = lists or LISTS
    out: dict[str, Items | None] = {}
    missing: list[str] = []
    for kind in kinds:
        ttl, _fetch = lists[kind]
        found = cache.lookup(kind, session.key, ttl)
        if found.state == "fresh":
            out[kind] = found.items
        elif found.state == "backoff" or not session.token:
            out[kind] = None
        else:
            missing.append(kind)
    if missing:
        deadline = Deadline(budget)
        results = in_parallel([functools.partial(lists[k][1], session, deadline) for k in missing], deadline)
        for kind, result in zip(missing, results, strict=True):
            if result is PENDING or isinstance(result, FetchTimeout):
                cache.note_timeout(kind, session.key)
                out[kind] = None
            elif isinstance(result, BaseException) or not isinstance(result, list):
                out[kind] = None
            else:
                cache.save(kind, session.key, result)
                out[kind] = result
    return out


# --- candidates -------------------------------------------------------------------------------------


def looks_like_uuid(text: str, *, min_length: int = 4) -> bool:
    """Is ``text`` the beginning of a UUID (hex digits and dashes in the right places)?"""
    if len(text) < min_length or len(text) > len(_UUID_TEMPLATE):
        return False
    return all(
        (t == "-" and c == "-") or (t == "x" and c in _HEX)
        for c, t in zip(text, _UUID_TEMPLATE, strict=False)
    )


def workspace_candidates(
    mine: Items | None, catalogue: Items | None, incomplete: str, *, exclude_mine: bool = False
) -> list[Candidate]:
    """Technical names (and ids, when ``incomplete`` looks like the start of one), mine first,
    described by the workspace's display name."""
    needle = incomplete.casefold()
    by_id = looks_like_uuid(incomplete)
    mine_ids = {w.get("id") for w in mine or []}
    seen: set[str] = set()
    out: list[Candidate] = []
    rows = [*(() if exclude_mine else (mine or [])), *(catalogue or [])]
    for w in rows:
        wid, tech, name = w.get("id"), w.get("technical_name"), w.get("name")
        if exclude_mine and wid in mine_ids:
            continue
        if isinstance(tech, str) and tech and tech.casefold().startswith(needle) and tech not in seen:
            seen.add(tech)
            out.append((tech, name if isinstance(name, str) else None))
        if by_id and isinstance(wid, str) and wid.lower().startswith(needle) and wid not in seen:
            seen.add(wid)
            label = " – ".join(x for x in (tech, name) if isinstance(x, str) and x)
            out.append((wid, label or None))
    return out


def request_summary(r: Mapping[str, Any]) -> str:
    return _("{type}: {requester} → {workspace}").format(
        type=r.get("type") or "?", requester=r.get("requester") or "?", workspace=r.get("workspace") or "?"
    )


def request_candidates(
    lists: Iterable[Items | None], incomplete: str, *, exclude: Iterable[str] = ()
) -> list[Candidate]:
    """Pending request ids starting with ``incomplete``, described by type, requester and workspace."""
    needle = incomplete.lower()
    seen = {e.strip().lower() for e in exclude}
    out: list[Candidate] = []
    for items in lists:
        for r in items or []:
            rid = r.get("id")
            if isinstance(rid, str) and rid.lower().startswith(needle) and rid.lower() not in seen:
                seen.add(rid.lower())
                out.append((rid, request_summary(r)))
    return out


def profile_candidates(incomplete: str) -> list[Candidate]:
    from cartes_cli.config import DEFAULT_PROFILE, Config

    try:
        config = Config.load()
    except Exception:
        return []
    active = config.active_profile or DEFAULT_PROFILE
    out: list[Candidate] = []
    for name, profile in sorted(config.profiles.items()):
        if not name.startswith(incomplete):
            continue
        where = profile.api_url if profile.env in (None, "custom") else profile.env
        if profile.user:
            text = _("{user} on {platform}").format(user=profile.user, platform=where or "prod")
        else:
            text = _("not logged in")
        if name == active:
            text = _("{description} (active)").format(description=text)
        out.append((name, text))
    return out


def choice_candidates(choices: Mapping[str, str | None], incomplete: str) -> list[Candidate]:
    return [(value, text) for value, text in choices.items() if value.startswith(incomplete)]


def comma_list_candidates(choices: Mapping[str, str | None], incomplete: str) -> list[Candidate]:
    """Complete the last element of a comma-separated list (``UPLOAD,PRO`` → ``UPLOAD,PROCESSING``),
    leaving out the elements already given and keeping the case the user types in."""
    head, sep, last = incomplete.rpartition(",")
    prefix = head + sep
    given = {part.strip().upper() for part in head.split(",") if part.strip()}
    out: list[Candidate] = []
    for value, text in choices.items():
        if value.upper() in given or not value.upper().startswith(last.upper()):
            continue
        shown = value.lower() if last and last.islower() else value
        out.append((prefix + shown, text))
    return out


# --- the option values ------------------------------------------------------------------------------------


def env_choices() -> dict[str, str | None]:
    return {
        "prod": _("the Géoplateforme (cartes.gouv.fr)"),
        "qualif": _("the qualification platform"),
        "sandbox": _("the local sandbox ('cartes sandbox serve')"),
    }


def format_choices() -> dict[str, str | None]:
    from cartes_cli.cli.output import FORMATS

    described = {
        "auto": _("a table on a terminal, tab-separated values otherwise"),
        "csv": _("comma-separated values, for spreadsheets"),
    }
    return {f: described.get(f) for f in FORMATS}


def rights_choices() -> dict[str, str | None]:
    from cartes_cli.client.validation import RIGHT_NAMES

    described = {
        "COMMUNITY": _("administer the workspace and its members"),
        "UPLOAD": _("upload data"),
        "PROCESSING": _("run processings"),
        "BROADCAST": _("publish services"),
        "ANNEX": _("manage annexes"),
    }
    return {r: described.get(r) for r in RIGHT_NAMES}


def _plain(values: Iterable[str]) -> Callable[[], dict[str, str | None]]:
    return lambda: dict.fromkeys(values)


# --- hooking the providers to the command tree -----------------------------------------------------------

Provider = Callable[[Any, Any, str], list[Any]]


# What a candidate may be made of: the zsh script evals what cartes prints, and values and
# descriptions partly come from the platform. Ids, technical names, profile names and the option
# values all fit; anything else is not offered.
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.,@+-]{1,200}$")
_HELP_WIDTH = 80


def _clean_help(text: str | None) -> str | None:
    """One printable line of at most ``_HELP_WIDTH`` characters."""
    if not text:
        return None
    line = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return line if len(line) <= _HELP_WIDTH else line[: _HELP_WIDTH - 1] + "…"


def shell_completion() -> Any:
    """click's ``shell_completion`` module, from the click Typer runs on (see ``click_compat.py``)."""
    import importlib

    from cartes_cli.cli.click_compat import click

    return importlib.import_module(f"{click.__name__}.shell_completion")


def _root_options(ctx: Any) -> dict[str, Any]:
    return dict(ctx.find_root().params or {})


def _provider(make: Callable[[Any, Any, str], list[Candidate]]) -> Provider:
    """A click ``shell_complete`` callback: candidates as ``CompletionItem``, never an error."""

    def complete(ctx: Any, param: Any, incomplete: str) -> list[Any]:
        item = shell_completion().CompletionItem

        try:
            pairs = make(ctx, param, incomplete or "")
        except Exception:
            return []
        return [item(value, help=_clean_help(text)) for value, text in pairs if _SAFE_VALUE.match(value)]

    complete.__name__ = getattr(make, "__name__", "complete")
    return complete


def _choices(choices: Callable[[], Mapping[str, str | None]], *, comma: bool = False) -> Provider:
    def make(ctx: Any, param: Any, incomplete: str) -> list[Candidate]:
        values = choices()
        return comma_list_candidates(values, incomplete) if comma else choice_candidates(values, incomplete)

    return _provider(make)


def _profiles(ctx: Any, param: Any, incomplete: str) -> list[Candidate]:
    return profile_candidates(incomplete)


def _workspaces(scope: str) -> Provider:
    """``scope``: ``all`` (mine, then the public catalogue), ``mine``, or ``joinable`` (the
    catalogue without mine)."""

    def make(ctx: Any, param: Any, incomplete: str) -> list[Candidate]:
        session = resolve_session(_root_options(ctx))
        if session is None:
            return []
        kinds = [MY_WORKSPACES] if scope == "mine" else [MY_WORKSPACES, CATALOGUE]
        lists = load_lists(session, kinds)
        return workspace_candidates(
            lists.get(MY_WORKSPACES),
            None if scope == "mine" else lists.get(CATALOGUE),
            incomplete,
            exclude_mine=scope == "joinable",
        )

    return _provider(make)


def _requests_of(kinds: Sequence[str]) -> Provider:
    def make(ctx: Any, param: Any, incomplete: str) -> list[Candidate]:
        session = resolve_session(_root_options(ctx))
        if session is None:
            return []
        lists = load_lists(session, kinds)
        given = ctx.params.get(param.name) if param.name else None
        exclude = [g for g in given or () if isinstance(g, str)] if isinstance(given, list | tuple) else []
        return request_candidates([lists.get(k) for k in kinds], incomplete, exclude=exclude)

    return _provider(make)


def completer_for(path: tuple[str, ...], param: Any) -> Provider | None:
    """The dynamic completion of one parameter of the command at ``path`` (``("request",
    "approve")``), chosen by the parameter's Python name (stable; help and metavars get translated)."""
    name = getattr(param, "name", None)
    kind = getattr(param, "param_type_name", None)
    group = path[0] if path else ""
    if (name == "profile" and kind == "option") or (path == ("login", "switch") and name == "profile_name"):
        return _provider(_profiles)
    if name == "workspace":
        if path == ("workspace", "join"):
            return _workspaces("joinable")
        if path[:2] in (("workspace", "members"), ("workspace", "member"), ("workspace", "leave")):
            return _workspaces("mine")
        return _workspaces("all")
    if group == "request" and name == "request_id":
        return _requests_of([MY_REQUESTS, INCOMING])
    if group == "request" and name == "ids":
        return _requests_of([INCOMING])
    if name == "rights" and kind == "option":
        return _choices(rights_choices, comma=True)
    if not path and name == "env":
        return _choices(env_choices)
    if not path and name == "format":
        return _choices(format_choices)
    if group == "request" and name == "type_":
        from cartes_cli.cli.request import TYPES

        return _choices(_plain(TYPES))
    if group == "request" and name == "status":
        from cartes_cli.cli.request import STATUSES

        return _choices(_plain(STATUSES))
    if path == ("workspace", "create") and name == "offer":
        from cartes_cli.client.validation import OFFERS

        return _choices(_plain(OFFERS))
    if path == ("completion",) and name == "shell":
        from cartes_cli.cli.completion import SHELLS

        return _choices(_plain(SHELLS))
    if path == ("sandbox", "serve") and name == "seed":
        return _choices(_plain(("demo",)))
    return None


def attach(command: Any, path: tuple[str, ...] = ()) -> int:
    """Give every parameter of the click command tree its dynamic completion; how many got one."""
    count = 0
    for param in getattr(command, "params", []):
        provider = completer_for(path, param)
        if provider is not None:
            param._custom_shell_complete = provider
            count += 1
    for name, sub in (getattr(command, "commands", None) or {}).items():
        count += attach(sub, (*path, name))
    return count


def busy() -> bool:
    """Is a fetch thread still running (abandoned at its deadline)?"""
    return any(t.name == "cartes-complete" and t.is_alive() for t in threading.enumerate())
