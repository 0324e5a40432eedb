"""What every command receives: the global options, the terminal, the profile and, on demand,
a logged-in client.

Commands stay thin: they ask the context for a client and hand models to the terminal. Heavy
modules (httpx, pydantic, keyring) are imported here lazily, inside the methods that need them.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cartes_cli import paths
from cartes_cli.config import DEFAULT_PROFILE, Config, Profile, validate_profile_name
from cartes_cli.errors import NotLoggedIn, UsageError
from cartes_cli.i18n import _

_CACHED_TOKEN_MARGIN = 60.0
"""A cached access token valid this many seconds more serves a command without reading the
stored login (see ``AppContext._stored_login``)."""

if TYPE_CHECKING:
    from cartes_cli.auth.oidc import OIDCClient
    from cartes_cli.auth.session import TokenManager
    from cartes_cli.auth.store import CredentialStore
    from cartes_cli.auth.tokens import TokenSet
    from cartes_cli.cli.output import Terminal
    from cartes_cli.client import GeoplateformeClient
    from cartes_cli.client.retry import RetryPolicy
    from cartes_cli.platforms import ClientOverrides, Platform

ENV_TOKEN = "CARTES_TOKEN"  # noqa: S105 - the name of a variable, not a secret


@dataclass
class GlobalOptions:
    profile: str | None = None
    env: str | None = None
    api_url: str | None = None
    issuer: str | None = None
    json_fields: list[str] | None = None
    format: str = "auto"
    no_input: bool = False
    debug: bool = False
    no_color: bool = False


class AppContext:
    def __init__(self, options: GlobalOptions, terminal: Terminal) -> None:
        self.options = options
        self.terminal = terminal
        self._config: Config | None = None
        self._clients: list[Any] = []
        self._managers: list[Any] = []

    # --- configuration and profile --------------------------------------------------------------

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = Config.load()
        return self._config

    @property
    def profile_name(self) -> str:
        name = self.options.profile or os.environ.get("CARTES_PROFILE") or self.config.active_profile
        return validate_profile_name(name or DEFAULT_PROFILE)

    @property
    def profile_explicit(self) -> bool:
        return bool(self.options.profile or os.environ.get("CARTES_PROFILE"))

    def profile(self, *, create: bool = False) -> Profile:
        """The chosen profile. A profile named explicitly must exist unless we are creating it."""
        name = self.profile_name
        existing = self.config.get(name)
        if existing is not None:
            return existing
        if create:
            return self.config.ensure(name)
        if name != DEFAULT_PROFILE and self.profile_explicit:
            known = ", ".join(sorted(self.config.profiles)) or _("none")
            raise UsageError(
                _(
                    "Unknown profile {name!r} (known profiles: {known}); create it with "
                    "'cartes login --profile {name}'."
                ).format(name=name, known=known)
            )
        return Profile(name=name)

    # --- platform ---------------------------------------------------------------------------------

    def platform(
        self, profile: Profile | None = None, *, use_profile: bool = True, stored_client: bool = True
    ) -> Platform:
        """Flags win, then environment variables, then the profile, then prod.

        ``stored_client``: use the OIDC client the profile's stored login was obtained with (its
        refresh token is bound to it); a new login passes False to pick its client afresh."""
        from cartes_cli import platforms

        o = self.options
        env = o.env
        api_url = o.api_url
        issuer = o.issuer
        client_id = None
        if not (env or api_url):
            env = os.environ.get("CARTES_ENV") or None
            api_url = os.environ.get("CARTES_API_URL") or None
            issuer = issuer or os.environ.get("CARTES_ISSUER") or None
        if not (env or api_url) and use_profile and profile is not None:
            if profile.env == "custom" or (profile.api_url and not profile.env):
                api_url, issuer = profile.api_url, profile.issuer
            else:
                env = profile.env
        if profile is not None and stored_client:
            client_id = profile.client_id
        try:
            return platforms.resolve_platform(
                env,
                api_url,
                issuer,
                sandbox_state=paths.sandbox_state_files(),
                client_id=client_id,
                overrides=client_overrides(profile if use_profile else None),
            )
        except platforms.SandboxNotRunning as exc:
            from cartes_cli.errors import TransportError

            raise TransportError(str(exc)) from exc
        except platforms.PlatformError as exc:
            raise UsageError(str(exc)) from exc

    def sandbox_platform(self) -> Platform:
        """The running sandbox (or the one --api-url points to), for sandbox-only commands."""
        from cartes_cli import platforms

        api_url = self.options.api_url or os.environ.get("CARTES_API_URL")
        try:
            if api_url:
                return platforms.resolve_platform(
                    None, api_url, self.options.issuer, sandbox_state=paths.sandbox_state_files()
                )
            return platforms.sandbox_platform(paths.sandbox_state_files())
        except platforms.SandboxNotRunning as exc:
            from cartes_cli.errors import TransportError

            raise TransportError(str(exc)) from exc
        except platforms.PlatformError as exc:
            raise UsageError(str(exc)) from exc

    @staticmethod
    def same_platform(profile: Profile, platform: Platform) -> bool:
        """Does the profile's stored login belong to this platform? A platform is its login
        server: a login made with ``--env sandbox`` serves ``--api-url`` pointing at the same
        sandbox, and the other way round. Profiles written before the issuer was recorded are
        compared by name (or API URL), as they were."""
        from cartes_cli import platforms

        recorded = profile.issuer
        if not recorded and profile.env in platforms.KNOWN_PLATFORMS:
            recorded = platforms.KNOWN_PLATFORMS[profile.env].issuer
        if recorded:
            return platforms.same_issuer(recorded, platform.issuer)
        if profile.env in ("prod", "qualif", "sandbox"):
            return profile.env == platform.name
        return profile.api_url == platform.api_url

    # --- credentials ------------------------------------------------------------------------------

    def credential_store(self, kind: str | None) -> CredentialStore:
        from cartes_cli.auth.store import FileStore, KeyringStore

        if kind == "file":
            return FileStore(paths.config_dir() / "credentials.json")
        return KeyringStore(service=keyring_service())

    def debug_log(self) -> Callable[[str], None] | None:
        if not (self.options.debug or os.environ.get("CARTES_DEBUG")):
            return None
        stderr = self.terminal.stderr

        def log(line: str) -> None:
            stderr.write(f"[debug] {line}\n")
            stderr.flush()

        return log

    def token_manager(self, profile: Profile, platform: Platform) -> tuple[TokenManager, str]:
        """A token manager for the active login, and where its credential comes from.

        Environment credentials win and never touch the keyring: ``CARTES_TOKEN``, then
        ``CARTES_CLIENT_ID``/``CARTES_CLIENT_SECRET``. Then the profile's stored login.
        """
        from cartes_cli.auth.session import TokenManager

        env_token = os.environ.get(ENV_TOKEN)
        if env_token:
            return TokenManager.static(env_token.strip(), source=ENV_TOKEN), ENV_TOKEN
        service_account = env_service_account()
        if service_account is not None:
            return self._env_service_account(platform, *service_account), "CARTES_CLIENT_ID"
        if not profile.logged_in or not self.same_platform(profile, platform):
            raise NotLoggedIn(
                _("You are not logged in to {platform} (profile {profile}); run 'cartes login'.").format(
                    platform=platform_label(platform), profile=profile.name
                )
            )
        assert profile.user is not None
        store = self.credential_store(profile.storage)
        if profile.flow == "token":
            return self._stored_bearer(profile, store, profile.user), store.name
        if profile.flow == "client-credentials":
            return self._stored_service_account(profile, platform, store, profile.user), store.name
        return self._stored_login(profile, platform, store, profile.user), store.name

    def _env_service_account(self, platform: Platform, client_id: str, secret: str) -> TokenManager:
        """``CARTES_CLIENT_ID``/``CARTES_CLIENT_SECRET``: client credentials, nothing stored."""
        from dataclasses import replace

        from cartes_cli.auth.oidc import OIDCClient
        from cartes_cli.auth.session import TokenManager

        oidc = OIDCClient(
            replace(platform, client_id=client_id),
            client_secret=secret,
            debug=self.debug_log(),
            timeout=request_timeout(),
        )
        self._clients.append(oidc)
        manager = TokenManager.for_client_credentials(oidc, source="CARTES_CLIENT_ID")
        self._managers.append(manager)
        return manager

    @staticmethod
    def _stored_bearer(profile: Profile, store: CredentialStore, account: str) -> TokenManager:
        """A login made with ``--with-token``: the stored bearer token, until it expires."""
        from cartes_cli.auth.session import TokenManager
        from cartes_cli.auth.store import credential_key

        bearer = store.get(credential_key(profile.name, account, "bearer_token"))
        if not bearer:
            raise NotLoggedIn(
                _("No stored token in profile {profile}; run 'cartes login'.").format(profile=profile.name)
            )
        manager = TokenManager.static(bearer, source=store.name)
        if manager.tokens.expires_at and manager.tokens.expires_at < time.time():
            raise NotLoggedIn(
                _(
                    "The token stored in profile {profile} has expired; give a new one with "
                    "'cartes login --with-token'."
                ).format(profile=profile.name)
            )
        return manager

    def _stored_service_account(
        self, profile: Profile, platform: Platform, store: CredentialStore, account: str
    ) -> TokenManager:
        """A login made with ``--client-credentials``: the stored secret, the cached access token."""
        from cartes_cli.auth.oidc import OIDCClient
        from cartes_cli.auth.session import TokenManager
        from cartes_cli.auth.store import credential_key

        cache = self.access_token_cache()
        key = self.cache_key(profile, platform)
        client_secret = store.get(credential_key(profile.name, account, "client_secret"))
        if not client_secret:
            raise NotLoggedIn(
                _(
                    "No stored client secret in profile {profile}; run 'cartes login --client-credentials'."
                ).format(profile=profile.name)
            )
        oidc = OIDCClient(
            platform, client_secret=client_secret, debug=self.debug_log(), timeout=request_timeout()
        )
        self._clients.append(oidc)
        manager = TokenManager.for_client_credentials(
            oidc,
            tokens=cache.token_set(key),
            on_refresh=lambda t: cache.save_tokens(key, t),
            source=store.name,
        )
        self._managers.append(manager)
        return manager

    def _stored_login(
        self, profile: Profile, platform: Platform, store: CredentialStore, account: str
    ) -> TokenManager:
        """A person's login (password, browser, device): the stored refresh token, which rotates,
        and the cached access token; a refresh is coordinated across processes."""
        from dataclasses import replace

        from cartes_cli.auth.session import TokenManager
        from cartes_cli.auth.store import credential_key
        from cartes_cli.secret import Secret

        cache = self.access_token_cache()
        key = self.cache_key(profile, platform)
        refresh_key = credential_key(profile.name, account)
        start = cache.token_set(key)
        # A cached access token good for a while serves the command alone: the credential store (a
        # keyring: its library and a D-Bus round trip, 40-70 ms) is read only if a renewal becomes
        # due, by reload() under the login's lock.
        in_store = start.has_access_token and not start.expires_within(_CACHED_TOKEN_MARGIN, time.time())
        if not in_store:
            refresh_token = store.get(refresh_key)
            if not refresh_token:
                raise NotLoggedIn(
                    _("No stored login for {user} in profile {profile}; run 'cartes login'.").format(
                        user=account, profile=profile.name
                    )
                )
            start = replace(start, refresh_token=Secret(refresh_token))  # the cache is read once

        def login_server() -> OIDCClient:
            from cartes_cli.auth.oidc import OIDCClient

            oidc = OIDCClient(
                platform,
                client_secret=platform.client_secret or self.stored_oidc_secret(profile, store),
                debug=self.debug_log(),
                timeout=request_timeout(),
            )
            self._clients.append(oidc)
            return oidc

        def persist(tokens: TokenSet) -> None:
            # The refresh token rotates: keep the newest one, and the access token in the cache.
            if tokens.refresh_token is not None:
                store.set(refresh_key, tokens.refresh_token.get_secret_value())
            cache.save_tokens(key, tokens)

        def reload() -> TokenSet | None:
            stored = store.get(refresh_key)
            return cache.token_set(key, refresh_token=stored) if stored else None

        manager = TokenManager(
            None,
            start,
            on_refresh=persist,
            source=store.name,
            coordinate=self._login_lock(profile, account, platform),
            reload=reload,
            oidc_factory=login_server,
            refresh_in_store=in_store,
        )
        self._managers.append(manager)
        return manager

    @staticmethod
    def _login_lock(profile: Profile, account: str, platform: Platform) -> Callable[[], Any]:
        """The cross-process lock of this login's refresh, as a context-manager factory whose
        time-out is a clear error (another process holds the login for too long)."""
        import contextlib

        @contextlib.contextmanager
        def coordinate() -> Any:
            from filelock import Timeout

            from cartes_cli.errors import CredentialStoreError
            from cartes_cli.locks import login_lock

            lock = login_lock(profile.name, account, platform.issuer, platform.client_id)
            try:
                lock.acquire()
            except Timeout:
                raise CredentialStoreError(
                    _("Another cartes process is renewing this login and has not finished; try again.")
                ) from None
            try:
                yield
            finally:
                lock.release()

        return coordinate

    @staticmethod
    def stored_oidc_secret(profile: Profile, store: CredentialStore) -> str | None:
        """The secret of the profile's own OIDC client, kept at login when the user gave one."""
        from cartes_cli.auth.store import credential_key

        if not profile.user:
            return None
        try:
            return store.get(credential_key(profile.name, profile.user, "oidc_client_secret"))
        except Exception:
            return None

    # --- access-token cache -------------------------------------------------------------------------

    def access_token_cache(self) -> Any:
        from cartes_cli.auth.cache import AccessTokenCache

        return AccessTokenCache(paths.cache_dir() / "tokens")

    @staticmethod
    def cache_key(profile: Profile, platform: Platform) -> str:
        from cartes_cli.auth.cache import cache_key

        return cache_key(
            profile.name, profile.user or "-", issuer=platform.issuer, client_id=platform.client_id
        )

    def cache_access_token(self, profile: Profile, tokens: Any) -> None:
        if profile.flow == "token" or not profile.user:
            return
        try:
            platform = self.platform(profile)
        except Exception:
            return
        self.access_token_cache().save_tokens(self.cache_key(profile, platform), tokens)

    def forget_access_token(self, profile: Profile) -> None:
        """Drop every cached access token of this profile (whatever the platform)."""
        cache = self.access_token_cache()
        try:
            platform = self.platform(profile)
        except Exception:
            platform = None
        if platform is not None and profile.user:
            cache.delete(self.cache_key(profile, platform))

    # --- clients --------------------------------------------------------------------------------------

    def client_for(self, platform: Platform, manager: TokenManager) -> GeoplateformeClient:
        from cartes_cli.auth.httpx_auth import BearerAuth
        from cartes_cli.client import GeoplateformeClient

        client = GeoplateformeClient(
            platform, auth=BearerAuth(manager), debug=self.debug_log(), timeout=request_timeout()
        )
        self._clients.append(client)
        return client

    def client(self, *, max_connections: int = 16, retry: RetryPolicy | None = None) -> GeoplateformeClient:
        """A client for the chosen platform, authenticated with the active login."""
        from cartes_cli.auth.httpx_auth import BearerAuth
        from cartes_cli.client import GeoplateformeClient

        profile = self.profile()
        platform = self.platform(profile)
        manager, _source = self.token_manager(profile, platform)
        client = GeoplateformeClient(
            platform,
            auth=BearerAuth(manager),
            debug=self.debug_log(),
            max_connections=max_connections,
            timeout=request_timeout(),
            retry=retry,
        )
        self._clients.append(client)
        return client

    def close(self) -> None:
        for manager in self._managers:
            if getattr(manager, "persist_error", None) is not None:
                self.terminal.warn(
                    _(
                        "Warning: the renewed login could not be saved ({reason}); you may have to run "
                        "'cartes login' again."
                    ).format(reason=manager.persist_error)
                )
        self._managers.clear()
        for c in self._clients:
            close = getattr(c, "close", None)
            if close:
                close()
        self._clients.clear()


