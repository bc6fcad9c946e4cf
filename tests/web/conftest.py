"""Web fixtures: the app on a migrated database (SQLite and PostgreSQL) with the built-in library loaded."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from ccdrill.app import create_app
from ccdrill.config import Settings


@pytest.fixture
def library_db(engine):
    """The migrated database of ``engine`` with the built-in library stored in it."""
    from ccdrill.store import documents
    from ccdrill.store.db import unit_of_work

    with unit_of_work(engine) as session:
        documents.load_library(session)
    return engine


@pytest.fixture
def app(library_db, tmp_path):
    url = library_db.url.render_as_string(hide_password=False)
    return create_app(Settings(database_url=url, secret_key="test-secret"))


@pytest.fixture
def client(app):
    with TestClient(app, raise_server_exceptions=True) as c:
        yield c


UPLOADER, UPLOADER_PASSWORD = "uploader", "uploader-pass-1"


def sign_in(client, username: str, password: str) -> None:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text


@pytest.fixture
def planner(client, library_db):
    """The client, signed in as a planner (who may upload)."""
    from ccdrill.store import users
    from ccdrill.store.db import unit_of_work

    with unit_of_work(library_db) as s:
        users.create_user(s, UPLOADER, UPLOADER_PASSWORD, planner=True)
    sign_in(client, UPLOADER, UPLOADER_PASSWORD)
    return client


@pytest.fixture
def csrf(planner) -> str:
    """The CSRF token a signed-in planner gets with the upload form (and the cookie that goes with it)."""
    client = planner
    page = client.get("/upload")
    m = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert m, "the upload form carries a CSRF token"
    return m.group(1)


def count_versions(engine) -> tuple[int, int]:
    from ccdrill.store import documents
    from ccdrill.store.db import session_factory

    with session_factory(engine)() as s:
        return (
            sum(p.versions for p in documents.list_plans(s)),
            sum(p.versions for p in documents.list_programmes(s)),
        )
