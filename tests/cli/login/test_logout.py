"""``cartes logout``: the session ended at the platform with the stored refresh token, the
credentials forgotten; a platform that refuses does not keep them."""

from __future__ import annotations

from cartes_cli.cli.login import LOGOUT_HELP, login_app, logout
from cartes_cli.cli.login.signout import LogoutOptions, run
from tests.cli.login.conftest import LOGOUT_URL, form, log_in, profiles, stored


def test_the_session_is_ended_and_forgotten(login_world, home, monkeypatch) -> None:
    log_in(login_world, monkeypatch, "marie")
    h = login_world()
    end = h.mock.post(LOGOUT_URL).respond(204)
    outcome = h.run(run, LogoutOptions())
    assert outcome.code == 0, outcome.err
    assert form(end)["refresh_token"] == "refresh-marie"
    assert "Logged out marie (profile default)." in outcome.err
    assert stored(home) == {}
    assert "user" not in profiles(home)["profiles"]["default"]


def test_a_refusal_at_the_platform_is_a_warning(login_world, home, monkeypatch) -> None:
    log_in(login_world, monkeypatch, "marie")
    h = login_world()
    h.mock.post(LOGOUT_URL).respond(500, json={"error": "server_error"})
    outcome = h.run(run, LogoutOptions())
    assert outcome.code == 0
    assert "Could not end the session at the platform" in outcome.err
    assert stored(home) == {}


def test_all_profiles(login_world, home, monkeypatch) -> None:
    log_in(login_world, monkeypatch, "marie")
    log_in(login_world, monkeypatch, "ana", profile="other")
    h = login_world()
    end = h.mock.post(LOGOUT_URL).respond(204)
    outcome = h.invoke(login_app, ["logout", "--all"])
    assert outcome.code == 0, outcome.err
    assert end.call_count == 2
    assert "Logged out ana (profile other)." in outcome.err
    assert stored(home) == {}


def test_not_logged_in_there_is_nothing_to_do(login_world, monkeypatch) -> None:
    h = login_world()
    monkeypatch.setenv("CARTES_TOKEN", "env-token")
    outcome = h.run(run, LogoutOptions())
    assert outcome.code == 0
    assert "Not logged in; nothing to do." in outcome.err
    assert "Note: an environment credential (CARTES_TOKEN or CARTES_CLIENT_ID) is still set." in outcome.err
    assert h.mock.calls.call_count == 0


def test_the_names_the_command_tree_loads_are_exported() -> None:
    assert LOGOUT_HELP.startswith("Log out:")
    assert logout.__doc__ is not None
    assert logout.__doc__.startswith("Log out:")
    assert {c.name for c in login_app.registered_commands} == {
        "logout",
        "status",
        "token",
        "refresh",
        "switch",
    }
