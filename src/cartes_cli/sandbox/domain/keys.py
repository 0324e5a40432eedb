"""The realm's RSA signing key: kept in the data directory (mode 0600), published as a JWKS.

The same key across restarts means tokens issued before a restart still verify.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ALGORITHM = "RS256"


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


_VERIFIED_CACHE = 4096


class SigningKey:
    """One RS256 key pair with its ``kid`` (the RFC 7638 thumbprint of the public key)."""

    def __init__(self, private_key: rsa.RSAPrivateKey) -> None:
        self._private = private_key
        self._public = private_key.public_key()
        self._verified: dict[str, dict[str, Any]] = {}
        numbers = self._public.public_numbers()
        self._n = _b64url_uint(numbers.n)
        self._e = _b64url_uint(numbers.e)
        thumbprint_input = json.dumps({"e": self._e, "kty": "RSA", "n": self._n}, separators=(",", ":"))
        digest = hashlib.sha256(thumbprint_input.encode("ascii")).digest()
        self.kid = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def load_or_create(cls, path: Path) -> SigningKey:
        """Read the PEM key at ``path``, or create it there with mode 0600."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            key = cls.generate()
            pem = key._private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # created meanwhile by another process: use that one
                return cls.load_or_create(path)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
            return key
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        private = serialization.load_pem_private_key(data, password=None)
        if not isinstance(private, rsa.RSAPrivateKey):
            raise ValueError(f"{path} does not hold an RSA private key")
        return cls(private)

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        return self._public

    def public_jwk(self) -> dict[str, Any]:
        return {"kid": self.kid, "kty": "RSA", "alg": ALGORITHM, "use": "sig", "n": self._n, "e": self._e}

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk()]}

    def public_key_pem_body(self) -> str:
        """The bare base64 public key, as Keycloak's realm endpoint shows it."""
        der = self._public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode("ascii")

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._private, algorithm=ALGORITHM, headers={"kid": self.kid, "typ": "JWT"})

    def verify(self, token: str) -> dict[str, Any]:
        """Check the signature and return the claims; raise ``jwt.InvalidTokenError`` otherwise.

        Time-based claims are *not* checked here: the caller compares them with the sandbox's clock.
        """
        cached = self._verified.get(token)
        if cached is not None:
            return dict(cached)
        header = jwt.get_unverified_header(token)
        if header.get("kid") not in (None, self.kid):
            raise jwt.InvalidTokenError("unknown key id")
        claims: dict[str, Any] = jwt.decode(
            token,
            self._public,
            algorithms=[ALGORITHM],
            options={
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
                "verify_aud": False,
                "verify_iss": False,
                "require": ["exp", "iat", "jti", "sub", "typ"],
            },
        )
        # A resource server verifies the same bearer token on every call: remember the good ones
        # (bounded), since PyJWT's checks cost more than the rest of a request.
        if len(self._verified) >= _VERIFIED_CACHE:
            try:
                self._verified.pop(next(iter(self._verified)), None)
            except (StopIteration, RuntimeError):  # emptied or changed under us: start afresh
                self._verified.clear()
        self._verified[token] = dict(claims)
        return claims
