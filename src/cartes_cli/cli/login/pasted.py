"""The browser login where the browser cannot come back to cartes: the platform's client only
accepts its own page as redirect (gpf-warehouse and the Swagger UI's page, on prod). The person
logs in, then pastes the address the browser lands on."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cartes_cli.cli.login.common import platform_label
from cartes_cli.errors import LoginRefused, UsageError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    from cartes_cli.auth.tokens import TokenSet
    from cartes_cli.auth.web import PastedLogin
    from cartes_cli.cli.context import AppContext
    from cartes_cli.platforms import Platform

PASTE_ATTEMPTS = 3


def step_printer(term: Any) -> Callable[[str], None]:
    """Numbered instructions wrapped at word boundaries to the terminal's width, each continuation
    line indented under its text (a terminal would cut words at the last column)."""
    import shutil
    import textwrap

    width = max(40, min(shutil.get_terminal_size((100, 24)).columns, 100) - 1)

    def say(text: str) -> None:
        lead = len(text) - len(text.lstrip(" "))
        number = text.lstrip(" ").split(" ", 1)[0]
        indent = " " * (lead + (len(number) + 1 if number.rstrip(".").isdigit() else 0))
        term.info(textwrap.fill(text, width=width, subsequent_indent=indent, break_on_hyphens=False))

    return say


def pasted_login(app: AppContext, oidc: Any, platform: Platform, opener: Callable[[str], bool]) -> TokenSet:
    """Print the steps, then take the pasted address (three tries)."""
    from cartes_cli.auth.web import PastedLogin

    term = app.terminal
    if not term.interactive:
        raise UsageError(
            _(
                "The browser login on {platform} needs you to paste an address back: run it on a terminal. "
                "In scripts, use CARTES_USERNAME and CARTES_PASSWORD, a service account, or CARTES_TOKEN."
            ).format(platform=platform_label(platform))
        )
    flow = PastedLogin(oidc, client_id=platform.web_client_id, redirect_uri=platform.web_redirect)
    flow.check()
    _print_steps(app, platform, flow.authorization_url, opener)
    return _take_address(app, flow)


def _print_steps(app: AppContext, platform: Platform, url: str, opener: Callable[[str], bool]) -> None:
    from urllib.parse import urlsplit

    term = app.terminal
    landing = urlsplit(platform.web_redirect).netloc
    say = step_printer(term)
    say(
        _(
            "1. Log in in a browser, on this machine or any other (e-mail and password, "
            "FranceConnect or ProConnect):"
        )
    )
    term.info(f"   {url}")  # one line, never wrapped: it is copied whole
    if opener(url):
        say(_("   (a browser window opened on this address)"))
    say(
        _(
            "2. The login ends on a page of {host} that stays blank or shows an error: that is expected. "
            "Copy the whole address from the browser's address bar."
        ).format(host=landing)
    )
    say(_("3. Paste it here (the code in it lasts about a minute):"))


def _take_address(app: AppContext, flow: PastedLogin) -> TokenSet:
    from cartes_cli.auth.web import PasteRejected

    term = app.terminal
    for attempt in range(1, PASTE_ATTEMPTS + 1):
        pasted = term.prompt(_("Address"))
        try:
            return flow.answer(pasted)
        except PasteRejected as exc:
            if attempt == PASTE_ATTEMPTS:
                raise
            term.error(exc.message)
        except LoginRefused as exc:
            if exc.error != "invalid_grant" or attempt == PASTE_ATTEMPTS:
                raise
            # The code expired (it lasts about a minute) or was used: the same address gives a new one.
            term.error(
                _(
                    "The platform refused that code: it has expired or was already used. Open the address "
                    "in step 1 again (you are still logged in there) and paste the new address."
                )
            )
    raise AssertionError("unreachable")
