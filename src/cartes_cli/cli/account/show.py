"""``cartes account show``: your profile, your workspaces with your rights, and your quotas."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from cartes_cli.cli.account.platform import app_context
from cartes_cli.cli.output import Column, human_size, register_fields
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.client.models import AccountProfile, Number, User

PROFILE_COLUMNS = [
    Column("username", _("Username")),
    Column("email", _("E-mail")),
    Column("email_verified", _("E-mail confirmed"), kind="bool"),
    Column("first_name", _("First name")),
    Column("last_name", _("Last name")),
    Column("phone", _("Phone")),
    Column("street", _("Street")),
    Column("postcode", _("Postcode")),
    Column("locality", _("Locality")),
    Column("siret", _("SIRET")),
    Column("tva", _("VAT number")),
    Column("company", _("Company")),
    Column("position", _("Position")),
    Column("company_address", _("Company address")),
    Column("totp", _("Two-factor authentication"), kind="bool"),
    Column("administrator", _("Platform staff"), kind="bool"),
    Column("communities", _("Workspaces"), kind="list"),
    Column("documents", _("Documents (used / quota)")),
    Column("keys", _("Keys (used / quota)")),
    Column("documents_use", _("Documents used"), kind="int", table=False, tsv=False),
    Column("documents_quota", _("Documents quota"), kind="int", table=False, tsv=False),
    Column("keys_use", _("Keys used"), kind="int", table=False, tsv=False),
    Column("keys_quota", _("Keys quota"), kind="int", table=False, tsv=False),
    Column("last_login", _("Last login"), kind="datetime"),
    Column("creation", _("Created"), kind="datetime"),
    Column("id", _("User id")),
]
register_fields(*(c.key for c in PROFILE_COLUMNS))


@dataclass(frozen=True)
class ShowOptions:
    """``account show`` takes no option of its own (the global ones are in the context)."""


def run(app: AppContext, options: ShowOptions) -> None:
    from cartes_cli.errors import ApiError, InvalidResponse

    client = app.client()
    me = client.users.me()
    profile = None
    try:
        profile = client.account.profile()
    except (ApiError, InvalidResponse) as exc:
        # The real Keycloak may refuse the CLI's token at its account console (or redirect to a
        # login page): /users/me then says enough. Only an unavailable platform is an error.
        status = getattr(exc, "status", None)
        if status is not None and (status >= 500 or status == 429):
            raise
    totp = profile.totp if profile is not None and profile.totp is not None else (app.profile().totp or None)
    data = {**_profile_fields(me, profile), **_user_fields(app, me), "totp": totp}
    app.terminal.print_object(data, PROFILE_COLUMNS)


def _profile_fields(me: User, profile: AccountProfile | None) -> dict[str, object]:
    """Who you are: the account console's profile, else what /users/me says."""

    def attr(name: str) -> str | None:
        return profile.attribute(name) if profile is not None else None

    company_address = " ".join(
        p for p in (attr("company_street"), attr("company_postcode"), attr("company_locality")) if p
    )
    return {
        "id": me.id,
        "username": profile.username if profile else None,
        "email": (profile.email if profile else None) or me.email,
        "email_verified": profile.email_verified if profile else None,
        "first_name": (profile.first_name if profile else None) or me.first_name or None,
        "last_name": (profile.last_name if profile else None) or me.last_name or None,
        **{key: attr(key) for key in ("phone", "street", "postcode", "locality", "siret", "tva")},
        **{key: attr(key) for key in ("company", "position")},
        "company_address": company_address or None,
    }


def _user_fields(app: AppContext, me: User) -> dict[str, object]:
    """What the platform knows of you: staff or not, workspaces and rights, quotas, dates."""
    communities: list[object]
    if app.terminal.rendering == "json":
        communities = [
            {
                "id": m.community.id,
                "technical_name": m.community.technical_name,
                "name": m.community.name,
                "rights": [str(r) for r in m.rights],
            }
            for m in me.memberships
        ]
    else:
        communities = [
            f"{m.community.technical_name or m.community.label} "
            f"({', '.join(str(r) for r in m.rights) or '—'})"
            for m in me.memberships
        ]
    return {
        "administrator": me.administrator,
        "communities": communities,
        "documents": usage(me.documents_use, me.documents_quota, human_size),
        "keys": usage(me.keys_use, me.keys_quota, str),
        "documents_use": me.documents_use,
        "documents_quota": me.documents_quota,
        "keys_use": me.keys_use,
        "keys_quota": me.keys_quota,
        "last_login": me.last_login,
        "creation": me.creation,
    }


def usage(used: Number | None, quota: Number | None, fmt: Callable[[Number], str]) -> str | None:
    """``used / quota`` (``?`` for what the platform does not say), or None for neither."""
    if used is None and quota is None:
        return None
    return f"{fmt(used) if used is not None else '?'} / {fmt(quota) if quota is not None else '?'}"


def command(ctx: typer.Context) -> None:
    """Your profile, your workspaces with your rights, and your quotas."""
    run(app_context(ctx), ShowOptions())
