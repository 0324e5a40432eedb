"""``cartes sandbox …``: the self-contained Géoplateforme for demos, tests and offline scripts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
) -> None:
    """Run the sandbox until Ctrl-C.

    Prints one JSON line with its URLs on standard output when ready, and records them so that
    'cartes --env sandbox …' finds it.
    """
    from cartes_cli.platforms import is_loopback_host

    if not is_loopback_host(host):
        raise UsageError(_("--host must be an address of this machine (such as 127.0.0.1)."))
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
    )
    if code:
        raise typer.Exit(code)
