"""Alembic environment: runs on the connection or engine that ccdrill hands over.

``ccdrill.store.db.upgrade`` builds the ``Config`` in code and puts the open
connection in ``config.attributes["connection"]``.  Run by hand (``alembic -c``
with ``script_location`` pointing here), the URL comes from ``sqlalchemy.url`` or
``CCDRILL_DATABASE_URL``.
"""

from __future__ import annotations

from alembic import context

from ccdrill.store.db import is_sqlite, make_engine, normalize_url
from ccdrill.store.tables import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_offline() -> None:
    url = normalize_url(config.get_main_option("sqlalchemy.url"))
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=is_sqlite(url))
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = config.attributes.get("engine") or make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
