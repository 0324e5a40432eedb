"""The password grant, with the second factor when the account has one, a password typed again
after a typo, and Keycloak's "Invalid user credentials" said as what it may mean."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cartes_cli.errors import LoginRefused, UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.auth.tokens import TokenSet
    from cartes_cli.cli.context import AppContext
    from cartes_cli.cli.output import Terminal
    from cartes_cli.config import Profile
    from cartes_cli.platforms import Platform

PASSWORD_ATTEMPTS = 3


@dataclass
class Attempt:
    """Where the tries stand: the password to send, the code (if any), whether the account is
    known to need one, and whether a code was already offered after a refusal."""

    password: str
    code: str | None = None
    needs_code: bool = False
    offered: bool = False


def login_with_password(
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
    state = Attempt(password, needs_code=bool(totp_secret is None and profile.totp and profile.user == user))
    try:
        for attempt in range(1, PASSWORD_ATTEMPTS + 1):
            if state.needs_code and state.code is None and term.interactive:
                state.code = ask_code(app)
            try:
                tokens = password_login(
                    oidc,
                    user,
                    state.password,
                    totp_secret=totp_secret,
                    totp_code=state.code,
                    used_windows=used_windows,
                    on_wait=_waiting(term),
                )
            except LoginRefused as exc:
                if totp_secret or not term.interactive or not bad_credentials(exc):
                    raise
                offered = _after_refusal(app, oidc, profile, user, state, exc, retype=retype)
                if offered is not None:
                    return offered
                if attempt == PASSWORD_ATTEMPTS:
                    raise
                state.password = read_password(app, False)
                state.code = None
                continue
            profile.totp = bool(totp_secret or state.code) or (profile.totp and profile.user == user)
            return tokens
        raise AssertionError("unreachable")
    except LoginRefused as exc:
        raise credentials_refused(app, exc, second_factor_sent=bool(totp_secret or state.code)) from exc
    finally:
        oidc.close()


def _waiting(term: Terminal) -> Callable[[float], None]:
    def waiting(seconds: float) -> None:
        term.info(
            _(
                "This account has just logged in with the current one-time code, and a code works "
                "only once: waiting {seconds} s for the next one."
            ).format(seconds=max(1, round(seconds)))
        )

    return waiting


def _after_refusal(
    app: AppContext,
    oidc: Any,
    profile: Profile,
    user: str,
    state: Attempt,
    exc: LoginRefused,
    *,
    retype: bool,
) -> TokenSet | None:
    """After "Invalid user credentials" on a terminal: offer the code once (the tokens, when it
    works), or say what to type again; ``exc`` goes up when there is nothing to try again."""
    term = app.terminal
    if not state.offered and not state.needs_code and state.code is None:
        # The one case where a code may be what is missing: offer it once.
        state.offered = True
        if retype:
            term.error(
                _(
                    "Wrong password, or the account has two-factor authentication: enter the "
                    "code, or press Enter to type the password again."
                )
            )
            state.code = ask_code(app, optional=True, label=_("6-digit code (Enter: password again)"))
        else:
            term.info(_("If your account uses two-factor authentication, enter the code from your app."))
            state.code = ask_code(app, optional=True)
        if state.code:
            return _offered_code(app, oidc, profile, user, state, retype=retype)
        if not retype:
            raise exc
    elif not retype:
        raise exc
    elif state.code:
        term.error(_("The password or the code is wrong; try again."))
    else:
        term.error(_("Wrong password; try again."))
    return None


def _offered_code(
    app: AppContext, oidc: Any, profile: Profile, user: str, state: Attempt, *, retype: bool
) -> TokenSet | None:
    from cartes_cli.auth.totp import password_login

    try:
        tokens = password_login(oidc, user, state.password, totp_code=state.code)
    except LoginRefused as again:
        if not bad_credentials(again):
            raise
        state.needs_code = True  # the person says the account has one
        if not retype:
            raise
        app.terminal.error(_("The password or the code is wrong; try again."))
        return None
    profile.totp = True
    return tokens


def bad_credentials(exc: LoginRefused) -> bool:
    """Keycloak's "Invalid user credentials" (a wrong password, or a missing or wrong code)."""
    from cartes_cli.errors import ClientRefused

    if isinstance(exc, ClientRefused) or exc.error != "invalid_grant" or exc.status not in (400, 401):
        return False
    description = " ".join(exc.messages).lower()
    return not description or "invalid user credentials" in description


def credentials_refused(app: AppContext, exc: LoginRefused, *, second_factor_sent: bool) -> LoginRefused:
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


def ask_code(app: AppContext, optional: bool = False, label: str | None = None) -> str | None:
    label = label or (_("6-digit code (Enter if none)") if optional else _("6-digit code"))
    for _attempt in range(3):
        value = app.terminal.prompt(label).strip().replace(" ", "")
        if optional and not value:
            return None
        if len(value) == 6 and value.isdigit():
            return value
        app.terminal.error(_("The code has 6 digits."))
    raise UsageError(_("No valid 6-digit code was given."))


def read_password(app: AppContext, from_stdin: bool) -> str:
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
