"""``cartes login`` and its subcommands, and ``cartes logout``.

Every way a person or a pipeline proves who it is:

* ``--web``: authorization code + PKCE in the browser (FranceConnect and ProConnect live there);
* ``--device``: RFC 8628, for SSH sessions and machines without a display;
* ``--password``: username or e-mail, password, and the TOTP code when the account has one;
* ``--client-credentials``: an IGN-issued service account;
* ``--with-token``: a ready bearer token read from standard input.

``CARTES_TOKEN`` and ``CARTES_CLIENT_ID``/``CARTES_CLIENT_SECRET`` win over any stored login and
are never written anywhere.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cartes_cli.cli.output import ESSENTIAL, Column, register_fields
from cartes_cli.errors import CredentialStoreError, LoginRefused, UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.auth.store import CredentialStore
    from cartes_cli.auth.tokens import TokenSet
    from cartes_cli.cli.context import AppContext
    from cartes_cli.config import Profile
    from cartes_cli.platforms import Platform

login_app = typer.Typer(
    help=_("Log in to the Géoplateforme, and manage the stored logins."),
    invoke_without_command=True,
    no_args_is_help=False,
)

LOGOUT_HELP = _("Log out: end the session at the platform and forget the stored credentials.")

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

FLOWS = ("web", "device", "password", "client-credentials", "token")


def _ctx(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert obj is not None
    return obj  # type: ignore[no-any-return]


@login_app.callback()
def login(
    ctx: typer.Context,
    web: Annotated[
        bool, typer.Option("--web", help=_("Log in in the browser (FranceConnect, ProConnect…)."))
    ] = False,
    device: Annotated[
        bool,
        typer.Option("--device", help=_("Log in with a code typed on another device (SSH, no display).")),
    ] = False,
    password_flow: Annotated[
        bool, typer.Option("--password", help=_("Log in with username and password (+ TOTP code)."))
    ] = False,
    with_token: Annotated[
        bool, typer.Option("--with-token", help=_("Read a ready bearer token from standard input."))
    ] = False,
    client_credentials: Annotated[
        bool,
        typer.Option(
            "--client-credentials",
            help=_("Log in as a service account (CARTES_CLIENT_ID / CARTES_CLIENT_SECRET, or asked)."),
        ),
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
    store_totp_secret: Annotated[
        bool,
        typer.Option(
            "--store-totp-secret",
            help=_("Keep the account's TOTP seed in the keyring, so later logins compute the code."),
        ),
    ] = False,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help=_("Print the login URL instead of opening a browser."))
    ] = False,
    insecure_storage: Annotated[
        bool,
        typer.Option(
            "--insecure-storage",
            help=_("Without a usable system keyring, keep the credentials in a private file (0600)."),
        ),
    ] = False,
    activate: Annotated[
        bool,
        typer.Option(
            "--activate",
            help=_(
                "Make this profile the active one (a login with --profile does not, unless it is the first)."
            ),
        ),
    ] = False,
) -> None:
    """Log in to the Géoplateforme and keep the login in the system keyring.

    Without a flag: the password flow when CARTES_USERNAME/CARTES_PASSWORD or --username are
    given; otherwise the browser on a desktop, and the device code over SSH or without a display.

    With --profile, the login goes to that profile and the active profile stays as it was
    (unless there was none): switch with 'cartes login switch PROFILE', or log in with --activate.
    """
    if ctx.invoked_subcommand is not None:
        return
    app = _ctx(ctx)
    chosen = [
        name
        for name, on in (
            ("web", web),
            ("device", device),
            ("password", password_flow),
            ("token", with_token),
            ("client-credentials", client_credentials),
        )
        if on
    ]
    if len(chosen) > 1:
        raise UsageError(
            _("Choose one way to log in: --web, --device, --password, --with-token or --client-credentials.")
        )
    if (username or password_stdin) and chosen and chosen[0] != "password":
        raise UsageError(_("--username and --password-stdin go with the password login only."))
    if store_totp_secret and chosen and chosen[0] != "password":
        raise UsageError(_("--store-totp-secret goes with the password login only."))
    if password_stdin and with_token:
        raise UsageError(_("--password-stdin and --with-token both read standard input; choose one."))

    env_credential = _env_credential()
    if env_credential:
        _explain_env_credential(app, env_credential)
        return

    profile = app.profile(create=True)
    # A new login picks its client afresh (the stored login's client is for refreshing it).
    platform = app.platform(profile, use_profile=True, stored_client=False)
    flow = chosen[0] if chosen else _default_flow(app, platform, username, password_stdin, store_totp_secret)

    # Everything the user gave is checked, and the credential store found usable, before any
    # request is sent: nothing is half-done.
    if flow == "password":
        user, password = _password_inputs(app, username, password_stdin)
        totp_secret = _totp_secret_input(app, store_totp_secret)
        store = _choose_store(app, insecure_storage)
        kept_seed = False
        if totp_secret is None:
            totp_secret = _stored_totp_secret(app, profile, user)
            kept_seed = totp_secret is not None
        typed = not password_stdin and not os.environ.get("CARTES_PASSWORD")
        tokens = _login_with_password(
            app, platform, profile, user, password, totp_secret, retype=typed and app.terminal.interactive
        )
        password = ""
        account = user
        # A seed the user asked to keep stays kept across logins (the new login replaces the old).
        extra = {"totp_secret": totp_secret} if totp_secret and (store_totp_secret or kept_seed) else {}
        extra.update(_given_oidc_secret())
        _finish(
            app,
            profile,
            platform,
            store,
            account,
            "password",
            tokens,
            platform.client_id,
            extra,
            activate=activate,
        )
    elif flow == "token":
        token = _read_stdin_token(app)
        store = _choose_store(app, insecure_storage)
        _login_with_token(app, profile, platform, store, token, activate=activate)
    elif flow == "client-credentials":
        client_id, secret = _client_credential_inputs(app)
        store = _choose_store(app, insecure_storage)
        tokens = _client_credentials_grant(app, platform, client_id, secret)
        _finish(
            app,
            profile,
            platform,
            store,
            client_id,
            "client-credentials",
            tokens,
            client_id,
            {"client_secret": secret},
            activate=activate,
        )
    else:  # a browser or a device: the identity comes with the tokens
        store = _choose_store(app, insecure_storage)
        login_with = _web_login if flow == "web" else _device_login
        tokens = login_with(app, platform, open_browser=not no_browser)
        account = _account_from(tokens)
        _confirm_person(app, profile, platform, account, tokens)
        extra = _given_oidc_secret()
        _finish(
            app,
            profile,
            platform,
            store,
            account,
            flow,
            tokens,
            platform.web_client_id,
            extra,
            activate=activate,
        )


def _confirm_person(
    app: AppContext, profile: Profile, platform: Platform, account: str, tokens: TokenSet
) -> None:
    """A browser or device login is whoever logged in where the URL was opened: whoever saw the
    address could log this CLI into *their* account. When that is not the profile's person, say so
    and, on a terminal, ask before keeping it; refused, the new session is ended at the platform."""
    if not profile.user or profile.user == account or not app.same_platform(profile, platform):
        return
    term = app.terminal
    term.warn(
        _("This login is {who}'s, but profile {profile} was {previous}'s.").format(
            who=account, profile=profile.name, previous=profile.user
        )
    )
    if not term.interactive:
        return
    question = _("Keep {who}'s login in profile {profile}? [y/N]").format(who=account, profile=profile.name)
    if term.prompt(question).strip().lower() in ("y", "yes", "o", "oui"):
        return
    if tokens.refresh_token is not None:
        from cartes_cli.auth.oidc import OIDCClient
        from cartes_cli.errors import CartesError

        oidc = OIDCClient(platform, client_id=platform.web_client_id, debug=app.debug_log())
        try:
            oidc.logout(tokens.refresh_token.get_secret_value())
        except CartesError:
            pass  # it expires anyway; nothing is stored
        finally:
            oidc.close()
    raise UsageError(
        _(
            "Cancelled: {who}'s session was ended and nothing was stored; profile {profile} is unchanged."
        ).format(who=account, profile=profile.name)
    )


def _given_oidc_secret() -> dict[str, str]:
    """A client secret the user gave (CARTES_OIDC_CLIENT_SECRET) is kept with the login, in the
    credential store, so that refreshes and the logout can send it without the variable."""
    from cartes_cli.cli.context import ENV_OIDC_CLIENT_SECRET

    secret = (os.environ.get(ENV_OIDC_CLIENT_SECRET) or "").strip()
    return {"oidc_client_secret": secret} if secret else {}


# --- choosing the flow ---------------------------------------------------------------------------


def _env_credential() -> str | None:
    if os.environ.get("CARTES_TOKEN"):
        return "CARTES_TOKEN"
    from cartes_cli.cli.context import env_service_account

    return "CARTES_CLIENT_ID" if env_service_account() is not None else None


def _explain_env_credential(app: AppContext, variable: str) -> None:
    """An environment credential wins: check that it works, store nothing, say so."""
    profile = app.profile()
    platform = app.platform(profile)
    manager, source = app.token_manager(profile, platform)
    client = app.client_for(platform, manager)
    me = client.users.me()
    who = me.email or getattr(me, "display_name", None) or me.id
    app.terminal.success(
        _(
            "{variable} is set: cartes uses it for every command, as {who} on {platform}, and ignores stored "
            "logins; nothing was stored. Unset it to use 'cartes login'."
        ).format(variable=source or variable, who=who, platform=_platform_label(platform))
    )


def _has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _over_ssh() -> bool:
    return bool(os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY") or os.environ.get("SSH_CLIENT"))


def _default_flow(
    app: AppContext, platform: Platform, username: str | None, password_stdin: bool, store_totp: bool
) -> str:
    if (
        username
        or password_stdin
        or store_totp
        or os.environ.get("CARTES_USERNAME")
        or os.environ.get("CARTES_PASSWORD")
    ):
        return "password"
    if not app.terminal.interactive:
        raise UsageError(
            _(
                "Not on a terminal: say how to log in (CARTES_USERNAME and CARTES_PASSWORD, "
                "--password-stdin, --with-token, --client-credentials, or --device)."
            )
        )
    if platform.web_loopback and not _over_ssh() and _has_display():
        return "web"  # the browser comes back to cartes on this machine
    if platform.device_grant:
        return "device"  # over SSH, or no display: a code typed on any device
    if not platform.web_loopback:
        return "web"  # the address is pasted back: works from any browser, SSH included
    return "password"


# --- password ------------------------------------------------------------------------------------


def _password_inputs(app: AppContext, username: str | None, password_stdin: bool) -> tuple[str, str]:
    term = app.terminal
    user = username or os.environ.get("CARTES_USERNAME") or None
    if user is None and term.interactive:
        user = term.prompt(_("Username or e-mail"))
    if not user or not user.strip():
        raise UsageError(
            _("No username: give --username, set CARTES_USERNAME, or run on a terminal to be asked.")
        )
    return user.strip(), _read_password(app, password_stdin)


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


def _totp_secret_input(app: AppContext, store: bool) -> str | None:
    """The TOTP seed from CARTES_TOTP_SECRET, or with --store-totp-secret from a hidden prompt."""
    from cartes_cli.auth.totp import normalise_secret

    raw = os.environ.get("CARTES_TOTP_SECRET") or None
    if raw is None and store:
        if not app.terminal.interactive:
            raise UsageError(
                _("--store-totp-secret: set CARTES_TOTP_SECRET, or run on a terminal to be asked.")
            )
        raw = app.terminal.prompt(_("TOTP seed (the text under the QR code)"), secret=True)
    return normalise_secret(raw) if raw else None


def _stored_totp_secret(app: AppContext, profile: Profile, user: str) -> str | None:
    if not profile.storage or profile.user != user:
        return None
    from cartes_cli.auth.store import credential_key

    try:
        return app.credential_store(profile.storage).get(credential_key(profile.name, user, "totp_secret"))
    except CredentialStoreError:
        return None


PASSWORD_ATTEMPTS = 3


def _login_with_password(
    app: AppContext,
    platform: Platform,
    profile: Profile,
    user: str,
    password: str,
    totp_secret: str | None,
    *,
    retype: bool = False,
) -> TokenSet:
    """The password grant, with the second factor when the account has one.

    Keycloak answers a missing code exactly like a wrong password ("Invalid user credentials"),
    so the code is asked up front only when this profile knows the account has a second factor
    (remembered after a login with a code). Otherwise, on a terminal, the first refusal offers
    the code once ("wrong password, or two-factor authentication: the code, or Enter to type
    the password again"); a password typed at the prompt (``retype``) is then asked again, up to
    three tries, instead of failing at the first typo."""
    from cartes_cli import paths
    from cartes_cli.auth.oidc import OIDCClient
    from cartes_cli.auth.totp import UsedWindows, password_login

    term = app.terminal
    oidc = OIDCClient(platform, debug=app.debug_log())
    used_windows = UsedWindows(paths.state_dir() / "totp", platform.issuer, user)

    def waiting(seconds: float) -> None:
        term.info(
            _(
                "This account has just logged in with the current one-time code, and a code works "
                "only once: waiting {seconds} s for the next one."
            ).format(seconds=max(1, round(seconds)))
        )

    code: str | None = None
    needs_code = totp_secret is None and profile.totp and profile.user == user
    offered = False
    try:
        for attempt in range(1, PASSWORD_ATTEMPTS + 1):
            if needs_code and code is None and term.interactive:
                code = _ask_code(app)
            try:
                tokens = password_login(
                    oidc,
                    user,
                    password,
                    totp_secret=totp_secret,
                    totp_code=code,
                    used_windows=used_windows,
                    on_wait=waiting,
                )
            except LoginRefused as exc:
                if totp_secret or not term.interactive or not _bad_credentials(exc):
                    raise
                if not offered and not needs_code and code is None:
                    # The one case where a code may be what is missing: offer it once.
                    offered = True
                    if retype:
                        term.error(
                            _(
                                "Wrong password, or the account has two-factor authentication: enter the "
                                "code, or press Enter to type the password again."
                            )
                        )
                        code = _ask_code(app, optional=True, label=_("6-digit code (Enter: password again)"))
                    else:
                        term.info(
                            _("If your account uses two-factor authentication, enter the code from your app.")
                        )
                        code = _ask_code(app, optional=True)
                    if code:
                        try:
                            tokens = password_login(oidc, user, password, totp_code=code)
                        except LoginRefused as again:
                            if not _bad_credentials(again):
                                raise
                            needs_code = True  # the person says the account has one
                            if not retype:
                                raise
                            term.error(_("The password or the code is wrong; try again."))
                        else:
                            profile.totp = True
                            return tokens
                    elif not retype:
                        raise
                elif not retype:
                    raise
                elif code:
                    term.error(_("The password or the code is wrong; try again."))
                else:
                    term.error(_("Wrong password; try again."))
                if attempt == PASSWORD_ATTEMPTS:
                    raise
                password = _read_password(app, False)
                code = None
                continue
            profile.totp = bool(totp_secret or code) or (profile.totp and profile.user == user)
            return tokens
        raise AssertionError("unreachable")
    except LoginRefused as exc:
        raise _credentials_refused(app, exc, second_factor_sent=bool(totp_secret or code)) from exc
    finally:
        oidc.close()


def _bad_credentials(exc: LoginRefused) -> bool:
    """Keycloak's "Invalid user credentials" (a wrong password, or a missing or wrong code)."""
    from cartes_cli.errors import ClientRefused

    if isinstance(exc, ClientRefused) or exc.error != "invalid_grant" or exc.status not in (400, 401):
        return False
    description = " ".join(exc.messages).lower()
    return not description or "invalid user credentials" in description


def _credentials_refused(app: AppContext, exc: LoginRefused, *, second_factor_sent: bool) -> LoginRefused:
    """Keycloak's "Invalid user credentials" said as what it may mean (a refused client, an
    account not set up… keep their own sentences)."""
    from cartes_cli import platforms
    from cartes_cli.errors import ClientRefused

    if isinstance(exc, ClientRefused) or exc.error != "invalid_grant" or exc.status not in (400, 401):
        return exc
    description = " ".join(exc.messages).lower()
    if "invalid user credentials" not in description and description:
        return exc
    if second_factor_sent:
        text = _(
            "Login refused: the password or the 6-digit code is wrong (a code works only once: if it "
            "was used less than a minute ago, wait for the next one)."
        )
        if app.terminal.interactive:
            text += " " + _(
                "Lost your authenticator app (a new phone)? Write to the Géoplateforme's support at "
                "{address}: 'cartes account 2fa lost' drafts the e-mail."
            ).format(address=platforms.SUPPORT_ADDRESS)
    elif app.terminal.interactive:
        text = _("Login refused: wrong username or password.")
    else:
        text = _(
            "Login refused: the password is wrong, or the account has two-factor authentication and "
            "needs a code (set CARTES_TOTP_SECRET to its TOTP seed, or run on a terminal to be asked)."
        )
    text += " " + _(
        "Accounts created through FranceConnect or ProConnect have no password: use 'cartes login --web'."
    )
    return LoginRefused(text, status=exc.status, error="invalid_credentials", messages=exc.messages)


def _ask_code(app: AppContext, optional: bool = False, label: str | None = None) -> str | None:
    label = label or (_("6-digit code (Enter if none)") if optional else _("6-digit code"))
    for _attempt in range(3):
        value = app.terminal.prompt(label).strip().replace(" ", "")
        if optional and not value:
            return None
        if len(value) == 6 and value.isdigit():
            return value
        app.terminal.error(_("The code has 6 digits."))
    raise UsageError(_("No valid 6-digit code was given."))


# --- token, service account, browser, device ------------------------------------------------------


def _read_stdin_token(app: AppContext) -> str:
    data = sys.stdin.readline().strip()
    if data.lower().startswith("bearer "):
        data = data[7:].strip()
    if not data:
        raise UsageError(_("--with-token: no token was read from standard input."))
    if any(c.isspace() for c in data):
        raise UsageError(_("--with-token: the token read from standard input is malformed."))
    from cartes_cli.auth.tokens import jwt_claims

    exp = jwt_claims(data).get("exp")
    if isinstance(exp, (int, float)) and exp < time.time():
        raise UsageError(_("--with-token: this token has already expired."))
    return data


def _login_with_token(
    app: AppContext,
    profile: Profile,
    platform: Platform,
    store: CredentialStore,
    token: str,
    *,
    activate: bool,
) -> None:
    from cartes_cli.auth.session import TokenManager
    from cartes_cli.auth.tokens import jwt_claims

    manager = TokenManager.static(token, source="token")
    me = app.client_for(platform, manager).users.me()  # proves the token works before storing it
    claims = jwt_claims(token)
    account = claims.get("preferred_username") or me.email or me.id
    tokens = manager.tokens
    _finish(
        app,
        profile,
        platform,
        store,
        str(account),
        "token",
        tokens,
        None,
        {"bearer_token": token},
        activate=activate,
    )


def _client_credential_inputs(app: AppContext) -> tuple[str, str]:
    term = app.terminal
    client_id = os.environ.get("CARTES_CLIENT_ID") or None
    secret = os.environ.get("CARTES_CLIENT_SECRET") or None
    if client_id is None and term.interactive:
        client_id = term.prompt(_("Client id"))
    if not client_id:
        raise UsageError(_("No client id: set CARTES_CLIENT_ID, or run on a terminal to be asked."))
    if secret is None and term.interactive:
        secret = term.prompt(_("Client secret"), secret=True)
    if not secret:
        raise UsageError(_("No client secret: set CARTES_CLIENT_SECRET, or run on a terminal to be asked."))
    return client_id.strip(), secret.strip()


def _client_credentials_grant(app: AppContext, platform: Platform, client_id: str, secret: str) -> TokenSet:
    from dataclasses import replace

    from cartes_cli.auth.oidc import OIDCClient

    oidc = OIDCClient(replace(platform, client_id=client_id), client_secret=secret, debug=app.debug_log())
    try:
        return oidc.client_credentials()
    finally:
        oidc.close()


def _opener(open_browser: bool) -> Callable[[str], bool]:
    def opener(url: str) -> bool:
        if not open_browser:
            return False
        import webbrowser

        try:
            return webbrowser.open(url)
        except Exception:  # no usable browser: the URL is printed anyway
            return False

    return opener


def _web_login(app: AppContext, platform: Platform, *, open_browser: bool) -> TokenSet:
    from cartes_cli.auth.oidc import OIDCClient

    oidc = OIDCClient(platform, debug=app.debug_log())
    try:
        if platform.web_loopback:
            return _loopback_login(app, oidc, platform, _opener(open_browser and _has_display()))
        return _pasted_login(app, oidc, platform, _opener(open_browser and _has_display()))
    finally:
        oidc.close()


def _loopback_login(
    app: AppContext, oidc: Any, platform: Platform, opener: Callable[[str], bool]
) -> TokenSet:
    from cartes_cli.auth.web import WebLogin

    term = app.terminal
    flow = WebLogin(oidc, client_id=platform.web_client_id, open_browser=None)
    try:
        flow.check()
        url = flow.authorization_url
        if opener(url):
            term.info(_("A browser window opened to log in. If it did not, open this address:"))
        else:
            term.info(_("Open this address in a browser to log in:"))
        term.info(f"  {url}")
        term.info(_("Waiting for the browser… (Ctrl-C to cancel)"))
        return flow.wait()
    finally:
        flow.close()


PASTE_ATTEMPTS = 3


def _step_printer(term: Any) -> Callable[[str], None]:
    """Numbered instructions wrapped at word boundaries to the terminal's width, each continuation
    line indented under its text (a terminal would cut words at the last column)."""
    import shutil
    import textwrap

    width = max(40, min(shutil.get_terminal_size((100, 24)).columns, 100) - 1)

    def say(text: str) -> None:
        lead = len(text) - len(text.lstrip(" "))
        number = text.lstrip(" ").split(" ", 1)[0]
        indent = " " * (lead + (len(number) + 1 if number.rstrip(".").isdigit() else 0))
        term.info(textwrap.fill(text, width=width, subsequent_indent=indent, break_on_hyphens=False))

    return say


def _pasted_login(app: AppContext, oidc: Any, platform: Platform, opener: Callable[[str], bool]) -> TokenSet:
    """The browser login where the browser cannot come back to cartes: the platform's client only
    accepts its own page as redirect (gpf-warehouse and the Swagger UI's page, on prod). The person
    logs in, then pastes the address the browser lands on."""
    from urllib.parse import urlsplit

    from cartes_cli.auth.web import PastedLogin, PasteRejected

    term = app.terminal
    if not term.interactive:
        raise UsageError(
            _(
                "The browser login on {platform} needs you to paste an address back: run it on a terminal. "
                "In scripts, use CARTES_USERNAME and CARTES_PASSWORD, a service account, or CARTES_TOKEN."
            ).format(platform=_platform_label(platform))
        )
    flow = PastedLogin(oidc, client_id=platform.web_client_id, redirect_uri=platform.web_redirect)
    flow.check()
    url = flow.authorization_url
    landing = urlsplit(platform.web_redirect).netloc
    say = _step_printer(term)
    say(
        _(
            "1. Log in in a browser, on this machine or any other (e-mail and password, "
            "FranceConnect or ProConnect):"
        )
    )
    term.info(f"   {url}")  # one line, never wrapped: it is copied whole
    if opener(url):
        say(_("   (a browser window opened on this address)"))
    say(
        _(
            "2. The login ends on a page of {host} that stays blank or shows an error: that is expected. "
            "Copy the whole address from the browser's address bar."
        ).format(host=landing)
    )
    say(_("3. Paste it here (the code in it lasts about a minute):"))
    for attempt in range(1, PASTE_ATTEMPTS + 1):
        pasted = term.prompt(_("Address"))
        try:
            return flow.answer(pasted)
        except PasteRejected as exc:
            if attempt == PASTE_ATTEMPTS:
                raise
            term.error(exc.message)
        except LoginRefused as exc:
            if exc.error != "invalid_grant" or attempt == PASTE_ATTEMPTS:
                raise
            # The code expired (it lasts about a minute) or was used: the same address gives a new one.
            term.error(
                _(
                    "The platform refused that code: it has expired or was already used. Open the address "
                    "in step 1 again (you are still logged in there) and paste the new address."
                )
            )
    raise AssertionError("unreachable")


def _device_login(app: AppContext, platform: Platform, *, open_browser: bool) -> TokenSet:
    from cartes_cli.auth.device import DeviceLogin
    from cartes_cli.auth.oidc import OIDCClient

    term = app.terminal
    if not platform.device_grant:
        raise UsageError(
            _(
                "The device login is not available on {platform}: its OIDC client {client} does not have "
                "the device grant. Use 'cartes login --web' (it works over SSH too), or set "
                "CARTES_OIDC_CLIENT_ID to a client that has it (oidc_device = true in the profile)."
            ).format(platform=_platform_label(platform), client=platform.web_client_id)
        )
    oidc = OIDCClient(platform, debug=app.debug_log())
    try:
        flow = DeviceLogin(oidc, client_id=platform.web_client_id)
        auth = flow.start()
        term.info("")
        term.info(_("First copy your one-time code:  {code}").format(code=auth.user_code))
        term.info(_("Then open {url} on any device and enter it.").format(url=auth.verification_uri))
        if auth.verification_uri_complete:
            term.info(_("(or open {url} directly)").format(url=auth.verification_uri_complete))
        term.info(_("Waiting for the authorization… (Ctrl-C to cancel)"))
        return flow.poll(auth)
    finally:
        oidc.close()


def _account_from(tokens: TokenSet) -> str:
    return str(tokens.username or tokens.email or tokens.claims.get("sub") or "user")


# --- storing ---------------------------------------------------------------------------------------


def _choose_store(app: AppContext, insecure: bool) -> CredentialStore:
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


def _finish(
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
    from cartes_cli.auth.store import credential_key

    if profile.user and profile.storage:
        _forget(app, profile)  # the new login replaces the previous one of this profile
    if tokens.refresh_token is not None:
        store.set(credential_key(profile.name, account), tokens.refresh_token.get_secret_value())
    for kind, value in extra.items():
        store.set(credential_key(profile.name, account, kind), value)
    profile.user = account
    profile.storage = store.name
    profile.flow = flow
    # Refreshing must use the client that obtained the token.
    profile.client_id = client_id if flow != "token" else None
    _record_platform(profile, platform)
    config = app.config
    previous = config.active_profile
    first = not previous or previous not in config.profiles or previous == profile.name
    if activate or first:
        config.active_profile = profile.name
    config.save()
    app.cache_access_token(profile, tokens)

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
            platform=_platform_label(platform),
            who=who,
            name=f" ({name})" if name else "",
            profile=profile.name,
            where=where,
        )
    )
    _say_active(app, profile.name, previous)


