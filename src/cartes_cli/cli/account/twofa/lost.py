"""``cartes account 2fa lost``: the authenticator app is lost. The Géoplateforme's support resets
the second factor; this writes the e-mail to send it (in French: the support reads French), and
on the sandbox may send it. No login needed."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from cartes_cli.cli.account.browser import open_browser
from cartes_cli.cli.account.fields import fail
from cartes_cli.cli.account.platform import app_context
from cartes_cli.cli.account.prompts import ask
from cartes_cli.cli.output import Column, register_fields
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _
from cartes_cli.platforms import SUPPORT_ADDRESS

if TYPE_CHECKING:
    from cartes_cli.cli.account.fields import ProblemLike
    from cartes_cli.cli.context import AppContext
    from cartes_cli.validators import Problem

SUPPORT_COLUMNS = [
    Column("to", _("To")),
    Column("subject", _("Subject")),
    Column("body", _("Body")),
    Column("mailto", _("Link")),
]
register_fields(*(c.key for c in SUPPORT_COLUMNS))

LOST_SUBJECT = "[cartes.gouv.fr] Perte de l'application d'authentification"


@dataclass(frozen=True)
class LostOptions:
    username: str | None = None
    """The account's username (the command reads CARTES_USERNAME when None)."""
    email: str | None = None
    open_mail: bool = False
    send: bool = False


def lost_factor_draft(username: str, email: str) -> dict[str, str]:
    """The e-mail to the support, in French whatever the locale (the support reads French):
    ``{"to", "subject", "body", "mailto"}``."""
    from urllib.parse import quote

    body = (
        "Bonjour,\n\n"
        "Je n'ai plus accès à l'application d'authentification de mon compte Géoplateforme "
        "(cartes.gouv.fr), par exemple après un changement de téléphone : je ne peux donc plus "
        "saisir le code à usage unique demandé à la connexion.\n\n"
        "Pourriez-vous réinitialiser la double authentification de mon compte ?\n\n"
        f"  Nom d'utilisateur : {username}\n"
        f"  Adresse e-mail du compte : {email}\n\n"
        "J'écris depuis l'adresse e-mail du compte. Une fois reconnecté, je réactiverai la double "
        "authentification avec ma nouvelle application.\n\n"
        "Merci par avance,\n"
    )
    mailto = f"mailto:{SUPPORT_ADDRESS}?subject={quote(LOST_SUBJECT, safe='')}&body={quote(body, safe='')}"
    return {"to": SUPPORT_ADDRESS, "subject": LOST_SUBJECT, "body": body, "mailto": mailto}


def check_username(value: str) -> list[Problem]:
    """Any printable name will do: the support looks the account up."""
    from cartes_cli.validators import Problem

    text = value.strip()
    if not text or len(text) > 255 or not text.isprintable():
        return [Problem("username", "username.invalid", _("is not a username."))]
    return []


def run(app: AppContext, options: LostOptions) -> None:
    term = app.terminal
    username, email = _account(app, options)
    draft = lost_factor_draft(username.strip(), email.strip())
    if options.send:
        _send_to_support(app, draft)
    if term.rendering == "json":
        term.print_object(draft, SUPPORT_COLUMNS)
    else:
        term.info(
            _("Send this e-mail to the Géoplateforme's support from the account's address:")
            if not options.send
            else _("The e-mail sent:")
        )
        term.out(_("To: {to}").format(to=draft["to"]))
        term.out(_("Subject: {subject}").format(subject=draft["subject"]))
        term.out("")
        term.out(draft["body"])
    if options.open_mail:
        if open_browser(draft["mailto"]):
            term.info(_("The draft was opened in your mail program."))
        else:
            term.info(_("No mail program could be opened; copy the draft above, or open this link:"))
            term.out(draft["mailto"])


def _account(app: AppContext, options: LostOptions) -> tuple[str, str]:
    """The account's username and e-mail address: given and checked, or asked."""
    from cartes_cli.validators import check_email

    username = (
        options.username if options.username is not None else (os.environ.get("CARTES_USERNAME") or None)
    )
    email = options.email
    problems: list[ProblemLike] = []
    if username is not None:
        problems += check_username(username)
    if email is not None:
        problems += check_email(email)
    if problems:
        raise fail(app, problems)
    if username is None or email is None:
        if not app.terminal.interactive:
            raise UsageError(_("Give the account's --username and --email (not on a terminal)."))
        if username is None:
            username = ask(app, _("Username"), check=lambda x: [*check_username(x)])
        if email is None:
            email = ask(app, _("The account's e-mail address"), check=lambda x: [*check_email(x)])
    assert username is not None
    assert email is not None
    return username, email


def _send_to_support(app: AppContext, draft: dict[str, str]) -> None:
    """Post the draft to a sandbox's support route (the real platform has none: exit 2)."""
    from cartes_cli.client import GeoplateformeClient

    platform = app.platform(app.profile())
    with GeoplateformeClient(platform, debug=app.debug_log()) as client:
        if not client.capabilities().has("support-mail"):
            raise UsageError(
                _(
                    "--send works on the sandbox only: on the Géoplateforme, send the draft to {to} "
                    "yourself (--open-mail opens it)."
                ).format(to=SUPPORT_ADDRESS)
            )
        client.sandbox.support(draft["subject"], draft["body"])
    app.terminal.success(_("Sent to {to}; see it with 'cartes sandbox outbox'.").format(to=draft["to"]))


def command(
    ctx: typer.Context,
    username: Annotated[
        str | None,
        typer.Option(
            "--username",
            "-u",
            help=_("The account's username (default: CARTES_USERNAME)."),
            show_default=False,
        ),
    ] = None,
    email: Annotated[
        str | None, typer.Option("--email", help=_("The account's e-mail address."), show_default=False)
    ] = None,
    open_mail: Annotated[
        bool, typer.Option("--open-mail", help=_("Open the draft in the mail program (a mailto: link)."))
    ] = False,
    send: Annotated[
        bool, typer.Option("--send", help=_("On the sandbox: send it (it lands in 'cartes sandbox outbox')."))
    ] = False,
) -> None:
    """Lost your authenticator app? Writes the e-mail asking the support to reset your 2FA.

    No login needed. As the user guide says, the Géoplateforme's support, geoplateforme@ign.fr,
    resets a second factor whose app is lost (a new phone, for instance). This prints a ready
    draft (in French) with the account's username and e-mail: send it from that address.
    """
    options = LostOptions(username=username, email=email, open_mail=open_mail, send=send)
    run(app_context(ctx), options)
