"""What the login server answers, read: OAuth error bodies, JSON objects, server text fit for a
terminal, and the typed error (``LoginRefused``, ``SessionExpired``, ``ClientRefused``…) for a
failed answer."""

from __future__ import annotations

import json
from typing import Any

import httpx

from cartes_cli.errors import (
    AccountNotReady,
    ApiError,
    ClientRefused,
    ConfigError,
    LoginRefused,
    RateLimited,
    ServerError,
    SessionExpired,
)
from cartes_cli.i18n import _
from cartes_cli.transport import host_label, url_without_query

_NOT_SET_UP = "account is not fully set up"
_GONE_SESSION = ("invalid refresh token", "session not active", "token is not active", "stale token")


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


def client_refused_message(client_id: str, what: str, description: str) -> str:
    """Why the login server refused this *client*, and which setting fixes it (Keycloak's
    own descriptions, from its ClientIdAndSecretAuthenticator, ResourceOwnerPassword-
    CredentialsGrantType and DeviceGrantType)."""
    text = description.lower()
    reason = _printable(description)
    if what == "service":
        return _(
            "The service account {client} was refused: its client id or secret is wrong, or it is "
            "not a service account ({reason}). Check CARTES_CLIENT_ID and CARTES_CLIENT_SECRET."
        ).format(client=client_id, reason=reason)
    setting = _("CARTES_OIDC_CLIENT_ID and CARTES_OIDC_CLIENT_SECRET (or oidc_client_id in the profile)")
    if "secret not provided" in text:
        return _(
            "The platform refused cartes's OIDC client {client}: it is a confidential client and no "
            "client secret was sent. Set CARTES_OIDC_CLIENT_SECRET."
        ).format(client=client_id)
    if "direct access" in text:
        return _(
            "The platform does not allow password logins through the OIDC client {client} ({reason}). "
            "Log in with 'cartes login --web', or set {setting} to a client that allows them."
        ).format(client=client_id, reason=reason, setting=setting)
    if "device" in text:
        return _(
            "The platform does not allow device logins through the OIDC client {client} ({reason}). "
            "Use 'cartes login --web', or set {setting} to a client that has the device grant."
        ).format(client=client_id, reason=reason, setting=setting)
    if "invalid client" in text or "client not found" in text or "credentials" in text:
        return _(
            "The platform refused cartes's OIDC client {client}: it does not know it, or its secret "
            "is wrong ({reason}). Check {setting}."
        ).format(client=client_id, reason=reason, setting=setting)
    return _("The platform refused cartes's OIDC client {client} ({reason}). Check {setting}.").format(
        client=client_id, reason=reason, setting=setting
    )


def _refusal(
    code: str | None, description: str, details: dict[str, Any], *, what: str, issuer: str, client_id: str
) -> ApiError | None:
    """The typed error of a 400, 401 or 403 that says why (an account not set up, a refused client,
    an expired session, a refused login); None for the generic one."""
    if _NOT_SET_UP in description.lower():
        return AccountNotReady(
            _(
                "Your account is not fully set up: an action is pending (such as the yearly password "
                "renewal or the e-mail check). Log in once in a browser at {url}, then try again."
            ).format(url=f"{issuer.rstrip('/')}/account"),
            **details,
        )
    if code in ("invalid_client", "unauthorized_client"):
        return ClientRefused(
            client_refused_message(client_id, what, description or code or ""),
            client_id=client_id,
            **details,
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
    return None


def error_from_response(
    response: httpx.Response, *, what: str, issuer: str, client_id: str
) -> ApiError | ConfigError:
    """The typed error for a failed answer of the login server to the ``what`` request of
    ``client_id`` (``issuer``: the realm, named in the hints)."""
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
                issuer=issuer,
            )
        )
    if status in (400, 401, 403):
        refusal = _refusal(code, description, details, what=what, issuer=issuer, client_id=client_id)
        if refusal is not None:
            return refusal
    return ApiError(
        _("The login server {host} answered HTTP {status} to the {what} request.").format(
            host=host, status=status, what=_endpoint_label(what)
        ),
        **details,
    )