def _say_active(app: AppContext, name: str, previous: str | None) -> None:
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


def _record_platform(profile: Profile, platform: Platform) -> None:
    if platform.name in ("prod", "qualif", "sandbox"):
        profile.env = platform.name
        profile.api_url = None
        # The platform's identity: another name for the same login server is the same platform.
        profile.issuer = platform.issuer
    else:
        profile.env = "custom"
        profile.api_url = platform.api_url
        profile.issuer = platform.issuer


def _platform_label(platform: Platform) -> str:
    from cartes_cli.cli.context import platform_label

    return platform_label(platform)


CREDENTIAL_KINDS = ("refresh_token", "totp_secret", "client_secret", "bearer_token", "oidc_client_secret")


def _forget(app: AppContext, profile: Profile, *, revoke_with: Platform | None = None) -> bool:
    """Forget (and, when possible, end at the platform) the profile's stored login."""
    from cartes_cli.auth.store import credential_key

    if not profile.user or not profile.storage:
        return False
    store = app.credential_store(profile.storage)
    token = store.get(credential_key(profile.name, profile.user))
    if token and revoke_with is not None:
        from dataclasses import replace

        from cartes_cli.auth.oidc import OIDCClient
        from cartes_cli.errors import CartesError

        platform = revoke_with
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
    found = False
    for kind in CREDENTIAL_KINDS:
        key = credential_key(profile.name, profile.user, kind)
        if kind != "refresh_token" and store.get(key) is None:
            continue
        found = True
        store.delete(key)
    app.forget_access_token(profile)
    return bool(token) or found


