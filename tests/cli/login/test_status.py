"""``cartes login status``: a row per profile; the active one's session is asked of the login
server; exit 1 when the active profile's login does not work."""

from __future__ import annotations

from cartes_cli.cli.login import login_app
from cartes_cli.cli.login.status import StatusOptions, mask, run
from tests.cli.harness import Harness
from tests.cli.login.conftest import USERINFO_URL, log_in


def _rows(h: Harness) -> dict[str, dict[str, str]]:
    lines = h.stdout.getvalue().splitlines()
    header = lines[0].split("\t")
    return {row.split("\t")[0]: dict(zip(header, row.split("\t"), strict=True)) for row in lines[1:]}


def test_not_logged_in_exits_1_and_says_so(login_world) -> None:
    h = login_world()
    outcome = h.run(run, StatusOptions())
    assert outcome.code == 1
    assert "The active profile default cannot be used: not logged in; run 'cartes login'." in outcome.err
    assert h.mock.calls.call_count == 0


def test_a_working_login_is_ok_with_its_token_masked(login_world, monkeypatch) -> None:
    log_in(login_world, monkeypatch, "marie")
    log_in(login_world, monkeypatch, "ana", profile="other")
    h = login_world(json_fields=["profile", "active", "user", "state", "token", "source", "flow"])
    userinfo = h.mock.get(USERINFO_URL).respond(200, json={"sub": "x", "preferred_username": "marie"})
    outcome = h.run(run, StatusOptions())
    assert outcome.code == 0, outcome.err
    rows = {row["profile"]: row for row in outcome.json()}
    assert rows["default"]["active"] is True
    assert (rows["default"]["user"], rows["default"]["state"], rows["default"]["source"]) == (
        "marie",
        "ok",
        "file",
    )
    assert rows["default"]["token"].endswith("*" * 12)
    assert len(rows["default"]["token"]) == 16
    assert rows["other"]["active"] is False
    assert userinfo.call_count == 2  # each stored session is asked for


def test_an_ended_session_makes_the_active_profile_unusable(login_world, monkeypatch) -> None:
    log_in(login_world, monkeypatch, "marie")
    h = login_world()
    h.mock.get(USERINFO_URL).respond(401, json={"error": "invalid_token"})
    outcome = h.run(run, StatusOptions())
    assert outcome.code == 1
    assert "The active profile default cannot be used:" in outcome.err


def test_show_token_from_the_command_line(login_world, monkeypatch) -> None:
    log_in(login_world, monkeypatch, "marie")
    h = login_world(json_fields=["token"])
    h.mock.get(USERINFO_URL).respond(200, json={"sub": "x"})
    outcome = h.invoke(login_app, ["status", "--show-token"])
    assert outcome.code == 0, outcome.err
    assert outcome.json()[0]["token"].count(".") == 2  # the whole JWT


def test_mask_keeps_four_characters() -> None:
    assert mask("abcdefgh") == "abcd" + "*" * 12
