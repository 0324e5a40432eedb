"""Two-factor authentication (TOTP): setting it up, turning it on or off, and the staff's reset
after a lost phone. Each change that takes effect is told to the account's owner by e-mail.

The codes are checked by the callers (the account REST routes), before these transitions.
"""

from __future__ import annotations

from cartes_cli.sandbox.domain import mail
from cartes_cli.sandbox.domain.context import Sandbox
from cartes_cli.sandbox.domain.credentials import new_totp_secret
from cartes_cli.sandbox.store.records import User
from cartes_cli.sandbox.util import iso


def start_setup(sandbox: Sandbox, user: User) -> str:
    """A new pending seed for ``user``'s authenticator app (a previous pending one stops working)."""
    secret = new_totp_secret()
    sandbox.store.users.update(user.id, {"totp_pending": secret}, iso(sandbox.now()))
    return secret


def enable(sandbox: Sandbox, user: User, now: float) -> None:
    """The pending seed becomes the account's second factor (a code from it was checked at ``now``)."""
    when = iso(now)
    store = sandbox.store
    with store.transaction():
        store.users.update(
            user.id,
            {
                "totp_secret": user.totp_pending,
                "totp_pending": None,
                "required_actions": [a for a in user.required_actions if a != "CONFIGURE_TOTP"],
            },
            when,
        )
        store.outbox.add(
            mail.second_factor(
                to=user.email,
                first_name=user.first_name,
                username=user.username,
                enabled=True,
                at=now,
                when=when,
            )
        )


def disable(sandbox: Sandbox, user: User, now: float) -> None:
    """The owner turns the second factor off (a current code was checked at ``now``)."""
    when = iso(now)
    store = sandbox.store
    with store.transaction():
        store.users.update(user.id, {"totp_secret": None, "totp_pending": None}, when)
        store.outbox.add(
            mail.second_factor(
                to=user.email,
                first_name=user.first_name,
                username=user.username,
                enabled=False,
                at=now,
                when=when,
            )
        )


def reset(sandbox: Sandbox, target: User) -> None:
    """The staff remove ``target``'s second factor (a lost phone); the owner is told."""
    now = sandbox.now()
    when = iso(now)
    store = sandbox.store
    with store.transaction():
        store.users.update(target.id, {"totp_secret": None, "totp_pending": None}, when)
        store.outbox.add(
            mail.second_factor_reset(
                to=target.email, first_name=target.first_name, username=target.username, at=now, when=when
            )
        )
