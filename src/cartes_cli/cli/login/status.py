"""``cartes login status``: every profile with its user, platform, token source, state and expiry;
exits 1 when the active profile's login does not work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cartes_cli.cli.options import context_of
from cartes_cli.cli.output import ESSENTIAL, Column, register_fields
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.config import Profile
    from cartes_cli.platforms import Platform

STATUS_COLUMNS = [
    Column("profile", _("PROFILE"), no_wrap=True, priority=ESSENTIAL),
    Column("active", _("ACTIVE"), kind="bool", no_wrap=True),
    Column("platform", _("PLATFORM"), no_wrap=True),
    Column("user", _("USER"), no_wrap=True, priority=ESSENTIAL),
    Column("source", _("SOURCE"), no_wrap=True, priority=3),
    Column("state", _("STATE"), no_wrap=True, priority=ESSENTIAL),
    Column("expires_at", _("EXPIRES"), kind="datetime", no_wrap=True),
    Column("flow", _("FLOW"), table=False),
    Column("token", _("TOKEN"), table=False),
    Column("api_url", _("API URL"), table=False),
    Column("error", _("ERROR"), table=False),
]
register_fields(*(c.key for c in STATUS_COLUMNS))


@dataclass(frozen=True)
class StatusOptions:
    show_token: bool = False


def run(app: AppContext, options: StatusOptions) -> None:
    from cartes_cli.cli.login.common import env_credential
    from cartes_cli.config import Profile as ProfileRecord

    term = app.terminal
    config = app.config
    active = app.profile_name
    names = sorted(set(config.profiles) | {active})
    rows: list[dict[str, Any]] = []
    active_error: str | None = None
    env_source = env_credential()
    for name in names:
        profile = config.get(name) or ProfileRecord(name=name)
        is_active = name == active
        row = status_row(app, profile, is_active, options.show_token, env_source if is_active else None)
        rows.append(row)
        if is_active and row["state"] != "ok":
            active_error = row.get("error") or _("not logged in; run 'cartes login'.")
    if term.rendering == "table":  # read by a person: the states in their language (data stays as is)
        rows = [_translated(row) for row in rows]
    term.print_list(rows, STATUS_COLUMNS)
    if active_error is not None:
        term.error(
            _("The active profile {name} cannot be used: {reason}").format(name=active, reason=active_error)
        )
        raise typer.Exit(1)


def _translated(row: dict[str, Any]) -> dict[str, Any]:
    states = {
        "ok": _("ok"),
        "not logged in": _("not logged in"),
        "expired": _("expired"),
        "unreachable": _("unreachable"),
        "keyring error": _("keyring error"),
        "error": _("error"),
    }
    sources = {"keyring": _("keyring"), "file": _("file")}  # variable names stay as they are
    return {
        **row,
        "state": states.get(row["state"], row["state"]),
        "source": sources.get(row["source"], row["source"]),
    }


def status_row(
    app: AppContext, profile: Profile, is_active: bool, show_token: bool, env_source: str | None
) -> dict[str, Any]:
    from cartes_cli.cli.login.common import profile_platform
    from cartes_cli.errors import CartesError

    row: dict[str, Any] = {
        "profile": profile.name,
        "active": is_active,
        "platform": profile.env or ("custom" if profile.api_url else None),
        "api_url": profile.api_url,
        "user": profile.user,
        "source": None,
        "state": "not logged in",
        "expires_at": None,
        "flow": profile.flow,
        "token": None,
        "error": None,
    }
    if not profile.logged_in and not env_source:
        return row
    try:
        platform = app.platform(profile) if env_source else profile_platform(profile)
        row["platform"] = platform.name
        row["api_url"] = platform.api_url
        manager, source = app.token_manager(profile, platform)
        row["source"] = source
        token = manager.access_token()
        tokens = manager.tokens
        check_session(app, platform, token)
        row["user"] = tokens.username or tokens.email or row["user"]
        row["state"] = "ok"
        row["expires_at"] = _ts(tokens.expires_at) if tokens.expires_at else None
        row["token"] = token if show_token else mask(token)
        if env_source:
            row["flow"] = "environment"
    except CartesError as exc:
        from cartes_cli.cli.errors import describe

        row["state"] = short_state(exc)
        row["error"] = describe(exc)[1]
        if row["source"] is None:
            row["source"] = env_source or ("keyring" if profile.storage == "keyring" else "file")
    return row


def check_session(app: AppContext, platform: Platform, token: str) -> None:
    """A cached access token proves nothing about the session behind it (ended by a logout
    elsewhere, or by an administrator): ask the login server, as the platform would."""
    from cartes_cli.auth.oidc import OIDCClient
    from cartes_cli.cli.context import request_timeout

    with OIDCClient(platform, debug=app.debug_log(), timeout=request_timeout()) as oidc:
        oidc.userinfo(token)


def short_state(exc: Exception) -> str:
    from cartes_cli import errors as e

    if isinstance(exc, e.TransportError):
        return "unreachable"
    if isinstance(exc, e.AuthRequired):
        return "expired"
    if isinstance(exc, e.CredentialStoreError):
        return "keyring error"
    return "error"


def _ts(epoch: float) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC)


def mask(token: str) -> str:
    """Enough to tell tokens apart at a glance, never enough to use one."""
    return f"{token[:4]}{'*' * 12}"


def command(
    ctx: typer.Context,
    show_token: Annotated[
        bool, typer.Option("--show-token", help=_("Show the access tokens in full."))
    ] = False,
) -> None:
    """Show every profile: user, platform, token source, state and expiry.

    Exits 1 when the active profile's login does not work.
    """
    run(context_of(ctx), StatusOptions(show_token))
