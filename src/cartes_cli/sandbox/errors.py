"""The two error shapes the sandbox answers with.

- Entrepôt API (``/api``, ``/sandbox``): ``{"error": "<short>", "error_description": ["message"]}``.
- Keycloak (``/realms/…``): ``{"error": "<oauth code>", "error_description": "message"}``.

Messages never contain a token, a password or a code.
"""

from __future__ import annotations

API_ERROR_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    415: "unsupported_media_type",
    429: "too_many_requests",
    500: "internal_error",
    503: "service_unavailable",
}


class ApiProblem(Exception):
    """An Entrepôt API error answer."""

    def __init__(
        self,
        status: int,
        *messages: str,
        error: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__("; ".join(messages))
        self.status = status
        self.error = error or API_ERROR_CODES.get(status, "error")
        self.messages = list(messages) or [self.error]
        self.headers = headers or {}

    def body(self) -> dict[str, object]:
        return {"error": self.error, "error_description": self.messages}


class OidcError(Exception):
    """A Keycloak (OAuth 2 / OpenID Connect) error answer."""

    def __init__(
        self, status: int, error: str, description: str, *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{error}: {description}")
        self.status = status
        self.error = error
        self.description = description
        self.headers = headers or {}

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def invalid_grant(description: str, status: int = 400) -> OidcError:
    return OidcError(status, "invalid_grant", description)


INVALID_USER_CREDENTIALS = "Invalid user credentials"
INVALID_CLIENT_CREDENTIALS = "Invalid client or Invalid client credentials"
