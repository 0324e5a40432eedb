"""``cartes account verify``: the code is checked before any request, the address defaults to the
last sign-up, and the platform's refusals become sentences with exit 2."""

from __future__ import annotations

import httpx
import pytest
import respx
import typer

from cartes_cli.cli.account import cache
from cartes_cli.cli.account.verify import VerifyOptions, run
from cartes_cli.errors import CartesError, UsageError
from cartes_cli.platforms import resolve_platform
from tests.cli.account.conftest import API, ISSUER, exit_code, problems, real_platform, sent


def test_a_code_is_sent_for_the_given_address(make_cli, platform: respx.MockRouter) -> None:
    route = platform.post(API + "/accounts/verify").mock(
        return_value=httpx.Response(200, json={"_id": "u1", "email": "ana@example.fr", "status": "active"})
    )
    cli = make_cli()
    run(cli.app, VerifyOptions(email=" ana@example.fr ", code="123 456"))
    assert sent(route) == {"email": "ana@example.fr", "code": "123456"}
    assert "E-mail address ana@example.fr confirmed: the account is active." in cli.err


def test_a_malformed_code_is_refused_before_any_request(make_cli, platform: respx.MockRouter) -> None:
    cli = make_cli()
    with pytest.raises(UsageError) as caught:
        run(cli.app, VerifyOptions(email="ana@example.fr", code="12345"))
    assert caught.value.message == "--code: the code has 6 digits."
    assert exit_code(caught.value) == 2
    assert platform.calls.call_count == 0


def test_a_malformed_address_is_listed_and_nothing_is_sent(make_cli, platform: respx.MockRouter) -> None:
    cli = make_cli()
    with pytest.raises(typer.Exit) as caught:
        run(cli.app, VerifyOptions(email="not-an-address", code="123456"))
    assert exit_code(caught.value) == 2
    assert cli.err.startswith("Error: the input is not valid:\n  - --email: ")
    assert platform.calls.call_count == 0


def test_the_address_defaults_to_the_last_sign_up_on_this_platform(
    make_cli, platform: respx.MockRouter
) -> None:
    here = resolve_platform(None, API, ISSUER, sandbox_state=[])
    cache.save_json(cache.SIGNUP, {"email": "last@example.fr", "api_url": here.api_url})
    route = platform.post(API + "/accounts/verify").mock(return_value=httpx.Response(204))
    cli = make_cli()
    run(cli.app, VerifyOptions(code="654321"))
    assert sent(route) == {"email": "last@example.fr", "code": "654321"}


def test_no_address_and_nobody_to_ask_is_a_usage_error(make_cli, platform: respx.MockRouter) -> None:
    with pytest.raises(UsageError, match=r"Which address\? Give --email\."):
        run(make_cli().app, VerifyOptions(code="654321"))
    assert platform.calls.call_count == 0


def test_without_a_code_off_a_terminal_it_stops_before_any_request(make_cli, platform) -> None:
    with pytest.raises(UsageError, match="Not on a terminal: give the code with --code"):
        run(make_cli().app, VerifyOptions(email="ana@example.fr"))
    assert platform.calls.call_count == 0


def test_resend_asks_for_a_new_code_and_points_to_the_outbox(make_cli, platform: respx.MockRouter) -> None:
    route = platform.post(API + "/accounts/verify/resend").mock(return_value=httpx.Response(204))
    cli = make_cli()
    run(cli.app, VerifyOptions(email="ana@example.fr", resend=True))
    assert sent(route) == {"email": "ana@example.fr"}
    assert "A new code was sent to ana@example.fr." in cli.err
    assert "cartes sandbox outbox --to ana@example.fr" in cli.err


def test_an_expired_code_says_how_to_get_another(make_cli, platform: respx.MockRouter) -> None:
    platform.post(API + "/accounts/verify").mock(return_value=problems(("code", "code.expired", "Expired.")))
    with pytest.raises(UsageError) as caught:
        run(make_cli().app, VerifyOptions(email="ana@example.fr", code="123456"))
    assert "get a new one with 'cartes account verify --resend'" in caught.value.message
    assert exit_code(caught.value) == 2


def test_a_wrong_code_quotes_the_platform_and_names_the_address(make_cli, platform) -> None:
    platform.post(API + "/accounts/verify").mock(
        return_value=problems(("code", "code.invalid", "wrong code."))
    )
    with pytest.raises(UsageError) as caught:
        run(make_cli().app, VerifyOptions(email="ana@example.fr", code="123456"))
    assert caught.value.message == (
        "Wrong code, for ana@example.fr: check the e-mail, or get a new code with --resend."
    )


def test_the_real_platform_confirms_with_a_link_not_a_code(make_cli, platform: respx.MockRouter) -> None:
    real_platform(platform)
    with pytest.raises(CartesError, match="with the link in the e-mail"):
        run(make_cli().app, VerifyOptions(email="ana@example.fr", code="123456"))
    assert [c.request.method for c in platform.calls] == ["GET"]


def test_on_a_terminal_the_code_is_asked_until_right(make_cli, platform: respx.MockRouter) -> None:
    route = platform.post(API + "/accounts/verify").mock(
        side_effect=[problems(("code", "code.invalid", "Wrong.")), httpx.Response(204)]
    )
    cli = make_cli(tty=True, stdin="12\n111111\n222222\n")
    run(cli.app, VerifyOptions(email="ana@example.fr"))
    assert [sent(route, i)["code"] for i in range(2)] == ["111111", "222222"]
    assert "The code has 6 digits." in cli.err
    assert "Wrong code; try again." in cli.err
    assert "E-mail address confirmed: the account is active." in cli.err
