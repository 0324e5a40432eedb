"""``cartes login --client-credentials``: the client id and secret asked on a terminal, the grant
sent with them, and the secret kept to renew the token."""

from __future__ import annotations

import base64

from cartes_cli.cli.exit_codes import ExitCode
from cartes_cli.cli.login.login import LoginOptions, run
from tests.cli.login.conftest import TOKEN_URL, form, profiles, stored, token_answer


def test_the_grant_is_sent_with_the_asked_client(login_world, home, hidden_answers) -> None:
    hidden_answers.append("the-secret")
    h = login_world(tty=True, answers=["svc-robot"])
    token = h.mock.post(TOKEN_URL).respond(200, json=token_answer("service-account-svc-robot", refresh=None))
    outcome = h.run(run, LoginOptions(client_credentials=True, insecure_storage=True))
    assert outcome.code == 0, outcome.err
    sent = form(token)
    assert sent["grant_type"] == "client_credentials"
    request = token.calls[0].request
    basic = request.headers.get("Authorization", "")
    assert sent.get("client_id") == "svc-robot" or base64.b64decode(basic.split()[-1]).startswith(
        b"svc-robot:"
    )
    assert stored(home) == {"default/svc-robot/client_secret": "the-secret"}
    profile = profiles(home)["profiles"]["default"]
    assert (profile["user"], profile["flow"], profile["client_id"]) == (
        "svc-robot",
        "client-credentials",
        "svc-robot",
    )


def test_off_a_terminal_without_the_variables_it_is_refused(login_world, home) -> None:
    h = login_world()
    outcome = h.run(run, LoginOptions(client_credentials=True, insecure_storage=True))
    assert outcome.code == ExitCode.USAGE
    assert "No client id: set CARTES_CLIENT_ID, or run on a terminal to be asked." in outcome.err
    assert h.mock.calls.call_count == 0
