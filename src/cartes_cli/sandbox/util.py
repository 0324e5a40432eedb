"""Small helpers shared by the sandbox modules (standard library only)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

TECHNICAL_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,30}$")


def iso(ts: float) -> str:
    """An epoch time as the platform writes dates: ISO 8601, UTC, ``Z`` (microseconds if any)."""
    moment = datetime.fromtimestamp(ts, UTC)
    if moment.microsecond:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def new_id() -> str:
    return str(uuid.uuid4())


def api_url_of(request: Any) -> str:
    """This sandbox's API root as the caller reached it (``http://127.0.0.1:8080/api``): the
    e-mails name it in the commands they print, so that these work as printed."""
    return str(request.base_url).rstrip("/") + "/api"
