"""``cartes help …``: the exit-code contract, the environment variables, and any command's help.

``cartes help exit-codes`` and ``cartes help environment`` render through the output module (a table
on a terminal, TSV when piped, ``--json``); ``cartes help COMMAND…`` prints what ``cartes COMMAND…
--help`` prints. The lists here are also the source of the ENVIRONMENT and EXIT STATUS sections of
the man pages and of ``docs/reference.md`` (``cartes_cli.cli.docgen``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperCommand, TyperGroup

from cartes_cli.cli.exit_codes import ExitCode
from cartes_cli.cli.output import ESSENTIAL, Column, register_fields
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.click_compat import click
    from cartes_cli.cli.context import AppContext

TOPICS = ("exit-codes", "environment")


def environment_variables() -> list[tuple[str, str]]:
    """Every environment variable cartes reads, with its meaning, in the user's language."""
    return [
        ("CARTES_PROFILE", _("The named login to use, like --profile (default: the active one).")),
        ("CARTES_ENV", _("The platform, like --env: prod, qualif or sandbox.")),
        ("CARTES_API_URL", _("The Entrepôt API root URL of another platform, like --api-url.")),
        ("CARTES_ISSUER", _("The login server (Keycloak realm) URL, with CARTES_API_URL, like --issuer.")),
        ("CARTES_NO_INPUT", _("Any value: never prompt, like --no-input.")),
        ("CI", _("Any value (set by CI services): never prompt.")),
        (
            "CARTES_DEBUG",
            _("Any value (e.g. api): log HTTP exchanges on stderr, secrets redacted, like --debug."),
        ),
        ("NO_COLOR", _("Any value: no colour in the output, like --no-color.")),
        (
            "CARTES_TOKEN",
            _("A bearer access token: wins over stored logins and is never written anywhere."),
        ),
        (
            "CARTES_CLIENT_ID",
            _("Service account (client credentials), with CARTES_CLIENT_SECRET: wins over stored logins."),
        ),
        ("CARTES_CLIENT_SECRET", _("The secret of the service account named by CARTES_CLIENT_ID.")),
        ("CARTES_USERNAME", _("Username or e-mail for a non-interactive password login.")),
        ("CARTES_PASSWORD", _("Password for a non-interactive password login (and the account commands).")),
        (
            "CARTES_TOTP_SECRET",
            _("The account's TOTP seed: the 6-digit verification code is computed from it."),
        ),
        (
            "CARTES_OIDC_CLIENT_ID",
            _(
                "The OIDC client of a person's logins, instead of the platform's (on prod: gpf-warehouse, "
                "with the secret IGN publishes)."
            ),
        ),
        (
            "CARTES_OIDC_CLIENT_SECRET",
            _("That client's secret; kept in the credential store with the login it served."),
        ),
        (
            "CARTES_OIDC_REDIRECT_URI",
            _(
                "Where that client's browser login may return: loopback, or an address registered for it "
                "(the address is then pasted back)."
            ),
        ),
        (
            "CARTES_HOME",
            _(
                "Keep every file (config, data, state, cache) below this directory, "
                "with keyring entries of its own."
            ),
        ),
        ("CARTES_LANG", _("Force the language of messages: fr or en.")),
        ("CARTES_TIMEOUT", _("Seconds to wait for each answer of the platform (default: 30).")),
        (
            "CARTES_WARM",
            _(
                "1: start commands warm, from a per-user server that has cartes loaded (about half the "
                "start-up time; the server leaves after 15 idle minutes)."
            ),
        ),
        (
            "CARTES_WARM_IDLE",
            _("Seconds without a command before the warm-start server leaves (default: 900)."),
        ),
        (
            "XDG_RUNTIME_DIR, TMPDIR",
            _("The warm-start server's socket goes in XDG_RUNTIME_DIR, else in TMPDIR (else /tmp)."),
        ),
        (
            "LANGUAGE, LC_ALL, LC_MESSAGES, LANG",
            _("Without CARTES_LANG, the first one set chooses the language (French for fr, else English)."),
        ),
        (
            "DISPLAY, WAYLAND_DISPLAY",
            _("A graphical session: 'cartes login' opens a browser by default."),
        ),
        (
            "SSH_CONNECTION, SSH_CLIENT, SSH_TTY",
            _(
                "Over SSH, 'cartes login' uses a code typed on another device where the platform's client "
                "allows it, else the browser login with the address pasted back."
            ),
        ),
        ("BROWSER", _("The browser to open, instead of the system's default one.")),
    ]


