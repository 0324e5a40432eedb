"""``cartes account 2fa reset USER`` (staff): only the OTP credentials are removed, after a
confirmation; the real platform sends staff to Keycloak's admin console."""

from __future__ import annotations

from cartes_cli.cli.account.twofa.reset import ResetOptions, run
from cartes_cli.errors import UsageError
from tests.cli.account.conftest import TOKEN
from tests.cli.harness import ISSUER, Harness

ADMIN = ISSUER.replace("/realms/", "/admin/realms/")
USER = {"id": "k-1", "username": "ana", "email": "ana@example.fr"}
CREDENTIALS = [{"id": "p-1", "type": "password"}, {"id": "o-1", "type": "otp"}, {"id": "o-2", "type": "otp"}]


def staff(h: Harness, credentials: list[dict[str, str]] = CREDENTIALS) -> Harness:
    """Ana and her credentials, as the admin API gives them to staff."""
    h.mock.get(ADMIN + "/users").respond(200, json=[USER])
    h.mock.get(ADMIN + "/users/k-1/credentials").respond(200, json=credentials)
    return h


def test_only_the_second_factors_are_removed(account_world) -> None:
    h = staff(account_world(token=TOKEN))
    delete = h.mock.delete(url__regex=ADMIN + r"/users/k-1/credentials/.*").respond(204)
    outcome = h.run(run, ResetOptions(user=" ana ", yes=True))
    assert outcome.code == 0, outcome.err
    assert [c.request.url.path.rsplit("/", 1)[1] for c in delete.calls] == ["o-1", "o-2"]
    assert "The second factor of ana <ana@example.fr> is removed" in outcome.err


def test_without_yes_a_script_is_refused_before_any_change(account_world) -> None:
    h = staff(account_world(token=TOKEN))
    h.run(run, ResetOptions(user="ana")).raised(UsageError, r"Add --yes to confirm")
    assert h.requests("DELETE") == []


def test_a_no_on_a_terminal_changes_nothing(account_world) -> None:
    h = staff(account_world(token=TOKEN, tty=True, answers=["n"]))
    outcome = h.run(run, ResetOptions(user="ana"))
    outcome.raised(UsageError, r"Cancelled; nothing was changed\.")
    assert "Remove the second factor of ana <ana@example.fr>?" in outcome.err
    assert h.requests("DELETE") == []


def test_a_user_without_a_second_factor_is_left_alone(account_world) -> None:
    h = staff(account_world(token=TOKEN), CREDENTIALS[:1])
    outcome = h.run(run, ResetOptions(user="ana"))
    assert outcome.code == 0, outcome.err
    assert "ana <ana@example.fr> has no second factor: nothing to reset." in outcome.err


def test_an_unknown_user_is_a_usage_error(account_world) -> None:
    h = account_world(token=TOKEN)
    h.mock.get(ADMIN + "/users").respond(200, json=[])
    h.run(run, ResetOptions(user="bob", yes=True)).raised(UsageError, r"No user 'bob' on this platform\.")


def test_a_user_reference_that_is_not_printable_is_refused_first(account_world) -> None:
    h = account_world()
    h.run(run, ResetOptions(user="an\x1ba")).raised(UsageError, r"USER: give a username")
    assert h.mock.calls.call_count == 0


def test_the_real_platform_points_to_the_admin_console(account_world) -> None:
    h = account_world()
    h.capabilities([])
    h.run(run, ResetOptions(user="ana", yes=True)).raised(UsageError, r"Keycloak's admin console")
    assert [c.request.method for c in h.mock.calls] == ["GET"]
