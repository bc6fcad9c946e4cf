"""Evaluation-page fixtures: the app on a migrated database (SQLite and PostgreSQL) with the library and
the drill test accounts; drills played headless by autoplay; signed-in people with their own cookies."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi.testclient import TestClient

from ccdrill.app import create_app
from ccdrill.auth.permissions import User
from ccdrill.config import Settings
from tests.asyncutil import run_async
from tests.drills.conftest import PASSWORD, PROGRAMME, add_people, assignments

PLANNER = User("planner", is_planner=True)


@pytest.fixture
def library_db(engine):
    from ccdrill.store import documents
    from ccdrill.store.db import unit_of_work

    with unit_of_work(engine) as session:
        documents.load_library(session)
    return engine


@pytest.fixture
def people(library_db):
    return add_people(library_db)


@pytest.fixture
def app(library_db, people):
    url = library_db.url.render_as_string(hide_password=False)
    return create_app(Settings(database_url=url, secret_key="test-secret"),
                      service_options={"run_schedule": False})


@pytest.fixture
def client(app):
    with TestClient(app, raise_server_exceptions=True) as c:
        yield c


@pytest.fixture
def side(library_db):
    """A second drill service on the same database (as another worker would be) to play drills."""
    from ccdrill.live.service import DrillService

    return DrillService(library_db, run_schedule=False, listen=False)


def play(side, seed: int = 3) -> int:
    """A whole drill of the network-failure programme, run headless to its end."""
    from ccdrill.live.autoplay import autoplay

    return run_async(autoplay(side, programme=PROGRAMME, actor=PLANNER, speed=60, seed=seed,
                                assignments=assignments()))


def act(side, drill: int, who: str, kind: str, **payload) -> None:
    run_async(side.act(drill, user=User(who), kind=kind, payload=payload))


@pytest.fixture
def played(side) -> int:
    return play(side)


class As:
    """One signed-in person on the shared test client, with their own cookies."""

    def __init__(self, client: TestClient, name: str, lang: str = "zh") -> None:
        self.client = client
        self.jar = httpx.Cookies()
        page = self.get(f"/login?lang={lang}")
        r = self.post("/login", data={"username": name, "password": PASSWORD, "csrf_token": token_of(page.text),
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


def token_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def who(client):
    cache: dict[tuple[str, str], As] = {}

    def get(name: str, lang: str = "zh") -> As:
        if (name, lang) not in cache:
            cache[(name, lang)] = As(client, name, lang)
        return cache[(name, lang)]

    return get