def logout(
    ctx: typer.Context,
    all_profiles: Annotated[bool, typer.Option("--all", help=_("Log out of every profile."))] = False,
) -> None:
    """Log out: end the session at the platform and forget the stored credentials."""
    app = _ctx(ctx)
    term = app.terminal
    profiles = list(app.config.profiles.values()) if all_profiles else [app.profile()]
    done = 0
    for profile in profiles:
        if not profile.logged_in:
            continue
        try:
            platform: Platform | None = _profile_platform(profile)
        except Exception:  # the platform is gone (a stopped sandbox): forget locally
            platform = None
        _forget(app, profile, revoke_with=platform)
        term.success(
            _("Logged out {user} (profile {profile}).").format(user=profile.user, profile=profile.name)
        )
        profile.user = None
        profile.storage = None
        profile.flow = None
        done += 1
    if done:
        app.config.save()
    else:
        term.info(_("Not logged in; nothing to do."))
    if os.environ.get("CARTES_TOKEN") or os.environ.get("CARTES_CLIENT_ID"):
        term.warn(_("Note: an environment credential (CARTES_TOKEN or CARTES_CLIENT_ID) is still set."))


def _profile_platform(profile: Profile) -> Platform:
    from cartes_cli import paths, platforms
    from cartes_cli.cli.context import client_overrides

    state = paths.sandbox_state_files()
    overrides = client_overrides(profile)
    if profile.env in ("prod", "qualif", "sandbox"):
        return platforms.resolve_platform(
            profile.env, None, None, sandbox_state=state, client_id=profile.client_id, overrides=overrides
        )
    return platforms.resolve_platform(
        None,
        profile.api_url,
        profile.issuer,
        sandbox_state=state,
        client_id=profile.client_id,
        overrides=overrides,
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
    active_error: str | None = None
    env_source = _env_credential()
    for name in names:
        from cartes_cli.config import Profile as ProfileRecord

        profile = config.get(name) or ProfileRecord(name=name)
        is_active = name == active
        row = _status_row(app, profile, is_active, show_token, env_source if is_active else None)
        rows.append(row)
        if is_active and row["state"] != "ok":
            active_error = row.get("error") or _("not logged in; run 'cartes login'.")
    if term.rendering == "table":  # read by a person: the states in their language (data stays as is)
        states = {
            "ok": _("ok"),
            "not logged in": _("not logged in"),
            "expired": _("expired"),
            "unreachable": _("unreachable"),
            "keyring error": _("keyring error"),
            "error": _("error"),
        }
        sources = {"keyring": _("keyring"), "file": _("file")}  # variable names stay as they are
        rows = [
            {
                **row,
                "state": states.get(row["state"], row["state"]),
                "source": sources.get(row["source"], row["source"]),
            }
            for row in rows
        ]
    term.print_list(rows, STATUS_COLUMNS)
    if active_error is not None:
        term.error(
            _("The active profile {name} cannot be used: {reason}").format(name=active, reason=active_error)
        )
        raise typer.Exit(1)


def _status_row(
    app: AppContext, profile: Profile, is_active: bool, show_token: bool, env_source: str | None
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
        "flow": profile.flow,
        "token": None,
        "error": None,
    }
    if not profile.logged_in and not env_source:
        return row
    try:
        platform = app.platform(profile) if env_source else _profile_platform(profile)
        row["platform"] = platform.name
        row["api_url"] = platform.api_url
        manager, source = app.token_manager(profile, platform)
        row["source"] = source
        token = manager.access_token()
        tokens = manager.tokens
        _check_session(app, platform, token)
        row["user"] = tokens.username or tokens.email or row["user"]
        row["state"] = "ok"
        row["expires_at"] = _ts(tokens.expires_at) if tokens.expires_at else None
        row["token"] = token if show_token else _mask(token)
        if env_source:
            row["flow"] = "environment"
    except CartesError as exc:
        from cartes_cli.cli.errors import describe

        row["state"] = _short_state(exc)
        row["error"] = describe(exc)[1]
        if row["source"] is None:
            row["source"] = env_source or ("keyring" if profile.storage == "keyring" else "file")
    return row


def _check_session(app: AppContext, platform: Platform, token: str) -> None:
    """A cached access token proves nothing about the session behind it (ended by a logout
    elsewhere, or by an administrator): ask the login server, as the platform would."""
    from cartes_cli.auth.oidc import OIDCClient
    from cartes_cli.cli.context import request_timeout

    with OIDCClient(platform, debug=app.debug_log(), timeout=request_timeout()) as oidc:
        oidc.userinfo(token)


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


@login_app.command("token")
def token(ctx: typer.Context) -> None:
    """Print a valid access token (renewed if needed), and nothing else.

    For other tools: cartes login token | other-tool --password-stdin
    """
    app = _ctx(ctx)
    profile = app.profile()
    platform = app.platform(profile)
    manager, _source = app.token_manager(profile, platform)
    app.terminal.out(manager.access_token())


@login_app.command("refresh")
def refresh(ctx: typer.Context) -> None:
    """Renew the access token now (and the stored refresh token)."""
    app = _ctx(ctx)
    profile = app.profile()
    platform = app.platform(profile)
    manager, source = app.token_manager(profile, platform)
    if not manager.can_refresh:
        raise UsageError(
            _("This login ({source}) cannot be renewed; give a new token.").format(source=source)
        )
    tokens = manager.refresh()
    minutes = max(0, int((tokens.expires_at - time.time()) // 60)) if tokens.expires_at else 0
    app.terminal.success(
        _("Token renewed for {user} (profile {profile}); it expires in {n} min.").format(
            user=tokens.username or profile.user, profile=profile.name, n=minutes
        )
    )


@login_app.command("switch")
def switch(
    ctx: typer.Context,
    profile_name: Annotated[str, typer.Argument(metavar="PROFILE", help=_("The profile to make active."))],
) -> None:
    """Make another profile the active one."""
    from cartes_cli.config import validate_profile_name

    app = _ctx(ctx)
    validate_profile_name(profile_name)
    config = app.config
    if profile_name not in config.profiles:
        known = ", ".join(sorted(config.profiles)) or _("none")
        raise UsageError(
            _("Unknown profile {name!r} (known profiles: {known}).").format(name=profile_name, known=known)
        )
    config.active_profile = profile_name
    config.save()
    profile = config.profiles[profile_name]
    app.terminal.success(
        _("Active profile: {name} ({user} on {platform}).").format(
            name=profile_name,
            user=profile.user or _("not logged in"),
            platform=profile.env or profile.api_url,
        )
    )
