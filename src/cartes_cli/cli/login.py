"""``cartes login``, ``cartes login status`` and ``cartes logout``."""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cartes_cli.cli.output import Column, register_fields
from cartes_cli.errors import CredentialStoreError, LoginRefused, UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.auth.store import CredentialStore
    from cartes_cli.cli.context import AppContext
    from cartes_cli.config import Profile
    from cartes_cli.platforms import Platform

login_app = typer.Typer(
    help=_("Log in to the Géoplateforme, and manage the stored logins."),
    invoke_without_command=True,
    no_args_is_help=False,
)

LOGOUT_HELP = _("Log out: revoke the session at the platform and forget the stored token.")

STATUS_COLUMNS = [
    Column("profile", _("PROFILE"), no_wrap=True),
    Column("active", _("ACTIVE"), kind="bool", no_wrap=True),
    Column("platform", _("PLATFORM"), no_wrap=True),
    Column("user", _("USER"), no_wrap=True),
    Column("source", _("SOURCE"), no_wrap=True),
    Column("state", _("STATE"), no_wrap=True),
    Column("expires_at", _("EXPIRES"), kind="datetime", no_wrap=True),
    Column("token", _("TOKEN"), table=False),
    Column("api_url", _("API URL"), table=False),
]
register_fields(*(c.key for c in STATUS_COLUMNS))


def _ctx(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert obj is not None
    return obj  # type: ignore[no-any-return]


@login_app.callback()
def login(
    ctx: typer.Context,
    password_flow: Annotated[
        bool, typer.Option("--password", help=_("Log in with username and password (+ TOTP code)."))
    ] = False,
    username: Annotated[
        str | None,
        typer.Option(
            "--username",
            "-u",
            show_default=False,
            help=_("Username or e-mail (default: $CARTES_USERNAME, or asked)."),
        ),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help=_("Read the password from standard input."))
    ] = False,
    insecure_storage: Annotated[
        bool,
        typer.Option(
            "--insecure-storage",
            help=_("Without a usable system keyring, keep the token in a private file (0600)."),
        ),
    ] = False,
) -> None:
    """Log in (e-mail or username, password and, when the account has one, a TOTP code).

    Non-interactive: CARTES_USERNAME, CARTES_PASSWORD (or --password-stdin) and
    CARTES_TOTP_SECRET, from which the 6-digit code is computed.
    """
    if ctx.invoked_subcommand is not None:
        return
    app = _ctx(ctx)
    term = app.terminal
    # Everything the user gave is checked before the first request.
    profile = app.profile(create=True)
    platform = app.platform(profile, use_profile=True)
    user = username or os.environ.get("CARTES_USERNAME") or None
    if user is None:
        user = term.prompt(_("Username or e-mail")) if term.interactive else None
    if not user or not user.strip():
        raise UsageError(
            _("No username: give --username, set CARTES_USERNAME, or run on a terminal to be asked.")
        )
    user = user.strip()
    password = _read_password(app, password_stdin)

    from cartes_cli.auth.totp import normalise_secret

    totp_secret = os.environ.get("CARTES_TOTP_SECRET") or None
    if totp_secret:
        totp_secret = normalise_secret(totp_secret)
    if os.environ.get("CARTES_TOKEN"):
        term.warn(_("Note: CARTES_TOKEN is set; it wins over stored logins until you unset it."))

    store = _choose_store(app, insecure_storage)

    from cartes_cli.auth.oidc import OIDCClient

    oidc = OIDCClient(platform, debug=app.debug_log())
    try:
        tokens = _login_with_password(app, oidc, profile, user, password, totp_secret)
    finally:
        password = ""
    from cartes_cli.auth.store import credential_key
    from cartes_cli.auth.tokens import jwt_claims

    assert tokens.refresh_token is not None
    if profile.user and profile.storage and (profile.user != user or profile.storage != store.name):
        _forget(app, profile)  # a different account or store replaces the previous login
    store.set(credential_key(profile.name, user), tokens.refresh_token.get_secret_value())
    oidc.close()

    profile.user = user
    profile.storage = store.name
    _record_platform(profile, platform)
    app.config.active_profile = profile.name
    app.config.save()

    claims = jwt_claims(tokens.access_token.get_secret_value())
    who = claims.get("preferred_username") or user
    name = claims.get("name")
    if store.name == "keyring":
        where = _("the system keyring")
    else:
        where = _("{path}, readable only by you (no usable system keyring)").format(
            path=getattr(store, "path", "a private file")
        )
    term.success(
        _("Logged in to {platform} as {who}{name} (profile {profile}); token kept in {where}.").format(
            platform=_platform_label(platform),
            who=who,
            name=f" ({name})" if name else "",
            profile=profile.name,
            where=where,
        )
    )


