"""The sign-up request of ``account create``: once, with a captcha answered beforehand (scripts),
or as the wizard's step 5 (the captcha shown, a new one after a wrong answer, another username or
address when the platform says it is taken)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cartes_cli.cli.account.browser import open_file
from cartes_cli.cli.account.captcha_art import captcha_art
from cartes_cli.cli.account.fields import check_password, fail, problem_text, problems_of, wire_fields
from cartes_cli.cli.account.prompts import MAX_ASKS, ask, ask_new_password
from cartes_cli.cli.account.wizard import step
from cartes_cli.errors import CartesError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.client import GeoplateformeClient
    from cartes_cli.client.models import AccountCreated, Captcha
    from cartes_cli.errors import Conflict, InvalidInput

CAPTCHA_TRIES = 3


def register_once(
    app: AppContext,
    client: GeoplateformeClient,
    fields: Mapping[str, str],
    password: str,
    cid: str,
    answer: str,
) -> AccountCreated:
    """The sign-up with a captcha answered beforehand; exit 2 when it is refused."""
    from cartes_cli.errors import InvalidInput

    try:
        return client.accounts.register(
            {**wire_fields(fields), "password": password}, captcha_id=cid, captcha_answer=answer.strip()
        )
    except InvalidInput as exc:
        if exc.has("captcha"):
            app.terminal.error(
                _("Error: the captcha answer is wrong or the captcha expired; nothing was created.")
            )
            app.terminal.error(_("Get a new one with 'cartes account captcha' and try again."))
            raise typer.Exit(2) from None
        raise fail(app, problems_of(exc), heading=_("the platform refused the sign-up:")) from None


class CaptchaStep:
    """Step 5: captcha, then the sign-up; a new captcha after a wrong answer (3 tries), and
    another username or address when the platform says it is taken."""

    def __init__(
        self, app: AppContext, client: GeoplateformeClient, *, audio: bool, no_browser: bool
    ) -> None:
        self.app = app
        self.client = client
        self.audio = audio
        self.no_browser = no_browser
        self.tries = 0
        self.fetches = 0
        self.temp_files: list[Path] = []

    def run(self, fields: dict[str, str], password: str) -> AccountCreated:
        from cartes_cli.errors import Conflict, InvalidInput

        self._explain()
        try:
            captcha = self._new_captcha()
            while True:
                answer = self._answer(captcha)
                if answer.lower() in ("new", "nouveau") and self.fetches < MAX_ASKS:
                    captcha = self._new_captcha()
                    continue
                try:
                    return self.client.accounts.register(
                        {**wire_fields(fields), "password": password},
                        captcha_id=captcha.id,
                        captcha_answer=answer,
                    )
                except Conflict as exc:
                    password = self._taken(exc, fields, password)
                except InvalidInput as exc:
                    self._wrong_answer(exc)
                captcha = self._new_captcha()  # the previous one was used
        finally:
            for path in self.temp_files:
                with contextlib.suppress(OSError):
                    path.unlink()

    def _explain(self) -> None:
        step(
            self.app,
            5,
            _("Captcha"),
            [
                _("Type the characters of the image to prove you are a person."),
                _(
                    "They are 6 among the digits 2 to 9 and the letters A to Z without I and O "
                    "(no 0/O, no 1/I); case and spaces do not matter."
                ),
                _("Type 'new' for another image, 'audio' to listen to it instead."),
            ],
        )

    def _new_captcha(self) -> Captcha:
        self.fetches += 1
        return self.client.accounts.captcha()

    def _answer(self, captcha: Captcha) -> str:
        """Show the captcha (and play it with --audio); the characters typed ('audio' plays it)."""
        image_path = save_temp(captcha.image, "." + captcha.image_extension)
        self.temp_files.append(image_path)
        show_captcha(self.app, captcha, image_path, no_browser=self.no_browser)
        if self.audio:
            self.temp_files.append(play_audio(self.app, self.client, captcha, no_browser=self.no_browser))
        answer = ""
        while not answer:
            answer = self.app.terminal.prompt(_("Characters in the image")).strip()
            if answer.lower() == "audio":
                self.temp_files.append(play_audio(self.app, self.client, captcha, no_browser=self.no_browser))
                answer = ""
        return answer

    def _taken(self, exc: Conflict, fields: dict[str, str], password: str) -> str:
        """The username or the address is taken: ask for another (and a password that suits it)."""
        if not ask_again_for_taken(self.app, fields, exc.messages or [exc.message]):
            raise exc
        problems = check_password(password, username=fields["username"], email=fields["email"])
        if problems:
            for problem in problems:
                self.app.terminal.error(f"  - {problem_text(problem, with_field=False)}")
            password = ask_new_password(self.app, username=fields["username"], email=fields["email"])
        return password

    def _wrong_answer(self, exc: InvalidInput) -> None:
        """A refused captcha: say so (a new one follows), or give up; any other problem: exit 2."""
        term = self.app.terminal
        if not exc.has("captcha") or any(not c.startswith("captcha") for c in exc.codes()):
            raise fail(self.app, problems_of(exc), heading=_("the platform refused the sign-up:")) from None
        self.tries += 1
        if self.tries >= CAPTCHA_TRIES:
            raise CartesError(
                _("Wrong captcha answer {n} times; nothing was created. Run the command again.").format(
                    n=self.tries
                )
            ) from None
        if exc.has("captcha.expired"):
            term.error(_("The captcha expired; here is a new one."))
        else:
            term.error(
                _("Wrong answer; here is a new captcha ({left} tries left).").format(
                    left=CAPTCHA_TRIES - self.tries
                )
            )


def signup_with_captcha(
    app: AppContext,
    client: GeoplateformeClient,
    fields: dict[str, str],
    password: str,
    *,
    audio: bool,
    no_browser: bool,
) -> AccountCreated:
    """Step 5 of the wizard: see :class:`CaptchaStep`."""
    return CaptchaStep(app, client, audio=audio, no_browser=no_browser).run(fields, password)


def ask_again_for_taken(app: AppContext, fields: dict[str, str], messages: list[str]) -> bool:
    """The platform says the username or the address is taken: ask for another one."""
    term = app.terminal
    asked = False
    for message in messages:
        term.error(_("The platform refused: {detail}").format(detail=message))
        lowered = message.lower()
        if lowered.startswith("username"):
            fields["username"] = ask(app, _("Another username"), key="username") or fields["username"]
            asked = True
        elif lowered.startswith("email") or "e-mail" in lowered:
            fields["email"] = ask(app, _("Another e-mail address"), key="email") or fields["email"]
            asked = True
    return asked


def save_temp(data: bytes, suffix: str) -> Path:
    import tempfile

    fd, name = tempfile.mkstemp(prefix="cartes-captcha-", suffix=suffix)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return Path(name)


def show_captcha(app: AppContext, captcha: Captcha, path: Path, *, no_browser: bool) -> None:
    """The captcha drawn on stderr, and in the image viewer (or its path)."""
    term = app.terminal
    term.draw(
        lambda width, colour: captcha_art(captcha.image, max_width=min(72, (width or 80) - 2), color=colour)
    )
    opened = False if no_browser else open_file(path)
    if opened:
        term.info(_("The captcha is also open in your image viewer ({path}).").format(path=path))
    else:
        term.info(_("The captcha image is saved in {path}.").format(path=path))
    if captcha.answer:
        # Only a sandbox started with --scriptable-captchas sends it (scripts, tests and demos).
        term.info(_("Sandbox test mode: the answer is {answer}.").format(answer=captcha.answer))


def play_audio(app: AppContext, client: GeoplateformeClient, captcha: Captcha, *, no_browser: bool) -> Path:
    term = app.terminal
    path = save_temp(client.accounts.captcha_audio(captcha), ".wav")
    opened = False if no_browser else open_file(path)
    if opened:
        term.info(_("Playing the audio captcha ({path}).").format(path=path))
    else:
        term.info(_("The audio captcha is saved in {path}; play it with any audio player.").format(path=path))
    return path
