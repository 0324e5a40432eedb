"""``cartes sandbox …``: the self-contained Géoplateforme for demos, tests and offline scripts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cartes_cli.cli.output import Column, register_fields
from cartes_cli.errors import CartesError, UsageError
from cartes_cli.i18n import _

sandbox_app = typer.Typer(
    help=_("A self-contained Géoplateforme on this machine (OpenID Connect + Entrepôt API, SQLite)."),
    no_args_is_help=True,
)


@sandbox_app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help=_("Address to listen on."))] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help=_("Port; 0 picks a free one."), min=0, max=65535)] = 0,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", help=_("Data directory (SQLite database and signing key)."), show_default=False
        ),
    ] = None,
    seed: Annotated[
        str | None,
        typer.Option("--seed", help=_("Load a data set into an empty sandbox: demo."), show_default=False),
    ] = None,
    token_ttl: Annotated[
        int, typer.Option("--token-ttl", help=_("Access token lifetime, in seconds."), min=1)
    ] = 300,
    refresh_ttl: Annotated[
        int, typer.Option("--refresh-ttl", help=_("Refresh token (session) lifetime, in seconds."), min=1)
    ] = 1800,
    latency: Annotated[
        int, typer.Option("--latency", help=_("Milliseconds added to every API answer."), min=0)
    ] = 0,
    log_requests: Annotated[
        bool, typer.Option("--log-requests", help=_("Log every request on stderr."))
    ] = False,
    requests_api: Annotated[
        bool,
        typer.Option(
            "--requests-api/--no-requests-api",
            help=_("Serve the request API (off: behave like the real platform, which has none)."),
        ),
    ] = True,
    device_interval: Annotated[
        int, typer.Option("--device-interval", help=_("Device login: seconds between polls."), min=1)
    ] = 5,
    accounts_api: Annotated[
        bool,
        typer.Option(
            "--accounts-api/--no-accounts-api",
            help=_("Serve sign-up and account management (off: like the real platform)."),
        ),
    ] = True,
    password_max_age_days: Annotated[
        int,
        typer.Option("--password-max-age-days", help=_("Passwords older than this must be renewed."), min=1),
    ] = 365,
    scriptable_captchas: Annotated[
        bool,
        typer.Option(
            "--scriptable-captchas",
            help=_(
                "Let scripts answer sign-up captchas: each captcha's answer is readable with 'cartes "
                "sandbox captcha' (and in its JSON). Off by default; never on a real platform."
            ),
        ),
    ] = False,
    verification_ttl: Annotated[
        int,
        typer.Option(
            "--verification-ttl", help=_("Lifetime of e-mail verification codes, in seconds."), min=1
        ),
    ] = 86400,
    fault_rate: Annotated[
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
    ] = 0.0,
    fault_seed: Annotated[
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
    ] = None,
    fault_kinds: Annotated[
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
    ] = "all",
    fault_scope: Annotated[
        str,
        typer.Option(
            "--fault-scope",
            metavar="LIST",
            help=_(
                "Where faults happen, comma-separated: api (/api/...), token (the token endpoint), oidc "
                "(every /realms/... route). Never on /sandbox/..."
            ),
        ),
    ] = "api,token",
    fault_retry_after: Annotated[
        int,
        typer.Option(
            "--fault-retry-after",
            metavar="SECONDS",
            help=_("The Retry-After of injected 429 answers."),
            min=0,
            max=3600,
        ),
    ] = 1,
    fault_delay: Annotated[
        float,
        typer.Option(
            "--fault-delay",
            metavar="SECONDS",
            help=_("How long a slow fault holds a request (more than the client's 30-second timeout)."),
            min=0.001,
            max=3600.0,
        ),
    ] = 35.0,
) -> None:
    """Run the sandbox until Ctrl-C.

    Prints one JSON line with its URLs on standard output when ready, and records them so that
    'cartes --env sandbox …' finds it.
    """
    from cartes_cli.platforms import is_loopback_host

    if not is_loopback_host(host):
        raise UsageError(_("--host must be an address of this machine (such as 127.0.0.1)."))
    from cartes_cli.sandbox.domain.faults import FaultSettingsError, parse_kinds, parse_scope

    try:
        kinds, scope = parse_kinds(fault_kinds), parse_scope(fault_scope)
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
    code = run_server(
        host=host,
        port=port,
        data_dir=data,
        seed=seed,
        token_ttl=token_ttl,
        refresh_ttl=refresh_ttl,
        latency_ms=latency,
        log_requests=log_requests,
        requests_api=requests_api,
        device_interval=device_interval,
        accounts_api=accounts_api,
        password_max_age_days=password_max_age_days,
        scriptable_captchas=scriptable_captchas,
        verification_ttl=verification_ttl,
        fault_rate=fault_rate,
        fault_seed=fault_seed,
        fault_kinds=kinds,
        fault_scope=scope,
        fault_retry_after=fault_retry_after,
        fault_delay=fault_delay,
    )
    if code:
        raise typer.Exit(code)


OUTBOX_COLUMNS = [
    # The address and the subject share the width: the subject wraps (24 characters at least),
    # a long address is shortened (20 at least).
    Column("creation", _("SENT"), kind="datetime", no_wrap=True),
    Column("to", _("TO"), no_wrap=True, min_width=20),
    Column("subject", _("SUBJECT"), min_width=24),
    Column("id", _("ID"), table=False),
    Column("related", _("REQUEST"), table=False),
    Column("body", _("BODY"), table=False),
]
register_fields(*(c.key for c in OUTBOX_COLUMNS))


@sandbox_app.command("outbox")
def outbox(
    ctx: typer.Context,
    to: Annotated[
        str | None, typer.Option("--to", help=_("Only e-mails to this address."), show_default=False)
    ] = None,
    related: Annotated[
        str | None, typer.Option("--request", help=_("Only e-mails about this request."), show_default=False)
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help=_("At most this many, newest first."), min=1)] = 50,
    full: Annotated[bool, typer.Option("--full", help=_("Print each e-mail in full."))] = False,
) -> None:
    """The e-mails the sandbox would have sent (verification codes, requests, decisions)."""
    from cartes_cli.client import GeoplateformeClient

    app = ctx.find_root().obj
    platform = app.sandbox_platform()
    with GeoplateformeClient(platform, debug=app.debug_log()) as client:
        messages = client.sandbox.outbox(to=to)
    if related:
        messages = [m for m in messages if (m.related or "") == related.strip()]
    messages = list(reversed(messages))[:limit]  # newest first
    rows = [
        {
            "id": m.id,
            "to": ", ".join(m.to) if isinstance(m.to, list) else m.to,
            "subject": m.subject,
            "body": m.body,
            "related": m.related,
            "creation": m.creation,
        }
        for m in messages
    ]
    term = app.terminal
    if full and term.rendering not in ("json",):
        from cartes_cli.cli.output import human_time, rfc3339

        for row in rows:
            sent = row["creation"]
            date = "" if sent is None else human_time(sent) if term.stdout_isatty else rfc3339(sent)
            term.out(
                _("To: {to}\nSubject: {subject}\nDate: {date}\n\n{body}\n").format(
                    to=row["to"], subject=row["subject"], date=date, body=row["body"]
                )
            )
        return
    term.print_list(rows, OUTBOX_COLUMNS, empty=_("The outbox is empty."))


CAPTCHA_COLUMNS = [Column("id", _("ID")), Column("answer", _("ANSWER"))]
register_fields("answer")


@sandbox_app.command("captcha")
def captcha(
    ctx: typer.Context,
    captcha_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help=_("The captcha (default: the last one 'cartes account captcha' fetched)."),
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print a sign-up captcha's answer, so that a script can sign up on the sandbox.

    Only a sandbox started with --scriptable-captchas gives answers; a real platform never does
    (exit 2). The answer is 6 characters among 23456789ABCDEFGHJKLMNPQRSTUVWXYZ. Typical script:
    cartes account captcha; cartes account create … --captcha-answer "$(cartes sandbox captcha)".
    """
    from cartes_cli.cli.account.cache import cached_captcha_id as _cached_captcha_id
    from cartes_cli.cli.account.platform import platform_and_capabilities as _platform_and_capabilities
    from cartes_cli.client import GeoplateformeClient
    from cartes_cli.client.models import Feature
    from cartes_cli.platforms import KNOWN_PLATFORMS

    app = ctx.find_root().obj
    not_a_sandbox = _(
        "{platform} is not a sandbox: only a sandbox started with --scriptable-captchas gives "
        "captcha answers; elsewhere a person reads the captcha."
    )
    platform = app.platform(app.profile())
    if platform.name in KNOWN_PLATFORMS and not platform.is_sandbox:  # prod, qualif: no need to ask
        raise UsageError(not_a_sandbox.format(platform=platform.name))
    platform, caps = _platform_and_capabilities(app)
    if not caps.sandbox:
        raise UsageError(not_a_sandbox.format(platform=platform.name))
    if not caps.supports(Feature.SCRIPTABLE_CAPTCHAS):
        raise UsageError(
            _(
                "This sandbox keeps its captcha answers to itself: start it with "
                "'cartes sandbox serve --scriptable-captchas' to let scripts read them."
            )
        )
    wanted = (captcha_id or "").strip() or _cached_captcha_id(platform)
    if not wanted:
        raise UsageError(_("No captcha: run 'cartes account captcha' first, or give its id."))
    with GeoplateformeClient(platform, debug=app.debug_log()) as client:
        answer = client.sandbox.captcha_answer(wanted)
    term = app.terminal
    if term.rendering == "json":
        term.print_object({"id": wanted, "answer": answer}, CAPTCHA_COLUMNS)
    else:
        term.out(answer)