def _read_password(app: AppContext, from_stdin: bool) -> str:
    term = app.terminal
    if from_stdin:
        data = sys.stdin.readline().rstrip("\r\n")
        if not data:
            raise UsageError(_("--password-stdin: nothing was read from standard input."))
        return data
    env_password = os.environ.get("CARTES_PASSWORD")
    if env_password:
        return env_password
    if term.interactive:
        value = term.prompt(_("Password"), secret=True)
        if value:
            return value
    raise UsageError(
        _("No password: set CARTES_PASSWORD, use --password-stdin, or run on a terminal to be asked.")
    )


def _choose_store(app: AppContext, insecure: bool) -> CredentialStore:
    """Check where the token will go before sending any password."""
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


def _login_with_password(
    app: AppContext, oidc: Any, profile: Profile, user: str, password: str, totp_secret: str | None
) -> Any:
    from cartes_cli.auth.totp import password_login

    term = app.terminal
    code: str | None = None
    if totp_secret is None and profile.totp and profile.user == user and term.interactive:
        code = _ask_code(app)
    try:
        tokens = password_login(oidc, user, password, totp_secret=totp_secret, totp_code=code)
    except LoginRefused as exc:
        # Keycloak answers a missing second factor exactly like a wrong password, so on a terminal
        # we ask for the code once before concluding.
        if totp_secret or code or not term.interactive or exc.error != "invalid_grant" or exc.status != 401:
            raise
        term.info(_("If your account uses two-factor authentication, enter the code from your app."))
        code = _ask_code(app, optional=True)
        if not code:
            raise
        tokens = password_login(oidc, user, password, totp_code=code)
        profile.totp = True
    else:
        profile.totp = bool(totp_secret or code) or (profile.totp and profile.user == user)
    return tokens


def _ask_code(app: AppContext, optional: bool = False) -> str | None:
    label = _("6-digit code (Enter if none)") if optional else _("6-digit code")
    for _attempt in range(3):
        value = app.terminal.prompt(label).strip().replace(" ", "")
        if optional and not value:
            return None
        if len(value) == 6 and value.isdigit():
            return value
        app.terminal.error(_("The code has 6 digits."))
    raise UsageError(_("No valid 6-digit code was given."))


def _record_platform(profile: Profile, platform: Platform) -> None:
    if platform.name in ("prod", "qualif", "sandbox"):
        profile.env = platform.name
        profile.api_url = None
        profile.issuer = None
    else:
        profile.env = "custom"
        profile.api_url = platform.api_url
        profile.issuer = platform.issuer


def _platform_label(platform: Platform) -> str:
    from cartes_cli.cli.context import platform_label

    return platform_label(platform)


def _forget(app: AppContext, profile: Profile, *, revoke_with: Platform | None = None) -> bool:
    """Forget (and, when possible, revoke) the profile's stored login. True if one was stored."""
    from cartes_cli.auth.store import credential_key

    if not profile.user or not profile.storage:
        return False
    store = app.credential_store(profile.storage)
    key = credential_key(profile.name, profile.user)
    token = store.get(key)
    if token and revoke_with is not None:
        from cartes_cli.auth.oidc import OIDCClient
        from cartes_cli.errors import CartesError

        oidc = OIDCClient(revoke_with, debug=app.debug_log())
        try:
            oidc.logout(token)
        except CartesError as exc:
            app.terminal.warn(
                _(
                    "Could not end the session at the platform ({reason}); the token is forgotten "
                    "locally anyway."
                ).format(reason=exc.message.rstrip("."))
            )
        finally:
            oidc.close()
    store.delete(key)
    return bool(token)


