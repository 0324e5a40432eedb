"""URL path segments built from what a caller gives (ids, technical names): standard library only.

Every resource builds its paths with :func:`segment`, so that an id can never change the path it
goes into (``..``, ``/``, ``?`` are refused or percent-encoded).
"""

from __future__ import annotations

from urllib.parse import quote

from cartes_cli.errors import UsageError
from cartes_cli.i18n import _

__all__ = ["label", "segment"]


def label(what: str) -> str:
    """What an identifier or a choice names, in the user's language."""
    labels = {
        "identifier": _("identifier"),
        "captcha id": _("captcha id"),
        "community id": _("community id"),
        "user id": _("user id"),
        "datastore id": _("datastore id"),
        "request id": _("request id"),
        "status": _("status"),
        "request type": _("request type"),
    }
    return labels.get(what, what)


def segment(value: str, what: str = "identifier") -> str:
    """One URL path segment, percent-encoded; refuses values that would change the path."""
    text = str(value).strip()
    if not text or text in (".", ".."):
        raise UsageError(_("{value} is not a valid {what}.").format(value=repr(text), what=label(what)))
    return quote(text, safe="")
