"""``cartes login --with-token``: the token read from standard input is proved to work (``/users/me``)
before it is stored; an empty, malformed or expired one is refused before any request."""

from __future__ import annotations

import io

import pytest

from cartes_cli.cli.exit_codes import ExitCode
from cartes_cli.cli.login.login import LoginOptions, run
from tests.auth.jwt_helpers import make_jwt
from tests.cli.harness import API, user
from tests.cli.login.conftest import access_token, profiles, stored


def test_the_token_is_proved_then_kept(login_world, home, monkeypatch) -> None:
    token = access_token("ana")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"Bearer {token}\n"))
    h = login_world()
    me = h.mock.get(f"{API}/users/me").respond(200, json=user(email="ana@ign.fr"))
    outcome = h.run(run, LoginOptions(with_token=True, insecure_storage=True))
    assert outcome.code == 0, outcome.err
    assert me.calls[0].request.headers["Authorization"] == f"Bearer {token}"
    assert stored(home) == {"default/ana/bearer_token": token}
    profile = profiles(home)["profiles"]["default"]
    assert (profile["user"], profile["flow"]) == ("ana", "token")
    assert "client_id" not in profile  # a bearer token is refreshed by no client
    assert "Logged in to https://data.test/api as ana (profile default)" in outcome.err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("\n", "--with-token: no token was read from standard input."),
        ("two words\n", "--with-token: the token read from standard input is malformed."),
        (make_jwt({"exp": 1_000_000_000}) + "\n", "--with-token: this token has already expired."),
    ],
)
def test_an_unusable_token_is_refused_before_any_request(
    login_world, home, monkeypatch, text, message
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    h = login_world()
    outcome = h.run(run, LoginOptions(with_token=True, insecure_storage=True))
    assert outcome.code == ExitCode.USAGE
    assert message in outcome.err
    assert h.mock.calls.call_count == 0
    assert stored(home) == {}
