"""The OIDC client: the grants (password with TOTP, refresh, client credentials, authorization
code with PKCE, device), the browser login's pre-flight check, revocation, userinfo, logout."""

from __future__ import annotations

import json
from typing import Any, Literal

from cartes_cli.auth.oidc.answers import _GONE_SESSION, _json_object, _oauth_error, _printable
from cartes_cli.auth.oidc.base import ClientAuthMethod
from cartes_cli.auth.oidc.discovery import OIDCDiscovery
from cartes_cli.auth.tokens import TokenSet
from cartes_cli.errors import ClientRefused, InvalidResponse, SessionExpired, UsageError
from cartes_cli.i18n import _
from cartes_cli.secret import SecretLike
from cartes_cli.transport import host_label

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


class OIDCClient(OIDCDiscovery):
    """Talks to one platform's Keycloak realm as one OAuth client.

    ``client_id`` defaults to the platform's password-grant client (``platform.client_id``); a
    browser or device login uses ``platform.web_client_id`` (see :meth:`with_client_id`). A refresh
    token is bound to the client that obtained it: refresh it with the same ``client_id``.

    ``http`` may be shared (it must not carry a ``BearerAuth``: requests here are sent with
    ``auth=None`` anyway); otherwise the client owns one, closed by :meth:`close`. ``client_secret``
    is for confidential clients and service accounts (default: the platform's configured secret for
    ``client_id``, see ``Platform.secret_for``); ``client_auth`` says whether it goes in the
    form (default) or as HTTP Basic (Keycloak accepts both). ``discovery_document`` seeds the
    discovery cache (e.g. from a previous run), saving one round trip.
    """

    def with_client_id(
        self,
        client_id: str,
        *,
        client_secret: str | SecretLike | None = None,
        client_auth: ClientAuthMethod | None = None,
    ) -> OIDCClient:
        """The same realm as another client (``web_client_id``…), sharing the HTTP connection pool
        and the discovery document. The copy does not own the pool: close the original."""
        if client_id == self.client_id and client_secret is None and client_auth in (None, self.client_auth):
            return self
        if client_secret is None:
            client_secret = self.platform.secret_for(client_id)
        with self._lock:
            discovery = dict(self._discovery) if self._discovery is not None else None
        other = OIDCClient(
            self.platform,
            http=self._http,
            debug=self._debug,
            client_secret=client_secret,
            discovery_document=discovery,
            clock=self._clock,
            client_id=client_id,
            client_auth=client_auth or self.client_auth,
        )
        other._timeout = self._timeout
        other._deadline = self._deadline
        return other

    # --- grants -------------------------------------------------------------------------------------

    def password_grant(self, username: str, password: str, totp: str | None = None) -> TokenSet:
        """Resource-owner password grant; ``totp`` is the 6-digit code of a 2FA account."""
        if not username or not password:
            raise UsageError(_("A user name and a password are both needed to log in."))
        form = {
            "grant_type": "password",
            "username": username,
            "password": password,
            "scope": "openid",
        }
        if totp:
            form["totp"] = totp
        return self._token_request(form, refreshing=False)

    def refresh(self, refresh_token: str) -> TokenSet:
        """A new token set from a refresh token; ``SessionExpired`` if the server refuses it."""
        if not refresh_token:
            raise SessionExpired(_("There is no refresh token to renew the session; log in again."))
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        return self._token_request(form, refreshing=True)

    def client_credentials(self, scope: str | None = None) -> TokenSet:
        """Service-account grant (needs ``client_secret``). Keycloak sends no refresh token here:
        renew by running the grant again (``TokenManager.for_client_credentials``)."""
        if not self.has_client_secret:
            raise UsageError(_("A client secret is needed for a service-account login."))
        form = {"grant_type": "client_credentials"}
        if scope:
            form["scope"] = scope
        return self._token_request(form, refreshing=False, what="service")

    def authorization_code(self, code: str, *, redirect_uri: str, code_verifier: str) -> TokenSet:
        """Exchange the code of a browser login (PKCE: the verifier proves we started it)."""
        if not code:
            raise UsageError(_("The login answer carried no authorization code."))
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        return self._token_request(form, refreshing=False)

    def check_authorization_request(self, url: str, *, redirect_uri: str) -> None:
        """Send the browser login's authorization request once, without cookies, and raise
        ``ClientRefused`` if the login server refuses the client or its redirect URI.

        Keycloak shows those refusals as an error page (HTTP 400, "Invalid parameter:
        redirect_uri", "Client not found.") and never redirects, so the person would be stuck in
        the browser while cartes waits. A refusal it redirects (``error=unauthorized_client``, the
        standard flow disabled for the client) is caught too. Anything else (a login page, a
        server error) is left to the browser.
        """
        setting = _("CARTES_OIDC_CLIENT_ID and CARTES_OIDC_CLIENT_SECRET (or oidc_client_id in the profile)")
        response = self._send("GET", url, headers={"Accept": "text/html", "Accept-Language": "en"})
        status = response.status_code
        if status in (301, 302, 303, 307, 308):
            location = response.headers.get("location", "")
            if not location.startswith(redirect_uri):
                return
            from urllib.parse import parse_qs, urlsplit

            parts = urlsplit(location)
            answer = parse_qs(parts.query or parts.fragment)
            error = (answer.get("error") or [""])[0]
            if error in ("unauthorized_client", "invalid_client"):
                reason = _printable((answer.get("error_description") or [error])[0])
                raise ClientRefused(
                    _(
                        "The platform does not allow browser logins through the OIDC client {client} "
                        "({reason}). Check {setting}."
                    ).format(client=self.client_id, reason=reason, setting=setting),
                    client_id=self.client_id,
                    status=status,
                    error=error,
                )
            return
        if status != 400:
            return
        page = response.text[:50_000].lower()
        if "redirect_uri" in page or "redirect uri" in page:
            raise ClientRefused(
                _(
                    "The platform refused the browser login's return address {redirect} for the OIDC client "
                    "{client} (Invalid parameter: redirect_uri): that client does not accept it. Set "
                    "CARTES_OIDC_REDIRECT_URI to an address registered for the client, or "
                    "CARTES_OIDC_CLIENT_ID to a client that accepts it."
                ).format(redirect=redirect_uri, client=self.client_id),
                client_id=self.client_id,
                status=status,
                error="invalid_redirect_uri",
            )
        if "client not found" in page or "client disabled" in page:
            raise ClientRefused(
                _(
                    "The platform does not know the OIDC client {client}, or has disabled it. "
                    "Check {setting}."
                ).format(client=self.client_id, setting=setting),
                client_id=self.client_id,
                status=status,
                error="invalid_client",
            )

    def device_authorization(self, scope: str = "openid") -> dict[str, Any]:
        """Start a device login (RFC 8628 §3.1): the raw JSON answer (``device_code``, ``user_code``…)."""
        response = self._post_form("device_authorization_endpoint", {"scope": scope} if scope else {})
        if not response.is_success:
            raise self._error(response, what="device login")
        body = _json_object(response)
        if body is None:
            raise InvalidResponse(
                _(
                    "The login server {host} answered the device login request with something that is not "
                    "a JSON object."
                ).format(host=host_label(response.request.url))
            )
        return body

    def device_token(self, device_code: str) -> TokenSet:
        """One poll of the token endpoint for a device login. While the user has not approved yet
        this raises ``LoginRefused`` with ``.error`` = ``authorization_pending`` or ``slow_down``
        (see :mod:`cartes_cli.auth.device`, which does the polling)."""
        return self._token_request({"grant_type": DEVICE_GRANT, "device_code": device_code}, refreshing=False)

    def revoke(
        self,
        token: str,
        hint: Literal["refresh_token", "access_token"] | None = "refresh_token",
    ) -> None:
        """RFC 7009 revocation. Revoking a refresh token ends its Keycloak session; an unknown or
        expired token is not an error (the server answers 200)."""
        form = {"token": token}
        if hint:
            form["token_type_hint"] = hint
        response = self._post_form("revocation_endpoint", form)
        if response.is_success:
            return
        raise self._error(response, what="revocation")

    def userinfo(self, access_token: str) -> dict[str, Any]:
        """Who the access token is for, as the login server sees it now: Keycloak answers 401 once
        the session behind the token has ended (a logout elsewhere, an administrator), even
        while the token itself has not expired. Raises ``SessionExpired`` then."""
        response = self._send(
            "GET", self.endpoint("userinfo_endpoint"), headers={"Authorization": f"Bearer {access_token}"}
        )
        if response.status_code in (401, 403):
            _code, messages = _oauth_error(response)
            reason = _printable(" ".join(messages)) or f"HTTP {response.status_code}"
            raise SessionExpired(
                _("The platform has ended this session ({reason}); log in again.").format(reason=reason),
                status=response.status_code,
                messages=messages,
            )
        if not response.is_success:
            raise self._error(response, what="userinfo")
        body = _json_object(response)
        if body is None:
            raise InvalidResponse(
                _("The login server {host} sent user information that is not a JSON object.").format(
                    host=host_label(response.request.url)
                )
            )
        return body

    def logout(self, refresh_token: str) -> None:
        """End the server-side session. A token the server no longer knows counts as logged out."""
        response = self._post_form("end_session_endpoint", {"refresh_token": refresh_token})
        if response.is_success:
            return
        code, messages = _oauth_error(response)
        text = " ".join(messages).lower()
        if response.status_code in (400, 401) and (
            code in ("invalid_grant", "invalid_token") or any(g in text for g in _GONE_SESSION)
        ):
            return
        raise self._error(response, what="logout")

    def _token_request(self, form: dict[str, str], *, refreshing: bool, what: str | None = None) -> TokenSet:
        now = self._clock()  # taken before sending: the expiry computed is conservative
        response = self._post_form("token_endpoint", form)
        if not response.is_success:
            raise self._error(response, what=what or ("refresh" if refreshing else "login"))
        try:
            body = json.loads(response.content)
        except ValueError:
            raise InvalidResponse(
                _("The login server {host} answered something that is not JSON.").format(
                    host=host_label(response.request.url)
                )
            ) from None
        return TokenSet.from_response(body, now)
