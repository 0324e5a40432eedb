"""``cartes account password``: change your password, asked hidden or read from standard input
(``--stdin``: current, new, new again). The real Géoplateforme changes it on its login page,
which opens. No password ever appears in a message."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from cartes_cli.cli.account.browser import send_to_browser
from cartes_cli.cli.account.fields import check_confirmation, check_password, fail, password_rule, problems_of
from cartes_cli.cli.account.platform import action_url, app_context, platform_and_capabilities
from cartes_cli.cli.account.prompts import ask_new_password
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.config import Profile


@dataclass(frozen=True)
class PasswordOptions:
    stdin: bool = False
    no_browser: bool = False


def identity(profile: Profile) -> tuple[str | None, str | None]:
    """The profile's login as (username, e-mail): a password may contain neither."""
    user = profile.user
    if not user:
        return None, None
    return (None, user) if "@" in user else (user, None)


def run(app: AppContext, options: PasswordOptions) -> None:
    term = app.terminal
    username, email = identity(app.profile())
    current = new = confirmation = None
    if options.stdin:
        current, new, confirmation = _from_stdin(app, username=username, email=email)
    platform, caps = platform_and_capabilities(app)
    if not caps.accounts:
        send_to_browser(
            app,
            action_url(platform, "UPDATE_PASSWORD"),
            _("On this platform, the password is changed on its login page; nothing was sent."),
            no_browser=options.no_browser,
        )
        return
    if current is None and not term.interactive:
        raise UsageError(_("Not on a terminal: give the passwords on standard input with --stdin."))
    client = app.client()
    if current is None:
        current = term.prompt(_("Current password"), secret=True)
        if not current:
            raise UsageError(_("No current password was given."))
        term.info(_("Password rule: {rule}").format(rule=password_rule()))
        new = ask_new_password(app, username=username, email=email, label=_("New password"))
        confirmation = new
    assert new is not None
    assert confirmation is not None
    from cartes_cli.errors import InvalidInput

    try:
        client.account.change_password(current, new, confirmation)
    except InvalidInput as exc:
        raise fail(app, problems_of(exc), heading=_("the platform refused the new password:")) from None
    current = new = confirmation = None
    term.success(_("Password changed."))
    if os.environ.get("CARTES_PASSWORD"):
        term.warn(_("CARTES_PASSWORD still holds the old password: update it."))


def _from_stdin(app: AppContext, *, username: str | None, email: str | None) -> tuple[str, str, str]:
    """Three lines: the current password, the new one and the new one again (checked here)."""
    lines = [app.terminal.stdin.readline().rstrip("\r\n") for _i in range(3)]
    if not all(lines):
        raise UsageError(
            _("--stdin: three lines were expected (current password, new password, new password again).")
        )
    current, new, confirmation = lines
    problems = check_password(new, username=username, email=email) + check_confirmation(new, confirmation)
    if problems:
        raise fail(app, problems, heading=_("the new password does not meet the rule:"))
    return current, new, confirmation


def command(
    ctx: typer.Context,
    stdin: Annotated[
        bool,
        typer.Option("--stdin", help=_("Read three lines from standard input: current, new, new again.")),
    ] = False,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help=_("On the real platform: print the address, open nothing."))
    ] = False,
) -> None:
    """Change your password (asked hidden, or read from standard input with --stdin)."""
    run(app_context(ctx), PasswordOptions(stdin=stdin, no_browser=no_browser))
