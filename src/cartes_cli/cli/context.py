"""What every command receives: the global options, the terminal, the profile and, on demand,
a logged-in client.

Commands stay thin: they ask the context for a client and hand models to the terminal. Heavy
modules (httpx, pydantic, keyring) are imported here lazily, inside the methods that need them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cartes_cli import paths
from cartes_cli.config import DEFAULT_PROFILE, Config, Profile, validate_profile_name
from cartes_cli.errors import NotLoggedIn, UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.auth.session import TokenManager
    from cartes_cli.auth.store import CredentialStore
    from cartes_cli.cli.output import Terminal
    from cartes_cli.client import GeoplateformeClient
    from cartes_cli.platforms import Platform

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

    def platform(self, profile: Profile | None = None, *, use_profile: bool = True) -> Platform:
        """Flags win, then environment variables, then the profile, then prod."""
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
        if profile is not None:
            client_id = profile.client_id
        try:
            return platforms.resolve_platform(
                env, api_url, issuer, sandbox_state=paths.sandbox_state_file(), client_id=client_id
            )
        except platforms.SandboxNotRunning as exc:
            from cartes_cli.errors import TransportError

            raise TransportError(str(exc)) from exc
        except platforms.PlatformError as exc:
            raise UsageError(str(exc)) from exc

    @staticmethod
    def same_platform(profile: Profile, platform: Platform) -> bool:
        """Does the profile's stored login belong to this platform?"""
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
        """A token manager for the active login, and where its token comes from."""
        from cartes_cli.auth.session import TokenManager

        env_token = os.environ.get(ENV_TOKEN)
        if env_token:
            return TokenManager.static(env_token.strip()), ENV_TOKEN
        if not profile.logged_in or not self.same_platform(profile, platform):
            raise NotLoggedIn(
                _("You are not logged in to {platform} (profile {profile}); run 'cartes login'.").format(
                    platform=platform_label(platform), profile=profile.name
                )
            )
        from cartes_cli.auth.oidc import OIDCClient
        from cartes_cli.auth.store import credential_key
        from cartes_cli.auth.tokens import TokenSet

        assert profile.user is not None
        store = self.credential_store(profile.storage)
        key = credential_key(profile.name, profile.user)
        refresh_token = store.get(key)
        if not refresh_token:
            raise NotLoggedIn(
                _("No stored login for {user} in profile {profile}; run 'cartes login'.").format(
                    user=profile.user, profile=profile.name
                )
            )
        oidc = OIDCClient(platform, debug=self.debug_log())
        self._clients.append(oidc)

        def persist(tokens: TokenSet) -> None:
            if tokens.refresh_token is not None:
                store.set(key, tokens.refresh_token.get_secret_value())

        # The first access_token() call exchanges the stored refresh token (which rotates).
        manager = TokenManager(oidc, TokenSet.from_refresh_token(refresh_token), on_refresh=persist)
        self._managers.append(manager)
        return manager, store.name

    def client(self) -> GeoplateformeClient:
        """A client for the chosen platform, authenticated with the active login."""
        from cartes_cli.auth.httpx_auth import BearerAuth
        from cartes_cli.client import GeoplateformeClient

        profile = self.profile()
        platform = self.platform(profile)
        manager, _source = self.token_manager(profile, platform)
        client = GeoplateformeClient(platform, auth=BearerAuth(manager), debug=self.debug_log())
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
