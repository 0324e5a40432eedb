"""The configuration file: named profiles, each a login on one platform.

``config.toml`` in the platformdirs config directory, mode 0600. It never holds a secret: refresh
tokens and TOTP seeds live in the credential store (the OS keyring, or with
``--insecure-storage`` a separate 0600 file).

```toml
active_profile = "default"

[profiles.default]
env = "sandbox"            # prod | qualif | sandbox | custom
user = "amelie.rousseau"   # the account given at login
storage = "keyring"        # keyring | file
totp = true                # the account asks for a second factor

[profiles.recette]
env = "custom"
api_url = "https://gpf.example.test/api"
issuer = "https://sso.example.test/realms/geoplateforme"
oidc_client_id = "cartes-cli"       # another OIDC client for person logins (optional)
oidc_redirect_uri = "loopback"      # it accepts http://127.0.0.1:<port>/ redirects
oidc_device = true                  # and the device grant
```
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cartes_cli import paths
from cartes_cli.errors import ConfigError, UsageError
from cartes_cli.i18n import _

DEFAULT_PROFILE = "default"
PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass
class Profile:
    name: str
    env: str | None = None
    api_url: str | None = None
    issuer: str | None = None
    client_id: str | None = None
    user: str | None = None
    storage: str | None = None
    flow: str | None = None  # password | web | device | client-credentials | token
    totp: bool = False
    # The OpenID Connect client of this profile's person logins, when not the platform's own
    # (set by hand; CARTES_OIDC_CLIENT_ID and CARTES_OIDC_REDIRECT_URI win). Its secret, if any,
    # comes from CARTES_OIDC_CLIENT_SECRET and is kept in the credential store, never here.
    oidc_client_id: str | None = None
    oidc_redirect_uri: str | None = None  # "loopback" or a redirect URI registered for the client
    oidc_device: bool | None = None  # whether that client has the device grant

    def to_toml(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("name")
        return {k: v for k, v in data.items() if v is not None and not (v is False and k != "oidc_device")}

    @property
    def logged_in(self) -> bool:
        return bool(self.user and self.storage)


@dataclass
class Config:
    path: Path
    active_profile: str | None = None
    profiles: dict[str, Profile] = field(default_factory=dict)
    _loaded: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False, compare=False)
    """Each profile as read from the file, so that :meth:`save` writes back only what changed."""
    _loaded_active: str | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._mark_loaded()

    def _mark_loaded(self) -> None:
        self._loaded = {name: p.to_toml() for name, p in self.profiles.items()}
        self._loaded_active = self.active_profile

    @classmethod
    def load(cls, path: Path | None = None) -> Config:
        path = path or default_path()
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return cls(path=path)
        except OSError as exc:
            raise ConfigError(
                _("Cannot read the configuration file {path}: {reason}.").format(
                    path=path, reason=exc.strerror or exc
                )
            ) from exc
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(
                _("The configuration file {path} is not valid TOML ({reason}); fix or delete it.").format(
                    path=path, reason=exc
                )
            ) from exc
        profiles: dict[str, Profile] = {}
        known = {f for f in Profile.__dataclass_fields__ if f != "name"}
        for name, values in (data.get("profiles") or {}).items():
            if not isinstance(values, dict):
                continue
            profiles[name] = Profile(name=name, **{k: v for k, v in values.items() if k in known})
        active = data.get("active_profile")
        return cls(path=path, active_profile=active if isinstance(active, str) else None, profiles=profiles)

    def save(self) -> None:
        """Write what this process changed, merged into the file as it is now, under a lock.

        Several cartes processes run at once (logins to different profiles, a refresh while
        another command logs in): each read the file at its start, and writing its whole copy
        back would undo the others' changes. So the file is re-read under the lock, this process's
        changes (profiles added, changed or removed, the active profile) are applied to it, and
        it is replaced atomically (a temporary file, fsync, rename).
        """
        from filelock import Timeout

        from cartes_cli.locks import file_lock, timed_out

        paths.ensure_private_dir(self.path.parent)
        try:
            with file_lock(self.path):
                current = Config.load(self.path)
                for name, profile in self.profiles.items():
                    if profile.to_toml() != self._loaded.get(name) or name not in current.profiles:
                        current.profiles[name] = profile
                for name in set(self._loaded) - set(self.profiles):
                    current.profiles.pop(name, None)
                if self.active_profile != self._loaded_active:
                    current.active_profile = self.active_profile
                current._write()
        except Timeout:
            raise timed_out(self.path) from None
        # The file's state, in the objects this process holds (commands keep references to them).
        for name, profile in current.profiles.items():
            mine = self.profiles.get(name)
            if mine is not None and mine is not profile:
                mine.__dict__.update(profile.__dict__)
                current.profiles[name] = mine
        self.profiles = current.profiles
        self.active_profile = current.active_profile
        self._mark_loaded()

    def _write(self) -> None:
        import tomli_w

        data: dict[str, Any] = {}
        if self.active_profile:
            data["active_profile"] = self.active_profile
        data["profiles"] = {name: p.to_toml() for name, p in sorted(self.profiles.items())}
        paths.write_private_atomically(self.path, tomli_w.dumps(data).encode("utf-8"))

    def get(self, name: str) -> Profile | None:
        return self.profiles.get(name)

    def ensure(self, name: str) -> Profile:
        validate_profile_name(name)
        if name not in self.profiles:
            self.profiles[name] = Profile(name=name)
        return self.profiles[name]


def default_path() -> Path:
    return paths.config_dir() / "config.toml"


def validate_profile_name(name: str) -> str:
    if not PROFILE_NAME.match(name):
        raise UsageError(
            _("Invalid profile name {name!r}: use letters, digits, '.', '_' or '-' (at most 64).").format(
                name=name
            )
        )
    return name
