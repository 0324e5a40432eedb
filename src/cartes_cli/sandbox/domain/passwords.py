"""Setting a new password, shared by the account endpoint and the login pages' UPDATE_PASSWORD step:
the platform's rule (``cartes_cli.validators``), no reuse of the current or the previous password,
the renewal clock restarted, and a security notice by e-mail."""

from __future__ import annotations

import asyncio

from cartes_cli import validators
from cartes_cli.sandbox.domain import mail
from cartes_cli.sandbox.domain.context import Sandbox
from cartes_cli.sandbox.domain.credentials import hash_password, verify_password
from cartes_cli.sandbox.store.records import User
from cartes_cli.sandbox.util import iso
from cartes_cli.validators import Problem


async def check_new_password(
    user: User, new: str, *, confirmation: str | None, confirmation_field: str, field: str
) -> list[Problem]:
    """The rule, the confirmation, and no reuse of the current or the previous password."""
    problems = validators.check_password(new, username=user.username, email=user.email, field=field)
    if confirmation is not None:
        problems += validators.check_password_confirmation(new, confirmation, field=confirmation_field)
    if new and not any(p.code == "field.required" for p in problems):
        for old in (user.password_hash, user.previous_password_hash):
            if old is not None and await asyncio.to_thread(verify_password, new, old):
                problems.append(
                    Problem(
                        field, "password.reused", "must differ from the current and the previous password."
                    )
                )
                break
    return problems


async def set_password(sandbox: Sandbox, user: User, new: str) -> None:
    """Store ``new`` (keeping the current one as the previous), restart the renewal clock, clear
    UPDATE_PASSWORD, and send the security notice."""
    password_hash = await asyncio.to_thread(hash_password, new)
    store = sandbox.store
    now = sandbox.now()
    when = iso(now)
    with store.transaction():
        current = store.users.get(user.id)
        assert current is not None
        store.users.update(
            user.id,
            {
                "password_hash": password_hash,
                "previous_password_hash": current.password_hash,
                "password_changed": when,
                "required_actions": [a for a in current.required_actions if a != "UPDATE_PASSWORD"],
            },
            when,
        )
        store.outbox.add(
            mail.password_changed(
                to=current.email, first_name=current.first_name, username=current.username, at=now, when=when
            )
        )
