"""A text that never shows itself: tokens, client secrets and device codes as logins hold them.

``Secret("…")`` prints, formats and reprs as ``**********``; only :meth:`Secret.get_secret_value`
gives the text back. It has the interface of pydantic's ``SecretStr`` (which the API models still
use for the TOTP seed they carry) without importing pydantic: the login path of every command
loads it, and pydantic costs a networked command about a third of its start-up (see
``docs/design.md``, "Start-up of a networked command"). Standard library only.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["MASK", "Secret", "SecretLike", "reveal"]

MASK = "**********"


class SecretLike(Protocol):
    """Anything holding a secret text the way :class:`Secret` and pydantic's ``SecretStr`` do."""

    def get_secret_value(self) -> str: ...


class Secret:
    """A string that is never shown: ``str()``, ``repr()``, f-strings and logs see the mask."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"a secret is a string, not {type(value).__name__}")
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __str__(self) -> str:
        return MASK if self._value else ""

    def __repr__(self) -> str:
        return f"Secret('{self}')"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __len__(self) -> int:
        return len(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def reveal(value: str | SecretLike | None) -> str | None:
    """The text of a secret, of a plain string (as given), or None."""
    if value is None or isinstance(value, str):
        return value
    return value.get_secret_value()
