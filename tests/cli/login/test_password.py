"""``cartes login --password``: what is sent to the token endpoint, what is kept, the second factor
offered once on a terminal, a typed password asked again, and Keycloak's refusal explained."""

from __future__ import annotations

import io

from cartes_cli.cli.exit_codes import ExitCode
from cartes_cli.cli.login.login import LoginOptions, run
from tests.cli.login.conftest import TOKEN_URL, form, invalid_credentials, profiles, stored, token_answer


def test_the_grant_is_sent_and_the_refresh_token_kept(login_world, home, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_USERNAME", "marie")
    monkeypatch.setenv("CARTES_PASSWORD", "s3cret")
    h = login_world()
    token = h.mock.post(TOKEN_URL).respond(200, json=token_answer("marie"))
    outcome = h.run(run, LoginOptions(insecure_storage=True))
    assert outcome.code == 0, outcome.err
    sent = form(token)
    assert sent["grant_type"] == "password"
    assert (sent["username"], sent["password"], sent["client_id"]) == ("marie", "s3cret", "gpf-warehouse")
    assert "totp" not in sent
    assert "Logged in to https://data.test/api as marie (profile default)" in outcome.err
    assert "readable only by you (no usable system keyring)" in outcome.err
    assert "s3cret" not in outcome.err + outcome.out
    assert stored(home) == {"default/marie/refresh_token": "refresh-1"}
    profile = profiles(home)["profiles"]["default"]
    assert (profile["user"], profile["flow"], profile["storage"]) == ("marie", "password", "file")
    assert profiles(home)["active_profile"] == "default"


def test_without_a_keyring_nothing_is_sent_unless_a_file_is_allowed(login_world, home, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_USERNAME", "marie")
    monkeypatch.setenv("CARTES_PASSWORD", "s3cret")
    h = login_world()
    token = h.mock.post(TOKEN_URL).respond(200, json=token_answer())
    outcome = h.run(run, LoginOptions(password=True))
    assert outcome.code != 0
    assert "No usable system keyring (tests)." in outcome.err
    assert not token.called
    assert stored(home) == {}


def test_the_password_is_read_from_standard_input(login_world, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("from-stdin\n"))
    h = login_world()
    token = h.mock.post(TOKEN_URL).respond(200, json=token_answer("ana"))
    outcome = h.run(run, LoginOptions(username="ana", password_stdin=True, insecure_storage=True))
    assert outcome.code == 0, outcome.err
    assert (form(token)["username"], form(token)["password"]) == ("ana", "from-stdin")


def test_an_empty_standard_input_is_refused_before_any_request(login_world, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    h = login_world()
    token = h.mock.post(TOKEN_URL).respond(200, json=token_answer())
    outcome = h.run(run, LoginOptions(username="ana", password_stdin=True, insecure_storage=True))
    assert outcome.code == ExitCode.USAGE
    assert "Error: --password-stdin: nothing was read from standard input." in outcome.err
    assert not token.called


def test_a_totp_seed_sends_a_code_and_is_kept_when_asked(login_world, home, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_USERNAME", "marie")
    monkeypatch.setenv("CARTES_PASSWORD", "s3cret")
    monkeypatch.setenv("CARTES_TOTP_SECRET", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    h = login_world()
    token = h.mock.post(TOKEN_URL).respond(200, json=token_answer())
    outcome = h.run(run, LoginOptions(store_totp_secret=True, insecure_storage=True))
    assert outcome.code == 0, outcome.err
    code = form(token)["totp"]
    assert len(code) == 6
    assert code.isdigit()
    assert stored(home)["default/marie/totp_secret"] == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    assert profiles(home)["profiles"]["default"]["totp"] is True


def test_off_a_terminal_a_refusal_says_what_it_may_mean(login_world, home, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_USERNAME", "marie")
    monkeypatch.setenv("CARTES_PASSWORD", "wrong")
    h = login_world()
    token = h.mock.post(TOKEN_URL).respond(401, json=invalid_credentials())
    outcome = h.run(run, LoginOptions(insecure_storage=True))
    assert outcome.code == ExitCode.AUTH
    assert token.call_count == 1
    assert "Login refused: the password is wrong, or the account has two-factor authentication" in outcome.err
    assert "use 'cartes login --web'" in outcome.err
    assert stored(home) == {}


def test_on_a_terminal_the_code_is_offered_once_after_a_refusal(login_world, home, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_PASSWORD", "s3cret")
    h = login_world(tty=True, answers=["marie", "123456"])
    token = h.mock.post(TOKEN_URL)
    token.side_effect = [
        __import__("httpx").Response(401, json=invalid_credentials()),
        __import__("httpx").Response(200, json=token_answer()),
    ]
    outcome = h.run(run, LoginOptions(password=True, insecure_storage=True))
    assert outcome.code == 0, outcome.err
    assert "If your account uses two-factor authentication, enter the code from your app." in outcome.err
    assert "totp" not in form(token, 0)
    assert form(token, 1)["totp"] == "123456"
    assert profiles(home)["profiles"]["default"]["totp"] is True


def test_a_typed_password_is_asked_again_up_to_three_times(login_world, home, hidden_answers) -> None:
    import httpx

    hidden_answers.extend(["typo1", "typo2", "typo3"])
    h = login_world(tty=True, answers=["marie", ""])  # Enter: no code, the password again
    token = h.mock.post(TOKEN_URL).mock(return_value=httpx.Response(401, json=invalid_credentials()))
    outcome = h.run(run, LoginOptions(password=True, insecure_storage=True))
    assert outcome.code == ExitCode.AUTH
    assert [form(token, i)["password"] for i in range(3)] == ["typo1", "typo2", "typo3"]
    assert "Wrong password, or the account has two-factor authentication" in outcome.err
    assert outcome.err.count("Wrong password; try again.") == 2  # after the 2nd and the 3rd
    assert "Error: Login refused: wrong username or password." in outcome.err
    assert stored(home) == {}


def test_no_username_off_a_terminal_is_refused(login_world, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_PASSWORD", "s3cret")
    h = login_world()
    outcome = h.run(run, LoginOptions(password=True, insecure_storage=True))
    assert outcome.code == ExitCode.USAGE
    assert "No username: give --username, set CARTES_USERNAME" in outcome.err
    assert h.mock.calls.call_count == 0
