"""``cartes login --web`` where the browser cannot come back to cartes: the address is pasted back,
which needs a terminal; the steps are printed and a wrong address is asked again."""

from __future__ import annotations

from cartes_cli.cli.exit_codes import ExitCode
from cartes_cli.cli.login.login import LoginOptions, run
from tests.cli.login.conftest import ISSUER


def _pasted(h) -> bool:  # the test platform's client accepts only its own page
    return not h.app.platform(h.app.profile(create=True), stored_client=False).web_loopback


def test_off_a_terminal_the_pasted_login_is_refused_before_any_request(login_world) -> None:
    h = login_world()
    assert _pasted(h)
    outcome = h.run(run, LoginOptions(web=True, insecure_storage=True))
    assert outcome.code == ExitCode.USAGE
    assert "needs you to paste an address back: run it on a terminal" in outcome.err
    assert h.mock.calls.call_count == 0


def test_the_steps_are_printed_and_a_wrong_address_asked_again(login_world, home) -> None:
    h = login_world(tty=True, answers=["not an address", "still not", "nope"])
    page = h.mock.get(url__startswith=ISSUER + "/protocol/openid-connect/auth").respond(200, html="<form>")
    outcome = h.run(run, LoginOptions(web=True, no_browser=True, insecure_storage=True))
    assert outcome.code != 0
    err = outcome.err
    assert "1. Log in in a browser, on this machine or any other" in err
    url = [line for line in err.splitlines() if "/protocol/openid-connect/auth?" in line]
    assert len(url) == 1
    assert url[0].strip().startswith(ISSUER)
    assert "code_challenge=" in url[0]
    assert "(a browser window opened on this address)" not in err  # --no-browser
    assert "3. Paste it here (the code in it lasts about a minute):" in err
    assert err.count("Address: ") == 3
    assert page.call_count == 1  # the login request checked once, before the person is sent there
    assert not (home / "config" / "credentials.json").exists()
