"""``cartes login --device``: refused, before any request, on a platform whose client has no
device grant; elsewhere the code and the address are printed and the authorization polled."""

from __future__ import annotations

from dataclasses import replace

from cartes_cli.cli.exit_codes import ExitCode
from cartes_cli.cli.login.device import device_login
from cartes_cli.cli.login.login import LoginOptions, run
from tests.cli.login.conftest import ISSUER, TOKEN_URL, form, token_answer


def test_without_the_device_grant_it_is_refused_before_any_request(login_world) -> None:
    h = login_world(tty=True)
    outcome = h.run(run, LoginOptions(device=True, insecure_storage=True))
    assert outcome.code == ExitCode.USAGE
    assert "The device login is not available on https://data.test/api: its OIDC client" in outcome.err
    assert h.mock.calls.call_count == 0


def test_the_code_is_printed_and_the_authorization_polled(login_world, monkeypatch) -> None:
    from cartes_cli.auth.device import DeviceLogin

    poll = DeviceLogin.poll
    monkeypatch.setattr(DeviceLogin, "poll", lambda self, auth: poll(self, auth, sleep=lambda seconds: None))
    h = login_world(tty=True)
    device = h.mock.post(ISSUER + "/protocol/openid-connect/auth/device").respond(
        200,
        json={
            "device_code": "dev-1",
            "user_code": "ABCD-EFGH",
            "verification_uri": "https://sso.test/device",
            "verification_uri_complete": "https://sso.test/device?user_code=ABCD-EFGH",
            "expires_in": 600,
            "interval": 0,
        },
    )
    token = h.mock.post(TOKEN_URL).respond(200, json=token_answer("ana"))
    platform = replace(h.app.platform(h.app.profile(create=True)), device_grant=True)
    tokens = device_login(h.app, platform, open_browser=False)
    assert tokens.username == "ana"
    assert device.called
    assert form(token)["device_code"] == "dev-1"
    err = h.stderr.getvalue()
    assert "First copy your one-time code:  ABCD-EFGH" in err
    assert "Then open https://sso.test/device on any device and enter it." in err
    assert "(or open https://sso.test/device?user_code=ABCD-EFGH directly)" in err
