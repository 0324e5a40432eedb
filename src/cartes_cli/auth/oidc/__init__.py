"""The Keycloak (OpenID Connect) endpoints as cartes uses them: password grant (with TOTP),
refresh, client credentials, authorization code (PKCE), device authorization (RFC 8628),
logout, revocation (RFC 7009) and the realm's signing keys (JWKS).

Errors are typed: ``LoginRefused`` (``.error`` = ``invalid_grant``…, ``.messages`` = the server's
description), ``AccountNotReady`` (a required action is pending), ``SessionExpired`` (a refresh
was refused: log in again), ``ServerError`` (5xx), ``TransportError`` (unreachable). Form bodies
are never logged: the ``debug`` callback only sees the method, the URL, the grant type, the status
and the error code.

Modules: ``client`` (:class:`OIDCClient`, the grants), ``discovery`` (OpenID configuration,
signing keys), ``base`` (settings, HTTP, client authentication, debug log), ``answers`` (OAuth
error bodies and the typed errors). Every name is importable from here, as before the split.
"""

from __future__ import annotations

from cartes_cli.auth.oidc.base import ClientAuthMethod
from cartes_cli.auth.oidc.client import DEVICE_GRANT, OIDCClient
from cartes_cli.auth.oidc.discovery import KEYCLOAK_PATHS, keycloak_endpoints
from cartes_cli.errors import SessionExpired

__all__ = [
    "DEVICE_GRANT",
    "KEYCLOAK_PATHS",
    "ClientAuthMethod",
    "OIDCClient",
    "SessionExpired",
    "keycloak_endpoints",
]
