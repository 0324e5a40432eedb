"""``Idempotency-Key`` on the API's POST routes (IETF ``draft-ietf-httpapi-idempotency-key-header``).

A client that cannot tell whether its POST was applied (the answer was lost: a dropped connection,
a gateway error after the commit) sends it again with the same ``Idempotency-Key``; the sandbox
then answers with the first answer again, marked ``Idempotent-Replayed: true``, and changes
nothing. Without this, a retried decision reads "already accepted", and the client cannot say
whether it accepted the request itself.

Rules, from the draft:

- keys are scoped to the caller (the token's subject) and to the method and path;
- the same key with another body is refused (422); while the first request with a key is still
  being answered, the same key again waits for that answer (up to 5 s, then 409);
- only final answers are remembered (2xx and 4xx; a 5xx can be retried for real);
- at most ``capacity`` keys are remembered, each for ``ttl`` seconds.

This layer sits inside fault injection (see ``app.SandboxApp``): an injected "answer lost after
the change" fault hits after the answer was remembered, as it would on a real platform.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cartes_cli.sandbox.errors import ApiProblem, BodyTooLarge
from cartes_cli.sandbox.routes.deps import buffer_body

HEADER = b"idempotency-key"
REPLAYED_HEADER = b"idempotent-replayed"
MAX_KEY_LENGTH = 255
IN_FLIGHT_WAIT = 5.0
"""Seconds a request waits for an earlier one with the same key before getting a 409."""


@dataclass(frozen=True)
class _Stored:
    fingerprint: str
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    expires: float


def _subject(scope: Scope) -> str:
    """Who is calling, for scoping keys: the bearer token's ``sub`` (read without verifying: the
    route verifies the token; a forged one only reaches its own forger's keys), else the raw
    credentials' digest."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            token = value.split(b" ", 1)[-1].strip()
            parts = token.split(b".")
            if len(parts) == 3:
                try:
                    padded = parts[1] + b"=" * (-len(parts[1]) % 4)
                    sub = json.loads(base64.urlsafe_b64decode(padded)).get("sub")
                    if isinstance(sub, str) and sub:
                        return "sub:" + sub
                except (ValueError, AttributeError):
                    pass
            return "auth:" + hashlib.sha256(token).hexdigest()
    return "anonymous"


def _key(scope: Scope) -> bytes | None:
    for name, value in scope.get("headers", ()):
        if name == HEADER:
            return bytes(value)
    return None


def _problem(status: int, message: str) -> tuple[int, bytes]:
    """The API's error shape, as every other refusal of the sandbox's API has it."""
    return status, json.dumps(ApiProblem(status, message).body()).encode()


class IdempotencyMiddleware:
    """Remembers the answers of keyed POST requests under ``prefix`` and replays them."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str = "/api/",
        capacity: int = 20_000,
        ttl: float = 24 * 3600,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.prefix = prefix
        self.capacity = capacity
        self.ttl = ttl
        self.clock = clock
        self._answers: OrderedDict[tuple[str, str, str, bytes], _Stored] = OrderedDict()
        self._in_flight: set[tuple[str, str, str, bytes]] = set()
        self.replays = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        key = _key(scope) if path.startswith(self.prefix) else None
        if key is None:
            await self.app(scope, receive, send)
            return
        if not 0 < len(key) <= MAX_KEY_LENGTH:
            await _answer(send, *_problem(400, "The Idempotency-Key header is empty or too long."))
            return
        try:
            body, receive = await buffer_body(receive)
        except BodyTooLarge as exc:  # read here, outside the app's own handling of it
            await _answer(send, *_problem(exc.status, exc.messages[0]))
            return
        if body is None:  # the client left mid-body: nothing to remember
            await self.app(scope, receive, send)
            return
        fingerprint = hashlib.sha256(body).hexdigest()
        slot = (_subject(scope), "POST", path, key)
        now = self.clock()
        stored = self._answers.get(slot)
        if stored is not None and stored.expires <= now:
            del self._answers[slot]
            stored = None
        if stored is not None:
            if stored.fingerprint != fingerprint:
                await _answer(
                    send,
                    *_problem(422, "This Idempotency-Key was used with another request body."),
                )
                return
            self.replays += 1
            await _answer(send, stored.status, stored.body, [*stored.headers, (REPLAYED_HEADER, b"true")])
            return
        if slot in self._in_flight:
            # The first request with this key is still running (a client that gave up waiting and
            # retried): wait for its answer a little, then replay it; 409 if it takes too long.
            for _ in range(int(IN_FLIGHT_WAIT / 0.01)):
                await asyncio.sleep(0.01)
                if slot not in self._in_flight:
                    break
            stored = self._answers.get(slot)
            if stored is not None and stored.fingerprint == fingerprint:
                self.replays += 1
                await _answer(send, stored.status, stored.body, [*stored.headers, (REPLAYED_HEADER, b"true")])
                return
            await _answer(
                send,
                *_problem(409, "A request with this Idempotency-Key is still being answered."),
            )
            return
        self._in_flight.add(slot)
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            self._in_flight.discard(slot)
            if start is not None and int(start["status"]) < 500:
                headers = [(n, v) for n, v in start.get("headers", []) if n.lower() != b"content-length"]
                self._remember(
                    slot,
                    _Stored(fingerprint, int(start["status"]), headers, b"".join(chunks), now + self.ttl),
                )

    def _remember(self, slot: tuple[str, str, str, bytes], stored: _Stored) -> None:
        self._answers[slot] = stored
        self._answers.move_to_end(slot)
        while len(self._answers) > self.capacity:
            self._answers.popitem(last=False)


async def _answer(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    all_headers = list(headers) if headers is not None else [(b"content-type", b"application/json")]
    all_headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
