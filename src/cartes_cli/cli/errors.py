"""The one place where exceptions become an exit code and a sentence for the user.

Every error ends as one or two plain sentences on stderr and a code from the contract
(``cartes help exit-codes``, docs/reference.md "Exit status"); never a traceback (``--debug``
adds one, and tracebacks never show local variables).
"""

from __future__ import annotations

import os

from cartes_cli import errors as e
from cartes_cli.cli.exit_codes import ExitCode
from cartes_cli.i18n import _


def describe(exc: BaseException) -> tuple[ExitCode, str]:
    """Map an exception to (exit code, message)."""
    if isinstance(exc, KeyboardInterrupt):
        return ExitCode.INTERRUPTED, _("Interrupted.")
    if isinstance(exc, (e.UsageError, e.ConfigError)):
        return ExitCode.USAGE, exc.message
    if isinstance(exc, e.AccountNotReady):
        return ExitCode.AUTH, _(
            "The platform refused the login: the account is not fully set up (an e-mail address to "
            "confirm with 'cartes account verify', or the yearly password renewal: log in once in a "
            "browser with 'cartes login --web')."
        )
    if isinstance(exc, e.NotLoggedIn):
        return ExitCode.AUTH, exc.message
    if isinstance(exc, e.SessionExpired):
        return ExitCode.AUTH, _("Your session has expired or was closed; run 'cartes login' again.")
    if isinstance(exc, e.ClientRefused):
        return ExitCode.AUTH, exc.message
    if isinstance(exc, e.LoginRefused):
        return ExitCode.AUTH, _login_refused_message(exc)
    if isinstance(exc, e.AuthRequired) and exc.status == 401 and os.environ.get("CARTES_TOKEN"):
        return ExitCode.AUTH, _(
            "The platform refused the token in CARTES_TOKEN ({detail}): it has expired or is not valid "
            "there. Give a fresh one (cartes login token prints one), or unset CARTES_TOKEN to use "
            "your stored login."
        ).format(detail=_detail(exc))
    if isinstance(exc, e.AuthRequired):
        return ExitCode.AUTH, _(
            "The platform refused the credentials ({detail}); run 'cartes login' again."
        ).format(detail=_detail(exc))
    if isinstance(exc, e.PermissionDenied):
        return ExitCode.PERMISSION, _("Permission denied: {detail}.").format(detail=_detail(exc))
    if isinstance(exc, e.NotFound):
        return ExitCode.NOT_FOUND, _("Not found: {detail}.").format(detail=_detail(exc))
    if isinstance(exc, e.BadRequest):
        return ExitCode.USAGE, _("The platform rejected the request: {detail}.").format(detail=_detail(exc))
    if isinstance(exc, e.Conflict):
        return ExitCode.FAILURE, _("Conflict: {detail}.").format(detail=_detail(exc))
    if isinstance(exc, e.RateLimited):
        if exc.retry_after:
            return ExitCode.FAILURE, _("The platform is limiting requests; try again in {seconds} s.").format(
                seconds=f"{exc.retry_after:.0f}"
            )
        return ExitCode.FAILURE, _("The platform is limiting requests; try again in a moment.")
    if isinstance(exc, e.ServerError):
        return ExitCode.FAILURE, _("The platform failed to answer (HTTP {status}); try again later.").format(
            status=exc.status
        )
    if isinstance(exc, e.ApiError):
        return ExitCode.FAILURE, _("The platform answered HTTP {status}: {detail}.").format(
            status=exc.status, detail=_detail(exc)
        )
    if isinstance(exc, e.TransportError):
        return ExitCode.FAILURE, exc.message
    if isinstance(exc, e.InvalidResponse):
        return ExitCode.FAILURE, _("The platform sent an unexpected answer: {detail}").format(
            detail=exc.message
        )
    if isinstance(exc, e.CredentialStoreError):
        return ExitCode.FAILURE, exc.message
    if isinstance(exc, e.CartesError):
        return ExitCode.FAILURE, exc.message
    if isinstance(exc, BrokenPipeError):
        return ExitCode.FAILURE, ""
    if isinstance(exc, EOFError):
        return ExitCode.USAGE, _("No input: the answer was expected on standard input.")
    return ExitCode.FAILURE, _(
        "Unexpected error ({kind}). Run again with --debug for details, and report it if it persists."
    ).format(kind=type(exc).__name__)


def _detail(exc: e.ApiError) -> str:
    text = exc.message.strip().rstrip(".")
    return text or f"HTTP {exc.status}"


def _login_refused_message(exc: e.LoginRefused) -> str:
    if exc.error != "invalid_grant":
        return exc.message  # the browser's answer, a refused paste…: the message says it all
    description = " ".join(exc.messages).lower()
    if "disabled" in description:
        return _("The platform refused the login: this account is disabled.")
    if "not active" in description or "reuse" in description or "session" in description:
        return _("Your session has ended; run 'cartes login' again.")
    return _("Login refused: wrong username, password or verification code.")
