"""Signed-in people for page tests: each with their own cookies, all through one TestClient.

One ``TestClient`` means one event loop, as in the real server; each person keeps their own
session, CSRF and language cookies between requests.
"""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def token_of(html: str) -> str:
    """The CSRF token a page's form carries."""
    m = _CSRF.search(html)
    assert m, "the page carries a CSRF token"
    return m.group(1)


class As:
    """One signed-in person on the shared test client."""

    def __init__(self, client: TestClient, name: str, password: str, lang: str = "zh") -> None:
        self.client, self.app = client, client.app
        self.jar = httpx.Cookies()
        page = self.get(f"/login?lang={lang}")
        r = self.post("/login", data={"username": name, "password": password, "csrf_token": token_of(page.text),
                                      "next": "/drills"}, follow_redirects=False)
        assert r.status_code == 303, r.text[:300]

    def _call(self, method: str, url: str, **kw):
        self.client.cookies = self.jar
        try:
            return getattr(self.client, method)(url, **kw)
        finally:
            self.jar = httpx.Cookies(self.client.cookies)
            self.client.cookies = httpx.Cookies()

    def get(self, url: str, **kw):
        return self._call("get", url, **kw)

    def post(self, url: str, **kw):
        return self._call("post", url, **kw)

    def form(self, page_url: str, url: str, data: dict, **kw):
        """POST ``data`` to ``url`` with the CSRF token of ``page_url``."""
        token = token_of(self.get(page_url).text)
        return self.post(url, data={"csrf_token": token, **data}, follow_redirects=False, **kw)


def sign_in(client: TestClient, username: str, password: str) -> None:
    """Sign ``client`` itself in (its own cookie jar)."""
    token = token_of(client.get("/login").text)
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
