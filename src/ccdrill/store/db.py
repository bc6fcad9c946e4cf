"""Engines, migrations and the unit of work — the only place that opens a database.

Nothing here runs at import time: callers build an engine from a URL when they
need one (``make_engine``), migrate it (``upgrade``) and do their work inside
``unit_of_work`` — one transaction, committed once or rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 5000


def normalize_url(url: str | None = None) -> str:
    """The URL SQLAlchemy should open.

    ``None`` means ``CCDRILL_DATABASE_URL`` (or the default ``./ccdrill.db``); a bare
    file path means a SQLite file; ``postgresql://`` and ``postgres://`` use psycopg 3.
    """
    if not url:
        from ccdrill.config import Settings

        url = Settings.from_env().database_url
    url = url.strip()
    if "://" not in url:  # a plain file path
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def display_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    return make_url(normalize_url(url)).render_as_string(hide_password=True)


def _sqlite_on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001 - DBAPI types
    # pysqlite's own transaction handling skips DDL and SAVEPOINT; let SQLAlchemy
    # emit BEGIN itself (the recipe in SQLAlchemy's SQLite notes) so that a
    # migration or a unit of work is one real transaction.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode=WAL")
    finally:
        cur.close()


def _sqlite_on_begin(conn) -> None:  # noqa: ANN001
    conn.exec_driver_sql("BEGIN")


def make_engine(url: str | None = None, **kwargs: object) -> Engine:
    """An engine for ``url``: SQLite with WAL, foreign keys and a busy timeout; PostgreSQL via psycopg 3."""
    url = normalize_url(url)
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def alembic_config(engine: Engine | None = None):  # noqa: ANN201 - alembic imported lazily
    """An Alembic ``Config`` built in code: no ``alembic.ini`` needed.

    The migrations ship inside the package (``ccdrill/migrations``); when ``engine``
    is given, ``env.py`` runs on one of its connections.
    """
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("ccdrill") / "migrations"))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(url_or_engine: str | Engine | None = None, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (the newest by default)."""
    from alembic import command

    own = not isinstance(url_or_engine, Engine)
    engine = make_engine(url_or_engine) if own else url_or_engine  # type: ignore[arg-type]
    try:
        with engine.begin() as conn:
            cfg = alembic_config(engine)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        if own:
            engine.dispose()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after the commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(engine_or_factory: Engine | sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: committed once when the block ends, rolled back if it raises."""
    factory = engine_or_factory if isinstance(engine_or_factory, sessionmaker) else session_factory(engine_or_factory)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def ping(session: Session) -> None:
    """Raise if the database does not answer (the health check)."""
    session.execute(text("SELECT 1"))
