"""Browser login: OAuth 2.0 authorization code with PKCE (S256), with a one-shot loopback
redirect (:class:`WebLogin`) or, for a client whose only redirect is a page on the platform's side
(the real platform's gpf-warehouse), with the address pasted back (:class:`PastedLogin`).

Flow (RFC 6749 §4.1, RFC 7636, RFC 8252 "OAuth for native apps")::

    login = WebLogin(oidc, open_browser=webbrowser.open)   # listens on 127.0.0.1:<free port>
    print(login.authorization_url)                          # available before waiting
    tokens = login.wait()                                   # opens the browser, waits, exchanges

The listener accepts exactly one redirect on ``/callback`` with this login's ``state``, answers the
browser with a short bilingual page, and stops. A callback with another ``state`` (any local
process, or a web page guessing the port) is answered with an error page and ignored: it neither
ends the login nor is exchanged.
Other paths (``/favicon.ico``…) get a 404 and are otherwise ignored. The browser is any browser:
FranceConnect and ProConnect appear there, brokered by Keycloak.

Nothing here prints: the caller shows ``authorization_url`` and decides how to open a browser.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, TypedDict, Unpack
from urllib.parse import parse_qs, urlencode, urlsplit

from cartes_cli.auth.idtoken import check_id_token
from cartes_cli.errors import ConfigError, InvalidResponse, LoginRefused, LoginTimedOut, UsageError
from cartes_cli.i18n import _
from cartes_cli.transport import Closing

if TYPE_CHECKING:
    from cartes_cli.auth.oidc import OIDCClient
    from cartes_cli.auth.tokens import TokenSet

__all__ = [
    "CALLBACK_PATH",
    "DEFAULT_TIMEOUT",
    "PasteRejected",
    "PastedLogin",
    "WebLogin",
    "code_challenge",
    "new_code_verifier",
]

CALLBACK_PATH = "/callback"
DEFAULT_TIMEOUT = 300.0

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def new_code_verifier(length: int = 64) -> str:
    """A PKCE ``code_verifier`` (RFC 7636 §4.1): ``length`` unreserved characters, 43 to 128."""
    if not 43 <= length <= 128:
        raise ValueError("a PKCE code verifier has 43 to 128 characters")
    verifier = secrets.token_urlsafe(length)[:length]  # token_urlsafe gives ~1.3 characters per byte
    assert set(verifier) <= _UNRESERVED
    return verifier


def code_challenge(verifier: str) -> str:
    """``BASE64URL(SHA256(verifier))`` without padding (the S256 method)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


# --- the page the browser shows -----------------------------------------------------------

