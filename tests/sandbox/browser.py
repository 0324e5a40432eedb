"""A tiny "browser" for the sandbox's login pages: parses forms and links with the standard
library's html.parser, posts forms over HTTP and follows redirects by hand. It does what a
script driving the real Keycloak pages would do."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from .conftest import DEMO_PASSWORD, Harness

REALM = "/realms/geoplateforme"
AUTH_PATH = f"{REALM}/protocol/openid-connect/auth"
REDIRECT_URI = "http://127.0.0.1:53682/callback"


@dataclass
class Form:
    id: str
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    submits: list[str] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: dict[str, Form] = {}
        self.links: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.texts: list[str] = []
        self.lang = ""
        self._form: Form | None = None
        self._label_for: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        elif tag == "form":
            self._form = Form(a.get("id", ""), a.get("action", ""), a.get("method", "get").lower())
        elif tag in ("input", "button") and self._form is not None:
            kind = a.get("type", "text" if tag == "input" else "submit")
            if kind in ("submit", "button", "image"):
                self._form.submits.append(a.get("id", ""))
            elif a.get("name"):
                self._form.fields[a["name"]] = a.get("value", "")
        elif tag == "a" and a.get("id") and a.get("href"):
            self.links[a["id"]] = a["href"]
        elif tag == "label":
            self._label_for = a.get("for")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            self.forms[self._form.id] = self._form
            self._form = None
        elif tag == "label":
            self._label_for = None

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append(data.strip())
            if self._label_for:
                self.labels[self._label_for] = self.labels.get(self._label_for, "") + data.strip()


@dataclass
class Page:
    response: httpx.Response
    forms: dict[str, Form]
    links: dict[str, str]
    labels: dict[str, str]
    text: str
    lang: str

    def form(self, form_id: str) -> Form:
        assert form_id in self.forms, f"no form {form_id!r} in {list(self.forms)}: {self.text[:300]}"
        return self.forms[form_id]


def parse(response: httpx.Response) -> Page:
    assert response.headers["content-type"].startswith("text/html"), response.text[:200]
    parser = _Parser()
    parser.feed(response.text)
    return Page(response, parser.forms, parser.links, parser.labels, " ".join(parser.texts), parser.lang)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def location_params(response: httpx.Response) -> dict[str, str]:
    """The query (or fragment) parameters of a redirect's Location."""
    assert response.status_code == 302, (response.status_code, response.text[:300])
    parts = urlsplit(response.headers["location"])
    return {k: v[0] for k, v in parse_qs(parts.query or parts.fragment).items()}


@dataclass
class Authorization:
    """One authorization request in flight: what the application remembers."""

    verifier: str
    challenge: str
    state: str
    nonce: str
    redirect_uri: str
    client_id: str
    response: httpx.Response


class Browser:
    def __init__(self, sb: Harness) -> None:
        self.sb = sb

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self.sb.client.get(url, **kw)

    def authorize(
        self,
        *,
        client_id: str = "cartes-cli",
        redirect_uri: str = REDIRECT_URI,
        pkce: bool = True,
        **extra: str,
    ) -> Authorization:
        verifier, challenge = pkce_pair()
        params = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": "openid",
            "state": secrets.token_urlsafe(12),
            "nonce": secrets.token_urlsafe(12),
        }
        if pkce:
            params.update(code_challenge=challenge, code_challenge_method="S256")
        params.update(extra)
        params = {k: v for k, v in params.items() if v is not None}
        response = self.get(AUTH_PATH, params=params)
        return Authorization(
            verifier,
            challenge,
            params.get("state", ""),
            params.get("nonce", ""),
            redirect_uri,
            client_id,
            response,
        )

    def submit(self, form: Form, **values: str) -> httpx.Response:
        assert form.method == "post"
        return self.sb.client.post(form.action, data={**form.fields, **values})

    def login(self, page: Page, username: str, password: str = DEMO_PASSWORD) -> httpx.Response:
        return self.submit(page.form("kc-form-login"), username=username, password=password)

    def exchange(self, auth: Authorization, code: str, /, **overrides: str | None) -> httpx.Response:
        form = {
            "grant_type": "authorization_code",
            "client_id": auth.client_id,
            "code": code,
            "redirect_uri": auth.redirect_uri,
            "code_verifier": auth.verifier,
            **overrides,
        }
        return self.sb.token_request(**{k: v for k, v in form.items() if v is not None})

    def code_for(
        self, username: str, password: str = DEMO_PASSWORD, **authorize: str
    ) -> tuple[Authorization, str]:
        """Log in through the pages (no second factor) and return the authorization and its code."""
        auth = self.authorize(**authorize)
        response = self.login(parse(auth.response), username, password)
        params = location_params(response)
        assert params["state"] == auth.state
        return auth, params["code"]
