"""``cartes account update``: change your name, phone number, address or e-mail address, checked
before sending. The real Géoplateforme edits the profile on its account page, which opens."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

import typer

from cartes_cli.cli.account import cache
from cartes_cli.cli.account.browser import send_to_browser
from cartes_cli.cli.account.fields import check_field, fail, normalise_phone
from cartes_cli.cli.account.platform import action_url, app_context, platform_and_capabilities
from cartes_cli.cli.account.show import PROFILE_COLUMNS
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.client.models import AccountProfile

ATTRIBUTES = ("phone", "street", "locality", "postcode")
"""The profile's fields that Keycloak keeps as attributes."""


@dataclass(frozen=True)
class UpdateOptions:
    changes: Mapping[str, str] = field(default_factory=dict)
    """The fields given (stripped; '' removes an optional one), by the options' names."""
    no_browser: bool = False


def run(app: AppContext, options: UpdateOptions) -> None:
    term = app.terminal
    changes = dict(options.changes)
    if not changes:
        raise UsageError(
            _(
                "Nothing to update: give --first-name, --last-name, --phone, --street, --locality, "
                "--postcode or --email."
            )
        )
    for required in ("email", "first_name", "last_name"):
        if required in changes and not changes[required]:
            raise UsageError(_("--{option} cannot be empty.").format(option=required.replace("_", "-")))
    problems = [p for key, value in changes.items() if value for p in check_field(key, value)]
    if problems:
        raise fail(app, problems)
    if changes.get("phone"):
        changes["phone"] = normalise_phone(changes["phone"])
    platform, caps = platform_and_capabilities(app)
    if not caps.accounts:
        send_to_browser(
            app,
            action_url(platform, "UPDATE_PROFILE"),
            _("On this platform, the profile is edited on its account page; nothing was sent."),
            no_browser=options.no_browser,
        )
        return
    client = app.client()
    attributes: dict[str, str | list[str] | None] = {k: changes[k] for k in ATTRIBUTES if k in changes}
    profile = client.account.update_profile(
        first_name=changes.get("first_name"),
        last_name=changes.get("last_name"),
        email=changes.get("email"),
        attributes=attributes or None,
    )
    term.success(_("Profile updated."))
    if "email" in changes and profile.email_verified is False:
        # 'account verify' then defaults to the new address.
        cache.save_json(cache.SIGNUP, {"email": changes["email"], "api_url": client.platform.api_url})
        term.info(
            _(
                "Confirm the new address with the code sent to it: cartes account verify --email {email}"
            ).format(email=changes["email"])
        )
    _print_profile(app, profile)


def _print_profile(app: AppContext, profile: AccountProfile) -> None:
    row = {
        "username": profile.username,
        "email": profile.email,
        "email_verified": profile.email_verified,
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "phone": profile.phone,
        "street": profile.street,
        "postcode": profile.postcode,
        "locality": profile.locality,
    }
    app.terminal.print_object(row, [c for c in PROFILE_COLUMNS if c.key in row])


def command(
    ctx: typer.Context,
    first_name: Annotated[
        str | None, typer.Option("--first-name", help=_("First name."), show_default=False)
    ] = None,
    last_name: Annotated[
        str | None, typer.Option("--last-name", help=_("Last name."), show_default=False)
    ] = None,
    phone: Annotated[
        str | None, typer.Option("--phone", help=_("Phone number ('' to remove it)."), show_default=False)
    ] = None,
    street: Annotated[
        str | None, typer.Option("--street", help=_("Street address."), show_default=False)
    ] = None,
    locality: Annotated[
        str | None, typer.Option("--locality", help=_("Locality."), show_default=False)
    ] = None,
    postcode: Annotated[
        str | None, typer.Option("--postcode", help=_("Postcode."), show_default=False)
    ] = None,
    email: Annotated[
        str | None,
        typer.Option("--email", help=_("New e-mail address (to confirm again)."), show_default=False),
    ] = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help=_("On the real platform: print the address, open nothing."))
    ] = False,
) -> None:
    """Change your name, phone number, address or e-mail address (checked before sending)."""
    given = {
        "first_name": first_name,
        "last_name": last_name,
        "phone": phone,
        "street": street,
        "locality": locality,
        "postcode": postcode,
        "email": email,
    }
    changes = {k: v.strip() for k, v in given.items() if v is not None}
    run(app_context(ctx), UpdateOptions(changes=changes, no_browser=no_browser))
