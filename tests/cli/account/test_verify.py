"""``cartes account verify``: the code is checked before any request, the address defaults to the
last sign-up, and the platform's refusals become sentences with exit 2."""

from __future__ import annotations

import httpx

from cartes_cli.cli.account import cache
from cartes_cli.cli.account.verify import VerifyOptions, run
from cartes_cli.errors import CartesError, UsageError
from cartes_cli.platforms import resolve_platform
from tests.cli.harness import API, ISSUER, problems, sent_json


def test_a_code_is_sent_for_the_given_address(account_world) -> None:
    h = account_world()
    route = h.mock.post(API + "/accounts/verify").respond(
        200, json={"_id": "u1", "email": "ana@example.fr", "status": "active"}
    )
    outcome = h.run(run, VerifyOptions(email=" ana@example.fr ", code="123 456"))
    assert outcome.code == 0, outcome.err
    assert sent_json(route) == {"email": "ana@example.fr", "code": "123456"}
    assert "E-mail address ana@example.fr confirmed: the account is active." in outcome.err


def test_a_malformed_code_is_refused_before_any_request(account_world) -> None:
    h = account_world()
    outcome = h.run(run, VerifyOptions(email="ana@example.fr", code="12345"))
    assert outcome.raised(UsageError).message == "--code: the code has 6 digits."
    assert outcome.code == 2
    assert h.mock.calls.call_count == 0


def test_a_malformed_address_is_listed_and_nothing_is_sent(account_world) -> None:
    h = account_world()
    outcome = h.run(run, VerifyOptions(email="not-an-address", code="123456"))
    assert (outcome.code, outcome.error) == (2, None)  # typer.Exit: the list is the message
    assert outcome.err.startswith("Error: the input is not valid:\n  - --email: ")
    assert h.mock.calls.call_count == 0


def test_the_address_defaults_to_the_last_sign_up_on_this_platform(account_world) -> None:
    here = resolve_platform(None, API, ISSUER, sandbox_state=[])
    cache.save_json(cache.SIGNUP, {"email": "last@example.fr", "api_url": here.api_url})
    h = account_world()
    route = h.mock.post(API + "/accounts/verify").respond(204)
    assert h.run(run, VerifyOptions(code="654321")).code == 0
    assert sent_json(route) == {"email": "last@example.fr", "code": "654321"}


def test_no_address_and_nobody_to_ask_is_a_usage_error(account_world) -> None:
    h = account_world()
    h.run(run, VerifyOptions(code="654321")).raised(UsageError, r"Which address\? Give --email\.")
    assert h.mock.calls.call_count == 0


def test_without_a_code_off_a_terminal_it_stops_before_any_request(account_world) -> None:
    h = account_world()
    outcome = h.run(run, VerifyOptions(email="ana@example.fr"))
    outcome.raised(UsageError, "Not on a terminal: give the code with --code")
    assert h.mock.calls.call_count == 0


def test_resend_asks_for_a_new_code_and_points_to_the_outbox(account_world) -> None:
    h = account_world()
    route = h.mock.post(API + "/accounts/verify/resend").respond(204)
    outcome = h.run(run, VerifyOptions(email="ana@example.fr", resend=True))
    assert outcome.code == 0, outcome.err
    assert sent_json(route) == {"email": "ana@example.fr"}
    assert "A new code was sent to ana@example.fr." in outcome.err
    assert "cartes sandbox outbox --to ana@example.fr" in outcome.err


def test_an_expired_code_says_how_to_get_another(account_world) -> None:
    h = account_world()
    h.mock.post(API + "/accounts/verify").mock(return_value=problems(("code", "code.expired", "Expired.")))
    outcome = h.run(run, VerifyOptions(email="ana@example.fr", code="123456"))
    assert "get a new one with 'cartes account verify --resend'" in outcome.raised(UsageError).message
    assert outcome.code == 2


def test_a_wrong_code_quotes_the_platform_and_names_the_address(account_world) -> None:
    h = account_world()
    h.mock.post(API + "/accounts/verify").mock(return_value=problems(("code", "code.invalid", "wrong code.")))
    outcome = h.run(run, VerifyOptions(email="ana@example.fr", code="123456"))
    assert outcome.raised(UsageError).message == (
        "Wrong code, for ana@example.fr: check the e-mail, or get a new code with --resend."
    )


def test_the_real_platform_confirms_with_a_link_not_a_code(account_world) -> None:
    h = account_world()
    h.real_platform()
    outcome = h.run(run, VerifyOptions(email="ana@example.fr", code="123456"))
    outcome.raised(CartesError, "with the link in the e-mail")
    assert [c.request.method for c in h.mock.calls] == ["GET"]


def test_on_a_terminal_the_code_is_asked_until_right(account_world) -> None:
    h = account_world(tty=True, answers=["12", "111111", "222222"])
    route = h.mock.post(API + "/accounts/verify").mock(
        side_effect=[problems(("code", "code.invalid", "Wrong.")), httpx.Response(204)]
    )
    outcome = h.run(run, VerifyOptions(email="ana@example.fr"))
    assert outcome.code == 0, outcome.err
    assert [sent_json(route, i)["code"] for i in range(2)] == ["111111", "222222"]
    assert "The code has 6 digits." in outcome.err
    assert "Wrong code; try again." in outcome.err
    assert "E-mail address confirmed: the account is active." in outcome.err
