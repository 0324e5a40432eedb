"""The typed errors of cartes, shared by every layer.

Standard library only: the CLI's single exception-to-exit-code function imports this module
without paying for httpx or pydantic. ``cartes_cli.client.errors`` re-exports everything.

Every message is safe to show: no token, password, code or secret ever goes into one.
"""

from __future__ import annotations


class CartesError(Exception):
    """Base of every error cartes raises on purpose."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(CartesError):
    """Invalid input caught before any request (exit code 2)."""


class AmbiguousReference(UsageError):
    """A name given by the user matches several objects; ``candidates`` lists them (``label``s)."""

    def __init__(self, message: str = "", *, candidates: list[str] | None = None) -> None:
        super().__init__(message)
        self.candidates = list(candidates or [])


class ConfigError(CartesError):
    """The configuration or the chosen platform cannot be used (exit code 2)."""


class CredentialStoreError(CartesError):
    """No usable place to keep credentials (locked, absent or hanging keyring, unreadable file)."""


class ApiError(CartesError):
    """The platform answered with an error status.

    ``status`` is the HTTP status; ``error`` the platform's short code (``invalid_grant``,
    ``not_found``…); ``messages`` its descriptions (``error_description`` as a list).
    """

    default_status: int | None = None

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        error: str | None = None,
        messages: list[str] | None = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        self.status = status if status is not None else self.default_status
        self.error = error
        self.messages = list(messages or [])
        self.method = method
        self.url = url
        if not message:
            message = "; ".join(self.messages) or (error or "") or f"HTTP {self.status}"
        super().__init__(message)


class BadRequest(ApiError):
    default_status = 400


class AuthRequired(ApiError):
    """No valid credentials: missing or expired token, or a login the server refused (401)."""

    default_status = 401


class NotLoggedIn(AuthRequired):
    """No login is stored for this profile and platform (nothing was sent)."""


class LoginRefused(AuthRequired):
    """The token endpoint refused the credentials (``invalid_grant``, ``invalid_client``…)."""


class ClientRefused(LoginRefused):
    """The login server refused cartes's OAuth *client* (not the person): an unknown client, a
    missing or wrong client secret, a grant or a redirect URI the client is not allowed. The
    message names the client and the setting that fixes it."""

    def __init__(self, message: str = "", *, client_id: str | None = None, **kwargs: object) -> None:
        self.client_id = client_id
        super().__init__(message, **kwargs)  # type: ignore[arg-type]


class AccountNotReady(LoginRefused):
    """Keycloak's "Account is not fully set up": a required action (e-mail check, yearly password
    renewal…) must be done in a browser first."""


class LoginTimedOut(AuthRequired):
    """An interactive login (browser or device) was not completed in time, or its code expired."""


class SessionExpired(AuthRequired):
    """The login server refused the refresh token (expired, revoked, session ended): log in again."""


class PermissionDenied(ApiError):
    default_status = 403


class NotFound(ApiError):
    default_status = 404


class Conflict(ApiError):
    default_status = 409


class RateLimited(ApiError):
    default_status = 429

    def __init__(self, message: str = "", *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ServerError(ApiError):
    default_status = 500


class TransportError(CartesError):
    """The platform could not be reached (refused connection, DNS, TLS, time-out)."""

    def __init__(self, message: str = "", *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class InvalidResponse(CartesError):
    """The platform answered something that is not what its API promises."""


class ResponseTooLarge(InvalidResponse):
    """An answer larger than cartes reads (an endless or huge body): reading stopped there."""


class InvalidInput(BadRequest):
    """A 400 that names what is wrong, field by field (the sandbox's sign-up and account routes).

    ``problems`` is a list of ``(field, code, message)`` tuples, in the server's order: ``field``
    may be None (a problem with the whole request), ``code`` a dotted identifier such as
    ``password.missing_digits`` or ``captcha.invalid``. The messages never contain the values sent.
    """

    def __init__(
        self,
        message: str = "",
        *,
        problems: list[tuple[str | None, str, str]] | None = None,
        **kwargs: object,
    ) -> None:
        self.problems: list[tuple[str | None, str, str]] = list(problems or [])
        if not message and self.problems:
            message = "; ".join(text for _field, _code, text in self.problems if text)
        super().__init__(message, **kwargs)  # type: ignore[arg-type]

    def codes(self) -> list[str]:
        """Every problem code, in order (``["captcha.invalid"]``)."""
        return [code for _field, code, _text in self.problems]

    def has(self, code: str) -> bool:
        """Is there a problem with this code, or with a code under it (``has("captcha")``)?"""
        return any(c == code or c.startswith(code + ".") for c in self.codes())
