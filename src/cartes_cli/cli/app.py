"""The command tree: the root ``cartes`` command, its global options and its groups.

Only light modules are imported here (Typer, the output module, the command modules, which
themselves import httpx, pydantic, keyring and the sandbox inside their function bodies).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from cartes_cli import __version__
from cartes_cli.cli.context import AppContext, GlobalOptions
from cartes_cli.cli.global_options import parse_json_option
from cartes_cli.cli.output import FORMATS, Terminal
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

# The command groups, in --help order: (module, attribute). A command runs with only its own
# group loaded (see make_app); --help and unknown commands load them all.
GROUPS: dict[str, tuple[str, str]] = {
    "login": ("cartes_cli.cli.login", "login_app"),
    "logout": ("cartes_cli.cli.login", "logout"),
    "account": ("cartes_cli.cli.account", "account_app"),
    "workspace": ("cartes_cli.cli.workspace", "workspace_app"),
    "request": ("cartes_cli.cli.request", "request_app"),
    "api": ("cartes_cli.cli.api", "api"),
    "sandbox": ("cartes_cli.cli.sandbox", "sandbox_app"),
    "completion": ("cartes_cli.cli.completion", "completion"),
    "help": ("cartes_cli.cli.help", "help_app"),
}
# The groups whose package builds the group for one verb (``build(words)``, ``cli/verbs.py``).
VERB_GROUPS = ("login", "account", "workspace", "request", "sandbox")


def make_app(
    only: str | None = None, *, outline: bool = False, words: Sequence[str] | None = None
) -> typer.Typer:
    """The command tree; with ``only``, just that group (building every command of every group
    costs tens of milliseconds that a single command does not need).

    ``words``, with ``only``: the words after the group's name on the command line
    (``global_options.command_words``); the group is then built with only the verb they name
    (``['member', 'add']``: ``workspace member`` with ``add``), importing that verb's module and
    not its siblings'. Without ``words``, or when they name no verb, the whole group.

    ``outline`` builds the root for ``cartes --help``: each group as an empty stand-in with the
    group's own help text, which is all the root's help shows (the real tree is then not built).
    """
    import importlib

    app = typer.Typer(
        name="cartes",
        help=_(
            "Administer your Géoplateforme (cartes.gouv.fr) account, workspaces and requests from the "
            "terminal."
        ),
        add_completion=False,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    )
    app.callback()(root)
    for name, (module_name, attribute) in GROUPS.items():
        if only is not None and name != only:
            continue
        if outline and _outline_from_help_texts(app, name):
            continue  # the group's help, without importing its package (and every verb in it)
        module = importlib.import_module(module_name)
        if words is not None and name == only and name in VERB_GROUPS:
            target = module.build(words)
        else:
            target = getattr(module, attribute)
        if outline:
            _add_outline(app, name, target)
        elif isinstance(target, typer.Typer):
            app.add_typer(target, name=name)
        elif name == "logout":
            app.command(name, help=getattr(module, "LOGOUT_HELP", None))(target)
        else:
            app.command(name)(target)
    return app


def _outline_from_help_texts(app: typer.Typer, name: str) -> bool:
    """Add group ``name``'s stand-in from ``group_help`` (True), or leave it to the module (False)."""
    from cartes_cli.cli.group_help import LOGOUT_HELP, group_help

    if name in VERB_GROUPS:
        app.add_typer(typer.Typer(help=group_help(name), no_args_is_help=True), name=name)
        return True
    if name == "logout":
        app.command(name, help=LOGOUT_HELP)(_stand_in)
        return True
    return False


def _stand_in() -> None:  # never run: the outline only prints the root's help
    return None


def _add_outline(app: typer.Typer, name: str, target: object) -> None:
    """A group or command whose help the outline reads from its module (``help``, ``api``,
    ``completion``: light modules); the others come from ``group_help``."""
    import inspect

    if isinstance(target, typer.Typer):
        group_help = target.info.help
        text = group_help if isinstance(group_help, str) else None
        app.add_typer(typer.Typer(help=text, no_args_is_help=True), name=name)
    else:
        app.command(name, help=inspect.getdoc(target))(_stand_in)


def __getattr__(name: str) -> typer.Typer:
    if name == "app":  # the whole tree, for tools (completions, man pages, tests)
        return make_app()
    raise AttributeError(name)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cartes {__version__}")
        raise typer.Exit(0)


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
    from cartes_cli import hints

    hints.remember(profile=profile, env=env, api_url=api_url, issuer=issuer)
    context = AppContext(options, terminal)
    ctx.obj = context
    ctx.call_on_close(context.close)
