"""``cartes account create``: in a script everything is checked before any request (every
problem listed at once), the body sent is the API's, and the account is reported; on a terminal
the wizard asks for the rest and shows the captcha; the real platform gets its sign-up page."""

from __future__ import annotations

import base64
import io
import json
import os
from pathlib import Path

import httpx
import pytest

from cartes_cli.cli.account import cache
from cartes_cli.cli.account.create import CreateOptions, run
from cartes_cli.errors import CartesError, UsageError
from tests.cli.harness import API, ISSUER, problems, sent_json

PASSWORD = "Carte-Blanche-2026!"
FIELDS = {"username": "ana.martin", "email": "ana.martin@example.fr"}
CREATED = {"_id": "u-1", "username": "ana.martin", "email": "ana.martin@example.fr", "status": "pending"}


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 12), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def _captcha(captcha_id: str = "c-1") -> httpx.Response:
    image = "data:image/png;base64," + base64.b64encode(_png()).decode("ascii")
    return httpx.Response(200, json={"_id": captcha_id, "image": image, "expires_in": 300})


def test_a_scripted_sign_up_sends_the_api_body_and_reports_the_account(
    account_world, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARTES_PASSWORD", PASSWORD)
    h = account_world()
    route = h.mock.post(API + "/accounts").respond(201, json=CREATED)
    fields = {**FIELDS, "phone": "06 12 34 56 78", "street": "1 rue de la Paix", "postcode": "75002"}
    fields["locality"] = "Paris"
    outcome = h.run(run, CreateOptions(fields=fields, captcha_id="c-9", captcha_answer=" AB2CD3 "))
    assert outcome.code == 0, outcome.err
    assert sent_json(route) == {
        "username": "ana.martin",
        "password": PASSWORD,
        "email": "ana.martin@example.fr",
        "phone": "+33612345678",
        "address": {"street": "1 rue de la Paix", "locality": "Paris", "postcode": "75002"},
        "captcha": {"_id": "c-9", "answer": "AB2CD3"},
    }
    assert outcome.out == "username\tana.martin\nemail\tana.martin@example.fr\nstatus\tpending\nid\tu-1\n"
    assert "Account ana.martin created; a 6-digit code was sent to ana.martin@example.fr" in outcome.err
    assert "cartes account verify --email ana.martin@example.fr --code CODE" in outcome.err
    assert PASSWORD not in outcome.err + outcome.out
    assert cache.load_json(cache.SIGNUP) == {"email": "ana.martin@example.fr", "api_url": API}


def test_everything_missing_is_listed_at_once_and_nothing_is_sent(account_world) -> None:
    h = account_world()
    outcome = h.run(run, CreateOptions(fields={"username": "ana.martin", "phone": "12"}))
    assert (outcome.code, outcome.error) == (2, None)  # typer.Exit: the list is the message
    lines = outcome.err.splitlines()
    assert lines[0] == "Error: the input is not valid:"
    assert lines[1].startswith("  - password: missing: set CARTES_PASSWORD")
    assert any(line.startswith("  - --email: ") for line in lines)
    assert any(line.startswith("  - --phone: ") for line in lines)
    assert lines[-1].startswith("  - --captcha-answer: missing: get a captcha with 'cartes account captcha'")
    assert h.requests("POST") == []


def test_a_weak_password_is_refused_without_being_shown(account_world, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_PASSWORD", "short")
    h = account_world()
    outcome = h.run(run, CreateOptions(fields=FIELDS, captcha_id="c-1", captcha_answer="AB2CD3"))
    assert (outcome.code, outcome.error) == (2, None)
    assert "  - password: " in outcome.err
    assert "short" not in outcome.err
    assert h.requests("POST") == []


def test_the_password_is_read_from_standard_input(account_world) -> None:
    h = account_world(answers=[PASSWORD])
    route = h.mock.post(API + "/accounts").respond(201, json=CREATED)
    outcome = h.run(
        run, CreateOptions(fields=FIELDS, password_stdin=True, captcha_id="c-1", captcha_answer="X")
    )
    assert outcome.code == 0, outcome.err
    assert sent_json(route)["password"] == PASSWORD


def test_an_empty_standard_input_is_a_usage_error(account_world) -> None:
    outcome = account_world(answers=[""]).run(run, CreateOptions(fields=FIELDS, password_stdin=True))
    outcome.raised(UsageError, "--password-stdin: nothing was read")


def test_the_captcha_defaults_to_the_last_one_fetched(account_world, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_PASSWORD", PASSWORD)
    cache.save_json(cache.CAPTCHA, {"id": "c-saved", "api_url": API, "expires_at": None})
    h = account_world()
    route = h.mock.post(API + "/accounts").respond(201, json=CREATED)
    assert h.run(run, CreateOptions(fields=FIELDS, captcha_answer="AB2CD3")).code == 0
    assert sent_json(route)["captcha"] == {"_id": "c-saved", "answer": "AB2CD3"}
    assert cache.load_json(cache.CAPTCHA) is None  # used: forgotten


def test_no_captcha_at_all_says_to_fetch_one(account_world, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_PASSWORD", PASSWORD)
    h = account_world()
    outcome = h.run(run, CreateOptions(fields=FIELDS, captcha_answer="AB2CD3"))
    outcome.raised(UsageError, r"No captcha: run 'cartes account captcha' first")
    assert h.requests("POST") == []


def test_a_wrong_captcha_answer_exits_2_and_creates_nothing(account_world, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_PASSWORD", PASSWORD)
    h = account_world()
    h.mock.post(API + "/accounts").mock(return_value=problems(("captcha", "captcha.invalid", "Wrong.")))
    outcome = h.run(run, CreateOptions(fields=FIELDS, captcha_id="c-1", captcha_answer="AAAAAA"))
    assert (outcome.code, outcome.error) == (2, None)
    assert "Error: the captcha answer is wrong or the captcha expired; nothing was created." in outcome.err
    assert cache.load_json(cache.SIGNUP) is None


def test_other_refusals_are_listed_with_the_options_names(account_world, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_PASSWORD", PASSWORD)
    h = account_world()
    h.mock.post(API + "/accounts").mock(
        return_value=problems(("professional.street", "field.required", "is required."))
    )
    outcome = h.run(run, CreateOptions(fields=FIELDS, captcha_id="c-1", captcha_answer="AAAAAA"))
    assert (outcome.code, outcome.error) == (2, None)
    assert outcome.err.splitlines() == [
        "Error: the platform refused the sign-up:",
        "  - --company-street: is required.",
    ]


def test_from_file_reads_grouped_fields_and_refuses_unknown_keys(account_world, tmp_path: Path) -> None:
    good = tmp_path / "signup.json"
    good.write_text(json.dumps({**FIELDS, "address": None, "professional": {"siret": "x", "street": "s"}}))
    bad = tmp_path / "bad.toml"
    bad.write_text('username = "ana"\nnickname = "a"\n')
    h = account_world()
    outcome = h.run(run, CreateOptions(from_file=bad))
    outcome.raised(UsageError, r"Unknown key 'nickname' in .*bad.toml; allowed keys: username, ")
    outcome = h.run(run, CreateOptions(from_file=good))
    assert (outcome.code, outcome.error) == (2, None)
    assert "  - --siret: " in outcome.err  # read as professional.siret, and checked
    assert h.requests("POST") == []


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_a_password_in_a_file_others_may_read_is_refused(account_world, tmp_path: Path) -> None:
    file = tmp_path / "signup.json"
    file.write_text(json.dumps({**FIELDS, "password": PASSWORD}))
    file.chmod(0o644)
    outcome = account_world().run(run, CreateOptions(from_file=file))
    outcome.raised(UsageError, r"contains a password but other users may read it")


def test_web_prints_the_registration_page_and_sends_nothing(account_world) -> None:
    h = account_world()
    outcome = h.run(run, CreateOptions(web=True, no_browser=True))
    assert outcome.code == 0, outcome.err
    assert outcome.out.startswith(ISSUER + "/protocol/openid-connect/registrations?client_id=")
    assert "Sign up on the platform's page." in outcome.err
    assert h.mock.calls.call_count == 0


def test_on_the_real_platform_a_scripted_sign_up_fails_with_the_page(account_world, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_PASSWORD", PASSWORD)
    h = account_world()
    h.real_platform()
    outcome = h.run(run, CreateOptions(fields=FIELDS, captcha_id="c-1", captcha_answer="AB2CD3"))
    outcome.raised(CartesError, r"This platform has no sign-up API: nothing was sent\.")
    assert "/protocol/openid-connect/registrations?" in outcome.out
    assert h.requests("POST") == []


def test_the_wizard_asks_for_the_rest_then_shows_the_captcha(
    account_world, hidden_answers: list[str]
) -> None:
    hidden_answers += [PASSWORD, PASSWORD]
    answers = [
        "ana.martin",  # username
        "ana.martin@example.fr",  # e-mail
        "Ana",  # first name
        "",  # last name: skipped
        "skip",  # phone: skipped
        "",  # photo: skipped
        "",  # street: the address step skipped
        "maybe",  # professional? (not an answer)
        "n",
        "",  # create this account? (yes by default)
        "new",  # another captcha
        "AB2CD3",
        "",  # the code from the e-mail: later
    ]
    h = account_world(tty=True, answers=answers)
    captchas = h.mock.get(API + "/accounts/captcha").mock(side_effect=[_captcha("c-1"), _captcha("c-2")])
    route = h.mock.post(API + "/accounts").respond(201, json=CREATED)
    outcome = h.run(run, CreateOptions(no_browser=True))
    assert outcome.code == 0, outcome.err
    assert captchas.call_count == 2
    assert sent_json(route) == {
        "username": "ana.martin",
        "password": PASSWORD,
        "email": "ana.martin@example.fr",
        "first_name": "Ana",
        "captcha": {"_id": "c-2", "answer": "AB2CD3"},
    }
    for title in ("Step 1/5 · Profile", "Step 2/5 · Identity", "Step 3/5 · Address", "Step 5/5 · Captcha"):
        assert title in outcome.err
    assert "Answer y (yes) or n (no)." in outcome.err
    assert "│ Username          ana.martin" in outcome.err  # the summary, labels aligned
    assert "│ First name        Ana" in outcome.err
    assert "│ Password          (hidden)" in outcome.err
    assert "Later, confirm the address with: cartes account verify" in outcome.err
    assert PASSWORD not in outcome.err


def test_the_wizard_gives_up_after_three_wrong_captchas(account_world, hidden_answers) -> None:
    hidden_answers += [PASSWORD, PASSWORD]
    answers = ["ana.martin", "ana.martin@example.fr", "", "", "", "", "", "n", "y", "A", "B", "C"]
    h = account_world(tty=True, answers=answers)
    h.mock.get(API + "/accounts/captcha").mock(return_value=_captcha())
    register = h.mock.post(API + "/accounts").mock(
        return_value=problems(("captcha.answer", "captcha.invalid", "Wrong."))
    )
    outcome = h.run(run, CreateOptions(no_browser=True))
    outcome.raised(CartesError, r"Wrong captcha answer 3 times; nothing was created\.")
    assert register.call_count == 3
    assert "Wrong answer; here is a new captcha (2 tries left)." in outcome.err
    assert "Wrong answer; here is a new captcha (1 tries left)." in outcome.err


def test_a_taken_username_is_asked_again_with_a_new_captcha(account_world, hidden_answers) -> None:
    hidden_answers += [PASSWORD, PASSWORD]
    answers = ["ana.martin", "ana.martin@example.fr", "", "", "", "", "", "n", "y", "AB2CD3", "ana.martin2"]
    answers += ["EF4GH5", ""]
    h = account_world(tty=True, answers=answers)
    captchas = h.mock.get(API + "/accounts/captcha").mock(side_effect=[_captcha("c-1"), _captcha("c-2")])
    taken = httpx.Response(
        409, json={"error": "conflict", "error_description": ["username is already taken"]}
    )
    register = h.mock.post(API + "/accounts").mock(
        side_effect=[taken, httpx.Response(201, json={**CREATED, "username": "ana.martin2"})]
    )
    outcome = h.run(run, CreateOptions(no_browser=True))
    assert outcome.code == 0, outcome.err
    assert "The platform refused: username is already taken" in outcome.err
    assert [sent_json(register, i)["username"] for i in range(2)] == ["ana.martin", "ana.martin2"]
    assert sent_json(register, 1)["captcha"] == {"_id": "c-2", "answer": "EF4GH5"}
    assert captchas.call_count == 2
    assert "Account ana.martin2 created" in outcome.err


def test_the_professional_step_takes_a_siret_and_the_company(account_world, hidden_answers) -> None:
    hidden_answers += [PASSWORD, PASSWORD]
    answers = ["", "", "", "", "", "y", "732 829 320 00074", "IGN", "Cartographe"]
    answers += ["73 avenue de Paris", "94160", "Saint-Mandé", "", "AB2CD3", ""]
    h = account_world(tty=True, answers=answers)
    h.mock.get(API + "/accounts/captcha").mock(return_value=_captcha())
    register = h.mock.post(API + "/accounts").respond(201, json=CREATED)
    outcome = h.run(run, CreateOptions(fields=FIELDS, no_browser=True))
    assert outcome.code == 0, outcome.err
    assert sent_json(register)["professional"] == {
        "siret": "73282932000074",
        "company": "IGN",
        "position": "Cartographe",
        "street": "73 avenue de Paris",
        "locality": "Saint-Mandé",
        "postcode": "94160",
    }
    assert "│ SIRET             73282932000074" in outcome.err
    assert "Given on the command line." not in outcome.err
