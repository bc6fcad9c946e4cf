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


@pytest.fixture
def csrf(client) -> str:
    """The CSRF token a user gets with the upload form (and the cookie that goes with it)."""
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
