"""What a warm-start server imports covers what the commands import (docs/design.md, "Warm start").

A module a command imports that the server has not costs its import in every served command:
httpcore and h11 alone were 60 ms of a served ``workspace list`` before the server imported them.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import STAFF, Cartes

pytestmark = pytest.mark.e2e


def _preloaded() -> set[str]:
    script = (
        "import sys\n"
        "from cartes_cli.warm_server import Server\n"
        "Server('unused.sock').preload()\n"
        "print('\\n'.join(sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-P", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def _imported(cli: Cartes, *args: str) -> set[str]:
    """The modules a cold command has loaded when it leaves (the executable's own entry, its
    exit functions run by it)."""
    script = (
        "import atexit, sys\n"
        "atexit.register(lambda: sys.stderr.write('MODULES ' + ' '.join(sys.modules) + '\\n'))\n"
        "sys.argv = ['cartes', *sys.argv[1:]]\n"
        "from cartes_cli.__main__ import entry\n"
        "entry()\n"
    )
    env = {k: v for k, v in cli.env.items() if k != "CARTES_WARM"}
    done = subprocess.run(
        [sys.executable, "-c", script, *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES "))
    return set(line.split()[1:])


def test_the_server_has_imported_what_the_networked_commands_import(cartes: Cartes) -> None:
    assert cartes.login(STAFF).returncode == 0
    preloaded = _preloaded()
    for args in (
        ("workspace", "list"),
        ("workspace", "list", "--public"),
        ("request", "list", "--incoming"),
        ("workspace", "show", "tutoriels"),
        ("workspace", "members", "tutoriels"),
        ("account", "show"),
        ("--help",),
    ):
        missing = _imported(cartes, *args) - preloaded
        assert missing == set(), f"cartes {' '.join(args)} imports {sorted(missing)}: add them to _USED_LATER"
