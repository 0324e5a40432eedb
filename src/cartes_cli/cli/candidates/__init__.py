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

The package, by concern: ``cache.py`` (what is kept on disk), ``session.py`` (who is asking, on
which platform), ``fetch.py`` (urllib within the budget), ``lists.py`` (the lists, cached or
fetched), ``values.py`` (the candidates of each kind of argument), ``hooks.py`` (each parameter
of the command tree given its provider). What ``completion_request.py`` and the tests use is
importable from the package itself.
"""

from __future__ import annotations

from cartes_cli.cli.candidates.cache import MAX_BODY, TIMEOUT_BACKOFF, CandidateCache, Items, Lookup
from cartes_cli.cli.candidates.fetch import (
    MAX_PAGES,
    PAGE_SIZE,
    PENDING,
    Deadline,
    FetchError,
    FetchTimeout,
    get_json,
    get_list,
    in_parallel,
)
from cartes_cli.cli.candidates.hooks import Provider, attach, busy, completer_for, shell_completion
from cartes_cli.cli.candidates.lists import (
    BUDGET,
    CATALOGUE,
    INCOMING,
    LISTS,
    MY_REQUESTS,
    MY_WORKSPACES,
    REQUESTS_TTL,
    WORKSPACES_TTL,
    Fetcher,
    fetch_catalogue,
    fetch_my_workspaces,
    load_lists,
)
from cartes_cli.cli.candidates.session import Session, resolve_session
from cartes_cli.cli.candidates.values import (
    Candidate,
    choice_candidates,
    comma_list_candidates,
    env_choices,
    format_choices,
    looks_like_uuid,
    plain_choices,
    profile_candidates,
    request_candidates,
    request_summary,
    rights_choices,
    workspace_candidates,
)

__all__ = [
    "BUDGET",
    "CATALOGUE",
    "INCOMING",
    "LISTS",
    "MAX_BODY",
    "MAX_PAGES",
    "MY_REQUESTS",
    "MY_WORKSPACES",
    "PAGE_SIZE",
    "PENDING",
    "REQUESTS_TTL",
    "TIMEOUT_BACKOFF",
    "WORKSPACES_TTL",
    "Candidate",
    "CandidateCache",
    "Deadline",
    "FetchError",
    "FetchTimeout",
    "Fetcher",
    "Items",
    "Lookup",
    "Provider",
    "Session",
    "attach",
    "busy",
    "choice_candidates",
    "comma_list_candidates",
    "completer_for",
    "env_choices",
    "fetch_catalogue",
    "fetch_my_workspaces",
    "format_choices",
    "get_json",
    "get_list",
    "in_parallel",
    "load_lists",
    "looks_like_uuid",
    "plain_choices",
    "profile_candidates",
    "request_candidates",
    "request_summary",
    "resolve_session",
    "rights_choices",
    "shell_completion",
    "workspace_candidates",
]
