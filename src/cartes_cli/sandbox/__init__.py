"""The sandbox: a self-contained Géoplateforme (Keycloak OpenID Connect + Entrepôt API, SQLite).

Importing this package is free: ``serve`` and ``SandboxConfig`` load their modules on first use.
Nothing here imports ``cartes_cli.cli``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cartes_cli.sandbox.config import SandboxConfig
    from cartes_cli.sandbox.server import run, serve

__all__ = ["SandboxConfig", "run", "serve"]


def __getattr__(name: str) -> Any:
    if name == "SandboxConfig":
        from cartes_cli.sandbox.config import SandboxConfig

        return SandboxConfig
    if name in ("serve", "run"):
        from cartes_cli.sandbox import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
