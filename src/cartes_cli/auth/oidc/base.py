"""The plumbing every OIDC call goes through: settings, the HTTP client, client authentication
(form or HTTP Basic), the debug log (never a form body), typed errors."""

from __future__ import annotations

import base64
import contextlib
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal
from urllib.parse import quote

import httpx

from cartes_cli.auth.oidc.answers import _oauth_error, error_from_response
from cartes_cli.errors import ApiError, ConfigError, UsageError
from cartes_cli.i18n import _
from cartes_cli.platforms import Platform
from cartes_cli.secret import Secret, SecretLike
from cartes_cli.transport import (
    LOGIN_MAX_BYTES,
    Closing,
    accept_language,
    bound_client,
    default_user_agent,
    default_verify,
    transport_error,
    url_without_query,
)

ClientAuthMethod = Literal["form", "basic"]
"""How a client secret travels: in the form body (``client_secret``, the default) or HTTP Basic."""


class OIDCBase(Closing):
    """The plumbing of :class:`~cartes_cli.auth.oidc.OIDCClient`: its settings, its HTTP client
    (made on first use), client authentication, the debug log, typed errors."""

    def __init__(
        self,
        platform: Platform,
        *,
        http: httpx.Client | None = None,
        timeout: float = 30.0,
        debug: Callable[[str], None] | None = None,
        client_secret: str | SecretLike | None = None,
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
            client_secret = Secret(client_secret) if client_secret else None
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

    # --- life cycle ---------------------------------------------------------------------------------

    def close(self) -> None:
        if self._owns_http and self._http_client is not None:
            self._http_client.close()

    def __repr__(self) -> str:
        return f"OIDCClient(issuer={self.platform.issuer!r}, client_id={self.client_id!r})"

    # --- plumbing -----------------------------------------------------------------------------------

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

    def _error(self, response: httpx.Response, *, what: str) -> ApiError | ConfigError:
        return error_from_response(response, what=what, issuer=self.platform.issuer, client_id=self.client_id)
