"""``cartes account 2fa enable``: the seed shown once with its QR code, confirmed by a first code
(asked, given, or computed from CARTES_TOTP_SECRET)."""

from __future__ import annotations

import httpx
import respx

from cartes_cli.cli.account.twofa.enable import EnableOptions, run
from cartes_cli.errors import CartesError, UsageError
from tests.cli.account.conftest import ACCOUNT, TOKEN
from tests.cli.harness import Harness, sent_json

SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
URI = f"otpauth://totp/Geoplateforme:ana?secret={SEED}&issuer=Geoplateforme"


def wrong() -> httpx.Response:
    return httpx.Response(400, json={"problems": [{"code": "code.invalid"}]})


def set_up(h: Harness) -> respx.Route:
    return h.mock.post(ACCOUNT + "/totp").respond(200, json={"secret": SEED, "otpauth_uri": URI})


def test_a_script_gets_the_seed_and_how_to_confirm(account_world) -> None:
    h = account_world(token=TOKEN)
    setup = set_up(h)
    outcome = h.run(run, EnableOptions())
    assert outcome.code == 0, outcome.err
    lines = outcome.lines
    assert lines[-2] == "Seed: JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"
    assert lines[-1] == f"URI:  {URI}"
    assert all(set(line) <= set(" ▀▄█") for line in lines[:-2])  # the QR code, light on dark
    assert len(lines) > 10
    assert "'cartes account 2fa enable --code CODE'" in outcome.err
    assert setup.call_count == 1


def test_json_shows_the_pending_seed(account_world) -> None:
    h = account_world(token=TOKEN, json_fields=[])
    set_up(h)
    outcome = h.run(run, EnableOptions())
    assert outcome.code == 0, outcome.err
    assert outcome.json() == {"secret": SEED, "otpauth_uri": URI, "status": "pending"}


def test_a_code_confirms_a_set_up_started_earlier(account_world) -> None:
    h = account_world(token=TOKEN)
    confirm = h.mock.post(ACCOUNT + "/totp/confirm").respond(204)
    outcome = h.run(run, EnableOptions(code="123 456"))
    assert outcome.code == 0, outcome.err
    assert sent_json(confirm) == {"code": "123456"}
    assert h.requests("POST") == [f"POST {ACCOUNT}/totp/confirm"]
    assert "Two-factor authentication is on" in outcome.err


def test_the_seed_in_the_environment_computes_the_code(account_world, monkeypatch) -> None:
    from cartes_cli.auth.totp import current_code

    monkeypatch.setenv("CARTES_TOTP_SECRET", SEED)
    h = account_world(token=TOKEN)
    confirm = h.mock.post(ACCOUNT + "/totp/confirm").respond(204)
    assert h.run(run, EnableOptions()).code == 0
    assert sent_json(confirm)["code"] == current_code(SEED)


def test_store_secret_without_the_seed_is_refused_first(account_world) -> None:
    h = account_world()
    outcome = h.run(run, EnableOptions(code="123456", store_secret=True))
    outcome.raised(UsageError, r"--store-secret needs the seed: set CARTES_TOTP_SECRET\.")
    assert h.mock.calls.call_count == 0


def test_on_a_terminal_a_wrong_first_code_is_asked_again(account_world) -> None:
    h = account_world(token=TOKEN, tty=True, answers=["111111", "222222"])
    set_up(h)
    confirm = h.mock.post(ACCOUNT + "/totp/confirm").mock(side_effect=[wrong(), httpx.Response(204)])
    outcome = h.run(run, EnableOptions())
    assert outcome.code == 0, outcome.err
    assert [sent_json(confirm, i)["code"] for i in range(2)] == ["111111", "222222"]
    assert "Wrong code; check the app's clock" in outcome.err
    assert "Two-factor authentication is on" in outcome.err


def test_three_wrong_first_codes_leave_2fa_off(account_world) -> None:
    h = account_world(token=TOKEN, tty=True, answers=["111111", "222222", "333333"])
    set_up(h)
    h.mock.post(ACCOUNT + "/totp/confirm").mock(return_value=wrong())
    outcome = h.run(run, EnableOptions())
    outcome.raised(CartesError, r"Three wrong codes: two-factor authentication is not on")


def test_the_real_platform_opens_its_set_up_page(account_world) -> None:
    h = account_world()
    h.real_platform()
    outcome = h.run(run, EnableOptions(no_browser=True))
    assert outcome.code == 0, outcome.err
    assert outcome.out.strip().endswith("&kc_action=CONFIGURE_TOTP")
    assert h.requests("POST") == []
