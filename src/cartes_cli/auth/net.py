"""Low-level HTTP helpers shared by ``auth`` and ``client``.

They live here, in the lower layer, because ``client`` may import ``auth`` but ``auth`` must not
import ``client``: TLS set-up through the operating system's trust store, the User-Agent, and
turning an httpx transport failure into one clear sentence naming the host.
"""

from __future__ import annotations

import errno
import functools
import socket
import ssl
from typing import TYPE_CHECKING

from cartes_cli import __version__
from cartes_cli.errors import TransportError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    import httpx

__all__ = [
    "accept_language",
    "default_user_agent",
    "default_verify",
    "exception_chain",
    "host_label",
    "transport_error",
    "url_without_query",
]


def default_user_agent() -> str:
    return f"cartes/{__version__}"


def accept_language() -> str:
    """The ``Accept-Language`` cartes sends: the user's language first, English as the fallback, so
    that a platform that translates its messages (the sandbox) answers in that language."""
    from cartes_cli.i18n import language

    return "fr, en;q=0.5" if language() == "fr" else "en"


@functools.cache
def default_verify() -> ssl.SSLContext | bool:
    """TLS verification through the OS trust store (truststore) when available.

    Public administrations sit behind proxies that re-sign TLS with a certificate installed in the
    system store; certifi's bundle would reject them. Falls back to httpx's default (certifi).
    One context per process, shared by every client (an SSL context is safe to share between
    threads, and building one costs milliseconds at start-up).
    """
    try:
        import truststore
    except ImportError:  # pragma: no cover - truststore is a declared dependency
        return True
    try:
        context: ssl.SSLContext = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    except Exception:  # pragma: no cover - unusual platforms where truststore cannot start
        return True
    return context


def url_without_query(url: httpx.URL | str) -> str:
    """``scheme://host[:port]/path``: no query, fragment or credentials (they may carry secrets)."""
    text = str(url)
    for sep in ("?", "#"):
        text = text.split(sep, 1)[0]
    scheme, sep, rest = text.partition("://")
    if sep and "@" in rest.split("/", 1)[0]:
        rest = rest.split("@", 1)[1]
        text = f"{scheme}://{rest}"
    return text


def host_label(url: httpx.URL | str) -> str:
    """``host`` or ``host:port`` when the port is explicit (``127.0.0.1:8123``)."""
    from urllib.parse import urlsplit

    parts = urlsplit(str(url))
    host = parts.hostname or str(url)
    if ":" in host:  # IPv6
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


def exception_chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from (``__cause__``, else ``__context__``), at most 10."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _timeout_of(exc: BaseException, kind: str) -> float | None:
    request = getattr(exc, "_request", None)  # httpx stores it there; .request raises if unset
    if request is None:
        return None
    timeouts = request.extensions.get("timeout") or {}
    value = timeouts.get(kind)
    return float(value) if isinstance(value, (int, float)) else None


def _seconds(value: float | None, without: str, with_seconds: str) -> str:
    """One of two whole (translatable) phrases, depending on whether the time-out is known."""
    return without if value is None else with_seconds.format(seconds=f"{value:g}")


def describe_transport_failure(exc: BaseException) -> str:
    """The reason part of the sentence: ``connection refused``, ``no answer within 30 s``…"""
    chain = exception_chain(exc)
    names = {type(e).__name__ for e in chain}
    text = " ".join(str(e) for e in chain).lower()

    for e in chain:
        if isinstance(e, ssl.SSLCertVerificationError):
            reason = getattr(e, "verify_message", None) or "certificate verify failed"
            return _(
                "its TLS certificate could not be verified ({reason}); if a proxy re-signs TLS, "
                "install its certificate in the system trust store"
            ).format(reason=reason)
    if "certificate_verify_failed" in text or "certificate verify failed" in text:
        return _(
            "its TLS certificate could not be verified; if a proxy re-signs TLS, "
            "install its certificate in the system trust store"
        )
    if any(isinstance(e, ssl.SSLError) for e in chain) or "[ssl" in text:
        return _("the TLS handshake failed")

    if "ConnectTimeout" in names:
        return _seconds(
            _timeout_of(exc, "connect"),
            _("the connection timed out"),
            _("the connection timed out after {seconds} s"),
        )
    if "ReadTimeout" in names:
        return _seconds(
            _timeout_of(exc, "read"), _("no answer (time-out)"), _("no answer within {seconds} s (time-out)")
        )
    if "WriteTimeout" in names:
        return _seconds(
            _timeout_of(exc, "write"),
            _("sending the request timed out"),
            _("sending the request timed out after {seconds} s"),
        )
    if "PoolTimeout" in names:
        return _seconds(
            _timeout_of(exc, "pool"),
            _("no free connection (too many requests at once)"),
            _("no free connection within {seconds} s (too many requests at once)"),
        )

    for e in chain:
        if isinstance(e, ConnectionRefusedError):
            return _("connection refused")
        if isinstance(e, socket.gaierror):
            return _("the host name could not be resolved (check the address, the network and DNS)")
        if isinstance(e, ConnectionResetError):
            return _("the connection was reset")
        if isinstance(e, OSError) and e.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return _("the network is unreachable")
    if "connection refused" in text:
        return _("connection refused")
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return _("the host name could not be resolved (check the address, the network and DNS)")
    if "ProxyError" in names:
        return _("the proxy refused the connection")
    if "RemoteProtocolError" in names or "server disconnected" in text:
        return _("the server closed the connection unexpectedly")
    if "UnsupportedProtocol" in names:
        return _("the URL scheme is not supported (use https://)")
    if "ReadError" in names or "WriteError" in names:
        return _("the connection was interrupted")
    if isinstance(exc, TimeoutError) or "timed out" in text:
        return _("the request timed out")
    return _("the request failed ({kind})").format(kind=type(exc).__name__)


def transport_error(exc: BaseException, url: httpx.URL | str) -> TransportError:
    """Turn an httpx transport failure into ``TransportError``: one sentence naming the host.

    >>> str(transport_error(ConnectionRefusedError(111, "refused"), "http://127.0.0.1:8123/api/x"))
    'Cannot reach 127.0.0.1:8123: connection refused.'
    """
    reason = describe_transport_failure(exc)
    message = _("Cannot reach {host}: {reason}.").format(host=host_label(url), reason=reason)
    return TransportError(message, url=url_without_query(url))
