"""``cartes sandbox serve``: run the sandbox until Ctrl-C.

Its options are the sandbox's settings (``cartes_cli.sandbox.config``), with the same names and
defaults (``tests/sandbox/test_settings.py`` holds them to it); they are declared once here as
types, so that the Typer function stays a list of names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from cartes_cli.cli.options import exit_with
from cartes_cli.errors import CartesError, UsageError
from cartes_cli.i18n import _

HostOpt = Annotated[str, typer.Option("--host", help=_("Address to listen on."))]
PortOpt = Annotated[int, typer.Option("--port", help=_("Port; 0 picks a free one."), min=0, max=65535)]
DataOpt = Annotated[
    Path | None,
    typer.Option("--data", help=_("Data directory (SQLite database and signing key)."), show_default=False),
]
SeedOpt = Annotated[
    str | None,
    typer.Option("--seed", help=_("Load a data set into an empty sandbox: demo."), show_default=False),
]
TokenTtlOpt = Annotated[int, typer.Option("--token-ttl", help=_("Access token lifetime, in seconds."), min=1)]
RefreshTtlOpt = Annotated[
    int, typer.Option("--refresh-ttl", help=_("Refresh token (session) lifetime, in seconds."), min=1)
]
LatencyOpt = Annotated[
    int, typer.Option("--latency", help=_("Milliseconds added to every API answer."), min=0)
]
MaxPageSizeOpt = Annotated[
    int,
    typer.Option(
        "--max-page-size",
        help=_("Most items a page of an API listing serves, whatever 'limit' asks."),
        min=1,
    ),
]
LogRequestsOpt = Annotated[bool, typer.Option("--log-requests", help=_("Log every request on stderr."))]
RequestsApiOpt = Annotated[
    bool,
    typer.Option(
        "--requests-api/--no-requests-api",
        help=_("Serve the request API (off: behave like the real platform, which has none)."),
    ),
]
DeviceIntervalOpt = Annotated[
    int, typer.Option("--device-interval", help=_("Device login: seconds between polls."), min=1)
]
AccountsApiOpt = Annotated[
    bool,
    typer.Option(
        "--accounts-api/--no-accounts-api",
        help=_("Serve sign-up and account management (off: like the real platform)."),
    ),
]
PasswordMaxAgeOpt = Annotated[
    int,
    typer.Option("--password-max-age-days", help=_("Passwords older than this must be renewed."), min=1),
]
ScriptableCaptchasOpt = Annotated[
    bool,
    typer.Option(
        "--scriptable-captchas",
        help=_(
            "Let scripts answer sign-up captchas: each captcha's answer is readable with 'cartes "
            "sandbox captcha' (and in its JSON). Off by default; never on a real platform."
        ),
    ),
]
VerificationTtlOpt = Annotated[
    int,
    typer.Option("--verification-ttl", help=_("Lifetime of e-mail verification codes, in seconds."), min=1),
]
FaultRateOpt = Annotated[
    float,
    typer.Option(
        "--fault-rate",
        metavar="R",
        help=_(
            "Fault injection: the probability (0 to 1) that an API or token request meets a fault. "
            "0: off. Change it while running with PUT /sandbox/faults."
        ),
        min=0.0,
        max=1.0,
    ),
]
FaultSeedOpt = Annotated[
    int | None,
    typer.Option(
        "--fault-seed",
        metavar="N",
        help=_(
            "Seed of the fault generator: the same seed and the same requests give the same faults "
            "(default: a random seed, shown at start and by GET /sandbox/faults)."
        ),
        min=0,
        show_default=False,
    ),
]
FaultKindsOpt = Annotated[
    str,
    typer.Option(
        "--fault-kinds",
        metavar="LIST",
        help=_(
            "Comma-separated faults to draw from: 500, 502, 503, 429 (with Retry-After), drop "
            "(connection closed, no answer), slow (answer after --fault-delay), after-500, "
            "after-502, after-drop (the change is made, then the answer is lost); or the groups all, "
            "before, after, errors, drops."
        ),
    ),
]
FaultScopeOpt = Annotated[
    str,
    typer.Option(
        "--fault-scope",
        metavar="LIST",
        help=_(
            "Where faults happen, comma-separated: api (/api/...), token (the token endpoint), oidc "
            "(every /realms/... route). Never on /sandbox/..."
        ),
    ),
]
FaultRetryAfterOpt = Annotated[
    int,
    typer.Option(
        "--fault-retry-after",
        metavar="SECONDS",
        help=_("The Retry-After of injected 429 answers."),
        min=0,
        max=3600,
    ),
]
FaultDelayOpt = Annotated[
    float,
    typer.Option(
        "--fault-delay",
        metavar="SECONDS",
        help=_("How long a slow fault holds a request (more than the client's 30-second timeout)."),
        min=0.001,
        max=3600.0,
    ),
]


@dataclass(frozen=True)
class ServeOptions:
    """The sandbox's settings as the command line gives them (the names of its options)."""

    host: str = "127.0.0.1"
    port: int = 0
    data: Path | None = None
    seed: str | None = None
    token_ttl: int = 300
    refresh_ttl: int = 1800
    latency: int = 0
    max_page_size: int = 100
    log_requests: bool = False
    requests_api: bool = True
    device_interval: int = 5
    accounts_api: bool = True
    password_max_age_days: int = 365
    scriptable_captchas: bool = False
    verification_ttl: int = 86400
    fault_rate: float = 0.0
    fault_seed: int | None = None
    fault_kinds: str = "all"
    fault_scope: str = "api,token"
    fault_retry_after: int = 1
    fault_delay: float = 35.0


