"""uvicorn, adapted to the sandbox: announce readiness, and leave the process alone after a signal."""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
from collections.abc import Callable, Iterator

import uvicorn


class SandboxServer(uvicorn.Server):
    """Calls ``on_ready`` once listening; a SIGINT/SIGTERM stop returns normally.

    (uvicorn re-raises the captured signal once shut down, which would turn a clean SIGTERM stop
    into death by signal and a Ctrl+C into a traceback.)
    """

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and not self.should_exit:
            self._on_ready()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
