"""Alembic migrations, run from code by :func:`ccdrill.store.db.upgrade` (no alembic.ini needed)."""
