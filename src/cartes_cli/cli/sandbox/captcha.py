"""``cartes sandbox captcha [ID]``: a sign-up captcha's answer, for scripts that sign up on a
sandbox started with ``--scriptable-captchas`` (a real platform never gives one: exit 2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from cartes_cli.cli.options import context_of
from cartes_cli.cli.output import Column, register_fields
from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.platforms import Platform

CAPTCHA_COLUMNS = [Column("id", _("ID")), Column("answer", _("ANSWER"))]
register_fields("answer")


@dataclass(frozen=True)
class CaptchaOptions:
    captcha_id: str | None = None


def run(app: AppContext, options: CaptchaOptions) -> None:
    from cartes_cli.cli.account.cache import cached_captcha_id
    from cartes_cli.client import GeoplateformeClient

    platform = _scriptable_sandbox(app)
    wanted = (options.captcha_id or "").strip() or cached_captcha_id(platform)
    if not wanted:
        raise UsageError(_("No captcha: run 'cartes account captcha' first, or give its id."))
    with GeoplateformeClient(platform, debug=app.debug_log()) as client:
        answer = client.sandbox.captcha_answer(wanted)
    term = app.terminal
    if term.rendering == "json":
        term.print_object({"id": wanted, "answer": answer}, CAPTCHA_COLUMNS)
    else:
        term.out(answer)


def _scriptable_sandbox(app: AppContext) -> Platform:
    """The platform, if it is a sandbox that gives captcha answers; a refusal otherwise."""
    from cartes_cli.cli.account.platform import platform_and_capabilities
    from cartes_cli.client.models import Feature
    from cartes_cli.platforms import KNOWN_PLATFORMS

    not_a_sandbox = _(
        "{platform} is not a sandbox: only a sandbox started with --scriptable-captchas gives "
        "captcha answers; elsewhere a person reads the captcha."
    )
    platform = app.platform(app.profile())
    if platform.name in KNOWN_PLATFORMS and not platform.is_sandbox:  # prod, qualif: no need to ask
        raise UsageError(not_a_sandbox.format(platform=platform.name))
    platform, caps = platform_and_capabilities(app)
    if not caps.sandbox:
        raise UsageError(not_a_sandbox.format(platform=platform.name))
    if not caps.supports(Feature.SCRIPTABLE_CAPTCHAS):
        raise UsageError(
            _(
                "This sandbox keeps its captcha answers to itself: start it with "
                "'cartes sandbox serve --scriptable-captchas' to let scripts read them."
            )
        )
    return platform


def command(
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
    run(context_of(ctx), CaptchaOptions(captcha_id))
