"""``BearerAuth``: puts the manager's access token on every request; one refresh-and-retry on 401."""

from __future__ import annotations

from collections.abc import Generator

import httpx

from cartes_cli.auth.session import TokenManager

__all__ = ["BearerAuth"]


class BearerAuth(httpx.Auth):
    """``Authorization: Bearer <token>`` from a :class:`TokenManager` (sync clients).

    On a 401 it asks the manager for a newer token once (the manager refreshes only if nobody else
    did already) and retries once. If there is no newer token (static token, no refresh token), the
    401 response is returned and the client turns it into ``AuthRequired``.
    """

    requires_request_body = False
    requires_response_body = False

    def __init__(self, manager: TokenManager) -> None:
        self.manager = manager

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self.manager.access_token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        newer = self.manager.refresh_after_401(token)
        if newer is None or newer == token:
            return
        request.headers["Authorization"] = f"Bearer {newer}"
        yield request

    def __repr__(self) -> str:
        return f"BearerAuth({self.manager!r})"
