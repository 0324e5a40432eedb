"""Accounts: what creating, changing or confirming an account does, whichever route asks for it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from cartes_cli.i18n import _
from cartes_cli.sandbox.domain import mail
from cartes_cli.sandbox.domain.brokers import BrokerIdentity, Provider
from cartes_cli.sandbox.domain.context import Sandbox
from cartes_cli.sandbox.domain.credentials import hash_code, new_verification_code
from cartes_cli.sandbox.errors import AccountError
from cartes_cli.sandbox.store.records import User
from cartes_cli.sandbox.util import iso, new_id
from cartes_cli.validators import Problem


def issue_code(
    sandbox: Sandbox, user: User, *, email: str, new_address: bool = False, api_url: str | None = None
) -> None:
    """A new verification code for ``user``, sent to ``email`` (the previous code stops working).
    ``api_url``: this sandbox's API, named in the e-mail's command. Call inside a transaction."""
    now = sandbox.now()
    code = new_verification_code()
    ttl = sandbox.config.verification_ttl
    sandbox.store.users.set_verification(
        user_id=user.id, email=email, code_hash=hash_code(code, salt=user.id), created=now, expires=now + ttl
    )
    sandbox.store.outbox.add(
        mail.verification_code(
            to=email,
            first_name=user.first_name,
            username=user.username,
            code=code,
            ttl=ttl,
            when=iso(now),
            new_address=new_address,
            api_url=api_url,
        )
    )


def _username_for(sandbox: Sandbox, email: str) -> str:
    local = unicodedata.normalize("NFKD", email.split("@", 1)[0])
    base = re.sub(r"[^a-z0-9._-]", "", local.encode("ascii", "ignore").decode().lower()) or "utilisateur"
    candidate, n = base, 1
    while sandbox.store.users.username_taken(candidate):
        n += 1
        candidate = f"{base}{n}"
    return candidate


def create_brokered_user(sandbox: Sandbox, provider: Provider, identity: BrokerIdentity) -> str:
    """Keycloak's first broker login: a user without password, e-mail verified by the provider."""
    store = sandbox.store
    when = iso(sandbox.now())
    user_id = new_id()
    with store.transaction():
        store.users.insert(
            id=user_id,
            username=_username_for(sandbox, identity.email),
            email=identity.email,
            first_name=identity.given_name,
            last_name=identity.family_name,
            password_hash=None,
            created=when,
        )
        store.users.link_identity(provider.alias, identity.subject, user_id, when)
    return user_id


def update_profile(
    sandbox: Sandbox,
    user: User,
    *,
    names: dict[str, str],
    changes: dict[str, str | None],
    merged: Mapping[str, str | None],
    new_email: str | None,
    api_url: str | None,
) -> None:
    """Apply a checked profile update: ``names`` (columns), the attribute ``changes`` (``merged``:
    all the attributes after them; a ``photo`` is stored apart), and a new e-mail address, which
    must then be verified (a code is sent to it, a notice to the old one)."""
    store = sandbox.store
    if new_email is not None and store.users.email_taken(new_email):
        raise AccountError(
            409,
            _("An account already uses this e-mail address."),
            problems=[Problem("email", "email.taken", "an account already uses this e-mail address.")],
            message_key="emailExistsMessage",
        )
    now = sandbox.now()
    when = iso(now)
    columns: dict[str, Any] = dict(names)
    photo_changed = "photo" in changes
    photo = changes.pop("photo", None)  # kept apart from the other attributes
    if changes:
        columns["attributes"] = {k: v for k, v in merged.items() if k != "photo"}
    if new_email is not None:
        columns["email"] = new_email
        columns["email_verified"] = False
        columns["required_actions"] = [
            *(a for a in user.required_actions if a != "VERIFY_EMAIL"),
            "VERIFY_EMAIL",
        ]
    with store.transaction():
        store.users.update(user.id, columns, when)
        if photo_changed:
            store.users.set_photo(user.id, photo, when)
        if new_email is not None:
            updated = store.users.get(user.id)
            assert updated is not None
            issue_code(sandbox, updated, email=new_email, new_address=True, api_url=api_url)
            store.outbox.add(
                mail.address_changed(
                    to=user.email,
                    first_name=updated.first_name,
                    username=user.username,
                    new_address=new_email,
                    at=now,
                    when=when,
                )
            )
