"""Versioned documents: plan_versions, programme_versions, centres.

Revision ID: 0001_documents
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_documents"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns a stored version may never change (kept in step with ccdrill.store.tables.IMMUTABLE_COLUMNS).
_IMMUTABLE = {
    "plan_versions": ("plan_id", "version", "content", "content_hash"),
    "programme_versions": ("programme_id", "version", "content", "content_hash"),
    "centres": ("centre_id", "version", "content", "content_hash"),
}
_MESSAGE = "stored versions are immutable: save a new version instead"


def _document_table(name: str, key: str, *, links: bool) -> None:
    columns = [
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(key, sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title_zh", sa.Text(), nullable=False),
        sa.Column("title_en", sa.Text(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
    ]
    if links:
        columns += [
            sa.Column("source_drill_id", sa.Integer(), nullable=True),
            sa.Column("source_finding_id", sa.Integer(), nullable=True),
        ]
    op.create_table(
        name,
        *columns,
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
        sa.UniqueConstraint(key, "version", name=f"uq_{name}_{key}_version"),
    )


def _guard(table: str) -> None:
    cols = ", ".join(_IMMUTABLE[table])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OF {cols} ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ccdrill_refuse_update()"
        )
    else:
        op.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OF {cols} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
        )


def upgrade() -> None:
    _document_table("plan_versions", "plan_id", links=True)
    _document_table("programme_versions", "programme_id", links=True)
    _document_table("centres", "centre_id", links=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION ccdrill_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{_MESSAGE}'; END $$"
        )
    for table in _IMMUTABLE:
        _guard(table)


def downgrade() -> None:
    for table in _IMMUTABLE:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ccdrill_refuse_update()")
    op.drop_table("centres")
    op.drop_table("programme_versions")
    op.drop_table("plan_versions")
