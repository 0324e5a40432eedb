"""``cartes account 2fa enable``: turn on two-factor authentication. The seed is shown once, on
purpose, with its QR code; a first code from the app confirms it (asked on a terminal, else
``--code`` or ``CARTES_TOTP_SECRET`` in a second run); the seed may then be kept in the keyring."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from cartes_cli.cli.account.browser import send_to_browser
from cartes_cli.cli.account.platform import action_url, app_context, platform_and_capabilities
from cartes_cli.cli.account.prompts import ask_code, yes
from cartes_cli.cli.account.qr import print_qr
from cartes_cli.cli.account.twofa.seed import logged_in_profile, seed_from_env
from cartes_cli.cli.output import Column, register_fields
from cartes_cli.errors import CartesError, UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.client import GeoplateformeClient
    from cartes_cli.client.models import TotpSetup
    from cartes_cli.config import Profile

TOTP_COLUMNS = [
    Column("secret", _("SEED")),
    Column("otpauth_uri", _("URI")),
    Column("status", _("STATUS")),
]
register_fields(*(c.key for c in TOTP_COLUMNS))


@dataclass(frozen=True)
class EnableOptions:
    code: str | None = None
    store_secret: bool | None = None
    no_browser: bool = False


def run(app: AppContext, options: EnableOptions) -> None:
    from cartes_cli.auth.totp import normalise_code

    term = app.terminal
    code = normalise_code(options.code) if options.code is not None else None
    env_seed = seed_from_env()
    confirming = bool(code or env_seed)
    if options.store_secret and confirming and not env_seed:
        raise UsageError(_("--store-secret needs the seed: set CARTES_TOTP_SECRET."))
    platform, caps = platform_and_capabilities(app)
    if not caps.accounts:
        send_to_browser(
            app,
            action_url(platform, "CONFIGURE_TOTP"),
            _("On this platform, two-factor authentication is set up on its login page."),
            no_browser=options.no_browser,
        )
        return
    client = app.client()
    seed: str | None
    if confirming:
        _confirm(client, code, env_seed)
        seed = env_seed
    else:
        seed = _set_up(app, client)
        if seed is None:
            return
    profile = logged_in_profile(app)
    if profile is not None:
        profile.totp = True
        app.config.save()
    term.success(_("Two-factor authentication is on: each login now asks for a code from the app."))
    store_secret = options.store_secret
    if store_secret is None and term.interactive and seed and profile is not None:
        store_secret = yes(
            app, _("Keep the seed in the keyring, so that 'cartes login' computes the code itself?")
        )
    if store_secret and seed:
        _store(app, profile, seed)


def _confirm(client: GeoplateformeClient, code: str | None, env_seed: str | None) -> None:
    """Confirm a set-up started earlier with a code given (or computed from the seed)."""
    from cartes_cli.auth.totp import current_code
    from cartes_cli.errors import InvalidInput

    try:
        client.account.totp_confirm(code or current_code(env_seed or ""))
    except InvalidInput:
        raise UsageError(
            _("The platform refused the code: check the app's clock and the seed, then try again.")
        ) from None


def _set_up(app: AppContext, client: GeoplateformeClient) -> str | None:
    """A new seed, shown; on a terminal, confirmed with a first code (the seed returned)."""
    from cartes_cli.errors import InvalidInput

    term = app.terminal
    setup = client.account.totp_setup()
    show_seed(app, setup)
    if not term.interactive:
        term.info(
            _(
                "Two-factor authentication is not on yet: add the seed to your app, then confirm with "
                "'cartes account 2fa enable --code CODE'."
            )
        )
        return None
    for attempt in range(3):
        first = ask_code(app, _("First 6-digit code from the app"))
        assert first is not None
        try:
            client.account.totp_confirm(first)
            break
        except InvalidInput:
            if attempt == 2:
                raise CartesError(
                    _("Three wrong codes: two-factor authentication is not on. Run the command again.")
                ) from None
            term.error(_("Wrong code; check the app's clock, then type the current code."))
    return setup.secret.get_secret_value()


def _store(app: AppContext, profile: Profile | None, seed: str) -> None:
    """Keep the seed with the stored login, so that 'cartes login' computes the code."""
    term = app.terminal
    if profile is None or not profile.user:
        term.warn(_("Not logged in with a stored login: the seed was not kept."))
        return
    from cartes_cli.auth.totp import store_totp_secret

    store = app.credential_store(profile.storage)
    store_totp_secret(store, profile.name, profile.user, seed)
    where = _("the system keyring") if store.name == "keyring" else _("the private credential file")
    term.success(
        _("The seed is kept in {where} for profile {profile}.").format(where=where, profile=profile.name)
    )


def show_seed(app: AppContext, setup: TotpSetup) -> None:
    """The seed and its QR code, shown once (an object with --json)."""
    term = app.terminal
    seed = setup.secret.get_secret_value()
    uri = setup.otpauth_uri.get_secret_value() if setup.otpauth_uri is not None else None
    if term.rendering == "json":
        term.print_object({"secret": seed, "otpauth_uri": uri, "status": "pending"}, TOTP_COLUMNS)
        return
    term.info(_("Scan this QR code with your authenticator app (or type the seed below):"))
    if uri:
        print_qr(term, uri)
    term.out(_("Seed: {seed}").format(seed=setup.grouped_secret()))
    if uri:
        term.out(_("URI:  {uri}").format(uri=uri))


def command(
    ctx: typer.Context,
    code: Annotated[
        str | None,
        typer.Option(
            "--code",
            help=_("A first code from the app, to confirm a set-up started earlier."),
            show_default=False,
        ),
    ] = None,
    store_secret: Annotated[
        bool | None,
        typer.Option(
            "--store-secret/--no-store-secret",
            help=_("Keep the seed in the keyring so logins compute the code (asked on a terminal)."),
            show_default=False,
        ),
    ] = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help=_("On the real platform: print the address, open nothing."))
    ] = False,
) -> None:
    """Turn on two-factor authentication: shows the seed and its QR code, then asks for a first code.

    In a script: a first run prints the seed; then confirm with --code, or with the seed in
    CARTES_TOTP_SECRET (which also lets --store-secret keep it). Keep the seed safe: if the app
    is lost, only the support (geoplateforme@ign.fr) can reset it ('cartes account 2fa lost').
    """
    run(app_context(ctx), EnableOptions(code=code, store_secret=store_secret, no_browser=no_browser))
