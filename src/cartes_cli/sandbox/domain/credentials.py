"""Password hashes, client secrets and TOTP checks (standard library plus pyotp).

Hashes are self-describing (``pbkdf2_sha256$<iterations>$<salt>$<hash>``) so the cost can be
raised later without invalidating stored passwords.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

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


def password_problems(password: str) -> list[str]:
    """What the platform's password rule finds wrong, as sentences (empty list: acceptable).

    The rule lives in ``cartes_cli.validators.check_password``, shared with the CLI.
    """
    from cartes_cli.validators import check_password

    return [problem.message for problem in check_password(password)]


def new_verification_code() -> str:
    """A 6-digit e-mail verification code."""
    return f"{secrets.randbelow(1_000_000):06d}"


def hash_code(code: str, *, salt: str) -> str:
    """A short code's hash, salted with something unique to its owner (the account id): the code
    is never stored, and an attempt limit is what stops guessing."""
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def verify_code(code: str, encoded: str, *, salt: str) -> bool:
    return hmac.compare_digest(hash_code(code.strip(), salt=salt), encoded)


def verify_totp(secret: str, code: str, *, at: float) -> bool:
    """A 6-digit RFC 6238 code, accepting the previous and the next 30-second step."""
    import pyotp

    code = code.strip()
    if not (len(code) == 6 and code.isdigit()):
        return False
    return bool(pyotp.TOTP(secret).verify(code, for_time=int(at), valid_window=1))


TOTP_ISSUER = "Géoplateforme"


def new_totp_secret() -> str:
    """A random base32 TOTP seed (160 bits, as Keycloak's)."""
    import pyotp

    return str(pyotp.random_base32())


def otpauth_uri(secret: str, username: str, *, issuer: str = TOTP_ISSUER) -> str:
    """The ``otpauth://`` URI that authenticator apps read (from a QR code), Keycloak's parameters:
    SHA1, 6 digits, 30 seconds."""
    from urllib.parse import quote

    label = f"{quote(issuer, safe='')}:{quote(username, safe='')}"
    query = f"secret={secret}&issuer={quote(issuer, safe='')}&digits=6&period=30&algorithm=SHA1"
    return f"otpauth://totp/{label}?{query}"
