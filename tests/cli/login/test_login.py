"""``cartes login`` itself: the flags checked before anything is sent, the environment credential
that wins, and the flow chosen when no flag says."""

from __future__ import annotations

import pytest

from cartes_cli.cli.exit_codes import ExitCode
from cartes_cli.cli.login import login_app
from cartes_cli.cli.login.login import LoginOptions, check, run
from tests.cli.harness import API, user
from tests.cli.login.conftest import profiles


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            LoginOptions(web=True, device=True),
            "Choose one way to log in: --web, --device, --password, --with-token or --client-credentials.",
        ),
        (
            LoginOptions(web=True, username="ana"),
            "--username and --password-stdin go with the password login only.",
        ),
        (
            LoginOptions(device=True, password_stdin=True),
            "--username and --password-stdin go with the password",
        ),
        (
            LoginOptions(device=True, store_totp_secret=True),
            "--store-totp-secret goes with the password login only.",
        ),
    ],
)
def test_flags_that_do_not_go_together_are_refused_before_any_request(
    login_world, home, options, message
) -> None:
    h = login_world()
    outcome = h.run(run, options)
    assert outcome.code == ExitCode.USAGE
    assert message in outcome.err
    assert h.mock.calls.call_count == 0
    assert profiles(home) == {}


def test_the_flag_names_the_flow() -> None:
    assert check(LoginOptions()) is None
    assert check(LoginOptions(with_token=True)) == "token"
    assert check(LoginOptions(client_credentials=True)) == "client-credentials"
    assert check(LoginOptions(password=True, username="ana", store_totp_secret=True)) == "password"


def test_the_command_line_builds_the_same_refusal(login_world) -> None:
    h = login_world()
    outcome = h.invoke(login_app, ["--web", "--password"])
    assert outcome.code == ExitCode.USAGE
    assert "Error: Choose one way to log in" in outcome.err


def test_off_a_terminal_without_a_flag_it_says_how_to_log_in(login_world, home) -> None:
    h = login_world()
    outcome = h.run(run, LoginOptions())
    assert outcome.code == ExitCode.USAGE
    assert "Not on a terminal: say how to log in (CARTES_USERNAME and CARTES_PASSWORD" in outcome.err
    assert h.mock.calls.call_count == 0


def test_an_environment_token_wins_and_nothing_is_stored(login_world, home, monkeypatch) -> None:
    h = login_world()
    monkeypatch.setenv("CARTES_TOKEN", "env-token")  # after the harness, which lifts it
    me = h.mock.get(f"{API}/users/me").respond(200, json=user(email="ana@ign.fr"))
    outcome = h.run(run, LoginOptions(password=True))
    assert outcome.code == 0, outcome.err
    assert me.calls[0].request.headers["Authorization"] == "Bearer env-token"
    assert (
        "CARTES_TOKEN is set: cartes uses it for every command, as ana@ign.fr on https://data.test/api"
        in (outcome.err)
    )
    assert "nothing was stored" in outcome.err
    assert profiles(home) == {}


def test_a_second_profile_stays_inactive_unless_asked(login_world, home, monkeypatch) -> None:
    from tests.cli.login.conftest import log_in

    log_in(login_world, monkeypatch, "marie")
    log_in(login_world, monkeypatch, "ana", profile="other")
    assert profiles(home)["active_profile"] == "default"
    assert set(profiles(home)["profiles"]) == {"default", "other"}