_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>cartes</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#161616}}
h1{{font-size:1.4rem}}p{{line-height:1.5}}.en{{color:#555}}</style></head>
<body><h1>{title_fr}</h1><p>{body_fr}</p><h1 class="en" lang="en">{title_en}</h1>
<p class="en" lang="en">{body_en}</p></body></html>
"""


def _page(title_fr: str, body_fr: str, title_en: str, body_en: str) -> bytes:
    return _PAGE.format(
        title_fr=html.escape(title_fr),
        body_fr=html.escape(body_fr),
        title_en=html.escape(title_en),
        body_en=html.escape(body_en),
    ).encode("utf-8")


_SUCCESS = _page(
    "Connexion réussie",
    "Vous pouvez fermer cet onglet et revenir au terminal.",
    "Logged in",
    "You may close this tab and go back to the terminal.",
)


def _failure(detail_fr: str, detail_en: str | None = None) -> bytes:
    return _page(
        "La connexion a échoué",
        f"{detail_fr} Vous pouvez fermer cet onglet.",
        "Login failed",
        f"{detail_en if detail_en is not None else detail_fr} You may close this tab.",
    )


def _printable(text: str, limit: int = 300) -> str:
    """Text from the browser's URL, safe for a terminal: no control characters, bounded."""
    return "".join(c if c.isprintable() else " " for c in text).strip()[:limit]


_NOT_FOUND = _page("Introuvable", "Cette adresse ne sert à rien ici.", "Not found", "Nothing here.")


# --- the loopback listener ----------------------------------------------------------------


@dataclass(frozen=True)
class _Redirect:
    """What came back on ``/callback``."""

    code: str | None = None
    error: str | None = None
    error_description: str | None = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True  # a fixed port in TIME_WAIT from the last run is usable at once
    allow_reuse_port = False  # but never shared with another listener
    expected_state: str = ""
    result: _Redirect | None = None
    done: threading.Event
    lock: threading.Lock


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 10  # a connection that sends nothing (browser pre-connect) is dropped after 10 s
    server_version = "cartes"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        """Silence: the standard handler writes every request to stderr."""

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True

    def do_HEAD(self) -> None:
        self._answer(404, _NOT_FOUND)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != CALLBACK_PATH:
            self._answer(404, _NOT_FOUND)
            return
        query = parse_qs(parts.query, keep_blank_values=True)

        def one(name: str) -> str | None:
            values = query.get(name)
            return values[0] if values else None

        state = one("state") or ""
        if not secrets.compare_digest(state.encode(), self.server.expected_state.encode()):
            # Not this login's answer: any local process, or a web page guessing the port, can call
            # here. Answered and ignored; the login goes on waiting for its own answer.
            self._answer(
                400,
                _failure(
                    "La réponse ne correspond pas à cette connexion (state) ; elle est ignorée.",
                    "This answer does not belong to this login (state mismatch); it is ignored.",
                ),
            )
            return
        redirect = _Redirect(code=one("code"), error=one("error"), error_description=one("error_description"))
        if redirect.error:
            body = _failure(_printable(redirect.error_description or redirect.error))
            status = 400
        elif not redirect.code:
            body = _failure("Aucun code d'autorisation.", "No authorization code.")
            status = 400
        else:
            body, status = _SUCCESS, 200
        with self.server.lock:
            first = self.server.result is None
            if first:
                self.server.result = redirect
        if not first:  # a second redirect after the first one: the login is over already
            finished = _failure("Cette connexion est déjà terminée.", "This login is already finished.")
            self._answer(409, finished)
            return
        self._answer(status, body)
        self.server.done.set()


# --- the login ----------------------------------------------------------------------------


class FlowOptions(TypedDict, total=False):
    """What a browser login may change (see ``_CodeFlow``), for both kinds alike."""

    client_id: str | None
    scope: str
    extra_params: Mapping[str, str] | None
    verify_signature: bool


class _CodeFlow:
    """What both browser logins share: PKCE, ``state`` and ``nonce``, the authorization URL, a
    check of that URL before the person is sent to it, and the checks and exchange of the answer.

    ``client_id`` defaults to the platform's ``web_client_id``; the client's secret (a
    confidential client such as gpf-warehouse) is the platform's, see ``OIDCClient``. Refresh the
    resulting tokens with an ``OIDCClient`` for that same client id (:attr:`client_id`).
    ``extra_params`` go into the authorization URL (``ui_locales``, ``kc_idp_hint``, ``kc_action``,
    ``login_hint``…). ``verify_signature`` checks the ID token's RS256 signature against the realm's
    JWKS (one extra request); the ``nonce``, issuer, audience and expiry are always checked.
    """

    redirect_uri: str

    def __init__(
        self,
        oidc: OIDCClient,
        *,
        client_id: str | None = None,
        scope: str = "openid",
        extra_params: Mapping[str, str] | None = None,
        verify_signature: bool = True,
    ) -> None:
        self._oidc = oidc.with_client_id(client_id or oidc.platform.web_client_id)
        self.client_id = self._oidc.client_id
        self._scope = scope
        self._extra = dict(extra_params or {})
        self._verify_signature = verify_signature
        self.code_verifier = new_code_verifier()
        self.state = secrets.token_urlsafe(32)
        self.nonce = secrets.token_urlsafe(32)
        self._authorization_url: str | None = None

    @property
    def authorization_url(self) -> str:
        """The URL to open in a browser (discovery runs on first access)."""
        if self._authorization_url is None:
            params = {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": self.redirect_uri,
                "scope": self._scope,
                "state": self.state,
                "nonce": self.nonce,
                "code_challenge": code_challenge(self.code_verifier),
                "code_challenge_method": "S256",
                **self._extra,
            }
            endpoint = self._oidc.endpoint("authorization_endpoint")
            separator = "&" if "?" in endpoint else "?"
            self._authorization_url = f"{endpoint}{separator}{urlencode(params)}"
        return self._authorization_url

    def check(self) -> None:
        """Ask the login server whether it accepts this login request, before sending a person
        to it: Keycloak shows an unknown client or an unregistered redirect URI as an error *page*
        in the browser ("Invalid parameter: redirect_uri"), which cartes would never see."""
        self._oidc.check_authorization_request(self.authorization_url, redirect_uri=self.redirect_uri)

    def _finish(self, redirect: _Redirect) -> TokenSet:
        if redirect.error:
            description = _printable(redirect.error_description or "")
            code = _printable(redirect.error, 60)
            if code == "access_denied":
                text = (
                    _("The login was declined in the browser: {reason}.")
                    if description
                    else _("The login was declined in the browser.")
                )
            else:
                text = (
                    _("The login server refused the login ({code}): {reason}.")
                    if description
                    else _("The login server refused the login ({code}).")
                )
            raise LoginRefused(
                text.format(code=code, reason=description),
                error=code,
                messages=[description] if description else [],
            )
        if not redirect.code:
            raise InvalidResponse(_("The browser's answer carried no authorization code; try again."))
        tokens = self._oidc.authorization_code(
            redirect.code, redirect_uri=self.redirect_uri, code_verifier=self.code_verifier
        )
        if tokens.id_token is not None:
            discovery = self._oidc.discovery()
            check_id_token(
                tokens.id_token.get_secret_value(),
                issuer=str(discovery.get("issuer") or self._oidc.platform.issuer),
                client_id=self.client_id,
                nonce=self.nonce,
                now=time.time(),
                jwks=(lambda refresh: self._oidc.jwks(refresh=refresh)) if self._verify_signature else None,
            )
        return tokens


class WebLogin(_CodeFlow, Closing):
    """One browser login with a loopback redirect. The port is taken at construction (``port=0``:
    a free one), so :attr:`redirect_uri` and :attr:`authorization_url` are known before
    :meth:`wait`. ``open_browser(url) -> bool`` is called by :meth:`wait`.
    """

    def __init__(
        self,
        oidc: OIDCClient,
        *,
        open_browser: Callable[[str], bool] | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        port: int = 0,
        host: str = "127.0.0.1",
        clock: Callable[[], float] = time.monotonic,
        **flow: Unpack[FlowOptions],
    ) -> None:
        super().__init__(oidc, **flow)
        self._open_browser = open_browser
        self.timeout = timeout
        self._clock = clock
        self.browser_opened: bool | None = None
        """What ``open_browser`` answered (None: not called yet, or no opener)."""
        try:
            self._server = _Server((host, port), _Handler)
        except OSError as exc:
            raise ConfigError(
                _(
                    "Cannot listen on {address} for the browser's answer ({reason}); choose another port."
                ).format(address=f"{host}:{port}", reason=exc.strerror or type(exc).__name__)
            ) from None
        self._server.expected_state = self.state
        self._server.done = threading.Event()
        self._server.lock = threading.Lock()
        self.port: int = self._server.server_address[1]
        self.redirect_uri = f"http://{host}:{self.port}{CALLBACK_PATH}"
        self._thread: threading.Thread | None = None
        self._closed = False

    # --- life cycle ---------------------------------------------------------------------------

    def close(self) -> None:
        """Stop listening (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
        self._server.server_close()

    def __repr__(self) -> str:
        return f"WebLogin(client_id={self.client_id!r}, redirect_uri={self.redirect_uri!r})"

    # --- waiting ------------------------------------------------------------------------------

    def start(self) -> None:
        """Start answering the browser (``wait`` does it; idempotent)."""
        if self._closed:
            raise RuntimeError("this browser login is closed")
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.1},
                name="cartes-web-login",
                daemon=True,
            )
            self._thread.start()

    def wait(self) -> TokenSet:
        """Open the browser (if an opener was given), wait for the redirect, exchange the code.

        Raises ``LoginRefused`` (the user declined), ``LoginTimedOut`` (forged callbacks are ignored),
        ``IdTokenError`` (the ID token does not match this login), and the token endpoint's errors.
        """
        url = self.authorization_url
        try:
            self.start()
            if self._open_browser is not None:
                try:
                    self.browser_opened = bool(self._open_browser(url))
                except Exception:
                    self.browser_opened = False
            deadline = self._clock() + self.timeout
            while not self._server.done.wait(min(0.2, max(0.0, deadline - self._clock()))):
                if self._clock() >= deadline:
                    raise LoginTimedOut(
                        _(
                            "No answer from the browser within {seconds} s; the login was abandoned. "
                            "Run the login again, or use --device on a machine without a browser."
                        ).format(seconds=f"{self.timeout:g}")
                    )
            redirect = self._server.result
        finally:
            self.close()
        assert redirect is not None
        return self._finish(redirect)


# --- pasting the address back ---------------------------------------------------------------


class PasteRejected(UsageError):
    """What was pasted is not this login's answer (a foreign address, another attempt's, a
    fragment of it): nothing was sent, the person may paste again."""


_CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


class PastedLogin(_CodeFlow):
    """A browser login whose redirect URI is a page registered for the client on the platform's
    side (gpf-warehouse: the Entrepôt API's Swagger UI page), not this machine: the browser lands
    there and the person pastes that page's address, or just its ``code``, back into cartes.

    :meth:`answer` checks what was pasted (that it is the registered page, that ``state`` is this
    login's, that ``iss`` is the realm's) before exchanging anything, and raises
    :class:`PasteRejected` for a paste to be tried again. PKCE binds the code to this login even
    when only the bare code is pasted (which carries no ``state``).
    """

    def __init__(self, oidc: OIDCClient, *, redirect_uri: str, **flow: Unpack[FlowOptions]) -> None:
        super().__init__(oidc, **flow)
        self.redirect_uri = redirect_uri

    def __repr__(self) -> str:
        return f"PastedLogin(client_id={self.client_id!r}, redirect_uri={self.redirect_uri!r})"

    def parse(self, pasted: str) -> _Redirect:
        """The answer in what the person pasted, or :class:`PasteRejected` saying what is wrong."""
        text = pasted.strip().strip("<>\"'").strip()
        if not text:
            raise PasteRejected(_("Nothing was pasted."))
        if len(text) > 8192:
            raise PasteRejected(_("What was pasted is far too long to be the login's answer."))
        if "://" not in text and "=" not in text:
            if set(text) <= _CODE_CHARS and len(text) >= 8:
                return _Redirect(code=text)
            raise PasteRejected(
                _(
                    "That is neither an address nor a code; copy the whole address from the browser's "
                    "address bar."
                )
            )
        if "://" in text:
            parts = urlsplit(text)
            expected = urlsplit(self.redirect_uri)
            same_page = (
                parts.scheme.lower() == expected.scheme.lower()
                and (parts.netloc or "").lower() == (expected.netloc or "").lower()
                and parts.path.rstrip("/") == expected.path.rstrip("/")
            )
            if not same_page:
                raise PasteRejected(
                    _(
                        "That address is not the page the login ends on ({expected}); after logging in, copy "
                        "the address of the page the browser shows then."
                    ).format(expected=self.redirect_uri)
                )
            query = parts.query or parts.fragment
        else:
            query = text.lstrip("?#")
        values = parse_qs(query, keep_blank_values=True)

        def one(name: str) -> str | None:
            found = values.get(name)
            return found[0] if found else None

        if one("code") is None and one("error") is None:
            raise PasteRejected(
                _(
                    "That address carries no answer (no code): log in on the page first, then copy the "
                    "address the browser shows at the end."
                )
            )
        state = one("state")
        if state is None:
            raise PasteRejected(_("That address carries no state; copy the whole address, not a part of it."))
        if not secrets.compare_digest(state.encode(), self.state.encode()):
            raise PasteRejected(
                _(
                    "That address comes from another login attempt (its state is not this one's): open the "
                    "address printed above, log in, and paste the address where that ends."
                )
            )
        issuer = one("iss")
        if issuer is not None and issuer.rstrip("/") != self._oidc.platform.issuer.rstrip("/"):
            raise PasteRejected(
                _("That answer comes from another login server ({issuer}).").format(issuer=_printable(issuer))
            )
        return _Redirect(code=one("code"), error=one("error"), error_description=one("error_description"))

    def answer(self, pasted: str) -> TokenSet:
        """Check what was pasted and exchange its code (with PKCE and the client's secret)."""
        return self._finish(self.parse(pasted))
