"""A script that plays the browser: follows the login pages of the sandbox over plain HTTP.

It reads forms with the standard library's HTML parser, fills the fields a person would fill,
submits them, and follows redirects until the loopback listener of ``cartes login --web``
(or the end of a device verification) is reached. No JavaScript is involved, as on the real
Keycloak pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx


@dataclass
class Form:
    action: str
    method: str = "post"
    fields: dict[str, str] = field(default_factory=dict)
    inputs: list[tuple[str, str, str]] = field(default_factory=list)  # (type, name, value)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # (name, value, text)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._current: Form | None = None
        self._button: list[str] | None = None
        self.text: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            self._current = Form(action=a.get("action", ""), method=(a.get("method") or "get").lower())
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None:
            kind = a.get("type", "text").lower()
            name = a.get("name", "")
            if kind == "submit":
                self._current.buttons.append((name, a.get("value", ""), a.get("value", "")))
            elif name:
                self._current.inputs.append((kind, name, a.get("value", "")))
                if kind in ("hidden",) or (kind in ("radio", "checkbox") and "checked" in a):
                    self._current.fields[name] = a.get("value", "")
        elif tag == "button" and self._current is not None:
            self._button = [a.get("name", ""), a.get("value", ""), ""]

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._button is not None:
            self._button[2] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None and self._current is not None:
            name, value, text = self._button
            self._current.buttons.append((name, value, text.strip()))
            self._button = None
        elif tag == "form":
            self._current = None


def parse_forms(html: str) -> tuple[list[Form], str]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms, " ".join(" ".join(parser.text).split())


class Browser:
    """An httpx client with cookies that walks the sandbox's login pages."""

    def __init__(self) -> None:
        self.http = httpx.Client(follow_redirects=False, timeout=15)
        self.url = ""
        self.html = ""

    def close(self) -> None:
        self.http.close()

    def get(self, url: str) -> httpx.Response:
        return self._follow(self.http.get(url))

    def submit(self, form: Form, values: dict[str, str], button: str | None = None) -> httpx.Response:
        data = dict(form.fields)
        data.update(values)
        if button is not None:
            for name, value, text in form.buttons:
                if button.lower() in (text.lower(), value.lower(), name.lower()):
                    if name:
                        data[name] = value
                    break
            else:
                raise AssertionError(f"no button {button!r} in {form.buttons}")
        action = urljoin(self.url, form.action or self.url)
        if form.method == "get":
            return self._follow(self.http.get(action, params=data))
        return self._follow(self.http.post(action, data=data))

    def _follow(self, response: httpx.Response) -> httpx.Response:
        for _ in range(20):
            self.url = str(response.url)
            if response.status_code in (301, 302, 303, 307, 308):
                location = urljoin(self.url, response.headers["location"])
                host = urlsplit(location).hostname
                if host not in ("127.0.0.1", "localhost"):
                    raise AssertionError(f"redirect off this machine: {location}")
                response = self.http.get(location)
                continue
            self.html = response.text
            return response
        raise AssertionError("too many redirects")

    def forms(self) -> list[Form]:
        return parse_forms(self.html)[0]

    def page_text(self) -> str:
        return parse_forms(self.html)[1]

    def links(self) -> list[str]:
        parser = _FormParser()
        parser.feed(self.html)
        return [urljoin(self.url, href) for href in parser.links]

    def form_with(self, field_name: str) -> Form:
        for form in self.forms():
            if any(name == field_name for _kind, name, _v in form.inputs):
                return form
        raise AssertionError(f"no form with a {field_name!r} field on {self.url}: {self.page_text()[:500]}")
