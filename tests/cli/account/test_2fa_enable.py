"""``cartes account 2fa enable``: the seed shown once with its QR code, confirmed by a first code
(asked, given, or computed from CARTES_TOTP_SECRET)."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from cartes_cli.cli.account.twofa.enable import EnableOptions, run
from cartes_cli.errors import CartesError, UsageError
from tests.cli.account.conftest import ACCOUNT, posts, real_platform, sent

SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
URI = f"otpauth://totp/Geoplateforme:ana?secret={SEED}&issuer=Geoplateforme"


@pytest.fixture
def setup(platform: respx.MockRouter) -> respx.Route:
    return platform.post(ACCOUNT + "/totp").mock(
        return_value=httpx.Response(200, json={"secret": SEED, "otpauth_uri": URI})
    )


def test_a_script_gets_the_seed_and_how_to_confirm(make_cli, setup, logged_in) -> None:
    cli = make_cli()
    run(cli.app, EnableOptions())
    lines = cli.out.splitlines()
    assert lines[-2] == "Seed: JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"
    assert lines[-1] == f"URI:  {URI}"
    assert all(set(line) <= set(" ▀▄█") for line in lines[:-2])  # the QR code, light on dark
    assert len(lines) > 10
    assert "'cartes account 2fa enable --code CODE'" in cli.err
    assert setup.call_count == 1


def test_json_shows_the_pending_seed(make_cli, setup, logged_in) -> None:
    cli = make_cli(json=True)
    run(cli.app, EnableOptions())
    assert json.loads(cli.out) == {"secret": SEED, "otpauth_uri": URI, "status": "pending"}


def test_a_code_confirms_a_set_up_started_earlier(make_cli, platform, logged_in) -> None:
    confirm = platform.post(ACCOUNT + "/totp/confirm").mock(return_value=httpx.Response(204))
    cli = make_cli()
    run(cli.app, EnableOptions(code="123 456"))
    assert sent(confirm) == {"code": "123456"}
    assert posts(platform) == [f"POST {ACCOUNT}/totp/confirm"]
    assert "Two-factor authentication is on" in cli.err


def test_the_seed_in_the_environment_computes_the_code(make_cli, platform, logged_in, monkeypatch) -> None:
    from cartes_cli.auth.totp import current_code

    monkeypatch.setenv("CARTES_TOTP_SECRET", SEED)
    confirm = platform.post(ACCOUNT + "/totp/confirm").mock(return_value=httpx.Response(204))
    run(make_cli().app, EnableOptions())
    assert sent(confirm)["code"] == current_code(SEED)


def test_store_secret_without_the_seed_is_refused_first(make_cli, platform) -> None:
    with pytest.raises(UsageError, match=r"--store-secret needs the seed: set CARTES_TOTP_SECRET\."):
        run(make_cli().app, EnableOptions(code="123456", store_secret=True))
    assert platform.calls.call_count == 0


def test_on_a_terminal_a_wrong_first_code_is_asked_again(make_cli, platform, setup, logged_in) -> None:
    confirm = platform.post(ACCOUNT + "/totp/confirm").mock(
        side_effect=[httpx.Response(400, json={"problems": [{"code": "code.invalid"}]}), httpx.Response(204)]
    )
    cli = make_cli(tty=True, stdin="111111\n222222\n")
    run(cli.app, EnableOptions())
    assert [sent(confirm, i)["code"] for i in range(2)] == ["111111", "222222"]
    assert "Wrong code; check the app's clock" in cli.err
    assert "Two-factor authentication is on" in cli.err


def test_three_wrong_first_codes_leave_2fa_off(make_cli, platform, setup, logged_in) -> None:
    platform.post(ACCOUNT + "/totp/confirm").mock(
        return_value=httpx.Response(400, json={"problems": [{"code": "code.invalid"}]})
    )
    cli = make_cli(tty=True, stdin="111111\n222222\n333333\n")
    with pytest.raises(CartesError, match=r"Three wrong codes: two-factor authentication is not on"):
        run(cli.app, EnableOptions())


def test_the_real_platform_opens_its_set_up_page(make_cli, platform) -> None:
    real_platform(platform)
    cli = make_cli()
    run(cli.app, EnableOptions(no_browser=True))
    assert cli.out.strip().endswith("&kc_action=CONFIGURE_TOTP")
    assert posts(platform) == []
