"""Device login (RFC 8628): for a machine without a browser (SSH, containers).

::

    device = DeviceLogin(oidc)                  # the platform's web client by default
    auth = device.start()                       # show auth.verification_uri and auth.user_code
    tokens = device.poll(auth, on_wait=...)     # returns once the user approved in a browser

Polling honours ``authorization_pending`` (keep waiting), ``slow_down`` (interval + 5 s),
``access_denied`` (``LoginRefused``), ``expired_token`` and the overall expiry
(``LoginTimedOut``). A transient failure of the login server (unreachable, 5xx, 429) doubles the
interval (RFC 8628 §3.5) instead of ending the login. Sleep and clock are injectable for tests.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cartes_cli.errors import (
    ApiError,
    InvalidResponse,
    LoginRefused,
    LoginTimedOut,
    RateLimited,
    ServerError,
    TransportError,
)
from cartes_cli.i18n import _
from cartes_cli.secret import Secret

if TYPE_CHECKING:
    from cartes_cli.auth.oidc import OIDCClient
    from cartes_cli.auth.tokens import TokenSet

__all__ = ["DEFAULT_INTERVAL", "SLOW_DOWN_STEP", "DeviceAuthorization", "DeviceLogin"]

DEFAULT_INTERVAL = 5.0
"""RFC 8628 §3.2: the polling interval when the server gives none."""
SLOW_DOWN_STEP = 5.0
"""RFC 8628 §3.5: ``slow_down`` adds this many seconds to the interval, for good."""
MAX_INTERVAL = 60.0
"""Back-off ceiling after transient failures."""
DEFAULT_EXPIRES_IN = 600.0


def _positive(value: Any, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                return default
        else:
            return default
    number = float(value)
    return number if math.isfinite(number) and number > 0 else default


@dataclass(frozen=True)
class DeviceAuthorization:
    """The answer of the device authorization endpoint (RFC 8628 §3.2)."""

    device_code: Secret
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_in: float
    interval: float

    @classmethod
    def from_response(cls, body: dict[str, Any]) -> DeviceAuthorization:
        device_code = body.get("device_code")
        user_code = body.get("user_code")
        uri = body.get("verification_uri") or body.get("verification_url")  # Google's old spelling
        if not (isinstance(device_code, str) and device_code):
            raise InvalidResponse(_("The login server's device login answer has no device code."))
        if not (isinstance(user_code, str) and user_code):
            raise InvalidResponse(_("The login server's device login answer has no user code."))
        if not (isinstance(uri, str) and uri):
            raise InvalidResponse(_("The login server's device login answer has no verification address."))
        complete = body.get("verification_uri_complete")
        return cls(
            device_code=Secret(device_code),
            user_code=user_code,
            verification_uri=uri,
            verification_uri_complete=complete if isinstance(complete, str) and complete else None,
            expires_in=_positive(body.get("expires_in"), DEFAULT_EXPIRES_IN),
            interval=_positive(body.get("interval"), DEFAULT_INTERVAL),
        )

    @property
    def url(self) -> str:
        """What to open: the complete URI (code pre-filled) when the server gave one."""
        return self.verification_uri_complete or self.verification_uri


class DeviceLogin:
    """A device login with ``client_id`` (default: the platform's ``web_client_id``; refresh the
    resulting tokens with that same client id, :attr:`client_id`)."""

    def __init__(self, oidc: OIDCClient, *, client_id: str | None = None, scope: str = "openid") -> None:
        self._oidc = oidc.with_client_id(client_id or oidc.platform.web_client_id)
        self.client_id = self._oidc.client_id
        self._scope = scope

    def __repr__(self) -> str:
        return f"DeviceLogin(client_id={self.client_id!r})"

    def start(self) -> DeviceAuthorization:
        """Ask for a device code and a user code (one request)."""
        return DeviceAuthorization.from_response(self._oidc.device_authorization(self._scope))

    def poll(
        self,
        auth: DeviceAuthorization,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        on_wait: Callable[[float, float], None] | None = None,
    ) -> TokenSet:
        """Poll the token endpoint until the user approves, declines, or the code expires.

        ``on_wait(interval, remaining)`` is called before each sleep (seconds until the next poll,
        seconds until the code expires), e.g. to refresh a spinner. Ctrl-C (``KeyboardInterrupt``
        from ``sleep``) propagates.
        """
        deadline = clock() + auth.expires_in
        interval = auth.interval
        device_code = auth.device_code.get_secret_value()
        while True:
            remaining = deadline - clock()
            if remaining <= 0:
                raise self._expired()
            if on_wait is not None:
                on_wait(interval, remaining)
            sleep(min(interval, remaining))
            if deadline - clock() <= 0:
                raise self._expired()
            try:
                return self._oidc.device_token(device_code)
            except (TransportError, ServerError, RateLimited) as exc:
                retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
                interval = min(MAX_INTERVAL, max(interval * 2, retry_after or 0.0))
                continue
            except ApiError as exc:
                if exc.error == "authorization_pending":
                    continue
                if exc.error == "slow_down":
                    interval += SLOW_DOWN_STEP
                    continue
                if exc.error == "access_denied":
                    raise LoginRefused(
                        _("The device login was declined in the browser."),
                        status=exc.status,
                        error=exc.error,
                        messages=exc.messages,
                    ) from None
                if exc.error == "expired_token":
                    raise self._expired() from None
                raise

    @staticmethod
    def _expired() -> LoginTimedOut:
        return LoginTimedOut(
            _("The device code expired before the login was approved; run the device login again.")
        )
