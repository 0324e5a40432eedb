"""Time-based one-time codes (RFC 6238, 30 s windows, 6 digits: Keycloak's defaults), the
password login that computes them from a seed (``CARTES_TOTP_SECRET``), and keeping that seed in
the credential store per profile and account (``<profile>/<account>/totp_secret``).

A code works once: Keycloak refuses a code it has already accepted (its OTP policy's "reusable
code" is off by default), with the answer of a wrong one. A script that logs in twice within 30
seconds would send the same code twice, so this machine remembers, per platform and account, the
last window it logged in with (``UsedWindows``: a window number, never a code) and waits for the
next window instead of sending a code the platform will refuse.

No message here ever echoes the seed or a code.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from cartes_cli.auth.store import credential_key
from cartes_cli.errors import AccountNotReady, LoginRefused, UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.auth.oidc import OIDCClient
    from cartes_cli.auth.store import CredentialStore
    from cartes_cli.auth.tokens import TokenSet

__all__ = [
    "EDGE_SECONDS",
    "MIN_SECRET_LENGTH",
    "PERIOD",
    "TOTP_SECRET_KIND",
    "UsedWindows",
    "current_code",
    "delete_totp_secret",
    "load_totp_secret",
    "normalise_code",
    "normalise_secret",
    "password_login",
    "seconds_left_in_window",
    "store_totp_secret",
    "window",
]

PERIOD = 30
"""Seconds per TOTP window."""
EDGE_SECONDS = 2.0
"""A code computed this close to the end of its window may reach the server in the next one."""
MIN_SECRET_LENGTH = 16
"""Base32 characters (80 bits): shorter is a typo or a 6-digit code pasted instead of the seed."""

TOTP_SECRET_KIND = "totp_secret"  # noqa: S105 - the name of a kind of secret, not a secret
"""The ``kind`` part of the credential key a TOTP seed is stored under."""

_BASE32 = re.compile(r"^[A-Z2-7]+$")


def normalise_secret(secret: str) -> str:
    """The seed as pyotp wants it: no spaces or dashes, upper-case, valid base32.

    Accepts the ``otpauth://totp/…?secret=…`` URI of a QR code too. Raises ``UsageError`` with a
    message that never contains the seed.
    """
    text = (secret or "").strip()
    if text.lower().startswith("otpauth://"):
        values = parse_qs(urlsplit(text).query).get("secret")
        if not values:
            raise UsageError(_("The TOTP URI has no 'secret' parameter."))
        text = values[0]
    text = re.sub(r"[\s\-]", "", text).upper().rstrip("=")
    if not text:
        raise UsageError(_("The TOTP secret is empty."))
    if not _BASE32.match(text):
        raise UsageError(
            _(
                "The TOTP secret is not valid base32: "
                "it may contain only the letters A to Z and the digits 2 to 7."
            )
        )
    if len(text) < MIN_SECRET_LENGTH:
        raise UsageError(
            _(
                "The TOTP secret is too short (a seed has at least {n} characters; "
                "a 6-digit code is not a seed)."
            ).format(n=MIN_SECRET_LENGTH)
        )
    try:
        base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        raise UsageError(_("The TOTP secret is not valid base32 (its length is wrong).")) from None
    return text


def normalise_code(code: str) -> str:
    """A one-time code typed by a person: spaces removed, 6 to 8 digits."""
    text = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6,8}", text):
        raise UsageError(_("The one-time code must be 6 digits."))
    return text


def window(at: float) -> int:
    """The TOTP window number of an instant."""
    return int(at // PERIOD)


def current_code(secret: str, at: float | None = None) -> str:
    """The 6-digit code of ``secret`` at ``at`` (epoch seconds; now by default)."""
    import pyotp

    instant = time.time() if at is None else at
    code: str = pyotp.TOTP(normalise_secret(secret)).at(int(instant))
    return code


def seconds_left_in_window(at: float | None = None) -> float:
    """Seconds until the current code stops being the current one (in ``(0, 30]``)."""
    instant = time.time() if at is None else at
    return PERIOD - (instant % PERIOD)


class UsedWindows:
    """The last TOTP window one account logged in with from this machine (a small file per
    platform and account under the state directory, holding a window number only).

    ``hold()`` takes the account's lock for the whole login, so that two cartes processes logging
    the same account in take turns: the second sees the first one's window and waits for the next.
    """

    def __init__(self, directory: Path, issuer: str, username: str) -> None:
        digest = hashlib.sha256(f"{issuer}\0{username.strip().lower()}".encode()).hexdigest()[:24]
        self.path = directory / f"window-{digest}.json"

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        from filelock import Timeout

        from cartes_cli.locks import file_lock

        # Long enough for another process's wait for a window plus its login request.
        lock = file_lock(self.path, timeout=2 * PERIOD + 30)
        try:
            lock.acquire()
            held = True
        except Timeout:
            held = False  # another process is stuck: log in anyway rather than fail here
        try:
            yield
        finally:
            if held:
                lock.release()

    def last(self) -> int | None:
        try:
            value = json.loads(self.path.read_text(encoding="utf-8")).get("window")
        except (OSError, ValueError, AttributeError):
            return None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def record(self, used: int) -> None:
        from cartes_cli.paths import write_private_atomically

        with contextlib.suppress(OSError):  # remembering is a courtesy: never fail a login for it
            write_private_atomically(self.path, json.dumps({"window": used}).encode("utf-8"))


def password_login(
    oidc: OIDCClient,
    username: str,
    password: str,
    *,
    totp_secret: str | None = None,
    totp_code: str | None = None,
    used_windows: UsedWindows | None = None,
    on_wait: Callable[[float], None] | None = None,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> TokenSet:
    """Password grant, with a TOTP code typed (``totp_code``) or computed from a seed (``totp_secret``).

    With a seed, the code is computed right before the request, in a window this machine has not
    logged the account in with yet (``used_windows``): if the current one was used, it waits for the
    next (``on_wait`` is told how long first). If the server refuses the code (``invalid_grant``)
    and the 30 s window changed before the answer came, or the code was computed in the last
    ``EDGE_SECONDS`` of its window, the login is tried ONCE more with the next window's code
    (waiting for that window to start if needed). A typed code is never retried.
    """
    if totp_secret and totp_code:
        raise UsageError(_("Give either a TOTP secret or a one-time code, not both."))
    if totp_code:
        return oidc.password_grant(username, password, normalise_code(totp_code))
    if not totp_secret:
        return oidc.password_grant(username, password)

    seed = normalise_secret(totp_secret)
    with used_windows.hold() if used_windows else contextlib.nullcontext():
        last = used_windows.last() if used_windows else None
        now = clock()
        # A remembered window more than one ahead of ours means the clock moved back: ignore it.
        if last is not None and last - 1 <= window(now) <= last:
            wait = (last + 1) * PERIOD - now + 0.05
            if on_wait is not None:
                on_wait(wait)
            sleep(wait)
        tokens, used = _seed_login(oidc, username, password, seed, clock=clock, sleep=sleep)
        if used_windows:
            used_windows.record(used)
        return tokens


def _seed_login(
    oidc: OIDCClient,
    username: str,
    password: str,
    seed: str,
    *,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> tuple[TokenSet, int]:
    """The login with the current code, retried once with the next when the window turned; returns
    the tokens and the window whose code was accepted."""
    computed_at = clock()
    try:
        return oidc.password_grant(username, password, current_code(seed, computed_at)), window(computed_at)
    except AccountNotReady:
        raise
    except LoginRefused as exc:
        if exc.error != "invalid_grant":
            raise
        answered_at = clock()
        crossed = window(answered_at) != window(computed_at)
        at_edge = seconds_left_in_window(computed_at) <= EDGE_SECONDS
        if not (crossed or at_edge):
            raise
        if window(answered_at) == window(computed_at):
            # Still in the same window: wait for the next one, or the "new" code is the same.
            sleep(seconds_left_in_window(answered_at) + 0.05)
        retry_at = clock()
        if window(retry_at) == window(computed_at):
            raise  # the clock did not move on (a frozen test clock): nothing new to try
        return oidc.password_grant(username, password, current_code(seed, retry_at)), window(retry_at)


# --- the seed in the credential store --------------------------------------------------------


def store_totp_secret(store: CredentialStore, profile: str, account: str, secret: str) -> str:
    """Keep the seed (normalised first, so a typo fails now, not at the next login); returns it."""
    seed = normalise_secret(secret)
    store.set(credential_key(profile, account, TOTP_SECRET_KIND), seed)
    return seed


def load_totp_secret(store: CredentialStore, profile: str, account: str) -> str | None:
    """The stored seed, or None. A damaged value is treated as absent (never echoed)."""
    value = store.get(credential_key(profile, account, TOTP_SECRET_KIND))
    if not value:
        return None
    try:
        return normalise_secret(value)
    except UsageError:
        return None


def delete_totp_secret(store: CredentialStore, profile: str, account: str) -> None:
    """Forget the seed (idempotent)."""
    store.delete(credential_key(profile, account, TOTP_SECRET_KIND))
