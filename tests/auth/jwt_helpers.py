"""JWT-shaped strings for tests: unsigned ones (display-only claims) and RS256-signed ones (ID tokens)."""

from __future__ import annotations

import base64
import functools
import json
from typing import Any


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(claims: dict[str, Any]) -> str:
    header = b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps(claims).encode())
    return f"{header}.{payload}.{b64(b'signature')}"


@functools.cache
def rsa_key(name: str = "main") -> Any:
    """An RSA key pair per name, made once per test session (key generation is slow)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: Any, kid: str) -> dict[str, Any]:
    import jwt

    jwk: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


def signed_jwt(claims: dict[str, Any], key: Any, kid: str | None = "k1", alg: str = "RS256") -> str:
    import jwt

    headers = {"kid": kid} if kid else None
    return jwt.encode(claims, key, algorithm=alg, headers=headers)
