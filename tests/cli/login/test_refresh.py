"""``cartes login refresh``: the refresh grant sent with the stored refresh token, the new one kept."""

from __future__ import annotations

from cartes_cli.cli.exit_codes import ExitCode
from cartes_cli.cli.login.refresh import RefreshOptions, run
from tests.cli.login.conftest import TOKEN_URL, form, log_in, stored, token_answer


def test_the_refresh_token_rotates(login_world, home, monkeypatch) -> None:
    log_in(login_world, monkeypatch, "marie")
    h = login_world()
    token = h.mock.post(TOKEN_URL).respond(200, json=token_answer("marie", refresh="refresh-2"))
    outcome = h.run(run, RefreshOptions())
    assert outcome.code == 0, outcome.err
    assert form(token)["grant_type"] == "refresh_token"
    assert form(token)["refresh_token"] == "refresh-marie"
    assert stored(home)["default/marie/refresh_token"] == "refresh-2"
    assert "Token renewed for marie (profile default); it expires in 4 min." in outcome.err


def test_an_environment_token_cannot_be_renewed(login_world, monkeypatch) -> None:
    h = login_world()
    monkeypatch.setenv("CARTES_TOKEN", "env-token")
    outcome = h.run(run, RefreshOptions())
    assert outcome.code == ExitCode.USAGE
    assert "This login (CARTES_TOKEN) cannot be renewed; give a new token." in outcome.err
    assert h.mock.calls.call_count == 0
