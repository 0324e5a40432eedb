"""Every error class maps to the documented exit code, with a sentence and no secret."""

from __future__ import annotations

import pytest

from cartes_cli import errors as e
from cartes_cli.cli.errors import describe
from cartes_cli.cli.exit_codes import ExitCode


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (e.UsageError("bad"), ExitCode.USAGE),
        (e.ConfigError("bad config"), ExitCode.USAGE),
        (e.BadRequest(messages=["name too short"]), ExitCode.USAGE),
        (e.AuthRequired(messages=["expired"]), ExitCode.AUTH),
        (e.NotLoggedIn("You are not logged in."), ExitCode.AUTH),
        (e.SessionExpired(messages=["Session not active"]), ExitCode.AUTH),
        (e.LoginRefused(error="invalid_grant", messages=["Invalid user credentials"]), ExitCode.AUTH),
        (e.AccountNotReady(error="invalid_grant", messages=["Account is not fully set up"]), ExitCode.AUTH),
        (e.PermissionDenied(messages=["COMMUNITY right needed"]), ExitCode.PERMISSION),
        (e.NotFound(messages=["no such community"]), ExitCode.NOT_FOUND),
        (e.Conflict(messages=["already member"]), ExitCode.FAILURE),
        (e.RateLimited(retry_after=30), ExitCode.FAILURE),
        (e.ServerError(status=503), ExitCode.FAILURE),
        (e.TransportError("Cannot reach 127.0.0.1:9: connection refused."), ExitCode.FAILURE),
        (e.InvalidResponse("not JSON"), ExitCode.FAILURE),
        (e.CredentialStoreError("keyring locked"), ExitCode.FAILURE),
        (KeyboardInterrupt(), ExitCode.INTERRUPTED),
        (RuntimeError("boom"), ExitCode.FAILURE),
    ],
)
def test_exit_codes(exc: BaseException, code: ExitCode) -> None:
    got, message = describe(exc)
    assert got == code
    assert message
    assert "\n" not in message.strip()


def test_unexpected_errors_do_not_echo_their_message() -> None:
    # An unexpected exception's text could contain anything; only its type is named.
    _, message = describe(RuntimeError("password=hunter2"))
    assert "hunter2" not in message
    assert "RuntimeError" in message
