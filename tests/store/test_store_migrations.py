"""Migrations: the schema is created on SQLite and PostgreSQL and matches the models."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from ccdrill.domain.plan import Plan
from ccdrill.store.db import (
    alembic_config,
    current_revision,
    head_revision,
    make_engine,
    normalize_url,
    session_factory,
    unit_of_work,
    upgrade,
)
from ccdrill.store.documents import save_plan
from ccdrill.store.tables import Base

TABLES = {"plan_versions", "programme_versions", "centres"}


def test_upgrade_creates_the_tables_at_head(db_url):
    upgrade(db_url)
    upgrade(db_url)  # a second run is a no-op
    engine = make_engine(db_url)
    try:
        assert TABLES | {"alembic_version"} <= set(inspect(engine).get_table_names())
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_migrations_produce_what_the_models_declare(engine):
    """Like ``alembic check``: autogenerate finds nothing left to migrate."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
        assert compare_metadata(ctx, Base.metadata) == []


def test_downgrade_to_base_removes_the_tables(engine):
    with engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert not TABLES & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert TABLES <= set(inspect(engine).get_table_names())


def test_stored_content_cannot_be_updated_even_in_sql(engine, plan_data):
    with unit_of_work(engine) as session:
        save_plan(session, Plan.model_validate(plan_data))
    with pytest.raises(DBAPIError, match="immutable"):
        with engine.begin() as conn:
            conn.execute(text("UPDATE plan_versions SET content_hash = 'x'"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT content_hash FROM plan_versions")).scalar_one() != "x"


def test_unit_of_work_commits_once_or_rolls_back(engine, plan_data):
    with pytest.raises(RuntimeError):
        with unit_of_work(engine) as session:
            save_plan(session, Plan.model_validate(plan_data))
            raise RuntimeError("boom")
    with session_factory(engine)() as session:
        assert session.execute(text("SELECT count(*) FROM plan_versions")).scalar_one() == 0


def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_urls_are_normalised(tmp_path, monkeypatch):
    assert normalize_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url(str(tmp_path / "a.db")) == f"sqlite:///{tmp_path / 'a.db'}"
    monkeypatch.setenv("CCDRILL_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert normalize_url(None) == f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.delenv("CCDRILL_DATABASE_URL")
    monkeypatch.chdir(tmp_path)
    assert normalize_url(None) == f"sqlite:///{tmp_path / 'ccdrill.db'}"
