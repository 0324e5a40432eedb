"""``cartes account 2fa reset USER`` (staff): only the OTP credentials are removed, after a
confirmation; the real platform sends staff to Keycloak's admin console."""

from __future__ import annotations

import httpx
import pytest
import respx

from cartes_cli.cli.account.twofa.reset import ResetOptions, run
from cartes_cli.errors import UsageError
from tests.cli.account.conftest import ISSUER, capabilities

ADMIN = ISSUER.replace("/realms/", "/admin/realms/")
USER = {"id": "k-1", "username": "ana", "email": "ana@example.fr"}
CREDENTIALS = [{"id": "p-1", "type": "password"}, {"id": "o-1", "type": "otp"}, {"id": "o-2", "type": "otp"}]


@pytest.fixture
def staff(platform: respx.MockRouter, logged_in) -> respx.MockRouter:
    platform.get(ADMIN + "/users").mock(return_value=httpx.Response(200, json=[USER]))
    platform.get(ADMIN + "/users/k-1/credentials").mock(return_value=httpx.Response(200, json=CREDENTIALS))
    return platform


def test_only_the_second_factors_are_removed(make_cli, staff: respx.MockRouter) -> None:
    delete = staff.delete(url__regex=ADMIN + r"/users/k-1/credentials/.*").mock(
        return_value=httpx.Response(204)
    )
    cli = make_cli()
    run(cli.app, ResetOptions(user=" ana ", yes=True))
    assert [c.request.url.path.rsplit("/", 1)[1] for c in delete.calls] == ["o-1", "o-2"]
    assert "The second factor of ana <ana@example.fr> is removed" in cli.err


def test_without_yes_a_script_is_refused_before_any_change(make_cli, staff: respx.MockRouter) -> None:
    with pytest.raises(UsageError, match=r"Add --yes to confirm"):
        run(make_cli().app, ResetOptions(user="ana"))
    assert not [c for c in staff.calls if c.request.method == "DELETE"]


def test_a_no_on_a_terminal_changes_nothing(make_cli, staff: respx.MockRouter) -> None:
    cli = make_cli(tty=True, stdin="n\n")
    with pytest.raises(UsageError, match=r"Cancelled; nothing was changed\."):
        run(cli.app, ResetOptions(user="ana"))
    assert "Remove the second factor of ana <ana@example.fr>?" in cli.err
    assert not [c for c in staff.calls if c.request.method == "DELETE"]


def test_a_user_without_a_second_factor_is_left_alone(make_cli, platform, logged_in) -> None:
    platform.get(ADMIN + "/users").mock(return_value=httpx.Response(200, json=[USER]))
    platform.get(ADMIN + "/users/k-1/credentials").mock(
        return_value=httpx.Response(200, json=CREDENTIALS[:1])
    )
    cli = make_cli()
    run(cli.app, ResetOptions(user="ana"))
    assert "ana <ana@example.fr> has no second factor: nothing to reset." in cli.err


def test_an_unknown_user_is_a_usage_error(make_cli, platform, logged_in) -> None:
    platform.get(ADMIN + "/users").mock(return_value=httpx.Response(200, json=[]))
    with pytest.raises(UsageError, match=r"No user 'bob' on this platform\."):
        run(make_cli().app, ResetOptions(user="bob", yes=True))


def test_a_user_reference_that_is_not_printable_is_refused_first(make_cli, platform) -> None:
    with pytest.raises(UsageError, match=r"USER: give a username"):
        run(make_cli().app, ResetOptions(user="an\x1ba"))
    assert platform.calls.call_count == 0


def test_the_real_platform_points_to_the_admin_console(make_cli, platform) -> None:
    platform.get("https://gpf.test/sandbox/capabilities").mock(return_value=capabilities([]))
    with pytest.raises(UsageError, match=r"Keycloak's admin console"):
        run(make_cli().app, ResetOptions(user="ana", yes=True))
    assert [c.request.method for c in platform.calls] == ["GET"]