DEFAULT_TIMEOUT = 30.0


def request_timeout() -> float:
    """Seconds to wait for each answer: ``CARTES_TIMEOUT`` (for slow networks or tests), else 30."""
    raw = os.environ.get("CARTES_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise UsageError(
            _("CARTES_TIMEOUT must be a number of seconds between 0 and 3600, not {value!r}.").format(
                value=raw
            )
        )
    return value


ENV_OIDC_CLIENT_ID = "CARTES_OIDC_CLIENT_ID"
ENV_OIDC_CLIENT_SECRET = "CARTES_OIDC_CLIENT_SECRET"  # noqa: S105 - the name of a variable
ENV_OIDC_REDIRECT_URI = "CARTES_OIDC_REDIRECT_URI"


def client_overrides(profile: Profile | None) -> ClientOverrides:
    """The person-login client the user chose: ``CARTES_OIDC_*`` first, then the profile's
    ``oidc_*`` settings (config.toml). Invalid values are usage errors (exit 2)."""
    from cartes_cli import platforms

    env_id = (os.environ.get(ENV_OIDC_CLIENT_ID) or "").strip() or None
    env_secret = (os.environ.get(ENV_OIDC_CLIENT_SECRET) or "").strip() or None
    env_redirect = (os.environ.get(ENV_OIDC_REDIRECT_URI) or "").strip() or None
    client_id = env_id
    redirect = env_redirect
    device: bool | None = None
    if profile is not None and env_id is None:
        client_id = (profile.oidc_client_id or "").strip() or None
        redirect = redirect or ((profile.oidc_redirect_uri or "").strip() or None)
        if isinstance(profile.oidc_device, bool):
            device = profile.oidc_device
    if client_id is not None and not _CLIENT_ID.match(client_id):
        raise UsageError(
            _("{variable} {value!r} is not a client id (letters, digits, '.', '_', ':' or '-').").format(
                variable=ENV_OIDC_CLIENT_ID if env_id else "oidc_client_id", value=client_id[:80]
            )
        )
    if redirect is not None:
        try:
            redirect = platforms.validate_redirect(redirect)
        except platforms.PlatformError as exc:
            raise UsageError(str(exc)) from exc
    return platforms.ClientOverrides(
        client_id=client_id, client_secret=env_secret, redirect=redirect, device=device
    )


_CLIENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")


def env_service_account() -> tuple[str, str] | None:
    """``(CARTES_CLIENT_ID, CARTES_CLIENT_SECRET)`` when both are set; None when neither is; a
    usage error when only one is."""
    cid, secret = os.environ.get("CARTES_CLIENT_ID"), os.environ.get("CARTES_CLIENT_SECRET")
    if cid and secret:
        return cid, secret
    if cid or secret:
        missing = "CARTES_CLIENT_SECRET" if cid else "CARTES_CLIENT_ID"
        raise UsageError(
            _(
                "{var} is not set: a service account needs both CARTES_CLIENT_ID and CARTES_CLIENT_SECRET."
            ).format(var=missing)
        )
    return None


def keyring_service() -> str:
    """The keyring service name; a relocated installation (CARTES_HOME) gets entries of its own."""
    home = os.environ.get("CARTES_HOME")
    if not home:
        return "cartes"
    import hashlib

    digest = hashlib.sha256(os.path.abspath(os.path.expanduser(home)).encode()).hexdigest()[:12]
    return f"cartes@{digest}"


def platform_label(platform: Platform) -> str:
    if platform.name in ("prod", "qualif"):
        return platform.name
    if platform.name == "sandbox":
        return f"sandbox ({platform.api_url})"
    return platform.api_url
