"""``cartes account 2fa disable``: a current code (given, computed, or asked) turns 2FA off; off
already is success with nothing sent; the profile's note that a code is needed is cleared."""

from __future__ import annotations

import httpx
import pytest
import respx

from cartes_cli.cli.account.twofa.disable import DisableOptions, run
from cartes_cli.errors import UsageError
from tests.cli.account.conftest import ACCOUNT, posts, problems, real_platform, sent

SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def totp_on(platform: respx.MockRouter) -> respx.Route:
    return platform.get(ACCOUNT).mock(
        return_value=httpx.Response(200, json={"username": "ana", "totp": True})
    )


def test_a_given_code_turns_2fa_off(make_cli, platform, totp_on, logged_in) -> None:
    route = platform.post(ACCOUNT + "/totp/disable").mock(return_value=httpx.Response(204))
    cli = make_cli()
    run(cli.app, DisableOptions(code=" 123 456 "))
    assert sent(route) == {"code": "123456"}
    assert cli.err.strip().endswith("Two-factor authentication is off.")


def test_already_off_sends_nothing_and_succeeds(make_cli, platform, logged_in) -> None:
    platform.get(ACCOUNT).mock(return_value=httpx.Response(200, json={"username": "ana", "totp": False}))
    cli = make_cli()
    run(cli.app, DisableOptions(code="123456"))
    assert "Two-factor authentication is already off; nothing changed." in cli.err
    assert posts(platform) == []


def test_turned_off_meanwhile_is_success_too(make_cli, platform, totp_on, logged_in) -> None:
    platform.post(ACCOUNT + "/totp/disable").mock(
        return_value=problems((None, "totp.off", "Off."), status=409)
    )
    cli = make_cli()
    run(cli.app, DisableOptions(code="123456"))
    assert "already off; nothing changed." in cli.err


def test_a_refused_code_is_a_usage_error(make_cli, platform, totp_on, logged_in) -> None:
    platform.post(ACCOUNT + "/totp/disable").mock(return_value=problems(("code", "code.invalid", "Wrong.")))
    with pytest.raises(UsageError, match=r"The platform refused the code; type the current one"):
        run(make_cli().app, DisableOptions(code="123456"))


def test_the_seed_in_the_environment_computes_the_code(
    make_cli, platform, totp_on, logged_in, monkeypatch
) -> None:
    from cartes_cli.auth.totp import current_code

    monkeypatch.setenv("CARTES_TOTP_SECRET", SEED)
    route = platform.post(ACCOUNT + "/totp/disable").mock(return_value=httpx.Response(204))
    run(make_cli().app, DisableOptions())
    assert sent(route)["code"] == current_code(SEED)


def test_no_code_off_a_terminal_is_refused_before_the_change(make_cli, platform, totp_on, logged_in) -> None:
    with pytest.raises(UsageError, match=r"Not on a terminal: give a current code with --code"):
        run(make_cli().app, DisableOptions())
    assert posts(platform) == []


def test_on_a_terminal_the_code_is_asked(make_cli, platform, totp_on, logged_in) -> None:
    route = platform.post(ACCOUNT + "/totp/disable").mock(return_value=httpx.Response(204))
    cli = make_cli(tty=True, stdin="654 321\n")
    run(cli.app, DisableOptions())
    assert sent(route) == {"code": "654321"}


def test_the_real_platform_opens_its_account_page(make_cli, platform) -> None:
    real_platform(platform)
    cli = make_cli()
    run(cli.app, DisableOptions(no_browser=True))
    assert "two-factor authentication is removed on its account page" in cli.err
    assert cli.out.strip().endswith("&kc_action=CONFIGURE_TOTP")
