"""``cartes login switch PROFILE``: the active profile changes; an unknown one is refused."""

from __future__ import annotations

from cartes_cli.cli.exit_codes import ExitCode
from cartes_cli.cli.login import login_app
from cartes_cli.cli.login.switch import SwitchOptions, run
from tests.cli.login.conftest import log_in, profiles


def test_a_known_profile_becomes_active(login_world, home, monkeypatch) -> None:
    log_in(login_world, monkeypatch, "marie")
    log_in(login_world, monkeypatch, "ana", profile="other")
    h = login_world()
    outcome = h.run(run, SwitchOptions("other"))
    assert outcome.code == 0, outcome.err
    assert "Active profile: other (ana on custom)." in outcome.err
    assert profiles(home)["active_profile"] == "other"


def test_an_unknown_profile_is_refused_with_the_known_ones(login_world, home, monkeypatch) -> None:
    log_in(login_world, monkeypatch, "marie")
    h = login_world()
    outcome = h.invoke(login_app, ["switch", "nope"])
    assert outcome.code == ExitCode.USAGE
    assert "Unknown profile 'nope' (known profiles: default)." in outcome.err
    assert profiles(home)["active_profile"] == "default"


def test_a_malformed_name_is_refused(login_world) -> None:
    h = login_world()
    outcome = h.run(run, SwitchOptions("../etc"))
    assert outcome.code == ExitCode.USAGE
