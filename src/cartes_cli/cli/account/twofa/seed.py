"""The TOTP seed outside the platform: ``CARTES_TOTP_SECRET``, and the stored login it may be
kept for (in the keyring, so that ``cartes login`` computes the code itself)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cartes_cli.cli.context import AppContext
    from cartes_cli.config import Profile


def seed_from_env() -> str | None:
    from cartes_cli.auth.totp import normalise_secret

    raw = os.environ.get("CARTES_TOTP_SECRET")
    return normalise_secret(raw) if raw else None


def logged_in_profile(app: AppContext) -> Profile | None:
    """The profile of a stored login (not a CARTES_TOKEN), which notes whether 2FA is on."""
    profile = app.profile()
    if os.environ.get("CARTES_TOKEN") or not profile.logged_in:
        return None
    return profile
