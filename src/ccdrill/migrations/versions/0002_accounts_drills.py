"""Accounts and drills: users, api_tokens, drills, drill_events (append-only), drill_assignments, uploads.

Revision ID: 0002_accounts_drills
Revises: 0001_documents
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_accounts_drills"
down_revision: str | None = "0001_documents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MESSAGE = "the drill event log is append-only"


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("is_planner", sa.Boolean(), nullable=False),
        sa.Column("is_evaluator", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_sha256", name="pk_api_tokens"),
    )
    op.create_index("ix_api_tokens_username", "api_tokens", ["username"])
    op.create_table(
        "drills",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("programme_id", sa.String(64), nullable=False),
        sa.Column("programme_version", sa.Integer(), nullable=False),
        sa.Column("plan_refs", sa.JSON(), nullable=False),
        sa.Column("centre_id", sa.String(64), nullable=True),
        sa.Column("centre_version", sa.Integer(), nullable=True),
        sa.Column("speed", sa.Float(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_drills"),
    )
    op.create_index("ix_drills_status", "drills", ["status"])
    op.create_table(
        "drill_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("drill_time_s", sa.Float(), nullable=False),
        sa.Column("wall_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["drill_id"], ["drills.id"], name="fk_drill_events_drill_id_drills"),
        sa.PrimaryKeyConstraint("id", name="pk_drill_events"),
        sa.UniqueConstraint("drill_id", "seq", name="uq_drill_events_drill_id_seq"),
        sa.UniqueConstraint("drill_id", "actor", "idempotency_key", name="uq_drill_events_idempotency"),
    )
    op.create_table(
        "drill_assignments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.String(64), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["drill_id"], ["drills.id"], name="fk_drill_assignments_drill_id_drills"),
        sa.PrimaryKeyConstraint("id", name="pk_drill_assignments"),
        sa.UniqueConstraint("drill_id", "role_id", "username", name="uq_drill_assignments_drill_id_role_id"),
    )
    op.create_index("ix_drill_assignments_username", "drill_assignments", ["username"])
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["drill_id"], ["drills.id"], name="fk_uploads_drill_id_drills"),
        sa.PrimaryKeyConstraint("id", name="pk_uploads"),
    )
    op.create_index("ix_uploads_drill_id", "uploads", ["drill_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION ccdrill_refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{_MESSAGE}'; END $$"
        )
        op.execute("CREATE TRIGGER drill_events_append_only BEFORE UPDATE OR DELETE ON drill_events "
                   "FOR EACH ROW EXECUTE FUNCTION ccdrill_refuse_event_change()")
    else:
        op.execute("CREATE TRIGGER drill_events_no_update BEFORE UPDATE ON drill_events "
                   f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END")
        op.execute("CREATE TRIGGER drill_events_no_delete BEFORE DELETE ON drill_events "
                   f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS drill_events_append_only ON drill_events")
        op.execute("DROP FUNCTION IF EXISTS ccdrill_refuse_event_change()")
    else:
        op.execute("DROP TRIGGER IF EXISTS drill_events_no_update")
        op.execute("DROP TRIGGER IF EXISTS drill_events_no_delete")
    op.drop_index("ix_uploads_drill_id", table_name="uploads")
    op.drop_table("uploads")
    op.drop_index("ix_drill_assignments_username", table_name="drill_assignments")
    op.drop_table("drill_assignments")
    op.drop_table("drill_events")
    op.drop_table("drills")
    op.drop_index("ix_api_tokens_username", table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_table("users")
