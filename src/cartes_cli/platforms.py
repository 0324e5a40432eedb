"""The platforms cartes can talk to: prod, qualif, a local sandbox, or explicit URLs.

Shared by the CLI, the client and the sandbox (which records where it listens). Pure standard
library so that importing it costs nothing at start-up.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cartes_cli.i18n import _

DEFAULT_CLIENT_ID = "gpf-warehouse"
"""Public client used by the official SDK for the password grant."""
DEFAULT_WEB_CLIENT_ID = "cartes-gouv-public"
"""Public client (authorization code + PKCE) used for browser logins."""
REALM_PATH = "/realms/geoplateforme"


@dataclass(frozen=True)
class Platform:
    """One Géoplateforme: where its Entrepôt API and its Keycloak realm live."""

    name: str
    api_url: str
    issuer: str
    client_id: str = DEFAULT_CLIENT_ID
    web_client_id: str = DEFAULT_WEB_CLIENT_ID
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def token_endpoint(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/token"

    @property
    def is_sandbox(self) -> bool:
        return self.name == "sandbox"


KNOWN_PLATFORMS: dict[str, Platform] = {
    "prod": Platform(
        name="prod",
        api_url="https://data.geopf.fr/api",
        issuer="https://sso.geopf.fr/realms/geoplateforme",
    ),
    "qualif": Platform(
        name="qualif",
        api_url="https://data-qua.priv.geopf.fr/api",
        issuer="https://sso-qua.priv.geopf.fr/realms/geoplateforme",
    ),
}
ENV_NAMES = ("prod", "qualif", "sandbox")


class PlatformError(ValueError):
    """A platform cannot be used as given (bad URL, unknown name, sandbox not running)."""


class InvalidPlatformURL(PlatformError):
    pass


class UnknownEnvironment(PlatformError):
    pass


class SandboxNotRunning(PlatformError):
    pass


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_url(url: str, what: str = "URL") -> str:
    """Return ``url`` without its trailing slash, or raise InvalidPlatformURL with a clear sentence.

    Plain ``http://`` is accepted only for loopback hosts: a bearer token must never cross a
    network in clear text.
    """
    raw = url.strip()
    # Each label starts the sentence (French: « L'URL de l'API … »).
    label = {"URL": _("URL"), "API URL": _("API URL"), "Issuer URL": _("Issuer URL")}.get(what, what)
    try:
        parts = urlsplit(raw)
        host = parts.hostname
        _port = parts.port  # raises ValueError on a malformed port
    except ValueError as exc:
        raise InvalidPlatformURL(
            _("{what} {url} is not a valid URL.").format(what=label, url=repr(url))
        ) from exc
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidPlatformURL(
            _(
                "{what} {url} is not a valid URL: expected https://host/path (or http:// for 127.0.0.1)."
            ).format(what=label, url=repr(url))
        )
    if parts.username or parts.password:
        raise InvalidPlatformURL(_("{what} must not carry credentials.").format(what=label))
    if parts.query or parts.fragment:
        raise InvalidPlatformURL(
            _("{what} {url} must not contain a query or a fragment.").format(what=label, url=repr(url))
        )
    if parts.scheme == "http" and not is_loopback_host(host):
        raise InvalidPlatformURL(
            _("{what} {url} uses plain http:// to a host that is not this machine; use https://.").format(
                what=label, url=repr(url)
            )
        )
    return raw.rstrip("/")


def derive_issuer(api_url: str) -> str:
    """Guess the Keycloak issuer that goes with an API root.

    Known platforms map to their issuer; otherwise a root ending in ``/api`` is assumed to be
    sandbox-like, with the realm beside it (``http://h:p/api`` → ``http://h:p/realms/geoplateforme``).
    """
    for known in KNOWN_PLATFORMS.values():
        if api_url.rstrip("/") == known.api_url:
            return known.issuer
    base = api_url.rstrip("/")
    if base.endswith("/api"):
        return base[: -len("/api")] + REALM_PATH
    raise InvalidPlatformURL(
        _("Cannot tell the login server for {url}; give it with --issuer or CARTES_ISSUER.").format(
            url=repr(api_url)
        )
    )


# --- the local sandbox's record -------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_sandbox_state(path: Path, info: dict[str, Any]) -> None:
    """Record a running sandbox (atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def clear_sandbox_state(path: Path, pid: int) -> None:
    """Remove the record if it is still ours."""
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if info.get("pid") == pid:
        with contextlib.suppress(OSError):
            path.unlink()


def read_sandbox_state(path: Path) -> dict[str, Any] | None:
    """The record of a sandbox that is still running, or None."""
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or not _pid_alive(int(info.get("pid", 0))):
        return None
    return info


def sandbox_platform(path: Path) -> Platform:
    info = read_sandbox_state(path)
    if info is None:
        raise SandboxNotRunning(
            _(
                "No local sandbox is running; start one with 'cartes sandbox serve --seed demo' "
                "(or point to one with --api-url)."
            )
        )
    return Platform(name="sandbox", api_url=info["api_url"], issuer=info["issuer"], extra=info)


def resolve_platform(
    env: str | None,
    api_url: str | None,
    issuer: str | None,
    *,
    sandbox_state: Path,
    client_id: str | None = None,
) -> Platform:
    """Turn the user's choice (flags, environment, profile) into a Platform."""
    if api_url:
        api = validate_url(api_url, "API URL")
        iss = validate_url(issuer, "Issuer URL") if issuer else derive_issuer(api)
        name = "custom"
        for known in KNOWN_PLATFORMS.values():
            if known.api_url == api:
                name = known.name
        platform = Platform(name=name, api_url=api, issuer=iss)
    else:
        if issuer:
            raise InvalidPlatformURL(_("--issuer needs --api-url (or CARTES_API_URL) as well."))
        env = env or "prod"
        if env == "sandbox":
            platform = sandbox_platform(sandbox_state)
        elif env in KNOWN_PLATFORMS:
            platform = KNOWN_PLATFORMS[env]
        else:
            raise UnknownEnvironment(
                _("Unknown environment {env}; choose one of: {choices}.").format(
                    env=repr(env), choices=", ".join(ENV_NAMES)
                )
            )
    if client_id:
        platform = Platform(
            name=platform.name,
            api_url=platform.api_url,
            issuer=platform.issuer,
            client_id=client_id,
            web_client_id=platform.web_client_id,
            extra=platform.extra,
        )
    return platform
