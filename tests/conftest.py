"""Shared fixtures: a fresh, real database per test — SQLite always, PostgreSQL too.

``db_url``   a fresh, empty database (not migrated), once per backend:
             ``sqlite`` — a file in the test's tmp dir;
             ``postgresql`` (marked ``pg``) — ``CREATE DATABASE ccdrill_test_<random>`` on the
             server named by ``CCDRILL_TEST_PG_URL`` (default
             ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``), dropped afterwards.
             An unreachable server skips those tests, unless ``CCDRILL_REQUIRE_PG=1``
             (CI), which fails them.
``engine``   an engine on ``db_url``, migrated to the newest revision.
``session``  a session on ``engine``; whatever the test leaves uncommitted is rolled back.
``sqlite_url`` / ``sqlite_engine``  the same on SQLite only, for tests that need no matrix.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _pg_admin_url() -> str:
    from ccdrill.store.db import normalize_url

    return normalize_url(os.environ.get("CCDRILL_TEST_PG_URL") or DEFAULT_PG_URL)


@pytest.fixture(scope="session")
def pg_admin_engine():
    """An AUTOCOMMIT engine on the PostgreSQL server used to create and drop test databases."""
    from sqlalchemy import text

    from ccdrill.store.db import display_url, make_engine

    url = _pg_admin_url()
    engine = None
    try:
        engine = make_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        if engine is not None:
            engine.dispose()
        reason = f"PostgreSQL not reachable at {display_url(url)} ({type(exc).__name__}): set CCDRILL_TEST_PG_URL"
        if os.environ.get("CCDRILL_REQUIRE_PG") == "1":
            pytest.fail(reason + " (CCDRILL_REQUIRE_PG=1)", pytrace=False)
        pytest.skip(reason)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'ccdrill-test.db'}"


@pytest.fixture
def pg_url(request) -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    admin = request.getfixturevalue("pg_admin_engine")
    name = f"ccdrill_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(_pg_admin_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def db_url(request) -> str:
    """A fresh, empty database URL — once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


def _migrated(url: str):
    from ccdrill.store.db import make_engine, upgrade

    engine = make_engine(url)
    upgrade(engine)
    return engine


@pytest.fixture
def engine(db_url):
    """An engine on a freshly migrated database (SQLite and PostgreSQL)."""
    engine = _migrated(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url):
    engine = _migrated(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine):
    """A session on the migrated database; rolled back and closed after the test."""
    from ccdrill.store.db import session_factory

    session = session_factory(engine)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()
