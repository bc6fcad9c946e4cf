"""Web fixtures: the app on a migrated database (SQLite and PostgreSQL) with the built-in library loaded."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ccdrill.app import create_app
from ccdrill.config import Settings
from tests.people import sign_in, token_of


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
    return token_of(page.text)


def count_versions(engine) -> tuple[int, int]:
    from ccdrill.store import documents
    from ccdrill.store.db import session_factory

    with session_factory(engine)() as s:
        return (
            sum(p.versions for p in documents.list_plans(s)),
            sum(p.versions for p in documents.list_programmes(s)),
        )
