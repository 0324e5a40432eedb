"""The in-process harness (``tests/cli/harness.py``) for this group's command tests, in an empty
``CARTES_HOME`` (autouse: a command naming a workspace keeps what it found in the cache)."""

from tests.cli.harness import harness, home

__all__ = ["harness", "home"]
