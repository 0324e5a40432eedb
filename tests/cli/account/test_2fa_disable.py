"""``cartes account 2fa disable``: a current code (given, computed, or asked) turns 2FA off; off
already is success with nothing sent; the profile's note that a code is needed is cleared."""

from __future__ import annotations

import respx

from cartes_cli.cli.account.twofa.disable import DisableOptions, run
from cartes_cli.errors import UsageError
from tests.cli.account.conftest import ACCOUNT, TOKEN
from tests.cli.harness import Harness, problems, sent_json

SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_on(h: Harness) -> respx.Route:
    return h.mock.get(ACCOUNT).respond(200, json={"username": "ana", "totp": True})


def test_a_given_code_turns_2fa_off(account_world) -> None:
    h = account_world(token=TOKEN)
    totp_on(h)
    route = h.mock.post(ACCOUNT + "/totp/disable").respond(204)
    outcome = h.run(run, DisableOptions(code=" 123 456 "))
    assert outcome.code == 0, outcome.err
    assert sent_json(route) == {"code": "123456"}
    assert outcome.err.strip().endswith("Two-factor authentication is off.")


def test_already_off_sends_nothing_and_succeeds(account_world) -> None:
    h = account_world(token=TOKEN)
    h.mock.get(ACCOUNT).respond(200, json={"username": "ana", "totp": False})
    outcome = h.run(run, DisableOptions(code="123456"))
    assert outcome.code == 0, outcome.err
    assert "Two-factor authentication is already off; nothing changed." in outcome.err
    assert h.requests("POST") == []


def test_turned_off_meanwhile_is_success_too(account_world) -> None:
    h = account_world(token=TOKEN)
    totp_on(h)
    h.mock.post(ACCOUNT + "/totp/disable").mock(return_value=problems((None, "totp.off", "Off."), status=409))
    outcome = h.run(run, DisableOptions(code="123456"))
    assert outcome.code == 0, outcome.err
    assert "already off; nothing changed." in outcome.err


def test_a_refused_code_is_a_usage_error(account_world) -> None:
    h = account_world(token=TOKEN)
    totp_on(h)
    h.mock.post(ACCOUNT + "/totp/disable").mock(return_value=problems(("code", "code.invalid", "Wrong.")))
    outcome = h.run(run, DisableOptions(code="123456"))
    outcome.raised(UsageError, r"The platform refused the code; type the current one")


def test_the_seed_in_the_environment_computes_the_code(account_world, monkeypatch) -> None:
    from cartes_cli.auth.totp import current_code

    monkeypatch.setenv("CARTES_TOTP_SECRET", SEED)
    h = account_world(token=TOKEN)
    totp_on(h)
    route = h.mock.post(ACCOUNT + "/totp/disable").respond(204)
    assert h.run(run, DisableOptions()).code == 0
    assert sent_json(route)["code"] == current_code(SEED)


def test_no_code_off_a_terminal_is_refused_before_the_change(account_world) -> None:
    h = account_world(token=TOKEN)
    totp_on(h)
    outcome = h.run(run, DisableOptions())
    outcome.raised(UsageError, r"Not on a terminal: give a current code with --code")
    assert h.requests("POST") == []


def test_on_a_terminal_the_code_is_asked(account_world) -> None:
    h = account_world(token=TOKEN, tty=True, answers=["654 321"])
    totp_on(h)
    route = h.mock.post(ACCOUNT + "/totp/disable").respond(204)
    assert h.run(run, DisableOptions()).code == 0
    assert sent_json(route) == {"code": "654321"}


def test_the_real_platform_opens_its_account_page(account_world) -> None:
    h = account_world()
    h.real_platform()
    outcome = h.run(run, DisableOptions(no_browser=True))
    assert outcome.code == 0, outcome.err
    assert "two-factor authentication is removed on its account page" in outcome.err
    assert outcome.out.strip().endswith("&kc_action=CONFIGURE_TOTP")
