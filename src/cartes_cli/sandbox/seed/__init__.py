"""Seed data sets, loaded into an empty sandbox (``--seed``). ``demo``: a believable, fully
deterministic Géoplateforme (``demo.py`` loads it, ``demo_data.py`` holds it).
"""

from __future__ import annotations

from collections.abc import Callable

from cartes_cli.sandbox.config import SEED_NAMES
from cartes_cli.sandbox.errors import SandboxConfigError
from cartes_cli.sandbox.seed.demo import seed_demo
from cartes_cli.sandbox.seed.demo_data import (
    DEMO_ACCOUNTS,
    DEMO_CI_CLIENT_ID,
    DEMO_CI_SECRET,
    DEMO_CLIENTS,
    DEMO_EXPIRED_PASSWORD_USER,
    DEMO_NEWCOMER,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    demo_id,
)
from cartes_cli.sandbox.store import Store


class UnknownSeed(SandboxConfigError):
    pass


SEEDS: dict[str, Callable[[Store], None]] = {"demo": seed_demo}


def apply_seed(store: Store, name: str) -> bool:
    """Load seed ``name`` if the database is empty; False if it already held data."""
    seed = SEEDS.get(name)
    if seed is None:
        raise UnknownSeed(f"Unknown seed {name!r}; available: {', '.join(SEED_NAMES)}.")
    if not store.meta.is_empty():
        return False
    with store.transaction():
        seed(store)
        store.meta.set("seed", name)
    return True


__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_CI_CLIENT_ID",
    "DEMO_CI_SECRET",
    "DEMO_CLIENTS",
    "DEMO_EXPIRED_PASSWORD_USER",
    "DEMO_NEWCOMER",
    "DEMO_PASSWORD",
    "DEMO_TOTP_SECRET",
    "SEED_NAMES",
    "UnknownSeed",
    "apply_seed",
    "demo_id",
]
