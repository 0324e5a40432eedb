"""Messages in the user's language (French or English), through standard gettext catalogues.

Message ids are English. The language comes from ``CARTES_LANG`` (forces it), then the usual
``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` variables; French when the first one set
says so, English otherwise. Catalogues live in ``cartes_cli/locale/<lang>/LC_MESSAGES/cartes.mo``.
"""

from __future__ import annotations

import gettext as _gettext
import os
from pathlib import Path

DOMAIN = "cartes"
LOCALE_DIR = Path(__file__).parent / "locale"
SUPPORTED = ("fr", "en")

_translation: _gettext.NullTranslations | None = None


def detect_language(environ: dict[str, str] | os._Environ[str] | None = None) -> str:
    env = os.environ if environ is None else environ
    forced = env.get("CARTES_LANG", "").strip()
    if forced:
        return "fr" if forced.lower().startswith("fr") else "en"
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "").strip()
        if not value or value in ("C", "POSIX", "C.UTF-8"):
            continue
        first = value.split(":")[0].lower()
        return "fr" if first.startswith("fr") else "en"
    return "en"


def language() -> str:
    return detect_language()


def _load() -> _gettext.NullTranslations:
    global _translation
    if _translation is None:
        lang = detect_language()
        _translation = _gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
    return _translation


def reset() -> None:
    """Forget the loaded catalogue (tests switch languages within one process)."""
    global _translation
    _translation = None


def _(message: str) -> str:
    return _load().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _load().ngettext(singular, plural, n)
