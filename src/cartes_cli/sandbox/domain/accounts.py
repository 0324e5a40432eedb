"""Accounts: what creating, changing or confirming an account does, whichever route asks for it."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Mapping
from typing import Any

from cartes_cli.i18n import _
from cartes_cli.sandbox.domain import mail
from cartes_cli.sandbox.domain.brokers import BrokerIdentity, Provider
from cartes_cli.sandbox.domain.context import Sandbox
from cartes_cli.sandbox.domain.credentials import hash_code, new_verification_code, verify_code
from cartes_cli.sandbox.errors import AccountError, ApiProblem
from cartes_cli.sandbox.store.records import User
from cartes_cli.sandbox.util import iso, new_id
from cartes_cli.validators import Problem

MAX_CODE_ATTEMPTS = 5
"""Wrong verification codes allowed before the code is burnt (a new one must be requested)."""
STATUS_PENDING = "pending_verification"
STATUS_ACTIVE = "active"

PROFILE_ATTRIBUTES = ("phone",)
ADDRESS_ATTRIBUTES = {"street": "street", "locality": "locality", "postcode": "postcode"}
PROFESSIONAL_ATTRIBUTES = {
    "siret": "siret",
    "tva": "tva",
    "company": "company",
    "position": "position",
    "street": "company_street",
    "locality": "company_locality",
    "postcode": "company_postcode",
}
"""Where the sign-up's blocks go among the Keycloak user attributes."""


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


def status_of(user: User) -> str:
    return (
        STATUS_ACTIVE
        if user.email_verified and "VERIFY_EMAIL" not in user.required_actions
        else STATUS_PENDING
    )


def registration_attributes(data: dict[str, Any]) -> dict[str, str]:
    """The Keycloak user attributes of a normalised registration."""
    attributes: dict[str, str] = {}
    if "phone" in data:
        attributes["phone"] = data["phone"]
    for block, names in (("address", ADDRESS_ATTRIBUTES), ("professional", PROFESSIONAL_ATTRIBUTES)):
        for name, attribute in names.items():
            value = data.get(block, {}).get(name)
            if value:
                attributes[attribute] = value
    return attributes


def duplicates(sandbox: Sandbox, username: str, email: str) -> list[Problem]:
    problems = []
    if sandbox.store.users.username_taken(username):
        problems.append(Problem("username", "username.taken", _("an account already has this username.")))
    if sandbox.store.users.email_taken(email):
        problems.append(Problem("email", "email.taken", _("an account already uses this e-mail address.")))
    return problems


def register(sandbox: Sandbox, clean: dict[str, Any], *, password_hash: str, api_url: str | None) -> User:
    """Create the account of a checked, normalised registration (``validators``): it waits for
    the verification of its e-mail address, whose code is sent now. 409 if the username or the
    address was taken meanwhile."""
    username, email = clean["username"], clean["email"]
    store = sandbox.store
    now = sandbox.now()
    when = iso(now)
    user_id = new_id()
    try:
        with store.transaction():
            store.users.insert(
                id=user_id,
                username=username,
                email=email,
                first_name=clean.get("first_name", ""),
                last_name=clean.get("last_name", ""),
                password_hash=password_hash,
                created=when,
                email_verified=False,
                required_actions=("VERIFY_EMAIL",),
                attributes=registration_attributes(clean),
                password_changed=when,
            )
            if "photo" in clean:
                store.users.set_photo(user_id, clean["photo"], when)
            user = store.users.get(user_id)
            assert user is not None
            issue_code(sandbox, user, email=email, api_url=api_url)
    except sqlite3.IntegrityError:  # another sign-up took the name while the password was hashed
        raise ApiProblem(409, problems=duplicates(sandbox, username, email)) from None
    return user


def _code_error(code: str, message: str) -> ApiProblem:
    return ApiProblem(400, problems=[Problem("code", code, message)])


def confirm_email(sandbox: Sandbox, email: str, code: str) -> User:
    """Check ``code`` against the one sent to ``email`` and verify the account (nothing to do if
    it is verified already). A wrong code counts: after ``MAX_CODE_ATTEMPTS`` it is burnt."""
    store = sandbox.store
    user = store.users.by_email(email)
    if user is not None and status_of(user) == STATUS_ACTIVE:
        return user  # already verified: nothing to do
    record = store.users.verification(user.id) if user is not None else None
    if user is None or record is None or record.email.casefold() != user.email.casefold():
        if user is not None:
            raise _code_error("code.expired", "no code is waiting for this address: request a new one.")
        raise _code_error("code.invalid", "wrong code.")
    if sandbox.now() >= record.expires:
        raise _code_error("code.expired", "this code has expired: request a new one.")
    if record.failures >= MAX_CODE_ATTEMPTS:
        raise _code_error(
            "code.expired", "too many wrong codes: this one no longer works; request a new one."
        )
    if not verify_code(code, record.code_hash, salt=user.id):
        failures = store.users.count_verification_failure(user.id)
        left = MAX_CODE_ATTEMPTS - failures
        if left <= 0:
            raise _code_error("code.invalid", "wrong code, and that was the last try: request a new one.")
        raise _code_error("code.invalid", f"wrong code ({left} {'try' if left == 1 else 'tries'} left).")
    when = iso(sandbox.now())
    with store.transaction():
        store.users.update(
            user.id,
            {
                "email_verified": True,
                "required_actions": [a for a in user.required_actions if a != "VERIFY_EMAIL"],
            },
            when,
        )
        store.users.delete_verification(user.id)
    verified = store.users.get(user.id)
    assert verified is not None
    return verified


def resend_code_to(sandbox: Sandbox, email: str, *, api_url: str | None) -> None:
    """A new code for the account waiting for the verification of ``email``, if any and if the
    resend limit allows; the caller answers the same either way."""
    store = sandbox.store
    user = store.users.by_email(email)
    # Each new code brings five new tries: resends are limited (one a minute, five an hour), or
    # they would reset the try counter at will. The answer does not say (always the same 202).
    pending = user is not None and user.enabled and status_of(user) == STATUS_PENDING
    if pending and user is not None and sandbox.resends.allow(user.id, sandbox.now()):
        with store.transaction():
            issue_code(sandbox, user, email=user.email, api_url=api_url)
