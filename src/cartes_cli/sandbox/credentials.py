"""Password hashes, client secrets and TOTP checks (standard library plus pyotp).

Hashes are self-describing (``pbkdf2_sha256$<iterations>$<salt>$<hash>``) so the cost can be
raised later without invalidating stored passwords.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

PBKDF2_ITERATIONS = 50_000
_SCHEME = "pbkdf2_sha256"
# Verified against when the user does not exist, so that the answer takes the same time.
_DUMMY_HASH = (
    f"{_SCHEME}${PBKDF2_ITERATIONS}$c2FuZGJveC1kdW1teS1zYWx0$cG9ydGUgZmVybWVlIHBvdXIgbGVzIGluY29ubnVzIQ=="
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None, iterations: int = PBKDF2_ITERATIONS) -> str:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"{_SCHEME}${iterations}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str | None) -> bool:
    """Constant-time check of ``password`` against a stored hash (None never matches)."""
    target = encoded or _DUMMY_HASH
    try:
        scheme, iterations, salt, expected = target.split("$")
        if scheme != _SCHEME:
            return False
        digest = hashlib.pbkdf2_hmac(
            "sha256", password.encode("utf-8"), base64.b64decode(salt), int(iterations)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, base64.b64decode(expected)) and encoded is not None


def hash_client_secret(secret: str) -> str:
    """Client secrets are long random strings: one SHA-256 is enough."""
    return "sha256$" + hashlib.sha256(secret.encode("utf-8")).hexdigest()


def verify_client_secret(secret: str, encoded: str | None) -> bool:
    if not encoded:
        return False
    return hmac.compare_digest(hash_client_secret(secret), encoded)


_SPECIAL = re.compile(r"[^A-Za-z0-9]")


def password_problems(password: str) -> list[str]:
    """What the platform's password rule finds wrong (empty list: the password is acceptable).

    The rule of the user guide: at least 14 characters, 1 upper-case letter, 1 lower-case letter,
    2 digits and 2 special characters.
    """
    problems = []
    if len(password) < 14:
        problems.append("at least 14 characters")
    if not any(c.isupper() for c in password):
        problems.append("an upper-case letter")
    if not any(c.islower() for c in password):
        problems.append("a lower-case letter")
    if sum(c.isdigit() for c in password) < 2:
        problems.append("two digits")
    if len(_SPECIAL.findall(password)) < 2:
        problems.append("two special characters")
    return problems


def verify_totp(secret: str, code: str, *, at: float) -> bool:
    """A 6-digit RFC 6238 code, accepting the previous and the next 30-second step."""
    import pyotp

    code = code.strip()
    if not (len(code) == 6 and code.isdigit()):
        return False
    return bool(pyotp.TOTP(secret).verify(code, for_time=int(at), valid_window=1))
