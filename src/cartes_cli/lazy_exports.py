"""A package whose names load their module on first use (PEP 562), for packages split by subject
that keep one import path: ``from cartes_cli.client.models import User`` loads ``models.users``
only, and ``from cartes_cli.validators import is_uuid`` builds no password rule. Standard
library only.

    __getattr__, __dir__ = lazy_exports(__name__, globals(), {"User": "users", ...})
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str, namespace: dict[str, Any], module_of: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The package's ``__getattr__`` and ``__dir__``: ``module_of`` maps each public name to the
    submodule defining it; a name looked up once is then a plain attribute of the package."""

    def __getattr__(name: str) -> Any:
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *module_of})

    return __getattr__, __dir__
