"""``cartes account captcha``: saves the captcha where asked, remembers it for ``account create``,
and draws it only for a person."""

from __future__ import annotations

import base64
import io
import time
from pathlib import Path

import httpx
import pytest
import respx

from cartes_cli.cli.account import cache
from cartes_cli.cli.account.captcha import CaptchaOptions, run
from cartes_cli.errors import CartesError
from tests.cli.account.conftest import API, real_platform


def _png() -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (60, 20), "white")
    ImageDraw.Draw(picture).rectangle((10, 4, 50, 16), fill="black")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def captcha(platform: respx.MockRouter) -> bytes:
    image = _png()
    body = {
        "_id": "c-7",
        "image": "data:image/png;base64," + base64.b64encode(image).decode("ascii"),
        "audio_url": "/api/accounts/captcha/c-7/audio",
        "expires_in": 120,
        "answer": "AB2CD3",
    }
    platform.get(API + "/accounts/captcha").mock(return_value=httpx.Response(200, json=body))
    return image


def test_the_image_is_saved_and_remembered(make_cli, captcha: bytes, tmp_path: Path) -> None:
    target = tmp_path / "out" / "c.png"
    cli = make_cli()
    run(cli.app, CaptchaOptions(output=target))
    assert target.read_bytes() == captcha
    assert cli.out.splitlines() == [
        "id\tc-7",
        f"path\t{target}",
        "expires_in\t120",
        "audio_url\thttps://gpf.test/api/accounts/captcha/c-7/audio",
    ]
    assert "--captcha-answer CHARACTERS (within 120 s)" in cli.err
    saved = cache.load_json(cache.CAPTCHA)
    assert saved is not None
    assert (saved["id"], saved["api_url"]) == ("c-7", API)
    assert isinstance(saved["expires_at"], float)
    assert time.time() < saved["expires_at"] <= time.time() + 120
    assert "▀" not in cli.err  # piped: no picture


def test_by_default_it_goes_to_the_cache(make_cli, captcha: bytes) -> None:
    run(make_cli().app, CaptchaOptions())
    assert (cache.account_cache() / "captcha.png").read_bytes() == captcha


def test_audio_saves_the_sound_instead(make_cli, platform: respx.MockRouter, captcha, tmp_path) -> None:
    platform.get(API + "/accounts/captcha/c-7/audio").mock(return_value=httpx.Response(200, content=b"RIFF"))
    target = tmp_path / "c.wav"
    run(make_cli().app, CaptchaOptions(audio=True, output=target))
    assert target.read_bytes() == b"RIFF"


def test_on_a_terminal_the_captcha_is_drawn_on_stderr(make_cli, captcha) -> None:
    cli = make_cli(tty=True)
    run(cli.app, CaptchaOptions(no_browser=True))
    assert "█" in cli.err  # the black box, without colours: filled blocks
    assert "█" not in cli.out


def test_the_json_answer_includes_the_sandbox_answer(make_cli, captcha) -> None:
    import json

    cli = make_cli(json=True)
    run(cli.app, CaptchaOptions())
    assert json.loads(cli.out)["answer"] == "AB2CD3"


def test_the_real_platform_has_no_captcha_to_give(make_cli, platform) -> None:
    real_platform(platform)
    with pytest.raises(CartesError, match=r"sign up in a browser with 'cartes account create --web'"):
        run(make_cli().app, CaptchaOptions())


def test_a_saved_captcha_that_expired_is_refused() -> None:
    from cartes_cli.errors import UsageError
    from cartes_cli.platforms import resolve_platform

    cache.save_json(cache.CAPTCHA, {"id": "c-old", "api_url": API, "expires_at": time.time() - 1})
    with pytest.raises(UsageError, match=r"The saved captcha has expired"):
        cache.cached_captcha_id(resolve_platform(None, API, None, sandbox_state=[]))
