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
import respx
import typer

from cartes_cli.cli.account import cache
from cartes_cli.cli.account.create import CreateOptions, run
from cartes_cli.errors import CartesError, UsageError
from tests.cli.account.conftest import API, ISSUER, exit_code, posts, problems, real_platform, sent

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
    make_cli, platform: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARTES_PASSWORD", PASSWORD)
    route = platform.post(API + "/accounts").mock(return_value=httpx.Response(201, json=CREATED))
    fields = {**FIELDS, "phone": "06 12 34 56 78", "street": "1 rue de la Paix", "postcode": "75002"}
    fields["locality"] = "Paris"
    cli = make_cli()
    run(cli.app, CreateOptions(fields=fields, captcha_id="c-9", captcha_answer=" AB2CD3 "))
    assert sent(route) == {
        "username": "ana.martin",
        "password": PASSWORD,
        "email": "ana.martin@example.fr",
        "phone": "+33612345678",
        "address": {"street": "1 rue de la Paix", "locality": "Paris", "postcode": "75002"},
        "captcha": {"_id": "c-9", "answer": "AB2CD3"},
    }
    assert cli.out == "username\tana.martin\nemail\tana.martin@example.fr\nstatus\tpending\nid\tu-1\n"
    assert "Account ana.martin created; a 6-digit code was sent to ana.martin@example.fr" in cli.err
    assert "cartes account verify --email ana.martin@example.fr --code CODE" in cli.err
    assert PASSWORD not in cli.err + cli.out
    assert cache.load_json(cache.SIGNUP) == {"email": "ana.martin@example.fr", "api_url": API}


def test_everything_missing_is_listed_at_once_and_nothing_is_sent(make_cli, platform) -> None:
    cli = make_cli()
    with pytest.raises(typer.Exit) as caught:
        run(cli.app, CreateOptions(fields={"username": "ana.martin", "phone": "12"}))
    assert exit_code(caught.value) == 2
    lines = cli.err.splitlines()
    assert lines[0] == "Error: the input is not valid:"
    assert lines[1].startswith("  - password: missing: set CARTES_PASSWORD")
    assert any(line.startswith("  - --email: ") for line in lines)
    assert any(line.startswith("  - --phone: ") for line in lines)
    assert lines[-1].startswith("  - --captcha-answer: missing: get a captcha with 'cartes account captcha'")
    assert posts(platform) == []


