"""Sign-up captchas: a distorted-text PNG and, as its alternative, a WAV that spells the same answer.

Both come from the ``captcha`` package (``ImageCaptcha``; ``AudioCaptcha`` with the voice files it
bundles: digits and the letters A-Z, read in English), so everything works offline. One captcha has
one answer, 6 characters from an alphabet without look-alikes (no 0/O, 1/I); the comparison
ignores case and spaces. A captcha is single use (the first sign-up that names it consumes it,
right answer or not) and expires.

Captchas live in memory, like logins in progress: a restart simply asks for a new one. The answer
is kept in clear only here (the audio is rendered from it on demand) and never leaves the server,
except with the switch ``--scriptable-captchas`` (``SandboxConfig.scriptable_captchas``), for scripts
and demos: then the captcha's answer is in its JSON and at ``GET /sandbox/captchas/{id}``.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from typing import Any

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""Digits and upper-case letters without 0, 1, I and O: every one has a bundled voice file."""
ANSWER_LENGTH = 6
MAX_CAPTCHAS = 20_000
"""Bound on captchas kept at once (the oldest go first): a runaway script cannot exhaust memory."""

VALID = "valid"
INVALID = "invalid"
EXPIRED = "expired"


class CaptchaUnavailable(RuntimeError):
    """The ``captcha`` package (or Pillow) is missing: install ``cartes-cli[sandbox]``."""


@dataclass
class Captcha:
    id: str
    answer: str
    created: float
    expires: float
    audio: bytes | None = None
    """The WAV, rendered once on first request (the same noise for every download)."""


def normalise_answer(text: str) -> str:
    return "".join(text.split()).upper()


class Captchas:
    """The captchas handed out and not yet used."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, Captcha] = OrderedDict()

    def new(self, *, now: float, ttl: float) -> Captcha:
        self._sweep(now)
        captcha = Captcha(
            # Hexadecimal, not URL-safe base64: an id is typed as a command's argument
            # ('cartes sandbox captcha ID'), and one in 64 of those began with '-', an option.
            id=secrets.token_hex(18),
            answer="".join(secrets.choice(ALPHABET) for _ in range(ANSWER_LENGTH)),
            created=now,
            expires=now + ttl,
        )
        self._items[captcha.id] = captcha
        while len(self._items) > MAX_CAPTCHAS:
            self._items.popitem(last=False)
        return captcha

    def get(self, captcha_id: str, now: float) -> Captcha | None:
        """A captcha still usable (for its audio), or None."""
        captcha = self._items.get(captcha_id)
        if captcha is None or now >= captcha.expires:
            return None
        return captcha

    def take(self, captcha_id: str, answer: object, now: float) -> str:
        """Consume the captcha ``captcha_id`` whatever the answer: VALID, INVALID or EXPIRED.

        An unknown (or already used) captcha is INVALID: it cannot be told from a made-up id.
        """
        captcha = self._items.pop(captcha_id, None)
        if captcha is None:
            return INVALID
        if now >= captcha.expires:
            return EXPIRED
        given = normalise_answer(answer) if isinstance(answer, str) else ""
        if hmac.compare_digest(given.encode(), captcha.answer.encode()):
            return VALID
        return INVALID

    def _sweep(self, now: float) -> None:
        for key in [k for k, c in self._items.items() if now >= c.expires + 600]:
            del self._items[key]


# --- rendering (blocking: call from a worker thread) ---------------------------------------------


@cache
def _image_generator() -> Any:
    try:
        from captcha.image import ImageCaptcha
    except ImportError as exc:
        raise CaptchaUnavailable(str(exc)) from exc
    return ImageCaptcha(width=200, height=70)


@cache
def _audio_generator() -> Any:
    try:
        from captcha.audio import AudioCaptcha
    except ImportError as exc:
        raise CaptchaUnavailable(str(exc)) from exc
    generator = AudioCaptcha()
    missing = set(ALPHABET) - set(generator.choices)
    if missing:  # a packaging that dropped the voice files
        raise CaptchaUnavailable(f"no voice for {''.join(sorted(missing))}")
    generator.load()
    return generator


def render_png(answer: str) -> bytes:
    data: bytes = _image_generator().generate(answer, format="png").getvalue()
    return data


def png_data_url(answer: str) -> str:
    return "data:image/png;base64," + base64.b64encode(render_png(answer)).decode("ascii")


def render_wav(answer: str) -> bytes:
    """8 kHz, 8-bit mono WAV: three beeps, then each character read over background babble."""
    return bytes(_audio_generator().generate(answer))
