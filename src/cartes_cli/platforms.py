"""The platforms cartes can talk to: prod, qualif, a local sandbox, or explicit URLs.

Shared by the CLI, the client and the sandbox (which records where it listens). Pure standard
library so that importing it costs nothing at start-up.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cartes_cli.i18n import _

REALM_PATH = "/realms/geoplateforme"

# --- the OpenID Connect clients ------------------------------------------------------------------
#
# REAL: ``gpf-warehouse`` is a *confidential* Keycloak client. IGN publishes its secret for public
# use: IGN's Python SDK ships it as its default (Geoplateforme/sdk-entrepot,
# ``sdk_entrepot_gpf/_conf/default.ini``), and the user guide gives the same id, secret and
# redirect to desktop GIS tools (IGNF/cartes.gouv.fr-documentation,
# ``content/fr/guides-utilisateur/creation-des-cles-et-integration-sig/integrer-une-cle-dans-un-sig.md``,
# section FME). Its only known redirect is the Entrepôt API's Swagger UI page; no known IGN client
# accepts a loopback redirect or has the device grant. See docs/design.md, "The real OIDC clients".

GPF_WAREHOUSE = "gpf-warehouse"
GPF_WAREHOUSE_SECRET = "BK2G7Vvkn7UDc8cV7edbCnHdYminWVw2"  # noqa: S105 - published by IGN (above)
PROD_SWAGGER_REDIRECT = "https://data.geopf.fr/swagger-ui/oauth2-redirect.html"
# A guess: qualif's Swagger UI serves this page (the documentation site's copy of it names it), but
# no public source says that gpf-warehouse registers it there. Overridable.
QUALIF_SWAGGER_REDIRECT = "https://data-qua.priv.geopf.fr/api/swagger-ui/oauth2-redirect.html"
SWAGGER_REDIRECT_PATH = "/swagger-ui/oauth2-redirect.html"

# SANDBOX: the sandbox registers gpf-warehouse as the real platform does (confidential, with this
# documented demo secret, the Swagger-style redirect only), and a public ``cartes-cli`` client with
# loopback redirects and the device grant: what we would ask IGN to register for cartes.
SANDBOX_WAREHOUSE_SECRET = "sandbox-gpf-warehouse-demo-2026"  # noqa: S105 - the sandbox's demo secret
SANDBOX_CLI_CLIENT = "cartes-cli"
DOC_SITE_CLIENT = "cartes-gouv-public"
"""The documentation site's keycloak-js client (public, its own pages as redirects): not for a CLI."""

SUPPORT_ADDRESS = "geoplateforme@ign.fr"
"""The Géoplateforme's support, as IGN's public sources name it: the user guide sends whoever lost
their authenticator app there (IGNF/cartes.gouv.fr-documentation,
``content/fr/guides-utilisateur/presentation-utilisateur/connexion.md``, §2), and a public
workspace is an argued request to it
(``content/fr/guides-producteur/presentation-producteur/offre-essentielle.md``)."""

LOOPBACK = "loopback"
"""``web_redirect`` value: the browser comes back to a one-shot listener on 127.0.0.1."""

DEFAULT_CLIENT_ID = GPF_WAREHOUSE
DEFAULT_WEB_CLIENT_ID = GPF_WAREHOUSE


