"""HTTP plumbing shared by ``auth`` and ``client`` (and the CLI's completion fetcher).

Nothing here is about logging in or about the Entrepôt API: TLS set-up through the operating
system's trust store, the User-Agent and Accept-Language cartes sends, turning an httpx transport
failure into one clear sentence naming the host, and answers bounded in size and in time
(:func:`bound_client`). It sits below both users, beside ``errors.py`` and ``i18n.py``, so that
the layers stay ``cli > client > auth > shared`` with nothing importing upward. httpx itself is
imported lazily: naming a helper costs nothing at start-up.
"""

from __future__ import annotations

import errno
import functools
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from cartes_cli import __version__
from cartes_cli.errors import ResponseTooLarge, TransportError
from cartes_cli.i18n import _

if TYPE_CHECKING:
    import httpx

__all__ = [
    "API_MAX_BYTES",
    "LOGIN_MAX_BYTES",
    "Closing",
    "accept_language",
    "bound_client",
    "default_user_agent",
    "default_verify",
    "exception_chain",
    "host_label",
    "transport_error",
    "url_without_query",
]


class Closing:
    """``with`` support for whatever holds connections or a socket and has ``close()``."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


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


# --- answers with a size and a deadline -------------------------------------------------------------

API_MAX_BYTES = 16 * 1024 * 1024
"""The largest Entrepôt API answer cartes reads: a page of 100 communities is about 60 KB."""
LOGIN_MAX_BYTES = 1024 * 1024
"""The largest answer of the login server (tokens, keys, discovery, its login page)."""

_deadline = threading.local()
"""``.at``: the ``time.monotonic()`` by which the answer being read must be complete (None: none)."""


def _remaining(timeout: float | None) -> float | None:
    at: float | None = getattr(_deadline, "at", None)
    if at is None:
        return timeout
    import httpcore

    left = at - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the answer did not arrive in time")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream:
    """A network stream whose reads never wait past the answer's deadline: a server that trickles
    its headers one byte at a time meets the deadline, not only the time-out of each read."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _remaining(timeout))  # type: ignore[no-any-return]

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, *args: Any, **kwargs: Any) -> _DeadlineStream:
        return _DeadlineStream(self._inner.start_tls(*args, **kwargs))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend:
    """httpcore's network backend, with :class:`_DeadlineStream` streams."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def connect_tcp(self, *args: Any, **kwargs: Any) -> _DeadlineStream:
        return _DeadlineStream(self._inner.connect_tcp(*args, **kwargs))

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> _DeadlineStream:
        return _DeadlineStream(self._inner.connect_unix_socket(*args, **kwargs))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _too_large(host: str, max_bytes: int) -> ResponseTooLarge:
    size = f"{max_bytes / (1024 * 1024):g}"
    return ResponseTooLarge(
        _("The answer of {host} is larger than {size} MiB; cartes stopped reading it.").format(
            host=host, size=size
        )
    )


def bound_client(client: httpx.Client, *, deadline: float, max_bytes: int) -> httpx.Client:
    """Make ``client`` read each answer within ``deadline`` seconds in all, headers included, and
    at most ``max_bytes`` long; returns the client.

    A server that sends an endless body, or one byte a second, would otherwise hold the CLI and its
    memory for ever: ``CARTES_TIMEOUT`` bounds each read, not the answer. Past the deadline the
    read fails as a time-out (``httpx.ReadTimeout``, retried like any other); past the size, with
    :class:`~cartes_cli.errors.ResponseTooLarge`.

    Every transport of the client is wrapped (the default one and those httpx mounted for the
    environment's proxies), so ``trust_env`` keeps working. The deadline reaches the header reads
    through httpcore's network backend, which httpx does not expose: where a transport has none
    (another httpx), the body is still bounded and the headers keep the per-read time-out.
    """
    import httpx

    class _BoundedBody(httpx.SyncByteStream):
        def __init__(self, inner: httpx.SyncByteStream, at: float, url: httpx.URL) -> None:
            self._inner = inner
            self._at = at
            self._url = url  # named in the error only: its label is not made for every answer

        def __iter__(self) -> Iterator[bytes]:
            size = 0
            previous = getattr(_deadline, "at", None)
            _deadline.at = self._at
            try:
                for chunk in self._inner:
                    size += len(chunk)
                    if size > max_bytes:
                        raise _too_large(host_label(self._url), max_bytes)
                    if time.monotonic() > self._at:
                        raise httpx.ReadTimeout("the answer did not arrive in time")
                    yield chunk
            finally:
                _deadline.at = previous

        def close(self) -> None:
            self._inner.close()

    class _Bounded(httpx.BaseTransport):
        def __init__(self, inner: httpx.BaseTransport) -> None:
            self._inner = inner
            pool = getattr(inner, "_pool", None)  # httpcore's pool, and its network backend
            backend = getattr(pool, "_network_backend", None)
            if backend is not None and not isinstance(backend, _DeadlineBackend):
                pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            at = time.monotonic() + deadline
            previous = getattr(_deadline, "at", None)
            _deadline.at = at
            try:
                response = self._inner.handle_request(request)
            finally:
                _deadline.at = previous
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > max_bytes:
                response.close()
                raise _too_large(host_label(request.url), max_bytes)
            if isinstance(response.stream, httpx.SyncByteStream):
                response.stream = _BoundedBody(response.stream, at, request.url)
            return response

        def close(self) -> None:
            self._inner.close()

    transport = getattr(client, "_transport", None)
    if isinstance(transport, httpx.BaseTransport) and not isinstance(transport, _Bounded):
        client._transport = _Bounded(transport)
    mounts = getattr(client, "_mounts", None)
    if isinstance(mounts, dict):
        for pattern, mounted in list(mounts.items()):
            if isinstance(mounted, httpx.BaseTransport):
                mounts[pattern] = _Bounded(mounted)
    return client
