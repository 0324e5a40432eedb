"""The sandbox's settings, as one frozen dataclass (standard library only).

New options (fault injection, switching the request API off…) are added as fields with a default,
so every caller keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cartes_cli.errors import ConfigError

DB_FILENAME = "sandbox.db"
KEY_FILENAME = "signing-key.pem"
LOCK_FILENAME = ".lock"


class SandboxConfigError(ConfigError):
    """The sandbox cannot start with these settings (exit status 2)."""


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """How one sandbox server runs.

    ``port=0`` picks a free port. ``data_dir=None`` means ``<cartes data dir>/sandbox``.
    Durations are in seconds, except ``latency_ms``.
    """

    host: str = "127.0.0.1"
    port: int = 0
    data_dir: Path | None = None
    seed: str | None = None
    token_ttl: int = 300
    """Access-token lifetime (Keycloak's "Access Token Lifespan")."""
    refresh_ttl: int = 1800
    """Refresh-token lifetime (Keycloak's "SSO Session Idle")."""
    session_max_ttl: int = 36000
    """Longest life of a login session, refreshes included (Keycloak's "SSO Session Max")."""
    latency_ms: int = 0
    """Delay added before every ``/api`` answer (benchmarks, timeouts)."""
    log_requests: bool = False
    """Access log on stderr."""
    requests_api: bool = True
    """Serve the sandbox-only request workflow (``/api/requests``, join forms). Off, the sandbox
    behaves like the real platform: those routes answer 404 and capabilities omit ``requests``."""
    device_interval: int = 5
    """Device flow (RFC 8628): the polling interval announced to devices, in seconds."""
    device_expires_in: int = 600
    """Device flow: lifetime of a device code and its user code."""
    code_ttl: int = 60
    """Authorization-code flow: lifetime of a code (Keycloak's "Client login timeout")."""
    login_ttl: int = 1800
    """How long a browser login in progress stays valid (Keycloak's "Login timeout")."""
    accounts_api: bool = True
    """Serve the sandbox-only account API: sign-up (``/api/accounts…``) and the account REST endpoints
    under the issuer (``/realms/geoplateforme/account…``). Off, they answer 404, capabilities omit
    ``accounts``, and a person must use the platform's web pages, as on the real Géoplateforme."""
    captcha_ttl: int = 300
    """Sign-up: lifetime of a captcha, in seconds."""
    expose_captcha_answers: bool = False
    """TESTS ONLY: put each captcha's ``answer`` in ``GET /api/accounts/captcha``, so that a script
    can sign up. Never on by default."""
    verification_ttl: int = 86400
    """Sign-up: lifetime of an e-mail verification code, in seconds."""
    password_max_age_days: int = 365
    """A password older than this (since it was last set) must be renewed at the next login
    (Keycloak's "Expire Password" policy: required action UPDATE_PASSWORD)."""

    def resolved_data_dir(self) -> Path:
        if self.data_dir is not None:
            return Path(self.data_dir).expanduser()
        from cartes_cli import paths

        return paths.data_dir() / "sandbox"

    def validate(self) -> None:
        """Raise SandboxConfigError with one clear sentence if a setting cannot work."""
        from cartes_cli.sandbox.seed import SEED_NAMES

        if not 0 <= self.port <= 65535:
            raise SandboxConfigError(f"Port {self.port} is out of range (0-65535; 0 picks a free port).")
        if not self.host.strip():
            raise SandboxConfigError("The host to listen on is empty.")
        if self.seed is not None and self.seed not in SEED_NAMES:
            raise SandboxConfigError(f"Unknown seed {self.seed!r}; available: {', '.join(SEED_NAMES)}.")
        for name in (
            "token_ttl",
            "refresh_ttl",
            "session_max_ttl",
            "device_interval",
            "device_expires_in",
            "code_ttl",
            "login_ttl",
            "captcha_ttl",
            "verification_ttl",
        ):
            value = getattr(self, name)
            if value <= 0:
                raise SandboxConfigError(f"{name.replace('_', '-')} must be a positive number of seconds.")
        if self.password_max_age_days <= 0:
            raise SandboxConfigError("password-max-age-days must be a positive number of days.")
        if self.latency_ms < 0:
            raise SandboxConfigError("latency must be zero or a positive number of milliseconds.")
