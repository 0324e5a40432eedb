"""The typed Géoplateforme client (httpx + pydantic), usable without the CLI.

``from cartes_cli.client import GeoplateformeClient`` loads the client on first use only, so
importing a light submodule (``cartes_cli.client.redact``, ``cartes_cli.client.errors``) does not
pay for pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cartes_cli.client.api import GeoplateformeClient

__all__ = ["GeoplateformeClient"]


def __getattr__(name: str) -> Any:
    if name == "GeoplateformeClient":
        from cartes_cli.client.api import GeoplateformeClient

        return GeoplateformeClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
