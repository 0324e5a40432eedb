"""Authentication: OIDC flows against Keycloak, token refresh as an ``httpx.Auth``, credential store.

Submodules are loaded on first use (``from cartes_cli.auth import TokenManager`` works), so
importing ``cartes_cli.auth.store`` does not pay for httpx or pydantic. This package never imports
``cartes_cli.client``; its HTTP plumbing (TLS, User-Agent, transport errors, bounded answers) is
the shared :mod:`cartes_cli.transport`.

- ``tokens``: ``TokenSet``, ``jwt_claims``
- ``oidc``: ``OIDCClient``, ``SessionExpired``
- ``web``: ``WebLogin`` (authorization code + PKCE, loopback redirect)
- ``device``: ``DeviceLogin``, ``DeviceAuthorization`` (RFC 8628)
- ``idtoken``: ID-token checks (nonce, issuer, audience, RS256 signature)
- ``cache``: ``AccessTokenCache``, ``cache_key``
- ``totp``: ``normalise_secret``, ``current_code``, ``seconds_left_in_window``, ``password_login``,
  ``store_totp_secret``, ``load_totp_secret``, ``delete_totp_secret``
- ``session``: ``TokenManager``
- ``httpx_auth``: ``BearerAuth``
- ``store``: ``CredentialStore``, ``KeyringStore``, ``FileStore``, ``credential_key``
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cartes_cli.auth.cache import AccessTokenCache, cache_key
    from cartes_cli.auth.device import DeviceAuthorization, DeviceLogin
    from cartes_cli.auth.httpx_auth import BearerAuth
    from cartes_cli.auth.oidc import OIDCClient, SessionExpired
    from cartes_cli.auth.session import TokenManager
    from cartes_cli.auth.store import CredentialStore, FileStore, KeyringStore, credential_key
    from cartes_cli.auth.tokens import TokenSet, jwt_claims
    from cartes_cli.auth.totp import password_login
    from cartes_cli.auth.web import WebLogin

_EXPORTS = {
    "AccessTokenCache": "cache",
    "cache_key": "cache",
    "DeviceAuthorization": "device",
    "DeviceLogin": "device",
    "WebLogin": "web",
    "BearerAuth": "httpx_auth",
    "OIDCClient": "oidc",
    "SessionExpired": "oidc",
    "TokenManager": "session",
    "CredentialStore": "store",
    "FileStore": "store",
    "KeyringStore": "store",
    "credential_key": "store",
    "TokenSet": "tokens",
    "jwt_claims": "tokens",
    "password_login": "totp",
}

__all__ = [
    "AccessTokenCache",
    "BearerAuth",
    "CredentialStore",
    "DeviceAuthorization",
    "DeviceLogin",
    "FileStore",
    "KeyringStore",
    "OIDCClient",
    "SessionExpired",
    "TokenManager",
    "TokenSet",
    "WebLogin",
    "cache_key",
    "credential_key",
    "jwt_claims",
    "password_login",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
