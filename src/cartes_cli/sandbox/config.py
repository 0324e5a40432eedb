"""The sandbox's settings: one frozen dataclass, each setting declared once (standard library only).

Each field carries its default, its help sentence and, if it has one, its command-line option
(``setting(…)``); ``python -m cartes_cli.sandbox serve`` builds its options from these
declarations (``OPTIONS``), and ``serve(**options)`` accepts the same names. New settings are added
as fields with a default, so every caller keeps working.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from cartes_cli.sandbox.errors import SandboxConfigError
from cartes_cli.sandbox.fault_settings import (
    DEFAULT_SCOPE,
    FAULT_KINDS,
    FaultSettingsError,
    check_numbers,
    parse_kinds,
    parse_scope,
)

__all__ = [
    "DB_FILENAME",
    "KEY_FILENAME",
    "LOCK_FILENAME",
    "OPTIONS",
    "SEED_NAMES",
    "SandboxConfig",
    "SandboxConfigError",
]

DB_FILENAME = "sandbox.db"
SEED_NAMES: tuple[str, ...] = ("demo",)
"""The data sets ``--seed`` loads (``seed.SEEDS`` holds one loader each; a test keeps them in step)."""
KEY_FILENAME = "signing-key.pem"
LOCK_FILENAME = ".lock"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Option:
    """How a setting appears on the command line of ``python -m cartes_cli.sandbox serve``."""

    setting: str
    """The SandboxConfig field."""
    flag: str
    """``--token-ttl``; for a boolean, the flag that flips the default (``--no-requests-api``)."""
    help: str
    metavar: str | None = None
    group: str | None = None
    """Options of one group are listed together (``faults``)."""


def setting(
    default: T, help: str, *, option: str | None = None, metavar: str | None = None, group: str | None = None
) -> T:
    """A SandboxConfig field: its default, its help and, if any, its command-line flag."""
    metadata = {"help": help, "option": option, "metavar": metavar, "group": group}
    declared: T = field(default=default, metadata=metadata)
    return declared


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """How one sandbox server runs.

    ``port=0`` picks a free port. ``data_dir=None`` means ``<cartes data dir>/sandbox``.
    Durations are in seconds, except ``latency_ms``.
    """

    host: str = setting("127.0.0.1", "address to listen on (default 127.0.0.1)", option="--host")
    port: int = setting(0, "port (default 0: a free one)", option="--port")
    data_dir: Path | None = setting(None, "data directory", option="--data", metavar="DIR")
    seed: str | None = setting(None, "load a data set into an empty sandbox (demo)", option="--seed")
    token_ttl: int = setting(300, "access-token lifetime", option="--token-ttl", metavar="SECONDS")
    """Access-token lifetime (Keycloak's "Access Token Lifespan")."""
    refresh_ttl: int = setting(1800, "refresh-token lifetime", option="--refresh-ttl", metavar="SECONDS")
    """Refresh-token lifetime (Keycloak's "SSO Session Idle")."""
    session_max_ttl: int = setting(36000, "longest life of a login session, refreshes included")
    """Longest life of a login session, refreshes included (Keycloak's "SSO Session Max")."""
    latency_ms: int = setting(0, "delay added to every /api answer", option="--latency", metavar="MS")
    """Delay added before every ``/api`` answer (benchmarks, timeouts)."""
    max_page_size: int = setting(
        100, "most items a page of an /api listing serves", option="--max-page-size", metavar="N"
    )
    """Most items a page of an ``/api`` listing serves, whatever ``limit`` asks (the page's offset
    counts from this size). 100 by default: IGN's own web front end (cartes.gouv.fr,
    ``src/ApiClient/ApiClient.php``, ``requestAll``) has read every Entrepôt listing 100 a page
    since 2026-03 (commit 4b8ccc47), its page count taken from that 100, which only adds up if
    the platform serves it. The user documentation still says 50 at most (``extraction.md``):
    ``--max-page-size 50`` serves that, and the clients must read every item either way."""
    log_requests: bool = setting(False, "access log on stderr", option="--log-requests")
    """Access log on stderr."""
    requests_api: bool = setting(
        True,
        "answer 404 on the sandbox-only request API, like the real platform",
        option="--no-requests-api",
    )
    """Serve the sandbox-only request workflow (``/api/requests``, join forms). Off, the sandbox
    behaves like the real platform: those routes answer 404 and capabilities omit ``requests``."""
    device_interval: int = setting(
        5, "device flow polling interval", option="--device-interval", metavar="SECONDS"
    )
    """Device flow (RFC 8628): the polling interval announced to devices, in seconds."""
    device_expires_in: int = setting(
        600, "device code lifetime", option="--device-expires-in", metavar="SECONDS"
    )
    """Device flow: lifetime of a device code and its user code."""
    code_ttl: int = setting(60, "authorization-code lifetime")
    """Authorization-code flow: lifetime of a code (Keycloak's "Client login timeout")."""
    login_ttl: int = setting(1800, "how long a browser login in progress stays valid")
    """How long a browser login in progress stays valid (Keycloak's "Login timeout")."""
    accounts_api: bool = setting(
        True,
        "answer 404 on the sandbox-only account API (sign-up, profile, password, 2FA)",
        option="--no-accounts-api",
    )
    """Serve the sandbox-only account API: sign-up (``/api/accounts…``) and the account REST endpoints
    under the issuer (``/realms/geoplateforme/account…``). Off, they answer 404, capabilities omit
    ``accounts``, and a person must use the platform's web pages, as on the real Géoplateforme."""
    lockout_failures: int = setting(30, "failed logins that lock an account")
    """Brute-force detection (Keycloak's "failure factor"): every this many failed logins of a user
    lock the account for ``lockout_wait`` seconds more (15 minutes at most)."""
    lockout_wait: int = setting(60, "lockout increment, in seconds")
    """Brute-force detection: the lockout's increment, in seconds (Keycloak's "wait increment")."""
    captcha_ttl: int = setting(300, "lifetime of a sign-up captcha")
    """Sign-up: lifetime of a captcha, in seconds."""
    scriptable_captchas: bool = setting(
        False,
        "captchas answerable by scripts (GET /sandbox/captchas/ID; the answer in each captcha)",
        option="--scriptable-captchas",
    )
    """Captchas a script can answer (``--scriptable-captchas``): each captcha's ``answer`` is in
    ``GET /api/accounts/captcha`` and in ``GET /sandbox/captchas/{id}`` (``cartes sandbox captcha``),
    so that a script or a demo can sign up. Off by default; the real platform has nothing like it."""
    verification_ttl: int = setting(86400, "lifetime of an e-mail verification code")
    """Sign-up: lifetime of an e-mail verification code, in seconds."""
    password_max_age_days: int = setting(
        365,
        "passwords older than this must be renewed at login (default 365)",
        option="--password-max-age-days",
        metavar="DAYS",
    )
    """A password older than this (since it was last set) must be renewed at the next login
    (Keycloak's "Expire Password" policy: required action UPDATE_PASSWORD)."""
    max_body_bytes: int = setting(2 * 1024 * 1024, "largest request body accepted")
    """Request bodies larger than this are refused with 413 (sign-up photos are at most 1 MiB,
    base64-encoded)."""
    fault_rate: float = setting(
        0.0, "probability of a fault per request (0-1)", option="--fault-rate", metavar="R", group="faults"
    )
    """Fault injection (see ``cartes_cli.sandbox.domain.faults``): the probability, per request in
    ``fault_scope``, of meeting one of ``fault_kinds``. 0: off, and free."""
    fault_seed: int | None = setting(
        None, "seed: replay the same faults", option="--fault-seed", metavar="N", group="faults"
    )
    """Seed of the fault generator (same seed, same order of requests: same faults). None: a
    random one, shown by ``GET /sandbox/faults``."""
    fault_kinds: tuple[str, ...] = setting(
        FAULT_KINDS,
        "500,502,503,429,drop,slow,after-500,after-502,after-drop or all, before, after, errors, drops",
        option="--fault-kinds",
        metavar="LIST",
        group="faults",
    )
    """Which faults to draw from (uniformly)."""
    fault_scope: tuple[str, ...] = setting(
        DEFAULT_SCOPE,
        "api, token, oidc (default api,token)",
        option="--fault-scope",
        metavar="LIST",
        group="faults",
    )
    """Where faults may happen: ``api`` (``/api/…``), ``token`` (the token endpoint), ``oidc``
    (every ``/realms/…`` route). Never on ``/sandbox/…``."""
    fault_retry_after: int = setting(
        1, "Retry-After of injected 429s", option="--fault-retry-after", metavar="SECONDS", group="faults"
    )
    """The ``Retry-After`` of injected 429 answers, in seconds."""
    fault_delay: float = setting(
        35.0, "how long a slow fault waits", option="--fault-delay", metavar="SECONDS", group="faults"
    )
    """How long a ``slow`` fault holds the request, in seconds (above the client's 30 s timeout)."""

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> SandboxConfig:
        """A config from setting names; ``fault_kinds`` and ``fault_scope`` may be lists or
        comma-separated strings. Raises SandboxConfigError for unknown fault kinds or scopes."""
        values = dict(options)
        try:
            if "fault_kinds" in values:
                values["fault_kinds"] = parse_kinds(values["fault_kinds"])
            if "fault_scope" in values:
                values["fault_scope"] = parse_scope(values["fault_scope"])
        except FaultSettingsError as exc:
            raise SandboxConfigError(f"{exc}.") from None
        return cls(**values)

    def resolved_data_dir(self) -> Path:
        if self.data_dir is not None:
            return Path(self.data_dir).expanduser()
        from cartes_cli import paths

        return paths.data_dir() / "sandbox"

    def validate(self) -> None:
        """Raise SandboxConfigError with one clear sentence if a setting cannot work."""
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
        if self.max_page_size < 1:
            raise SandboxConfigError("max-page-size must be at least 1.")
        if self.max_body_bytes < 1024:
            raise SandboxConfigError("max-body-bytes must be at least 1024.")
        try:
            check_numbers(rate=self.fault_rate, retry_after=self.fault_retry_after, delay=self.fault_delay)
            parse_kinds(self.fault_kinds)
            parse_scope(self.fault_scope)
        except FaultSettingsError as exc:
            raise SandboxConfigError(f"{exc}.") from None
        if self.fault_seed is not None and not 0 <= self.fault_seed < 2**63:
            raise SandboxConfigError("--fault-seed must be a whole number between 0 and 2^63 - 1.")


OPTIONS: tuple[Option, ...] = tuple(
    Option(f.name, f.metadata["option"], f.metadata["help"], f.metadata["metavar"], f.metadata["group"])
    for f in fields(SandboxConfig)
    if f.metadata.get("option")
)
"""The settings that have a command-line option, in declaration order."""
