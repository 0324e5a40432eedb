"""Who is asking, on which platform: the session dynamic completion fetches with, found from the
root options without prompting, renewing a login or touching the keyring."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


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
