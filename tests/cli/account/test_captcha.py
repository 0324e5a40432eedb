"""``cartes account captcha``: saves the captcha where asked, remembers it for ``account create``,
and draws it only for a person."""

from __future__ import annotations

import base64
import io
import time
from pathlib import Path

import pytest

from cartes_cli.cli.account import cache
from cartes_cli.cli.account.captcha import CaptchaOptions, run
from cartes_cli.errors import CartesError
from tests.cli.harness import API, Harness


def _png() -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (60, 20), "white")
    ImageDraw.Draw(picture).rectangle((10, 4, 50, 16), fill="black")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def captcha(h: Harness) -> bytes:
    """The sandbox's captcha (with its answer) on ``GET /accounts/captcha``; its image."""
    image = _png()
    body = {
        "_id": "c-7",
        "image": "data:image/png;base64," + base64.b64encode(image).decode("ascii"),
        "audio_url": "/api/accounts/captcha/c-7/audio",
        "expires_in": 120,
        "answer": "AB2CD3",
    }
    h.mock.get(API + "/accounts/captcha").respond(200, json=body)
    return image


def test_the_image_is_saved_and_remembered(account_world, tmp_path: Path) -> None:
    h = account_world()
    image = captcha(h)
    target = tmp_path / "out" / "c.png"
    outcome = h.run(run, CaptchaOptions(output=target))
    assert outcome.code == 0, outcome.err
    assert target.read_bytes() == image
    assert outcome.lines == [
        "id\tc-7",
        f"path\t{target}",
        "expires_in\t120",
        "audio_url\thttps://data.test/api/accounts/captcha/c-7/audio",
    ]
    assert "--captcha-answer CHARACTERS (within 120 s)" in outcome.err
    saved = cache.load_json(cache.CAPTCHA)
    assert saved is not None
    assert (saved["id"], saved["api_url"]) == ("c-7", API)
    assert isinstance(saved["expires_at"], float)
    assert time.time() < saved["expires_at"] <= time.time() + 120
    assert "▀" not in outcome.err  # piped: no picture


def test_by_default_it_goes_to_the_cache(account_world) -> None:
    h = account_world()
    image = captcha(h)
    assert h.run(run, CaptchaOptions()).code == 0
    assert (cache.account_cache() / "captcha.png").read_bytes() == image


def test_audio_saves_the_sound_instead(account_world, tmp_path) -> None:
    h = account_world()
    captcha(h)
    h.mock.get(API + "/accounts/captcha/c-7/audio").respond(200, content=b"RIFF")
    target = tmp_path / "c.wav"
    assert h.run(run, CaptchaOptions(audio=True, output=target)).code == 0
    assert target.read_bytes() == b"RIFF"


def test_on_a_terminal_the_captcha_is_drawn_on_stderr(account_world) -> None:
    h = account_world(tty=True)
    captcha(h)
    outcome = h.run(run, CaptchaOptions(no_browser=True))
    assert outcome.code == 0, outcome.err
    assert "█" in outcome.err  # the black box, without colours: filled blocks
    assert "█" not in outcome.out


def test_the_json_answer_includes_the_sandbox_answer(account_world) -> None:
    h = account_world(json_fields=[])
    captcha(h)
    outcome = h.run(run, CaptchaOptions())
    assert outcome.code == 0, outcome.err
    assert outcome.json()["answer"] == "AB2CD3"


def test_the_real_platform_has_no_captcha_to_give(account_world) -> None:
    h = account_world()
    h.real_platform()
    outcome = h.run(run, CaptchaOptions())
    outcome.raised(CartesError, r"sign up in a browser with 'cartes account create --web'")


def test_a_saved_captcha_that_expired_is_refused() -> None:
    from cartes_cli.errors import UsageError
    from cartes_cli.platforms import resolve_platform

    cache.save_json(cache.CAPTCHA, {"id": "c-old", "api_url": API, "expires_at": time.time() - 1})
    with pytest.raises(UsageError, match=r"The saved captcha has expired"):
        cache.cached_captcha_id(resolve_platform(None, API, None, sandbox_state=[]))
