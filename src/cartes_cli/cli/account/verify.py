"""``cartes account verify``: confirm the e-mail address with the 6-digit code the platform sent
(by default the address of the last sign-up); ``--resend`` asks for a new code first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from cartes_cli.cli.account import cache
from cartes_cli.cli.account.fields import check_field, fail
from cartes_cli.cli.account.platform import app_context
from cartes_cli.cli.account.prompts import ask, ask_code, six_digits
from cartes_cli.errors import CartesError, UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.client import GeoplateformeClient
    from cartes_cli.errors import InvalidInput


@dataclass(frozen=True)
class VerifyOptions:
    email: str | None = None
    code: str | None = None
    resend: bool = False


def run(app: AppContext, options: VerifyOptions) -> None:
    from cartes_cli.client import GeoplateformeClient

    term = app.terminal
    code = six_digits(options.code) if options.code is not None else None
    email = options.email
    if email is not None and email.strip() and (problems := check_field("email", email.strip())):
        raise fail(app, problems)
    platform = app.platform(app.profile())
    address = email.strip() if email and email.strip() else None
    if address is None:
        address = cache.last_signup_email(platform)
    if address is None and term.interactive:
        address = ask(app, _("E-mail address"), key="email")
    if not address:
        raise UsageError(_("Which address? Give --email."))
    if code is None and not options.resend and not term.interactive:
        raise UsageError(_("Not on a terminal: give the code with --code (or --resend for a new one)."))
    with GeoplateformeClient(platform, debug=app.debug_log()) as client:
        caps = client.capabilities()
        if not caps.accounts:
            raise CartesError(
                _(
                    "This platform confirms e-mail addresses with the link in the e-mail it sent, not with "
                    "a code: open that link."
                )
            )
        if options.resend:
            client.accounts.resend_verification(address)
            term.success(_("A new code was sent to {email}.").format(email=address))
        if caps.outbox and code is None:
            term.info(
                _(
                    "The sandbox keeps its e-mails: read the code with 'cartes sandbox outbox --to {email}'."
                ).format(email=address)
            )
        if code is None:
            if term.interactive:
                verify_interactively(app, client, address, optional=False)
            return
        _verify(app, client, address, code)


def _verify(app: AppContext, client: GeoplateformeClient, address: str, code: str) -> None:
    from cartes_cli.errors import InvalidInput

    try:
        client.accounts.verify(address, code)
    except InvalidInput as exc:
        raise _refused(exc, address) from None
    app.terminal.success(
        _("E-mail address {email} confirmed: the account is active. Log in with 'cartes login'.").format(
            email=address
        )
    )


def _refused(exc: InvalidInput, address: str) -> Exception:
    """What to say when the platform refuses the code (exit 2), or the error itself."""
    if exc.has("code.expired"):
        return UsageError(_("The code has expired; get a new one with 'cartes account verify --resend'."))
    if exc.has("code"):
        detail = "; ".join(text for _f, code, text in exc.problems if code.startswith("code")).rstrip(".")
        return UsageError(
            _("{detail}, for {email}: check the e-mail, or get a new code with --resend.").format(
                email=address, detail=(detail or _("wrong code")).capitalize()
            )
        )
    return exc


def verify_interactively(app: AppContext, client: GeoplateformeClient, email: str, *, optional: bool) -> bool:
    """Ask for the code (three tries; a new one is sent when it expired); False when skipped."""
    from cartes_cli.errors import InvalidInput

    term = app.terminal
    label = (
        _("6-digit code from the e-mail (Enter to confirm later)")
        if optional
        else _("6-digit code from the e-mail")
    )
    for _attempt in range(3):
        code = ask_code(app, label, optional=optional)
        if code is None:
            term.info(_("Later, confirm the address with: cartes account verify"))
            return False
        try:
            client.accounts.verify(email, code)
        except InvalidInput as exc:
            if exc.has("code.expired"):
                client.accounts.resend_verification(email)
                term.error(_("The code has expired; a new one was sent to {email}.").format(email=email))
            else:
                term.error(_("Wrong code; try again."))
            continue
        term.success(_("E-mail address confirmed: the account is active. Log in with 'cartes login'."))
        return True
    raise CartesError(_("The address was not confirmed; run 'cartes account verify' to try again."))


def command(
    ctx: typer.Context,
    email: Annotated[
        str | None,
        typer.Option(
            "--email", help=_("The address to confirm (default: the last sign-up)."), show_default=False
        ),
    ] = None,
    code: Annotated[
        str | None, typer.Option("--code", help=_("The 6-digit code from the e-mail."), show_default=False)
    ] = None,
    resend: Annotated[bool, typer.Option("--resend", help=_("Send a new code first."))] = False,
) -> None:
    """Confirm your e-mail address with the 6-digit code the platform sent."""
    run(app_context(ctx), VerifyOptions(email=email, code=code, resend=resend))
