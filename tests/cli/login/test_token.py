"""``cartes login token``: the access token, and nothing else, on stdout."""

from __future__ import annotations

from cartes_cli.cli.exit_codes import ExitCode
from cartes_cli.cli.login.token import TokenOptions, run
from tests.cli.login.conftest import log_in


def test_the_environment_token_is_printed_alone(login_world, monkeypatch) -> None:
    h = login_world()
    monkeypatch.setenv("CARTES_TOKEN", "env-token")
    outcome = h.run(run, TokenOptions())
    assert outcome.code == 0
    assert (outcome.out, outcome.err) == ("env-token\n", "")


def test_the_stored_login_gives_its_cached_access_token(login_world, monkeypatch) -> None:
    log_in(login_world, monkeypatch, "marie")
    h = login_world()
    outcome = h.run(run, TokenOptions())
    assert outcome.code == 0, outcome.err
    assert outcome.out.count(".") == 2
    assert outcome.err == ""
    assert h.mock.calls.call_count == 0  # still valid: nothing renewed


def test_not_logged_in_is_an_authentication_error(login_world) -> None:
    h = login_world()
    outcome = h.run(run, TokenOptions())
    assert outcome.code == ExitCode.AUTH
    assert (
        "You are not logged in to https://data.test/api (profile default); run 'cartes login'." in outcome.err
    )
    assert outcome.out == ""
