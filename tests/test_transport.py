"""Transport failures become one sentence naming the host."""

from __future__ import annotations

import socket

import httpx
import pytest

from cartes_cli.errors import TransportError
from cartes_cli.transport import default_user_agent, host_label, transport_error, url_without_query

URL = "https://data.test/api/users/me?token=SECRET"


def chained(outer: BaseException, inner: BaseException) -> BaseException:
    outer.__cause__ = inner
    return outer


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (chained(httpx.ConnectError("x"), ConnectionRefusedError(111, "refused")), "connection refused"),
        (
            chained(httpx.ConnectError("x"), socket.gaierror(-2, "Name or service not known")),
            "could not be resolved",
        ),
        (
            httpx.ConnectError("[Errno -3] Temporary failure in name resolution getaddrinfo"),
            "could not be resolved",
        ),
        (chained(httpx.ReadError("x"), ConnectionResetError(104, "reset")), "the connection was reset"),
        (chained(httpx.ConnectError("x"), OSError(101, "Network is unreachable")), "network is unreachable"),
        (
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            "closed the connection",
        ),
        (httpx.ConnectTimeout("timed out"), "the connection timed out"),
        (httpx.ReadTimeout("timed out"), "no answer (time-out)"),
        (httpx.WriteTimeout("timed out"), "sending the request timed out"),
        (httpx.PoolTimeout("x"), "no free connection (too many requests at once)"),
        (httpx.ProxyError("407"), "the proxy refused the connection"),
        (httpx.UnsupportedProtocol("ftp"), "URL scheme is not supported"),
        (httpx.ConnectError("[SSL: WRONG_VERSION_NUMBER] wrong version number"), "TLS handshake failed"),
        (httpx.ReadError("x"), "the connection was interrupted"),
        (RuntimeError("weird"), "the request failed (RuntimeError)"),
    ],
)
def test_reasons(exc: BaseException, reason: str) -> None:
    error = transport_error(exc, URL)
    assert isinstance(error, TransportError)
    message = str(error)
    assert message.startswith("Cannot reach data.test: ")
    assert message.endswith(".")
    assert reason in message
    assert "SECRET" not in message
    assert error.url == "https://data.test/api/users/me"


def test_timeouts_name_the_delay() -> None:
    request = httpx.Request(
        "GET", URL, extensions={"timeout": {"connect": 5.0, "read": 30.0, "write": 1, "pool": 2}}
    )
    assert str(transport_error(httpx.ReadTimeout("t", request=request), URL)).endswith(
        "no answer within 30 s (time-out)."
    )
    assert "timed out after 5 s" in str(transport_error(httpx.ConnectTimeout("t", request=request), URL))


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("https://data.geopf.fr/api/x", "data.geopf.fr"),
        ("http://127.0.0.1:8123/api", "127.0.0.1:8123"),
        ("http://[::1]:9000/api", "[::1]:9000"),
        ("https://user:pw@host.test:8443/", "host.test:8443"),
    ],
)
def test_host_label(url: str, label: str) -> None:
    assert host_label(url) == label


def test_url_without_query() -> None:
    assert url_without_query("https://u:p@h.test/a/b?code=1#frag") == "https://h.test/a/b"
    assert url_without_query(httpx.URL("https://h.test/a?x=1")) == "https://h.test/a"


def test_user_agent() -> None:
    from cartes_cli import __version__

    assert default_user_agent() == f"cartes/{__version__}"
