"""The Keycloak (OpenID Connect) endpoints as cartes uses them: password grant (with TOTP),
refresh, client credentials, authorization code (PKCE), device authorization (RFC 8628),
logout, revocation (RFC 7009) and the realm's signing keys (JWKS).

Errors are typed: ``LoginRefused`` (``.error`` = ``invalid_grant``…, ``.messages`` = the server's
description), ``AccountNotReady`` (a required action is pending), ``SessionExpired`` (a refresh
was refused: log in again), ``ServerError`` (5xx), ``TransportError`` (unreachable). Form bodies
are never logged: the ``debug`` callback only sees the method, the URL, the grant type, the status
and the error code.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal
from urllib.parse import quote

import httpx
from pydantic import SecretStr

from cartes_cli.auth.tokens import TokenSet
from cartes_cli.errors import (
    AccountNotReady,
    ApiError,
    ClientRefused,
    ConfigError,
    InvalidResponse,
    LoginRefused,
    RateLimited,
    ServerError,
    SessionExpired,
    UsageError,
)
from cartes_cli.i18n import _
from cartes_cli.platforms import InvalidPlatformURL, Platform, validate_url
from cartes_cli.transport import (
    LOGIN_MAX_BYTES,
    Closing,
    accept_language,
    bound_client,
    default_user_agent,
    default_verify,
    host_label,
    transport_error,
    url_without_query,
)

__all__ = [
    "DEVICE_GRANT",
    "KEYCLOAK_PATHS",
    "ClientAuthMethod",
    "OIDCClient",
    "SessionExpired",
    "keycloak_endpoints",
]

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
ClientAuthMethod = Literal["form", "basic"]
"""How a client secret travels: in the form body (``client_secret``, the default) or HTTP Basic."""

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

_NOT_SET_UP = "account is not fully set up"
_GONE_SESSION = ("invalid refresh token", "session not active", "token is not active", "stale token")


def keycloak_endpoints(issuer: str) -> dict[str, str]:
    base = issuer.rstrip("/")
    endpoints = {name: base + path for name, path in KEYCLOAK_PATHS.items()}
    endpoints["issuer"] = base
    return endpoints


def _oauth_error(response: httpx.Response) -> tuple[str | None, list[str]]:
    """``(error, [error_description])`` from an OAuth error body; tolerant of anything."""
    try:
        data = json.loads(response.content) if response.content else None
    except ValueError:
        return None, []
    if not isinstance(data, dict):
        return None, []
    error = data.get("error")
    code = error if isinstance(error, str) and error else None
    raw = data.get("error_description", data.get("message"))
    if isinstance(raw, str):
        messages = [raw] if raw.strip() else []
    elif isinstance(raw, list):
        messages = [str(m) for m in raw if str(m).strip()]
    else:
        messages = []
    return code, [m[:300] for m in messages]


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _endpoint_label(what: str) -> str:
    """The name of a login server endpoint, in the user's language."""
    labels = {
        "discovery": _("discovery"),
        "device login": _("device login"),
        "signing keys": _("signing keys"),
        "logout": _("logout"),
        "refresh": _("refresh"),
        "login": _("login"),
        "service": _("service-account login"),
        "userinfo": _("user information"),
    }
    return labels.get(what, what)


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    """The answer's body when it is a JSON object; None otherwise (the caller names what it lacks)."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _printable(text: str, limit: int = 300) -> str:
    """Server text fit for a terminal: control characters dropped, bounded."""
    return "".join(c if c.isprintable() else " " for c in text).strip()[:limit]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


class OIDCClient(Closing):
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

    def __init__(
        self,
        platform: Platform,
        *,
        http: httpx.Client | None = None,
        timeout: float = 30.0,
        debug: Callable[[str], None] | None = None,
        client_secret: str | SecretStr | None = None,
        discovery_document: Mapping[str, Any] | None = None,
        clock: Callable[[], float] = time.time,
        client_id: str | None = None,
        client_auth: ClientAuthMethod = "form",
    ) -> None:
        self.platform = platform
        self.client_id = (client_id or platform.client_id).strip()
        if not self.client_id:
            raise UsageError(_("The OAuth client id is empty."))
        if client_auth not in ("form", "basic"):
            raise ValueError(f"client_auth must be 'form' or 'basic', not {client_auth!r}")
        self.client_auth: ClientAuthMethod = client_auth
        if client_secret is None:
            # A confidential client of the platform (gpf-warehouse) sends its configured secret
            # with every grant, refresh, logout and revocation.
            client_secret = platform.secret_for(self.client_id)
        if isinstance(client_secret, str):
            client_secret = SecretStr(client_secret) if client_secret else None
        self._client_secret = client_secret
        self._debug = debug
        self._clock = clock
        self._timeout = httpx.Timeout(timeout)
        self._deadline = timeout
        self._owns_http = http is None
        # Made on first use: a run served by a cached access token never talks to the login server.
        self._http_client = http
        self._discovery: dict[str, Any] | None = dict(discovery_document) if discovery_document else None
        self._jwks: dict[str, Any] | None = None
        self._lock = threading.Lock()
        self._http_lock = threading.Lock()

    def with_client_id(
        self,
        client_id: str,
        *,
        client_secret: str | SecretStr | None = None,
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

    @property
    def _http(self) -> httpx.Client:
        with self._http_lock:
            if self._http_client is None:
                self._http_client = bound_client(
                    httpx.Client(
                        timeout=self._timeout,
                        verify=default_verify(),
                        follow_redirects=False,
                        headers={
                            "User-Agent": default_user_agent(),
                            "Accept": "application/json",
                            "Accept-Language": accept_language(),
                        },
                    ),
                    deadline=self._deadline,
                    max_bytes=LOGIN_MAX_BYTES,
                )
            return self._http_client

    @property
    def has_client_secret(self) -> bool:
        return self._client_secret is not None and bool(self._client_secret.get_secret_value())

    # --- life cycle ---------------------------------------------------------------------------

    def close(self) -> None:
        if self._owns_http and self._http_client is not None:
            self._http_client.close()

    def __repr__(self) -> str:
        return f"OIDCClient(issuer={self.platform.issuer!r}, client_id={self.client_id!r})"

    # --- plumbing -----------------------------------------------------------------------------

    def _emit(self, line: str) -> None:
        if self._debug is not None:
            with contextlib.suppress(Exception):  # a broken log sink must not break the request
                self._debug(line)

    def _send(
        self,
        method: str,
        url: str,
        *,
        form: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        label = f" (grant_type={form['grant_type']})" if form and "grant_type" in form else ""
        safe_url = url_without_query(url)
        self._emit(f"→ {method} {safe_url}{label}")
        start = time.perf_counter()
        try:
            response = self._http.request(
                method, url, data=form, headers=headers, auth=None, timeout=self._timeout
            )
        except httpx.HTTPError as exc:
            error = transport_error(exc, url)
            self._emit(f"✗ {method} {safe_url}: {error}")
            raise error from exc
        elapsed = (time.perf_counter() - start) * 1000
        code = ""
        if not response.is_success:
            code = f" {_oauth_error(response)[0] or ''}".rstrip()
        self._emit(f"← {response.status_code} {method} {safe_url} ({elapsed:.0f} ms){code}")
        return response

    def _with_client(self, form: dict[str, str]) -> dict[str, str]:
        """Client authentication in the form (``client_id`` [+ ``client_secret``])."""
        form["client_id"] = self.client_id
        if self._client_secret is not None and self.client_auth == "form":
            form["client_secret"] = self._client_secret.get_secret_value()
        return form

    def _client_headers(self) -> dict[str, str] | None:
        """HTTP Basic client authentication (RFC 6749 §2.3.1: both parts form-encoded first)."""
        if self._client_secret is None or self.client_auth != "basic":
            return None
        user = quote(self.client_id, safe="")
        secret = quote(self._client_secret.get_secret_value(), safe="")
        credentials = base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")
        return {"Authorization": f"Basic {credentials}"}

    def _post_form(self, endpoint: str, form: dict[str, str]) -> httpx.Response:
        return self._send(
            "POST", self.endpoint(endpoint), form=self._with_client(form), headers=self._client_headers()
        )

    # --- discovery ----------------------------------------------------------------------------

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

    # --- grants -------------------------------------------------------------------------------

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

    # --- errors -------------------------------------------------------------------------------

    def _client_refused(self, what: str, description: str) -> str:
        """Why the login server refused this *client*, and which setting fixes it (Keycloak's
        own descriptions, from its ClientIdAndSecretAuthenticator, ResourceOwnerPassword-
        CredentialsGrantType and DeviceGrantType)."""
        text = description.lower()
        reason = _printable(description)
        if what == "service":
            return _(
                "The service account {client} was refused: its client id or secret is wrong, or it is "
                "not a service account ({reason}). Check CARTES_CLIENT_ID and CARTES_CLIENT_SECRET."
            ).format(client=self.client_id, reason=reason)
        setting = _("CARTES_OIDC_CLIENT_ID and CARTES_OIDC_CLIENT_SECRET (or oidc_client_id in the profile)")
        if "secret not provided" in text:
            return _(
                "The platform refused cartes's OIDC client {client}: it is a confidential client and no "
                "client secret was sent. Set CARTES_OIDC_CLIENT_SECRET."
            ).format(client=self.client_id)
        if "direct access" in text:
            return _(
                "The platform does not allow password logins through the OIDC client {client} ({reason}). "
                "Log in with 'cartes login --web', or set {setting} to a client that allows them."
            ).format(client=self.client_id, reason=reason, setting=setting)
        if "device" in text:
            return _(
                "The platform does not allow device logins through the OIDC client {client} ({reason}). "
                "Use 'cartes login --web', or set {setting} to a client that has the device grant."
            ).format(client=self.client_id, reason=reason, setting=setting)
        if "invalid client" in text or "client not found" in text or "credentials" in text:
            return _(
                "The platform refused cartes's OIDC client {client}: it does not know it, or its secret "
                "is wrong ({reason}). Check {setting}."
            ).format(client=self.client_id, reason=reason, setting=setting)
        return _("The platform refused cartes's OIDC client {client} ({reason}). Check {setting}.").format(
            client=self.client_id, reason=reason, setting=setting
        )

    def _error(self, response: httpx.Response, *, what: str) -> ApiError | ConfigError:
        status = response.status_code
        code, messages = _oauth_error(response)
        host = host_label(response.request.url)
        details: dict[str, Any] = {
            "status": status,
            "error": code,
            "messages": messages,
            "method": response.request.method,
            "url": url_without_query(response.request.url),
        }
        description = " ".join(messages)
        if status >= 500:
            return ServerError(
                _("The login server {host} failed (HTTP {status}); try again in a moment.").format(
                    host=host, status=status
                ),
                **details,
            )
        if status == 429:
            return RateLimited(
                _("The login server {host} is rate-limiting requests; wait a moment and try again.").format(
                    host=host
                ),
                retry_after=_retry_after(response.headers.get("retry-after")),
                **details,
            )
        if status == 404 or (status in (301, 302, 303, 307, 308)):
            return ConfigError(
                _(
                    "The login server {host} has no {what} endpoint at {url} (HTTP {status}); "
                    "check the issuer URL ({issuer})."
                ).format(
                    host=host,
                    what=_endpoint_label(what),
                    url=url_without_query(response.request.url),
                    status=status,
                    issuer=self.platform.issuer,
                )
            )
        if status in (400, 401, 403):
            if _NOT_SET_UP in description.lower():
                return AccountNotReady(
                    _(
                        "Your account is not fully set up: an action is pending (such as the yearly password "
                        "renewal or the e-mail check). Log in once in a browser at {url}, then try again."
                    ).format(url=f"{self.platform.issuer.rstrip('/')}/account"),
                    **details,
                )
            if code in ("invalid_client", "unauthorized_client"):
                return ClientRefused(
                    self._client_refused(what, description or code or ""), client_id=self.client_id, **details
                )
            if what == "refresh":
                expired = (
                    _("Your session has expired or was closed ({reason}); log in again.")
                    if description
                    else _("Your session has expired or was closed; log in again.")
                )
                return SessionExpired(
                    expired.format(reason=description),
                    **details,
                )
            if what == "login":
                return LoginRefused(
                    _("Login refused: {reason}").format(
                        reason=_sentence(description or code or _("the credentials were not accepted"))
                    ),
                    **details,
                )
        return ApiError(
            _("The login server {host} answered HTTP {status} to the {what} request.").format(
                host=host, status=status, what=_endpoint_label(what)
            ),
            **details,
        )
