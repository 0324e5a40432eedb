"""The reasons for a rejection that ``cartes request review`` remembers from earlier sessions
(the last five, most recent first), offered as a numbered list when the next one is asked.

They live in the state directory (``paths.state_dir()``, ``review-reasons.json``), written as one
step (``paths.write_private_atomically``): two sessions at once leave one list or the other,
never half of one. A file that cannot be read is an empty list; one that cannot be written is
not an error (the rejection is made, the reason is only not offered next time).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

KEEP = 5
FILE_NAME = "review-reasons.json"


def reasons_file() -> Path:
    from cartes_cli import paths

    return paths.state_dir() / FILE_NAME


def remembered() -> list[str]:
    """The reasons kept, most recent first (at most :data:`KEEP`)."""
    try:
        data = json.loads(reasons_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    reasons = data.get("reasons") if isinstance(data, dict) else None
    if not isinstance(reasons, list):
        return []
    return [r for r in reasons if isinstance(r, str) and r.strip()][:KEEP]


def remember(reason: str) -> None:
    """Put ``reason`` first (once), keep the last :data:`KEEP`."""
    from cartes_cli import paths

    text = reason.strip()
    if not text:
        return
    kept = [text, *(r for r in remembered() if r != text)][:KEEP]
    body = json.dumps({"reasons": kept}, ensure_ascii=False, indent=2) + "\n"
    with contextlib.suppress(OSError):
        paths.write_private_atomically(reasons_file(), body.encode("utf-8"))
