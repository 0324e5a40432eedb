"""Module attributes made on first use (PEP 562): a package split by subject that keeps one
import path (``from cartes_cli.client.models import User`` loads ``models.users`` only, ``from
cartes_cli.validators import is_uuid`` builds no password rule), and the command groups whose
verbs load on demand (``cli/verbs.py``). Standard library only.

    __getattr__, __dir__ = lazy_exports(__name__, globals(), {"User": "users", ...})
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

__all__ = ["import_module", "imported", "lazy_attribute", "lazy_exports"]


def import_module(name: str) -> ModuleType:
    """``import name``, through the machinery of the import statement, which ``python -X
    importtime`` reports (``importlib.import_module`` bypasses it: its modules go unlisted)."""
    __import__(name)
    return sys.modules[name]


def imported(module: str, attribute: str) -> Callable[[], Any]:
    """What makes the attribute ``attribute`` of ``module`` (imported when asked for)."""
    return lambda: getattr(import_module(module), attribute)


def lazy_attribute(namespace: dict[str, Any], name: str, makers: Mapping[str, Callable[[], Any]]) -> Any:
    """A package's ``__getattr__`` (PEP 562): ``name`` made by ``makers[name]`` on first use, then
    kept in the package's ``namespace`` (later uses are plain attribute reads)."""
    make = makers.get(name)
    if make is None:
        raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
    value = namespace[name] = make()
    return value


def lazy_exports(
    package: str, namespace: dict[str, Any], module_of: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The package's ``__getattr__`` and ``__dir__``: ``module_of`` maps each public name to the
    submodule defining it."""
    makers = {name: imported(f"{package}.{module}", name) for name, module in module_of.items()}

    def __getattr__(name: str) -> Any:
        return lazy_attribute(namespace, name, makers)

    def __dir__() -> list[str]:
        return sorted({*namespace, *module_of})

    return __getattr__, __dir__
