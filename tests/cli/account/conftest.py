"""The account commands' tests run on the shared harness (``tests/cli/harness.py``): an empty
``CARTES_HOME``, and the test platform as a sandbox offering the account API. ``ACCOUNT`` is the
login server's account REST (Keycloak's), ``TOKEN`` the login a ``Harness(token=TOKEN)`` sends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cli.harness import ISSUER, Harness, hidden_answers, home, make_harness

ACCOUNT = ISSUER + "/account"
SANDBOX_FEATURES = ("accounts", "outbox", "support-mail", "admin-credentials")
TOKEN = "test-token"

__all__ = ["hidden_answers", "home", "make_harness"]  # home: an empty CARTES_HOME, autouse


@pytest.fixture
def account_world(make_harness: Callable[..., Harness]) -> Callable[..., Harness]:
    """``account_world(tty=…, answers=…, stdin=…, json_fields=…, token=…)``: a harness on the
    sandbox (change it with ``h.real_platform()`` or ``h.capabilities([...])``), its terminal's
    format chosen as the user's would be (``auto``: a table on a terminal, TSV piped)."""

    def make(**kwargs: Any) -> Harness:
        h = make_harness(**{"format": "auto", **kwargs})
        h.sandbox(SANDBOX_FEATURES)
        return h

    return make
