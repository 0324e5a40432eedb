"""Where a login is kept, and how it is forgotten: the credential store is chosen (and found
usable) before any request; a new login replaces the profile's previous one; a logout ends the
session at the platform when it can."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from cartes_cli.cli.login.common import platform_label
from cartes_cli.errors import CredentialStoreError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.auth.store import CredentialStore
    from cartes_cli.auth.tokens import TokenSet
    from cartes_cli.cli.context import AppContext
    from cartes_cli.config import Profile
    from cartes_cli.platforms import Platform

CREDENTIAL_KINDS = ("refresh_token", "totp_secret", "client_secret", "bearer_token", "oidc_client_secret")


def given_oidc_secret() -> dict[str, str]:
    """A client secret the user gave (CARTES_OIDC_CLIENT_SECRET) is kept with the login, in the
    credential store, so that refreshes and the logout can send it without the variable."""
    from cartes_cli.cli.context import ENV_OIDC_CLIENT_SECRET

    secret = (os.environ.get(ENV_OIDC_CLIENT_SECRET) or "").strip()
    return {"oidc_client_secret": secret} if secret else {}


def choose_store(app: AppContext, insecure: bool) -> CredentialStore:
    """Check where the credentials will go before sending anything."""
    from cartes_cli.auth.store import KeyringStore
    from cartes_cli.cli.context import keyring_service

    keyring_store = KeyringStore(service=keyring_service())
    try:
        keyring_store.check_usable()
        return keyring_store
    except CredentialStoreError:
        if not insecure:
            raise  # its sentence says why, and how to fix it (or use --insecure-storage)
    return app.credential_store("file")


def finish(
    app: AppContext,
    profile: Profile,
    platform: Platform,
    store: CredentialStore,
    account: str,
    flow: str,
    tokens: TokenSet,
    client_id: str | None,
    extra: dict[str, str],
    *,
    activate: bool = False,
) -> None:
    """Keep the new login in ``store`` and the profile, and say so (and which profile is active)."""
    from cartes_cli.auth.store import credential_key

    if profile.user and profile.storage:
        forget(app, profile)  # the new login replaces the previous one of this profile
    if tokens.refresh_token is not None:
        store.set(credential_key(profile.name, account), tokens.refresh_token.get_secret_value())
    for kind, value in extra.items():
        store.set(credential_key(profile.name, account, kind), value)
    profile.user = account
    profile.storage = store.name
    profile.flow = flow
    # Refreshing must use the client that obtained the token.
    profile.client_id = client_id if flow != "token" else None
    record_platform(profile, platform)
    config = app.config
    previous = config.active_profile
    first = not previous or previous not in config.profiles or previous == profile.name
    if activate or first:
        config.active_profile = profile.name
    config.save()
    app.cache_access_token(profile, tokens)
    _say_logged_in(app, profile, platform, store, account, tokens)
    say_active(app, profile.name, previous)


def _say_logged_in(
    app: AppContext,
    profile: Profile,
    platform: Platform,
    store: CredentialStore,
    account: str,
    tokens: TokenSet,
) -> None:
    who = tokens.username or account
    name = tokens.claims.get("name")
    if store.name == "keyring":
        where = _("the system keyring")
    else:
        where = _("{path}, readable only by you (no usable system keyring)").format(
            path=getattr(store, "path", None) or _("a private file")
        )
    app.terminal.success(
        _("Logged in to {platform} as {who}{name} (profile {profile}); credentials kept in {where}.").format(
            platform=platform_label(platform),
            who=who,
            name=f" ({name})" if name else "",
            profile=profile.name,
            where=where,
        )
    )


def say_active(app: AppContext, name: str, previous: str | None) -> None:
    """Which profile later commands use: a login never switches it silently."""
    config = app.config
    active = config.active_profile
    if active == name:
        if previous and previous != name:
            app.terminal.info(
                _("{name} is now the active profile (it was {previous}).").format(
                    name=name, previous=previous
                )
            )
        return
    other = config.get(active) if active else None
    who = other.user if other is not None and other.user else _("not logged in")
    app.terminal.info(
        _(
            "The active profile is still {active} ({user}): commands without --profile use it. "
            "To use {name} instead: 'cartes login switch {name}'."
        ).format(active=active, user=who, name=name)
    )


def record_platform(profile: Profile, platform: Platform) -> None:
    if platform.name in ("prod", "qualif", "sandbox"):
        profile.env = platform.name
        profile.api_url = None
        # The platform's identity: another name for the same login server is the same platform.
        profile.issuer = platform.issuer
    else:
        profile.env = "custom"
        profile.api_url = platform.api_url
        profile.issuer = platform.issuer


def forget(app: AppContext, profile: Profile, *, revoke_with: Platform | None = None) -> bool:
    """Forget (and, when possible, end at the platform) the profile's stored login."""
    from cartes_cli.auth.store import credential_key

    if not profile.user or not profile.storage:
        return False
    store = app.credential_store(profile.storage)
    token = store.get(credential_key(profile.name, profile.user))
    if token and revoke_with is not None:
        _end_session(app, profile, store, token, revoke_with)
    found = False
    for kind in CREDENTIAL_KINDS:
        key = credential_key(profile.name, profile.user, kind)
        if kind != "refresh_token" and store.get(key) is None:
            continue
        found = True
        store.delete(key)
    app.forget_access_token(profile)
    return bool(token) or found


def _end_session(
    app: AppContext, profile: Profile, store: CredentialStore, token: str, platform: Platform
) -> None:
    """End the session at the platform, with the client that obtained it; a failure is a warning."""
    from dataclasses import replace

    from cartes_cli.auth.oidc import OIDCClient
    from cartes_cli.errors import CartesError

    if profile.client_id and profile.client_id != platform.client_id:
        platform = replace(
            platform, client_id=profile.client_id, client_secret=platform.secret_for(profile.client_id)
        )
    secret = platform.client_secret or app.stored_oidc_secret(profile, store)
    oidc = OIDCClient(platform, client_secret=secret, debug=app.debug_log())
    try:
        oidc.logout(token)
    except CartesError as exc:
        app.terminal.warn(
            _(
                "Could not end the session at the platform ({reason}); the credentials are forgotten "
                "locally anyway."
            ).format(reason=exc.message.rstrip("."))
        )
    finally:
        oidc.close()
