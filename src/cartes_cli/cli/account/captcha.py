"""``cartes account captcha``: get a sign-up captcha and save it (image, or sound with
``--audio``), for ``account create --captcha-answer`` in scripts. It is remembered, so that
``account create`` needs no ``--captcha-id``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cartes_cli.cli.account import cache
from cartes_cli.cli.account.browser import open_file
from cartes_cli.cli.account.captcha_art import captcha_art
from cartes_cli.cli.account.platform import app_context
from cartes_cli.cli.output import Column, register_fields
from cartes_cli.errors import CartesError, UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.client.models import Captcha

CAPTCHA_COLUMNS = [
    Column("id", _("ID"), no_wrap=True),
    Column("path", _("FILE")),
    Column("expires_in", _("EXPIRES IN (S)"), kind="int"),
    Column("audio_url", _("AUDIO")),
    Column("answer", _("ANSWER (SANDBOX TEST MODE)"), table=False, tsv=False),
]
register_fields(*(c.key for c in CAPTCHA_COLUMNS))


@dataclass(frozen=True)
class CaptchaOptions:
    audio: bool = False
    output: Path | None = None
    no_browser: bool = False


def run(app: AppContext, options: CaptchaOptions) -> None:
    from cartes_cli.client import GeoplateformeClient

    term = app.terminal
    platform = app.platform(app.profile())
    with GeoplateformeClient(platform, debug=app.debug_log()) as client:
        if not client.capabilities().accounts:
            raise CartesError(
                _(
                    "This platform has no sign-up API; sign up in a browser with "
                    "'cartes account create --web'."
                )
            )
        captcha = client.accounts.captcha()
        data = client.accounts.captcha_audio(captcha) if options.audio else captcha.image
    suffix = ".wav" if options.audio else "." + captcha.image_extension
    path = (
        options.output.expanduser()
        if options.output is not None
        else cache.account_cache() / f"captcha{suffix}"
    )
    _write(path, data)
    expires_at = time.time() + captcha.expires_in if captcha.expires_in else None
    cache.save_json(cache.CAPTCHA, {"id": captcha.id, "api_url": platform.api_url, "expires_at": expires_at})
    row = {
        "id": captcha.id,
        "path": str(path),
        "expires_in": captcha.expires_in,
        "audio_url": captcha.audio_url,
        "answer": captcha.answer,
    }
    term.print_object(row, CAPTCHA_COLUMNS)
    _show(app, captcha, path, options)
    term.info(
        _("Then: cartes account create … --captcha-answer CHARACTERS (within {n} s).").format(
            n=captcha.expires_in or 300
        )
    )


def _write(path: Path, data: bytes) -> None:
    try:
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise UsageError(
            _("Cannot write {path}: {reason}.").format(path=path, reason=exc.strerror or exc)
        ) from exc


def _show(app: AppContext, captcha: Captcha, path: Path, options: CaptchaOptions) -> None:
    """The image drawn on a terminal's stderr, and opened in the viewer when someone looks."""
    term = app.terminal
    if term.stderr_isatty and not options.audio and term.rendering != "json":
        term.draw(lambda _width, colour: captcha_art(captcha.image, color=colour))
    if not options.no_browser and (term.stdout_isatty or term.stderr_isatty):
        open_file(path)


def command(
    ctx: typer.Context,
    audio: Annotated[bool, typer.Option("--audio", help=_("Save the audio version (WAV) instead."))] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help=_("Where to save it (default: the cartes cache)."), show_default=False
        ),
    ] = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help=_("Do not open the image or sound; print its path."))
    ] = False,
) -> None:
    """Get a sign-up captcha and save it, for 'cartes account create --captcha-answer' in scripts.

    The captcha is remembered, so 'account create' uses it without --captcha-id.
    """
    run(app_context(ctx), CaptchaOptions(audio=audio, output=output, no_browser=no_browser))
