"""What several login verbs share: the environment credential, the platform of a stored login,
and how a platform is named in a sentence."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cartes_cli.config import Profile
    from cartes_cli.platforms import Platform


def env_credential() -> str | None:
    """The variable whose credential wins over any stored login, if one is set."""
    if os.environ.get("CARTES_TOKEN"):
        return "CARTES_TOKEN"
    from cartes_cli.cli.context import env_service_account

    return "CARTES_CLIENT_ID" if env_service_account() is not None else None


def platform_label(platform: Platform) -> str:
    from cartes_cli.cli.context import platform_label as label

    return label(platform)


def profile_platform(profile: Profile) -> Platform:
    """The platform a stored login was made on (its client, and the sandbox's state files)."""
    from cartes_cli import paths, platforms
    from cartes_cli.cli.context import client_overrides

    state = paths.sandbox_state_files()
    overrides = client_overrides(profile)
    if profile.env in ("prod", "qualif", "sandbox"):
        return platforms.resolve_platform(
            profile.env, None, None, sandbox_state=state, client_id=profile.client_id, overrides=overrides
        )
    return platforms.resolve_platform(
        None,
        profile.api_url,
        profile.issuer,
        sandbox_state=state,
        client_id=profile.client_id,
        overrides=overrides,
    )
