"""``cartes sandbox captcha``: the answer of a sign-up captcha, from a sandbox that gives them; a
refusal, before asking for it, anywhere else."""

from __future__ import annotations

from cartes_cli.cli.exit_codes import ExitCode
from cartes_cli.cli.sandbox.captcha import CaptchaOptions, run
from tests.cli.sandbox.conftest import CAPTCHAS_URL


def test_the_answer_is_printed_alone(sandbox_world) -> None:
    h = sandbox_world()
    h.sandbox(["accounts", "scriptable-captchas"])
    answer = h.mock.get(CAPTCHAS_URL + "cap-1").respond(200, json={"id": "cap-1", "answer": "AB3DEF"})
    outcome = h.run(run, CaptchaOptions(" cap-1 "))
    assert outcome.code == 0, outcome.err
    assert outcome.out == "AB3DEF\n"
    assert answer.called


def test_in_json_the_id_comes_with_it(sandbox_world) -> None:
    h = sandbox_world(json_fields=[])
    h.sandbox(["scriptable-captchas"])
    h.mock.get(CAPTCHAS_URL + "cap-1").respond(200, json={"id": "cap-1", "answer": "AB3DEF"})
    outcome = h.run(run, CaptchaOptions("cap-1"))
    assert outcome.json() == {"id": "cap-1", "answer": "AB3DEF"}


def test_a_sandbox_that_keeps_its_answers_is_refused(sandbox_world) -> None:
    h = sandbox_world()
    h.sandbox(["accounts"])
    outcome = h.run(run, CaptchaOptions("cap-1"))
    assert outcome.code == ExitCode.USAGE
    assert "This sandbox keeps its captcha answers to itself" in outcome.err
    assert [call.request.url.path for call in h.mock.calls] == ["/sandbox/capabilities"]


def test_the_real_platform_is_refused(sandbox_world) -> None:
    h = sandbox_world()
    h.real_platform()
    outcome = h.run(run, CaptchaOptions("cap-1"))
    assert outcome.code == ExitCode.USAGE
    assert "is not a sandbox: only a sandbox started with --scriptable-captchas" in outcome.err


def test_without_an_id_or_a_saved_captcha_it_says_what_to_do(sandbox_world) -> None:
    h = sandbox_world()
    h.sandbox(["scriptable-captchas"])
    outcome = h.run(run, CaptchaOptions())
    assert outcome.code == ExitCode.USAGE
    assert "No captcha: run 'cartes account captcha' first, or give its id." in outcome.err
