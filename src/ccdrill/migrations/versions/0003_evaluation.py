"""Evaluation: scorecards (with history), evaluation closures, self-assessments, debriefs, findings,
corrective actions and their changes, commendations, plan revisions, drill summaries (history cache).

Revision ID: 0003_evaluation
Revises: 0002_accounts_drills
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_evaluation"
down_revision: str | None = "0002_accounts_drills"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _created(name: str = "created_at") -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _drill_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["drill_id"], ["drills.id"], name=f"fk_{table}_drill_id_drills")


def upgrade() -> None:
    op.create_table(
        "scorecards",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("evaluator", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        _created(),
        _drill_fk("scorecards"),
        sa.PrimaryKeyConstraint("id", name="pk_scorecards"),
        sa.UniqueConstraint("drill_id", "evaluator", "revision", name="uq_scorecards_revision"),
    )
    op.create_index("ix_scorecards_drill_id", "scorecards", ["drill_id"])
    op.create_table(
        "evaluation_closures",
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("closed_by", sa.String(64), nullable=False),
        _created("closed_at"),
        _drill_fk("evaluation_closures"),
        sa.PrimaryKeyConstraint("drill_id", name="pk_evaluation_closures"),
    )
    for table, person in (("self_assessments", "participant"), ("debriefs", "author")):
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("drill_id", sa.Integer(), nullable=False),
            sa.Column(person, sa.String(64), nullable=False),
            sa.Column("content", sa.JSON(), nullable=False),
            _created(),
            _drill_fk(table),
            sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        )
        op.create_index(f"ix_{table}_drill_id", table, ["drill_id"])
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        _created(),
        _drill_fk("findings"),
        sa.PrimaryKeyConstraint("id", name="pk_findings"),
        sa.UniqueConstraint("drill_id", "key", name="uq_findings_drill_id_key"),
    )
    op.create_index("ix_findings_drill_id", "findings", ["drill_id"])
    op.create_table(
        "corrective_actions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=True),
        sa.Column("finding_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("priority", sa.String(8), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        _created(),
        _created("updated_at"),
        _drill_fk("corrective_actions"),
        sa.ForeignKeyConstraint(["finding_id"], ["findings.id"], name="fk_corrective_actions_finding_id_findings"),
        sa.PrimaryKeyConstraint("id", name="pk_corrective_actions"),
    )
    op.create_index("ix_corrective_actions_drill_id", "corrective_actions", ["drill_id"])
    op.create_index("ix_corrective_actions_status", "corrective_actions", ["status"])
    op.create_index("ix_corrective_actions_owner", "corrective_actions", ["owner"])
    op.create_table(
        "corrective_action_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        _created("at"),
        sa.ForeignKeyConstraint(["action_id"], ["corrective_actions.id"],
                                name="fk_corrective_action_changes_action_id_corrective_actions"),
        sa.PrimaryKeyConstraint("id", name="pk_corrective_action_changes"),
    )
    op.create_index("ix_corrective_action_changes_action_id", "corrective_action_changes", ["action_id"])
    op.create_table(
        "commendations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.String(200), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("confirmed_by", sa.String(64), nullable=False),
        _created("confirmed_at"),
        _drill_fk("commendations"),
        sa.PrimaryKeyConstraint("id", name="pk_commendations"),
        sa.UniqueConstraint("drill_id", "suggestion_id", name="uq_commendations_drill_id_suggestion_id"),
    )
    op.create_index("ix_commendations_drill_id", "commendations", ["drill_id"])
    op.create_table(
        "plan_revisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=True),
        sa.Column("plan_id", sa.String(64), nullable=False),
        sa.Column("from_version", sa.Integer(), nullable=True),
        sa.Column("to_version", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        _created(),
        _drill_fk("plan_revisions"),
        sa.ForeignKeyConstraint(["finding_id"], ["findings.id"], name="fk_plan_revisions_finding_id_findings"),
        sa.PrimaryKeyConstraint("id", name="pk_plan_revisions"),
    )
    op.create_index("ix_plan_revisions_drill_id", "plan_revisions", ["drill_id"])
    op.create_table(
        "drill_summaries",
        sa.Column("drill_id", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("cards", sa.Integer(), nullable=False),
        sa.Column("overall", sa.Float(), nullable=True),
        sa.Column("grade", sa.String(16), nullable=True),
        sa.Column("first_report_s", sa.Float(), nullable=True),
        sa.Column("customers_affected", sa.Integer(), nullable=True),
        sa.Column("late_steps", sa.Integer(), nullable=True),
        _created("computed_at"),
        _drill_fk("drill_summaries"),
        sa.PrimaryKeyConstraint("drill_id", name="pk_drill_summaries"),
    )


def downgrade() -> None:
    op.drop_table("drill_summaries")
    for table in ("plan_revisions", "commendations", "corrective_action_changes", "corrective_actions",
                  "findings", "debriefs", "self_assessments", "scorecards"):
        for index in {"corrective_action_changes": ["ix_corrective_action_changes_action_id"],
                      "corrective_actions": ["ix_corrective_actions_drill_id", "ix_corrective_actions_status",
                                             "ix_corrective_actions_owner"]}.get(table, [f"ix_{table}_drill_id"]):
            op.drop_index(index, table_name=table)
        op.drop_table(table)
    op.drop_table("evaluation_closures")
