"""The two error shapes the sandbox answers with, and the error of settings it cannot start with.

- Entrepôt API (``/api``, ``/sandbox``): ``{"error": "<short>", "error_description": ["message"]}``.
- Keycloak (``/realms/…``): ``{"error": "<oauth code>", "error_description": "message"}``; the
  account REST endpoints (``/realms/…/account…``): ``{"errorMessage": "message", "field", …}``.

Messages never contain a token, a password or a code.
"""

from __future__ import annotations

from collections.abc import Sequence

from cartes_cli.errors import ConfigError
from cartes_cli.validators import Problem

API_ERROR_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable_entity",
    429: "too_many_requests",
    500: "internal_error",
    502: "bad_gateway",
    503: "service_unavailable",
}


class SandboxConfigError(ConfigError):
    """The sandbox cannot start with these settings (exit status 2)."""


class ApiProblem(Exception):
    """An Entrepôt API error answer. ``problems`` (sandbox account API): the machine-readable
    ``[{"field", "code", "message"}]`` list, added to the body as ``problems``."""

    def __init__(
        self,
        status: int,
        *messages: str,
        error: str | None = None,
        headers: dict[str, str] | None = None,
        problems: Sequence[Problem] | None = None,
    ) -> None:
        if problems and not messages:
            messages = tuple(str(p) for p in problems)
        super().__init__("; ".join(messages))
        self.status = status
        self.error = error or API_ERROR_CODES.get(status, "error")
        self.messages = list(messages) or [self.error]
        self.headers = headers or {}
        self.problems = list(problems) if problems is not None else None

    def body(self) -> dict[str, object]:
        body: dict[str, object] = {"error": self.error, "error_description": self.messages}
        if self.problems is not None:
            body["problems"] = [p.as_dict() for p in self.problems]
        return body


class AccountError(Exception):
    """An error of the Keycloak account REST endpoints (``{issuer}/account…``), in their shape:
    ``{"errorMessage": "<English text>", "field"?: "<first field>", "messageKey"?: "<Keycloak's
    message key>", "problems": [{"field", "code", "message"}]}``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        problems: Sequence[Problem] = (),
        message_key: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems = list(problems)
        self.message_key = message_key
        self.headers = headers or {}

    @classmethod
    def invalid(cls, problems: Sequence[Problem], message_key: str | None = None) -> AccountError:
        """400 for input problems (every one of them listed)."""
        return cls(400, " ".join(str(p) for p in problems), problems=problems, message_key=message_key)

    def body(self) -> dict[str, object]:
        body: dict[str, object] = {"errorMessage": self.message}
        if self.problems and self.problems[0].field:
            body["field"] = self.problems[0].field
        if self.message_key:
            body["messageKey"] = self.message_key
        body["problems"] = [p.as_dict() for p in self.problems]
        return body


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


class BodyTooLarge(ApiProblem):
    """A request body over the sandbox's limit (``max_body_bytes``): 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is too large (at most {limit} bytes).")
