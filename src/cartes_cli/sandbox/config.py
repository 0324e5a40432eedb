"""The sandbox's settings, as one frozen dataclass (standard library only).

New options (fault injection, switching the request API off…) are added as fields with a default,
so every caller keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cartes_cli.errors import ConfigError
from cartes_cli.sandbox.faults import DEFAULT_SCOPE, FAULT_KINDS

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
    lockout_failures: int = 30
    """Brute-force detection (Keycloak's "failure factor"): every this many failed logins of a user
    lock the account for ``lockout_wait`` seconds more (15 minutes at most)."""
    lockout_wait: int = 60
    """Brute-force detection: the lockout's increment, in seconds (Keycloak's "wait increment")."""
    captcha_ttl: int = 300
    """Sign-up: lifetime of a captcha, in seconds."""
    scriptable_captchas: bool = False
    """Captchas a script can answer (``--scriptable-captchas``): each captcha's ``answer`` is in
    ``GET /api/accounts/captcha`` and in ``GET /sandbox/captchas/{id}`` (``cartes sandbox captcha``),
    so that a script or a demo can sign up. Off by default; the real platform has nothing like it."""
    verification_ttl: int = 86400
    """Sign-up: lifetime of an e-mail verification code, in seconds."""
    password_max_age_days: int = 365
    """A password older than this (since it was last set) must be renewed at the next login
    (Keycloak's "Expire Password" policy: required action UPDATE_PASSWORD)."""
    max_body_bytes: int = 2 * 1024 * 1024
    """Request bodies larger than this are refused with 413 (sign-up photos are at most 1 MiB,
    base64-encoded)."""
    fault_rate: float = 0.0
    """Fault injection (see ``cartes_cli.sandbox.faults``): the probability, per request in
    ``fault_scope``, of meeting one of ``fault_kinds``. 0: off, and free."""
    fault_seed: int | None = None
    """Seed of the fault generator (same seed, same order of requests: same faults). None: a
    random one, shown by ``GET /sandbox/faults``."""
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    """Which faults to draw from (uniformly)."""
    fault_scope: tuple[str, ...] = DEFAULT_SCOPE
    """Where faults may happen: ``api`` (``/api/…``), ``token`` (the token endpoint), ``oidc``
    (every ``/realms/…`` route). Never on ``/sandbox/…``."""
    fault_retry_after: int = 1
    """The ``Retry-After`` of injected 429 answers, in seconds."""
    fault_delay: float = 35.0
    """How long a ``slow`` fault holds the request, in seconds (above the client's 30 s timeout)."""

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
        if self.max_body_bytes < 1024:
            raise SandboxConfigError("max-body-bytes must be at least 1024.")
        from cartes_cli.sandbox.faults import FaultSettingsError, check_numbers, parse_kinds, parse_scope

        try:
            check_numbers(rate=self.fault_rate, retry_after=self.fault_retry_after, delay=self.fault_delay)
            parse_kinds(self.fault_kinds)
            parse_scope(self.fault_scope)
        except FaultSettingsError as exc:
            raise SandboxConfigError(f"{exc}.") from None
        if self.fault_seed is not None and not 0 <= self.fault_seed < 2**63:
            raise SandboxConfigError("--fault-seed must be a whole number between 0 and 2^63 - 1.")
