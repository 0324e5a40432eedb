"""Discovery (the realm's OpenID configuration, Keycloak's standard paths when it answers 404)
and the realm's signing keys (JWKS)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from cartes_cli.auth.oidc.answers import _json_object
from cartes_cli.auth.oidc.base import OIDCBase
from cartes_cli.errors import InvalidResponse
from cartes_cli.i18n import _
from cartes_cli.platforms import InvalidPlatformURL, validate_url
from cartes_cli.transport import host_label

KEYCLOAK_PATHS: dict[str, str] = {
    "authorization_endpoint": "/protocol/openid-connect/auth",
    "token_endpoint": "/protocol/openid-connect/token",
    "end_session_endpoint": "/protocol/openid-connect/logout",
    "revocation_endpoint": "/protocol/openid-connect/revoke",
    "userinfo_endpoint": "/protocol/openid-connect/userinfo",
    "jwks_uri": "/protocol/openid-connect/certs",
    "device_authorization_endpoint": "/protocol/openid-connect/auth/device",
}
"""Standard Keycloak endpoints under the issuer, used when discovery answers 404."""


def keycloak_endpoints(issuer: str) -> dict[str, str]:
    base = issuer.rstrip("/")
    endpoints = {name: base + path for name, path in KEYCLOAK_PATHS.items()}
    endpoints["issuer"] = base
    return endpoints


class OIDCDiscovery(OIDCBase):
    """The realm's OpenID configuration and signing keys, both cached; the endpoints by name."""

    def discovery(self) -> dict[str, Any]:
        """The realm's OpenID configuration (cached); Keycloak's standard paths if it answers 404."""
        with self._lock:
            if self._discovery is None:
                self._discovery = self._fetch_discovery()
            return dict(self._discovery)

    def _fetch_discovery(self) -> dict[str, Any]:
        issuer = self.platform.issuer.rstrip("/")
        response = self._send("GET", f"{issuer}/.well-known/openid-configuration")
        if response.status_code == 404:
            return keycloak_endpoints(issuer)
        if not response.is_success:
            raise self._error(response, what="discovery")
        document = _json_object(response)
        if document is None:
            raise InvalidResponse(
                _(
                    "The login server {host} sent an OpenID configuration that is not a JSON object; "
                    "check the issuer URL."
                ).format(host=host_label(issuer))
            )
        fallback = keycloak_endpoints(issuer)
        for name in KEYCLOAK_PATHS:
            value = document.get(name)
            if value is None:
                document[name] = fallback[name]
                continue
            try:
                document[name] = validate_url(str(value), name)
            except InvalidPlatformURL as exc:
                raise InvalidResponse(
                    _("The login server's OpenID configuration has an unusable {name}: {reason}").format(
                        name=name, reason=exc
                    )
                ) from None
        return document

    def endpoint(self, name: str) -> str:
        """``token_endpoint``, ``end_session_endpoint``… from discovery."""
        value = self.discovery().get(name)
        if not isinstance(value, str):
            value = keycloak_endpoints(self.platform.issuer)[name]
        return value

    def _post_form(self, endpoint: str, form: dict[str, str]) -> httpx.Response:
        return self._send(
            "POST", self.endpoint(endpoint), form=self._with_client(form), headers=self._client_headers()
        )

    def jwks(self, *, refresh: bool = False) -> dict[str, Any]:
        """The realm's public signing keys (``{"keys": [...]}``), cached; ``refresh`` re-reads them
        (after a key rotation)."""
        with self._lock:
            if self._jwks is not None and not refresh:
                return self._jwks
        response = self._send("GET", self.endpoint("jwks_uri"))
        if not response.is_success:
            raise self._error(response, what="signing keys")
        try:
            document = json.loads(response.content)
        except ValueError:
            document = None
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise InvalidResponse(
                _("The login server {host} sent signing keys that are not a JWKS.").format(
                    host=host_label(response.request.url)
                )
            )
        with self._lock:
            self._jwks = document
        return document
