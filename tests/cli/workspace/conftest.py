"""The in-process harness (``tests/cli/harness.py``) for this group's command tests."""

from tests.cli.harness import harness

__all__ = ["harness"]