EXIT_CODE_COLUMNS = [
    Column("code", _("CODE"), kind="int", no_wrap=True, style="bold", priority=ESSENTIAL),
    Column("name", _("NAME"), no_wrap=True, priority=ESSENTIAL),
    Column("meaning", _("MEANING"), min_width=24),
]
ENVIRONMENT_COLUMNS = [
    Column("variable", _("VARIABLE"), style="bold", no_wrap=True, priority=ESSENTIAL),
    Column("meaning", _("MEANING"), min_width=24),
]
register_fields("code", "name", "meaning", "variable")


def exit_code_rows() -> list[dict[str, Any]]:
    return [{"code": int(code), "name": code.name, "meaning": code.meaning} for code in ExitCode]


class HelpGroup(TyperGroup):
    """The topics are subcommands; any other word starts a command path whose help is shown."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            words = list(args)
            command = TyperCommand(
                name=words[0],
                callback=lambda: show_command_help(words),
                context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
                add_help_option=False,
            )
            return words[0], command, args[1:]
        return super().resolve_command(ctx, args)


help_app = typer.Typer(
    cls=HelpGroup,
    help=_(
        "Reference: exit codes, environment variables, the help of any command.\n\n"
        "'cartes help COMMAND…' prints what 'cartes COMMAND… --help' prints. The man pages say the "
        "same: man cartes, man cartes-workspace…"
    ),
    no_args_is_help=True,
    subcommand_metavar=_("TOPIC | COMMAND…"),
)


def _ctx(ctx: typer.Context) -> AppContext:
    obj = ctx.find_root().obj
    assert obj is not None
    return obj  # type: ignore[no-any-return]


@help_app.command(
    "exit-codes", help=_("The exit codes and what they mean (a contract: scripts may rely on them).")
)
def exit_codes(ctx: typer.Context) -> None:
    _ctx(ctx).terminal.print_list(exit_code_rows(), EXIT_CODE_COLUMNS)


@help_app.command("environment", help=_("The environment variables cartes reads."))
def environment(ctx: typer.Context) -> None:
    rows = [{"variable": name, "meaning": meaning} for name, meaning in environment_variables()]
    _ctx(ctx).terminal.print_list(rows, ENVIRONMENT_COLUMNS)


def show_command_help(words: list[str]) -> None:
    """Print the help of ``cartes WORDS…``, or fail with a usage error naming what exists."""
    from cartes_cli.cli.app import GROUPS, make_app
    from cartes_cli.i18n import translate_help

    first = words[0]
    root = typer.main.get_command(make_app(first if first in GROUPS else None))
    translate_help(root)  # the docstrings, as 'cartes … --help' shows them
    context = root.make_context("cartes", [], resilient_parsing=True)
    command: Any = root
    for depth, word in enumerate(words):
        sub = command.get_command(context, word) if isinstance(command, TyperGroup) else None
        if sub is None:
            if depth == 0:
                raise UsageError(
                    _(
                        "Unknown help topic or command {name!r}; topics: {topics}; commands: {commands}."
                    ).format(name=word, topics=", ".join(TOPICS), commands=", ".join(GROUPS))
                )
            raise UsageError(
                _("Unknown command {name!r}; see 'cartes help {path}'.").format(
                    name=" ".join(words[: depth + 1]), path=" ".join(words[:depth])
                )
            )
        context = sub.make_context(word, [], parent=context, resilient_parsing=True)
        command = sub
    typer.echo(context.get_help())