def run(options: ServeOptions) -> int:
    """Check the address and the fault settings, then serve until Ctrl-C; the server's exit code.

    Unlike the other commands, serving needs no app context: no profile, no login, no terminal
    (the server prints its own JSON line)."""
    from cartes_cli.platforms import is_loopback_host

    if not is_loopback_host(options.host):
        raise UsageError(_("--host must be an address of this machine (such as 127.0.0.1)."))
    from cartes_cli.sandbox.domain.faults import FaultSettingsError, parse_kinds, parse_scope

    try:
        kinds, scope = parse_kinds(options.fault_kinds), parse_scope(options.fault_scope)
    except FaultSettingsError as exc:
        raise UsageError(_("Invalid fault setting: {problem}.").format(problem=exc)) from None
    try:
        from cartes_cli.sandbox.server import serve as run_server
    except ImportError as exc:
        raise CartesError(
            _(
                "The sandbox needs extra packages ({missing}); install them with: "
                "pip install 'cartes-cli[sandbox]'."
            ).format(missing=exc.name or exc)
        ) from exc
    return run_server(
        host=options.host,
        port=options.port,
        data_dir=options.data,
        seed=options.seed,
        token_ttl=options.token_ttl,
        refresh_ttl=options.refresh_ttl,
        latency_ms=options.latency,
        max_page_size=options.max_page_size,
        log_requests=options.log_requests,
        requests_api=options.requests_api,
        device_interval=options.device_interval,
        accounts_api=options.accounts_api,
        password_max_age_days=options.password_max_age_days,
        scriptable_captchas=options.scriptable_captchas,
        verification_ttl=options.verification_ttl,
        fault_rate=options.fault_rate,
        fault_seed=options.fault_seed,
        fault_kinds=kinds,
        fault_scope=scope,
        fault_retry_after=options.fault_retry_after,
        fault_delay=options.fault_delay,
    )


def serve(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 0,
    data: DataOpt = None,
    seed: SeedOpt = None,
    token_ttl: TokenTtlOpt = 300,
    refresh_ttl: RefreshTtlOpt = 1800,
    latency: LatencyOpt = 0,
    max_page_size: MaxPageSizeOpt = 100,
    log_requests: LogRequestsOpt = False,
    requests_api: RequestsApiOpt = True,
    device_interval: DeviceIntervalOpt = 5,
    accounts_api: AccountsApiOpt = True,
    password_max_age_days: PasswordMaxAgeOpt = 365,
    scriptable_captchas: ScriptableCaptchasOpt = False,
    verification_ttl: VerificationTtlOpt = 86400,
    fault_rate: FaultRateOpt = 0.0,
    fault_seed: FaultSeedOpt = None,
    fault_kinds: FaultKindsOpt = "all",
    fault_scope: FaultScopeOpt = "api,token",
    fault_retry_after: FaultRetryAfterOpt = 1,
    fault_delay: FaultDelayOpt = 35.0,
) -> None:
    """Run the sandbox until Ctrl-C.

    Prints one JSON line with its URLs on standard output when ready, and records them so that
    'cartes --env sandbox …' finds it.
    """
    options = ServeOptions(
        host=host,
        port=port,
        data=data,
        seed=seed,
        token_ttl=token_ttl,
        refresh_ttl=refresh_ttl,
        latency=latency,
        max_page_size=max_page_size,
        log_requests=log_requests,
        requests_api=requests_api,
        device_interval=device_interval,
        accounts_api=accounts_api,
        password_max_age_days=password_max_age_days,
        scriptable_captchas=scriptable_captchas,
        verification_ttl=verification_ttl,
        fault_rate=fault_rate,
        fault_seed=fault_seed,
        fault_kinds=fault_kinds,
        fault_scope=fault_scope,
        fault_retry_after=fault_retry_after,
        fault_delay=fault_delay,
    )
    exit_with(run(options))