def test_a_weak_password_is_refused_without_being_shown(make_cli, platform, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_PASSWORD", "short")
    cli = make_cli()
    with pytest.raises(typer.Exit) as caught:
        run(cli.app, CreateOptions(fields=FIELDS, captcha_id="c-1", captcha_answer="AB2CD3"))
    assert exit_code(caught.value) == 2
    assert "  - password: " in cli.err
    assert "short" not in cli.err
    assert posts(platform) == []


def test_the_password_is_read_from_standard_input(make_cli, platform: respx.MockRouter) -> None:
    route = platform.post(API + "/accounts").mock(return_value=httpx.Response(201, json=CREATED))
    cli = make_cli(stdin=PASSWORD + "\n")
    run(cli.app, CreateOptions(fields=FIELDS, password_stdin=True, captcha_id="c-1", captcha_answer="X"))
    assert sent(route)["password"] == PASSWORD


def test_an_empty_standard_input_is_a_usage_error(make_cli, platform) -> None:
    with pytest.raises(UsageError, match="--password-stdin: nothing was read"):
        run(make_cli(stdin="\n").app, CreateOptions(fields=FIELDS, password_stdin=True))


def test_the_captcha_defaults_to_the_last_one_fetched(make_cli, platform, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_PASSWORD", PASSWORD)
    cache.save_json(cache.CAPTCHA, {"id": "c-saved", "api_url": API, "expires_at": None})
    route = platform.post(API + "/accounts").mock(return_value=httpx.Response(201, json=CREATED))
    run(make_cli().app, CreateOptions(fields=FIELDS, captcha_answer="AB2CD3"))
    assert sent(route)["captcha"] == {"_id": "c-saved", "answer": "AB2CD3"}
    assert cache.load_json(cache.CAPTCHA) is None  # used: forgotten


def test_no_captcha_at_all_says_to_fetch_one(make_cli, platform, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_PASSWORD", PASSWORD)
    with pytest.raises(UsageError, match=r"No captcha: run 'cartes account captcha' first"):
        run(make_cli().app, CreateOptions(fields=FIELDS, captcha_answer="AB2CD3"))
    assert posts(platform) == []


def test_a_wrong_captcha_answer_exits_2_and_creates_nothing(make_cli, platform, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_PASSWORD", PASSWORD)
    platform.post(API + "/accounts").mock(return_value=problems(("captcha", "captcha.invalid", "Wrong.")))
    cli = make_cli()
    with pytest.raises(typer.Exit) as caught:
        run(cli.app, CreateOptions(fields=FIELDS, captcha_id="c-1", captcha_answer="AAAAAA"))
    assert exit_code(caught.value) == 2
    assert "Error: the captcha answer is wrong or the captcha expired; nothing was created." in cli.err
    assert cache.load_json(cache.SIGNUP) is None


def test_other_refusals_are_listed_with_the_options_names(make_cli, platform, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_PASSWORD", PASSWORD)
    platform.post(API + "/accounts").mock(
        return_value=problems(("professional.street", "field.required", "is required."))
    )
    cli = make_cli()
    with pytest.raises(typer.Exit) as caught:
        run(cli.app, CreateOptions(fields=FIELDS, captcha_id="c-1", captcha_answer="AAAAAA"))
    assert exit_code(caught.value) == 2
    assert cli.err.splitlines() == [
        "Error: the platform refused the sign-up:",
        "  - --company-street: is required.",
    ]


def test_from_file_reads_grouped_fields_and_refuses_unknown_keys(make_cli, platform, tmp_path: Path) -> None:
    good = tmp_path / "signup.json"
    good.write_text(json.dumps({**FIELDS, "address": None, "professional": {"siret": "x", "street": "s"}}))
    bad = tmp_path / "bad.toml"
    bad.write_text('username = "ana"\nnickname = "a"\n')
    with pytest.raises(UsageError, match=r"Unknown key 'nickname' in .*bad.toml; allowed keys: username, "):
        run(make_cli().app, CreateOptions(from_file=bad))
    cli = make_cli()
    with pytest.raises(typer.Exit):
        run(cli.app, CreateOptions(from_file=good))
    assert "  - --siret: " in cli.err  # read as professional.siret, and checked
    assert posts(platform) == []


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_a_password_in_a_file_others_may_read_is_refused(make_cli, platform, tmp_path: Path) -> None:
    file = tmp_path / "signup.json"
    file.write_text(json.dumps({**FIELDS, "password": PASSWORD}))
    file.chmod(0o644)
    with pytest.raises(UsageError, match=r"contains a password but other users may read it"):
        run(make_cli().app, CreateOptions(from_file=file))


def test_web_prints_the_registration_page_and_sends_nothing(make_cli, platform: respx.MockRouter) -> None:
    cli = make_cli()
    run(cli.app, CreateOptions(web=True, no_browser=True))
    assert cli.out.startswith(ISSUER + "/protocol/openid-connect/registrations?client_id=")
    assert "Sign up on the platform's page." in cli.err
    assert platform.calls.call_count == 0


def test_on_the_real_platform_a_scripted_sign_up_fails_with_the_page(make_cli, platform, monkeypatch) -> None:
    monkeypatch.setenv("CARTES_PASSWORD", PASSWORD)
    real_platform(platform)
    cli = make_cli()
    with pytest.raises(CartesError, match=r"This platform has no sign-up API: nothing was sent\."):
        run(cli.app, CreateOptions(fields=FIELDS, captcha_id="c-1", captcha_answer="AB2CD3"))
    assert "/protocol/openid-connect/registrations?" in cli.out
    assert posts(platform) == []


def test_the_wizard_asks_for_the_rest_then_shows_the_captcha(
    make_cli, platform: respx.MockRouter, hidden_answers: list[str]
) -> None:
    hidden_answers += [PASSWORD, PASSWORD]
    captchas = platform.get(API + "/accounts/captcha").mock(side_effect=[_captcha("c-1"), _captcha("c-2")])
    route = platform.post(API + "/accounts").mock(return_value=httpx.Response(201, json=CREATED))
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
    cli = make_cli(tty=True, stdin="\n".join(answers) + "\n")
    run(cli.app, CreateOptions(no_browser=True))
    assert captchas.call_count == 2
    assert sent(route) == {
        "username": "ana.martin",
        "password": PASSWORD,
        "email": "ana.martin@example.fr",
        "first_name": "Ana",
        "captcha": {"_id": "c-2", "answer": "AB2CD3"},
    }
    for title in ("Step 1/5 · Profile", "Step 2/5 · Identity", "Step 3/5 · Address", "Step 5/5 · Captcha"):
        assert title in cli.err
    assert "Answer y (yes) or n (no)." in cli.err
    assert "│ Username          ana.martin" in cli.err  # the summary, labels aligned
    assert "│ First name        Ana" in cli.err
    assert "│ Password          (hidden)" in cli.err
    assert "Later, confirm the address with: cartes account verify" in cli.err
    assert PASSWORD not in cli.err


def test_the_wizard_gives_up_after_three_wrong_captchas(make_cli, platform, hidden_answers) -> None:
    hidden_answers += [PASSWORD, PASSWORD]
    platform.get(API + "/accounts/captcha").mock(return_value=_captcha())
    register = platform.post(API + "/accounts").mock(
        return_value=problems(("captcha.answer", "captcha.invalid", "Wrong."))
    )
    answers = ["ana.martin", "ana.martin@example.fr", "", "", "", "", "", "n", "y", "A", "B", "C"]
    cli = make_cli(tty=True, stdin="\n".join(answers) + "\n")
    with pytest.raises(CartesError, match=r"Wrong captcha answer 3 times; nothing was created\."):
        run(cli.app, CreateOptions(no_browser=True))
    assert register.call_count == 3
    assert "Wrong answer; here is a new captcha (2 tries left)." in cli.err
    assert "Wrong answer; here is a new captcha (1 tries left)." in cli.err


def test_a_taken_username_is_asked_again_with_a_new_captcha(make_cli, platform, hidden_answers) -> None:
    hidden_answers += [PASSWORD, PASSWORD]
    captchas = platform.get(API + "/accounts/captcha").mock(side_effect=[_captcha("c-1"), _captcha("c-2")])
    taken = httpx.Response(
        409, json={"error": "conflict", "error_description": ["username is already taken"]}
    )
    register = platform.post(API + "/accounts").mock(
        side_effect=[taken, httpx.Response(201, json={**CREATED, "username": "ana.martin2"})]
    )
    answers = ["ana.martin", "ana.martin@example.fr", "", "", "", "", "", "n", "y", "AB2CD3", "ana.martin2"]
    answers += ["EF4GH5", ""]
    cli = make_cli(tty=True, stdin="\n".join(answers) + "\n")
    run(cli.app, CreateOptions(no_browser=True))
    assert "The platform refused: username is already taken" in cli.err
    assert [sent(register, i)["username"] for i in range(2)] == ["ana.martin", "ana.martin2"]
    assert sent(register, 1)["captcha"] == {"_id": "c-2", "answer": "EF4GH5"}
    assert captchas.call_count == 2
    assert "Account ana.martin2 created" in cli.err


def test_the_professional_step_takes_a_siret_and_the_company(make_cli, platform, hidden_answers) -> None:
    hidden_answers += [PASSWORD, PASSWORD]
    platform.get(API + "/accounts/captcha").mock(return_value=_captcha())
    register = platform.post(API + "/accounts").mock(return_value=httpx.Response(201, json=CREATED))
    answers = ["", "", "", "", "", "y", "732 829 320 00074", "IGN", "Cartographe"]
    answers += ["73 avenue de Paris", "94160", "Saint-Mandé", "", "AB2CD3", ""]
    cli = make_cli(tty=True, stdin="\n".join(answers) + "\n")
    run(cli.app, CreateOptions(fields=FIELDS, no_browser=True))
    assert sent(register)["professional"] == {
        "siret": "73282932000074",
        "company": "IGN",
        "position": "Cartographe",
        "street": "73 avenue de Paris",
        "locality": "Saint-Mandé",
        "postcode": "94160",
    }
    assert "│ SIRET             73282932000074" in cli.err
    assert "Given on the command line." not in cli.err
