"""When the ``cartes`` process collects garbage.

A command's start-up builds a few hundred thousand objects that live until the end: modules,
classes, the command tree, pydantic validators. With Python's default threshold (a collection
every 700 new objects) the imports set off about a hundred collections, 20-30 ms on a 2-core
machine, all for nothing. So the executable starts with a threshold high enough that start-up
and an ordinary command never collect (:func:`for_start_up`).

A command that may run long (a bulk decision, the sandbox server) calls :func:`for_long_run`:
what exists by then is frozen out of the collector's sight (``gc.freeze``), and the default
threshold comes back, so garbage with cycles goes promptly while each collection only looks at
objects made since. Without that, a collection of 50,000 young objects would stop every thread
for 30-40 ms in the middle of the run.

Both are no-ops where ``cartes_cli`` is imported as a library (tests call the commands in
process, and freezing their objects would keep them forever).
"""

from __future__ import annotations

import gc

__all__ = ["START_THRESHOLD", "for_long_run", "for_start_up"]

START_THRESHOLD = 200_000
_DEFAULT = gc.get_threshold()
_state = {"starting": False}


def for_start_up() -> None:
    """Called first thing by the ``cartes`` executable."""
    _state["starting"] = True
    gc.set_threshold(START_THRESHOLD, *_DEFAULT[1:])


def for_long_run() -> None:
    """Called where a command starts work that may run long (the first call counts)."""
    if not _state["starting"]:
        return
    _state["starting"] = False
    gc.freeze()
    gc.set_threshold(*_DEFAULT)