@dataclass(frozen=True)
class Platform:
    """One Géoplateforme: where its Entrepôt API and its Keycloak realm live, and which OpenID
    Connect clients a person's logins use there.

    ``client_id``/``client_secret``: the client of password logins (and of their refreshes).
    ``web_client_id``/``web_client_secret``: the client of browser and device logins.
    ``web_redirect``: ``"loopback"`` (the browser comes back to cartes on 127.0.0.1), or a
    redirect URI registered for the web client, where the browser lands and from which the person
    pastes the address back. ``device_grant``: whether the web client may use the device flow.
    """

    name: str
    api_url: str
    issuer: str
    client_id: str = DEFAULT_CLIENT_ID
    web_client_id: str = DEFAULT_WEB_CLIENT_ID
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    client_secret: str | None = field(default=None, repr=False)
    web_client_secret: str | None = field(default=None, repr=False)
    web_redirect: str = LOOPBACK
    device_grant: bool = False

    @property
    def token_endpoint(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/token"

    @property
    def is_sandbox(self) -> bool:
        return self.name == "sandbox"

    @property
    def web_loopback(self) -> bool:
        return self.web_redirect == LOOPBACK

    def secret_for(self, client_id: str | None) -> str | None:
        """The configured secret of one of this platform's clients (None: public or unknown)."""
        if client_id and client_id == self.client_id and self.client_secret:
            return self.client_secret
        if client_id and client_id == self.web_client_id and self.web_client_secret:
            return self.web_client_secret
        return None


def _real(name: str, api_url: str, issuer: str, redirect: str) -> Platform:
    return Platform(
        name=name,
        api_url=api_url,
        issuer=issuer,
        client_id=GPF_WAREHOUSE,
        client_secret=GPF_WAREHOUSE_SECRET,
        web_client_id=GPF_WAREHOUSE,
        web_client_secret=GPF_WAREHOUSE_SECRET,
        web_redirect=redirect,
        device_grant=False,
    )


KNOWN_PLATFORMS: dict[str, Platform] = {
    "prod": _real(
        "prod",
        "https://data.geopf.fr/api",
        "https://sso.geopf.fr/realms/geoplateforme",
        PROD_SWAGGER_REDIRECT,
    ),
    "qualif": _real(
        "qualif",
        "https://data-qua.priv.geopf.fr/api",
        "https://sso-qua.priv.geopf.fr/realms/geoplateforme",
        QUALIF_SWAGGER_REDIRECT,
    ),
}
ENV_NAMES = ("prod", "qualif", "sandbox")


def sandbox_clients(platform: Platform) -> Platform:
    """A platform with the sandbox's client registrations (see SANDBOX above)."""
    return replace(
        platform,
        client_id=GPF_WAREHOUSE,
        client_secret=SANDBOX_WAREHOUSE_SECRET,
        web_client_id=SANDBOX_CLI_CLIENT,
        web_client_secret=None,
        web_redirect=LOOPBACK,
        device_grant=True,
    )


def custom_clients(platform: Platform) -> Platform:
    """Client settings for a platform given by URL: a loopback one is a sandbox (the real platform
    never is); any other is taken for a deployment of the real platform, with gpf-warehouse and
    a Swagger-style redirect on the API's host."""
    if platform.name in KNOWN_PLATFORMS:
        known = KNOWN_PLATFORMS[platform.name]
        return replace(known, api_url=platform.api_url, issuer=platform.issuer)
    parts = urlsplit(platform.api_url)
    if is_loopback_host(parts.hostname or ""):
        return sandbox_clients(platform)
    return _real(platform.name, platform.api_url, platform.issuer, warehouse_redirect(platform))


@dataclass(frozen=True)
class ClientOverrides:
    """The person-login client chosen by the user (environment, then profile), over the platform's.

    ``client_id`` replaces both the password and the web client; ``client_secret`` goes with it;
    ``redirect`` is ``"loopback"`` or a registered redirect URI; ``device`` says whether the client
    has the device grant (unknown: None).
    """

    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    redirect: str | None = None
    device: bool | None = None

    def apply(self, platform: Platform) -> Platform:
        if not (self.client_id or self.client_secret or self.redirect or self.device is not None):
            return platform
        changes: dict[str, Any] = {}
        if self.client_id == GPF_WAREHOUSE:
            # IGN's confidential client: its secret and its one registered redirect on this platform.
            secret = platform.secret_for(GPF_WAREHOUSE)
            changes.update(
                client_id=GPF_WAREHOUSE,
                web_client_id=GPF_WAREHOUSE,
                client_secret=secret,
                web_client_secret=secret,
                web_redirect=warehouse_redirect(platform),
                device_grant=False,
            )
        elif self.client_id and self.client_id != platform.web_client_id:
            # Another client altogether: none of the platform's settings for its clients hold.
            changes.update(
                client_id=self.client_id,
                web_client_id=self.client_id,
                client_secret=None,
                web_client_secret=None,
                device_grant=False,
            )
        elif self.client_id:
            secret = platform.secret_for(self.client_id)
            changes.update(client_id=self.client_id, client_secret=secret)
        if self.client_secret:
            changes.update(client_secret=self.client_secret, web_client_secret=self.client_secret)
        if self.redirect:
            changes["web_redirect"] = self.redirect
        if self.device is not None:
            changes["device_grant"] = self.device
        return replace(platform, **changes)


def warehouse_redirect(platform: Platform) -> str:
    """The redirect registered for gpf-warehouse: the Swagger UI's page on the API's host."""
    known = KNOWN_PLATFORMS.get(platform.name)
    if known is not None and known.api_url == platform.api_url:
        return known.web_redirect
    parts = urlsplit(platform.api_url)
    return f"{parts.scheme}://{parts.netloc}{SWAGGER_REDIRECT_PATH}"


def validate_redirect(value: str) -> str:
    """``loopback`` or an https redirect URI (http only on this machine)."""
    raw = value.strip()
    if raw.lower() == LOOPBACK:
        return LOOPBACK
    return validate_url(raw, "Redirect URI")


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
    label = {
        "URL": _("URL"),
        "API URL": _("API URL"),
        "Issuer URL": _("Issuer URL"),
        "Redirect URI": _("Redirect URI"),
    }.get(what, what)
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


def claim_sandbox_state(path: Path, info: dict[str, Any]) -> bool:
    """Record a running sandbox at ``path`` unless another running sandbox holds it already (the
    per-user record: the first sandbox started keeps it). True when written."""
    held = read_sandbox_state(path)
    if held is not None and held.get("pid") != info.get("pid"):
        return False
    write_sandbox_state(path, info)
    return True


def same_issuer(a: str | None, b: str | None) -> bool:
    """Two issuer URLs name the same login server (a trailing slash aside)."""
    return bool(a and b) and a.rstrip("/") == b.rstrip("/")  # type: ignore[union-attr]


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


def sandbox_platform(path: Path | Sequence[Path]) -> Platform:
    """The running sandbox recorded at ``path`` (or at the first of several paths that has one)."""
    info = None
    for candidate in [path] if isinstance(path, Path) else path:
        info = read_sandbox_state(candidate)
        if info is not None:
            break
    if info is None:
        raise SandboxNotRunning(
            _(
                "No local sandbox is running; start one with 'cartes sandbox serve --seed demo' "
                "(or point to one with --api-url)."
            )
        )
    return sandbox_clients(
        Platform(name="sandbox", api_url=info["api_url"], issuer=info["issuer"], extra=info)
    )


def resolve_platform(
    env: str | None,
    api_url: str | None,
    issuer: str | None,
    *,
    sandbox_state: Path | Sequence[Path],
    client_id: str | None = None,
    overrides: ClientOverrides | None = None,
) -> Platform:
    """Turn the user's choice (flags, environment, profile) into a Platform.

    ``overrides``: the person-login client the user chose (``CARTES_OIDC_*``, the profile's
    ``oidc_*`` settings). ``client_id``: the client a stored login was obtained with.
    """
    if api_url:
        api = validate_url(api_url, "API URL")
        iss = validate_url(issuer, "Issuer URL") if issuer else derive_issuer(api)
        name = "custom"
        for known in KNOWN_PLATFORMS.values():
            if known.api_url == api:
                name = known.name
        platform = custom_clients(Platform(name=name, api_url=api, issuer=iss))
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
    if overrides is not None:
        platform = overrides.apply(platform)
    if client_id and client_id != platform.client_id:
        # The client a stored login was obtained with: its refresh token is bound to it.
        platform = replace(platform, client_id=client_id, client_secret=platform.secret_for(client_id))
    return platform
