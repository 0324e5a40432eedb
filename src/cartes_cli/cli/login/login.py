"""``cartes login``: the checks made before anything is sent, and the choice of a flow.

Each flow is a module of its own (``password``, ``with_token``, ``service_account``, ``web`` with
``pasted``, ``device``), with ``log_in(app, options, profile, platform)``; they share how a login
is kept (``storing``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from cartes_cli.cli.options import context_of
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from collections.abc import Callable

    from cartes_cli.cli.context import AppContext
    from cartes_cli.config import Profile
    from cartes_cli.platforms import Platform

FLOWS = ("web", "device", "password", "client-credentials", "token")


# The options of the Typer function, declared as types so that it stays a list of names.
WebOpt = Annotated[bool, typer.Option("--web", help=_("Log in in the browser (FranceConnect, ProConnect…)."))]
DeviceOpt = Annotated[
    bool,
    typer.Option("--device", help=_("Log in with a code typed on another device (SSH, no display).")),
]
PasswordOpt = Annotated[
    bool, typer.Option("--password", help=_("Log in with username and password (+ TOTP code)."))
]
WithTokenOpt = Annotated[
    bool, typer.Option("--with-token", help=_("Read a ready bearer token from standard input."))
]
ClientCredentialsOpt = Annotated[
    bool,
    typer.Option(
        "--client-credentials",
        help=_("Log in as a service account (CARTES_CLIENT_ID / CARTES_CLIENT_SECRET, or asked)."),
    ),
]
UsernameOpt = Annotated[
    str | None,
    typer.Option(
        "--username",
        "-u",
        show_default=False,
        help=_("Username or e-mail (default: $CARTES_USERNAME, or asked)."),
    ),
]
PasswordStdinOpt = Annotated[
    bool, typer.Option("--password-stdin", help=_("Read the password from standard input."))
]
StoreTotpSecretOpt = Annotated[
    bool,
    typer.Option(
        "--store-totp-secret",
        help=_("Keep the account's TOTP seed in the keyring, so later logins compute the code."),
    ),
]
NoBrowserOpt = Annotated[
    bool, typer.Option("--no-browser", help=_("Print the login URL instead of opening a browser."))
]
InsecureStorageOpt = Annotated[
    bool,
    typer.Option(
        "--insecure-storage",
        help=_("Without a usable system keyring, keep the credentials in a private file (0600)."),
    ),
]
ActivateOpt = Annotated[
    bool,
    typer.Option(
        "--activate",
        help=_("Make this profile the active one (a login with --profile does not, unless it is the first)."),
    ),
]


@dataclass(frozen=True)
class LoginOptions:
    """What ``cartes login`` was asked: at most one flow flag, and the flags that go with them."""

    web: bool = False
    device: bool = False
    password: bool = False
    with_token: bool = False
    client_credentials: bool = False
    username: str | None = None
    password_stdin: bool = False
    store_totp_secret: bool = False
    no_browser: bool = False
    insecure_storage: bool = False
    activate: bool = False

    @property
    def chosen(self) -> list[str]:
        """The flows the flags name, in the order of the refusal's sentence."""
        flags = (
            ("web", self.web),
            ("device", self.device),
            ("password", self.password),
            ("token", self.with_token),
            ("client-credentials", self.client_credentials),
        )
        return [name for name, on in flags if on]


def check(options: LoginOptions) -> str | None:
    """The flow the flags choose (None: chosen later), or a refusal before anything is sent."""
    chosen = options.chosen
    if len(chosen) > 1:
        raise UsageError(
            _("Choose one way to log in: --web, --device, --password, --with-token or --client-credentials.")
        )
    if (options.username or options.password_stdin) and chosen and chosen[0] != "password":
        raise UsageError(_("--username and --password-stdin go with the password login only."))
    if options.store_totp_secret and chosen and chosen[0] != "password":
        raise UsageError(_("--store-totp-secret goes with the password login only."))
    if options.password_stdin and options.with_token:
        raise UsageError(_("--password-stdin and --with-token both read standard input; choose one."))
    return chosen[0] if chosen else None


def run(app: AppContext, options: LoginOptions) -> None:
    from cartes_cli.cli.login.choose import default_flow, explain_env_credential
    from cartes_cli.cli.login.common import env_credential

    chosen = check(options)
    variable = env_credential()
    if variable:
        explain_env_credential(app, variable)
        return
    profile = app.profile(create=True)
    # A new login picks its client afresh (the stored login's client is for refreshing it).
    platform = app.platform(profile, use_profile=True, stored_client=False)
    flow = chosen or default_flow(
        app, platform, options.username, options.password_stdin, options.store_totp_secret
    )
    # Everything the user gave is checked, and the credential store found usable, before any
    # request is sent: nothing is half-done.
    _flow(flow)(app, options, profile, platform)


def _flow(name: str) -> Callable[[AppContext, LoginOptions, Profile, Platform], None]:
    from cartes_cli.cli.login import device, password, service_account, web, with_token

    if name == "password":
        return password.log_in
    if name == "token":
        return with_token.log_in
    if name == "client-credentials":
        return service_account.log_in
    return web.log_in if name == "web" else device.log_in


def command(
    ctx: typer.Context,
    web: WebOpt = False,
    device: DeviceOpt = False,
    password_flow: PasswordOpt = False,
    with_token: WithTokenOpt = False,
    client_credentials: ClientCredentialsOpt = False,
    username: UsernameOpt = None,
    password_stdin: PasswordStdinOpt = False,
    store_totp_secret: StoreTotpSecretOpt = False,
    no_browser: NoBrowserOpt = False,
    insecure_storage: InsecureStorageOpt = False,
    activate: ActivateOpt = False,
) -> None:
    """Log in to the Géoplateforme and keep the login in the system keyring.

    Without a flag: the password flow when CARTES_USERNAME/CARTES_PASSWORD or --username are
    given; otherwise the browser on a desktop, and the device code over SSH or without a display.

    With --profile, the login goes to that profile and the active profile stays as it was
    (unless there was none): switch with 'cartes login switch PROFILE', or log in with --activate.
    """
    if ctx.invoked_subcommand is not None:
        return
    options = LoginOptions(
        web=web,
        device=device,
        password=password_flow,
        with_token=with_token,
        client_credentials=client_credentials,
        username=username,
        password_stdin=password_stdin,
        store_totp_secret=store_totp_secret,
        no_browser=no_browser,
        insecure_storage=insecure_storage,
        activate=activate,
    )
    run(context_of(ctx), options)
