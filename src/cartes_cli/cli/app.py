"""The command tree: the root ``cartes`` command, its global options and its groups.

Only light modules are imported here (Typer, the output module, the command modules, which
themselves import httpx, pydantic, keyring and the sandbox inside their function bodies).
"""

from __future__ import annotations

from typing import Annotated

import typer

from cartes_cli import __version__
from cartes_cli.cli import account as account_cmds
from cartes_cli.cli import login as login_cmds
from cartes_cli.cli import request as request_cmds
from cartes_cli.cli import sandbox as sandbox_cmds
from cartes_cli.cli import workspace as workspace_cmds
from cartes_cli.cli.argv import parse_json_option
from cartes_cli.cli.context import AppContext, GlobalOptions
from cartes_cli.cli.output import FORMATS, Terminal
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

app = typer.Typer(
    name="cartes",
    help=_(
        "Administer your Géoplateforme (cartes.gouv.fr) account, workspaces and requests from the terminal."
    ),
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)

app.add_typer(login_cmds.login_app, name="login")
app.command("logout", help=login_cmds.LOGOUT_HELP)(login_cmds.logout)
app.add_typer(account_cmds.account_app, name="account")
app.add_typer(workspace_cmds.workspace_app, name="workspace")
app.add_typer(request_cmds.request_app, name="request")
app.add_typer(sandbox_cmds.sandbox_app, name="sandbox")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cartes {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    ctx: typer.Context,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile", "-p", help=_("Named login to use (default: the active one)."), show_default=False
        ),
    ] = None,
    env: Annotated[
        str | None, typer.Option("--env", help=_("Platform: prod, qualif or sandbox."), show_default=False)
    ] = None,
    api_url: Annotated[
        str | None,
        typer.Option("--api-url", help=_("Entrepôt API root URL (another platform)."), show_default=False),
    ] = None,
    issuer: Annotated[
        str | None,
        typer.Option(
            "--issuer", help=_("Login server (Keycloak realm) URL, with --api-url."), show_default=False
        ),
    ] = None,
    json: Annotated[
        str | None,
        typer.Option(
            "--json",
            metavar="[FIELDS]",
            show_default=False,
            help=_("JSON output; optionally only these comma-separated fields."),
        ),
    ] = None,
    format: Annotated[
        str, typer.Option("--format", help=_("Output format: auto, table, tsv, csv or json."))
    ] = "auto",
    no_input: Annotated[bool, typer.Option("--no-input", help=_("Never prompt."))] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help=_("Log HTTP exchanges on stderr (secrets redacted)."))
    ] = False,
    no_color: Annotated[bool, typer.Option("--no-color", help=_("No colour in the output."))] = False,
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help=_("Print the version."))
    ] = False,
) -> None:
    if format not in FORMATS:
        raise UsageError(
            _("Unknown output format {value!r}; choose one of: {choices}.").format(
                value=format, choices=", ".join(FORMATS)
            )
        )
    options = GlobalOptions(
        profile=profile,
        env=env,
        api_url=api_url,
        issuer=issuer,
        json_fields=parse_json_option(json),
        format=format,
        no_input=no_input,
        debug=debug,
        no_color=no_color,
    )
    terminal = Terminal(
        format=format,  # type: ignore[arg-type]
        json_fields=options.json_fields,
        no_input=no_input,
        color=False if no_color else None,
    )
    context = AppContext(options, terminal)
    ctx.obj = context
    ctx.call_on_close(context.close)
