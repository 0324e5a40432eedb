"""The fault-injection settings (``--fault-kinds``, ``--fault-scope`` and the numbers) and their
checks: read by the settings (``config.py``) and by the injector (``domain/faults.py``), so they
sit below both. Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable

BEFORE_KINDS = ("500", "502", "503", "429", "drop", "slow")
AFTER_KINDS = ("after-500", "after-502", "after-drop")
FAULT_KINDS = BEFORE_KINDS + AFTER_KINDS
KIND_GROUPS: dict[str, tuple[str, ...]] = {
    "all": FAULT_KINDS,
    "before": BEFORE_KINDS,
    "after": AFTER_KINDS,
    "errors": ("500", "502", "503"),
    "drops": ("drop", "after-drop"),
}
"""Names that stand for several kinds in ``--fault-kinds``."""

FAULT_SCOPES = ("api", "token", "oidc")
"""``api``: every ``/api/…`` route; ``token``: the OpenID Connect token endpoint; ``oidc``: every
``/realms/…`` route (token endpoint, browser pages, account REST)."""
DEFAULT_SCOPE = ("api", "token")


class FaultSettingsError(ValueError):
    """A fault setting that cannot work (one sentence, for the user)."""


def parse_kinds(value: str | Iterable[str]) -> tuple[str, ...]:
    """``"500,after,slow"`` (or a list of names) → the kinds, in canonical order, without repeats.

    Group names (``all``, ``before``, ``after``, ``errors``, ``drops``) stand for several kinds.
    """
    names = value.split(",") if isinstance(value, str) else list(value)
    wanted: set[str] = set()
    for raw in names:
        name = str(raw).strip().lower()
        if not name:
            continue
        if name in KIND_GROUPS:
            wanted.update(KIND_GROUPS[name])
        elif name in FAULT_KINDS:
            wanted.add(name)
        else:
            known = ", ".join((*FAULT_KINDS, *KIND_GROUPS))
            raise FaultSettingsError(f"--fault-kinds: unknown fault kind {name!r} (known: {known})")
    if not wanted:
        raise FaultSettingsError("--fault-kinds: no fault kind given")
    return tuple(kind for kind in FAULT_KINDS if kind in wanted)


def parse_scope(value: str | Iterable[str]) -> tuple[str, ...]:
    """``"api,token"`` (or a list) → the scopes, in canonical order."""
    names = value.split(",") if isinstance(value, str) else list(value)
    wanted = {str(n).strip().lower() for n in names if str(n).strip()}
    unknown = sorted(wanted - set(FAULT_SCOPES))
    if unknown:
        known = ", ".join(FAULT_SCOPES)
        raise FaultSettingsError(f"--fault-scope: unknown scope {unknown[0]!r} (known: {known})")
    if not wanted:
        raise FaultSettingsError("--fault-scope: no scope given")
    return tuple(s for s in FAULT_SCOPES if s in wanted)


def check_numbers(*, rate: float, retry_after: int, delay: float) -> None:
    if not 0.0 <= rate <= 1.0:
        raise FaultSettingsError("--fault-rate must be between 0 and 1")
    if not 0 <= retry_after <= 3600:
        raise FaultSettingsError("--fault-retry-after must be between 0 and 3600 seconds")
    if not 0.0 < delay <= 3600.0:
        raise FaultSettingsError("--fault-delay must be more than 0 and at most 3600 seconds")