def logout(
    ctx: typer.Context,
    all_profiles: Annotated[bool, typer.Option("--all", help=_("Log out of every profile."))] = False,
) -> None:
    """Log out: revoke the session at the platform and forget the stored token."""
    app = _ctx(ctx)
    term = app.terminal
    profiles = list(app.config.profiles.values()) if all_profiles else [app.profile()]
    done = 0
    for profile in profiles:
        if not profile.logged_in:
            continue
        try:
            platform = (
                app.platform(profile, use_profile=True)
                if not all_profiles
                else _profile_platform(app, profile)
            )
        except Exception:  # the platform is gone (sandbox stopped): forget locally
            platform = None
        _forget(app, profile, revoke_with=platform)
        term.success(
            _("Logged out {user} (profile {profile}).").format(user=profile.user, profile=profile.name)
        )
        profile.user = None
        profile.storage = None
        done += 1
    if done:
        app.config.save()
    else:
        term.info(_("Not logged in; nothing to do."))


def _profile_platform(app: AppContext, profile: Profile) -> Platform:
    from cartes_cli import paths, platforms

    if profile.env in ("prod", "qualif", "sandbox"):
        return platforms.resolve_platform(profile.env, None, None, sandbox_state=paths.sandbox_state_file())
    return platforms.resolve_platform(
        None, profile.api_url, profile.issuer, sandbox_state=paths.sandbox_state_file()
    )


login_app.command("logout", help=LOGOUT_HELP)(logout)


@login_app.command("status")
def status(
    ctx: typer.Context,
    show_token: Annotated[
        bool, typer.Option("--show-token", help=_("Show the access tokens in full."))
    ] = False,
) -> None:
    """Show every profile: user, platform, token source, state and expiry.

    Exits 1 when the active profile's login does not work.
    """
    app = _ctx(ctx)
    term = app.terminal
    config = app.config
    active = app.profile_name
    names = sorted(set(config.profiles) | {active})
    rows: list[dict[str, Any]] = []
    active_ok = True
    active_error = ""
    env_token = os.environ.get("CARTES_TOKEN")
    for name in names:
        profile = config.get(name)
        is_active = name == active
        if profile is None:
            from cartes_cli.config import Profile as P

            profile = P(name=name)
        row = _status_row(app, profile, is_active, show_token, env_token if is_active else None)
        rows.append(row)
        if is_active and row["state"] != "ok":
            active_ok = False
            active_error = row.get("error") or _("not logged in; run 'cartes login'.")
    term.print_list(rows, STATUS_COLUMNS)
    if not active_ok:
        term.error(
            _("The active profile {name} cannot be used: {reason}").format(name=active, reason=active_error)
        )
        raise typer.Exit(1)


def _status_row(
    app: AppContext, profile: Profile, is_active: bool, show_token: bool, env_token: str | None
) -> dict[str, Any]:
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
        "token": None,
    }
    if env_token:
        from cartes_cli.auth.tokens import jwt_claims

        claims = jwt_claims(env_token)
        row.update(source="CARTES_TOKEN", user=claims.get("preferred_username") or claims.get("email"))
        exp = claims.get("exp")
        row["expires_at"] = _ts(exp) if isinstance(exp, (int, float)) else None
        row["state"] = "expired" if isinstance(exp, (int, float)) and exp < time.time() else "ok"
        row["token"] = env_token if show_token else _mask(env_token)
        return row
    if not profile.logged_in:
        return row
    row["source"] = "keyring" if profile.storage == "keyring" else "file"
    try:
        platform = _profile_platform(app, profile)
        row["api_url"] = platform.api_url
        manager, _source = app.token_manager(profile, platform)
        token = manager.access_token()
        row["state"] = "ok"
        row["expires_at"] = _ts(manager.tokens.expires_at)
        row["token"] = token if show_token else _mask(token)
    except CartesError as exc:
        from cartes_cli.cli.errors import describe

        row["state"] = _short_state(exc)
        row["error"] = describe(exc)[1]
    except Exception as exc:  # an unusable platform definition
        row["state"] = "error"
        row["error"] = str(exc)
    return row


def _short_state(exc: Exception) -> str:
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


def _mask(token: str) -> str:
    """Enough to tell tokens apart at a glance, never enough to use one."""
    return f"{token[:4]}{'*' * 12}"
