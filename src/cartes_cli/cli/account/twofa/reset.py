"""``cartes account 2fa reset USER`` (staff): remove the second factor of someone who lost their
authenticator app, as the support does; the sandbox offers it through Keycloak's admin API, the
Géoplateforme in Keycloak's admin console."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from cartes_cli.cli.account.platform import app_context, platform_and_capabilities
from cartes_cli.cli.account.prompts import yes
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext


@dataclass(frozen=True)
class ResetOptions:
    user: str
    """A username, an e-mail address or a user id."""
    yes: bool = False


def run(app: AppContext, options: ResetOptions) -> None:
    term = app.terminal
    ref = options.user.strip()
    if not ref or len(ref) > 255 or not ref.isprintable():
        raise UsageError(_("USER: give a username, an e-mail address or a user id."))
    _platform, caps = platform_and_capabilities(app)  # before any login is needed
    if not caps.has("admin-credentials"):
        raise UsageError(
            _(
                "On the Géoplateforme, staff reset a second factor in Keycloak's admin console "
                "(Users → the user → Credentials → delete the OTP one)."
            )
        )
    client = app.client()
    target = client.admin.find_user(ref)
    if target is None:
        raise UsageError(_("No user {user!r} on this platform.").format(user=ref))
    label = "".join(ch for ch in f"{target.username} <{target.email or '?'}>" if ch.isprintable())
    second_factors = [c for c in client.admin.credentials(target.id) if c.type == "otp"]
    if not second_factors:
        term.success(_("{user} has no second factor: nothing to reset.").format(user=label))
        return
    question = _("Remove the second factor of {user}? They will log in with their password alone.").format(
        user=label
    )
    if not options.yes:
        if not term.interactive:
            raise UsageError(_("Add --yes to confirm when not running on a terminal."))
        if not yes(app, question):
            raise UsageError(_("Cancelled; nothing was changed."))
    for credential in second_factors:
        client.admin.delete_credential(target.id, credential.id)
    term.success(
        _(
            "The second factor of {user} is removed: they log in with their password alone until they "
            "set up a new one ('cartes account 2fa enable')."
        ).format(user=label)
    )


def command(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(metavar="USER", help=_("The user: username, e-mail or id."))],
    yes: Annotated[bool, typer.Option("--yes", "-y", help=_("Do not ask for confirmation."))] = False,
) -> None:
    """Staff: remove a user's second factor after a lost app, so they log in with their password.

    What the support (geoplateforme@ign.fr) does when someone lost their authenticator app. The
    sandbox offers it (Keycloak's admin API) and e-mails the user; on the Géoplateforme, staff
    do it in Keycloak's admin console.
    """
    run(app_context(ctx), ResetOptions(user=user, yes=yes))
