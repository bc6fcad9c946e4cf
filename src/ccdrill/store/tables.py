"""The tables: stored versions of plans, programmes and centre models.

Every row is one immutable version of one document.  The whole validated content
is kept as canonical JSON (``model_dump(mode="json", by_alias=True,
exclude_none=True)`` with ``version`` filled in) beside a SHA-256 of it, so that
importing the same file twice stores nothing new.  A database trigger (created by
the migration) refuses any UPDATE of the identity or the content of a version.
"""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s_%(column_1_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class VersionedDocument:
    """Columns shared by every versioned document table (a mixin, not a table)."""

    key_column: ClassVar[str]  # name of the document-id column, e.g. "plan_id"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    title_zh: Mapped[str] = mapped_column(Text, nullable=False, default="")
    title_en: Mapped[str | None] = mapped_column(Text, nullable=True)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=lambda: datetime.now(UTC), server_default=func.now()
    )
    author: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    @property
    def key(self) -> str:
        return getattr(self, self.key_column)


class PlanVersion(VersionedDocument, Base):
    """One version of an emergency plan (应急预案)."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "version"),)
    key_column: ClassVar[str] = "plan_id"

    plan_id: Mapped[str] = mapped_column(String(64), nullable=False)
    # Where a revision came from (a drill and one of its findings); links come later.
    source_drill_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source_finding_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ProgrammeVersion(VersionedDocument, Base):
    """One version of a drill programme (演练方案)."""

    __tablename__ = "programme_versions"
    __table_args__ = (UniqueConstraint("programme_id", "version"),)
    key_column: ClassVar[str] = "programme_id"

    programme_id: Mapped[str] = mapped_column(String(64), nullable=False)
    source_drill_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source_finding_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class CentreVersion(VersionedDocument, Base):
    """One version of a centre model (what the twin simulates)."""

    __tablename__ = "centres"
    __table_args__ = (UniqueConstraint("centre_id", "version"),)
    key_column: ClassVar[str] = "centre_id"

    centre_id: Mapped[str] = mapped_column(String(64), nullable=False)


IMMUTABLE_COLUMNS = {
    "plan_versions": ("plan_id", "version", "content", "content_hash"),
    "programme_versions": ("programme_id", "version", "content", "content_hash"),
    "centres": ("centre_id", "version", "content", "content_hash"),
}


# ---- accounts and drills (0002) -------------------------------------------------------------------


def _utcnow() -> datetime:
    return datetime.now(UTC)


class User(Base):
    """A local account; global roles are flags, drill roles are assignments."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("username", name="uq_users_username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_planner: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_evaluator: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_utcnow)


class ApiToken(Base):
    """A bearer token for the automation API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    created: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_utcnow)
    expires: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class Drill(Base):
    """A drill: an exact programme version, the exact plan versions, people, speed; ``status`` caches the log."""

    __tablename__ = "drills"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    programme_id: Mapped[str] = mapped_column(String(64), nullable=False)
    programme_version: Mapped[int] = mapped_column(Integer, nullable=False)
    plan_refs: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    centre_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    centre_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    speed: Mapped[float] = mapped_column(Float, nullable=False, default=1.0)
    seed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft", index=True)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_utcnow)


class DrillEvent(Base):
    """One appended event of a drill's log (append-only: a trigger refuses UPDATE)."""

    __tablename__ = "drill_events"
    __table_args__ = (
        UniqueConstraint("drill_id", "seq"),
        UniqueConstraint("drill_id", "actor", "idempotency_key", name="uq_drill_events_idempotency"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    drill_time_s: Mapped[float] = mapped_column(Float, nullable=False)
    wall_time: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    private: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class DrillAssignment(Base):
    """A person in a drill role."""

    __tablename__ = "drill_assignments"
    __table_args__ = (UniqueConstraint("drill_id", "role_id", "username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), nullable=False)
    role_id: Mapped[str] = mapped_column(String(64), nullable=False)
    username: Mapped[str] = mapped_column(String(64), nullable=False, index=True)


class Upload(Base):
    """A photo attached to a drill (bytes kept in the database)."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), nullable=False, index=True)
    seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(String(64), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_utcnow)


# ---- evaluation (0003) ----------------------------------------------------------------------------


class ScorecardRow(Base):
    """One saved version of one evaluator's scorecard; the newest revision is the current one."""

    __tablename__ = "scorecards"
    __table_args__ = (UniqueConstraint("drill_id", "evaluator", "revision", name="uq_scorecards_revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), nullable=False, index=True)
    evaluator: Mapped[str] = mapped_column(String(64), nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_utcnow)


class EvaluationClosure(Base):
    """The command post closed a drill's evaluation: scorecards can no longer be replaced."""

    __tablename__ = "evaluation_closures"

    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), primary_key=True)
    closed_by: Mapped[str] = mapped_column(String(64), nullable=False)
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_utcnow)


class SelfAssessmentRow(Base):
    """参演人员自评 — one participant's self-assessment (a new row each time; the newest counts)."""

    __tablename__ = "self_assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), nullable=False, index=True)
    participant: Mapped[str] = mapped_column(String(64), nullable=False)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_utcnow)


class DebriefRow(Base):
    """演练点评 — a debrief note typed at the command post."""

    __tablename__ = "debriefs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), nullable=False, index=True)
    author: Mapped[str] = mapped_column(String(64), nullable=False)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_utcnow)


class FindingRow(Base):
    """A finding kept in the store: a suggested one (key = its deterministic id) once used, or a manual one."""

    __tablename__ = "findings"
    __table_args__ = (UniqueConstraint("drill_id", "key", name="uq_findings_drill_id_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), nullable=False, index=True)
    key: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_utcnow)


class CorrectiveActionRow(Base):
    """整改措施 — the action (with its evidence notes and status history) as JSON, key fields as columns."""

    __tablename__ = "corrective_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    drill_id: Mapped[int | None] = mapped_column(ForeignKey("drills.id"), nullable=True, index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    owner: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    priority: Mapped[str] = mapped_column(String(8), nullable=False)
    due: Mapped[dt.date] = mapped_column(Date, nullable=False)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_utcnow)


class ActionChangeRow(Base):
    """One move of a corrective action (append-only history beside the action's JSON)."""

    __tablename__ = "corrective_action_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("corrective_actions.id"), nullable=False, index=True)
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    evidence: Mapped[str] = mapped_column(Text, nullable=False, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_utcnow)


class CommendationRow(Base):
    """表彰 — a suggestion confirmed by the command post."""

    __tablename__ = "commendations"
    __table_args__ = (UniqueConstraint("drill_id", "suggestion_id", name="uq_commendations_drill_id_suggestion_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), nullable=False, index=True)
    suggestion_id: Mapped[str] = mapped_column(String(200), nullable=False)
    content: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    confirmed_by: Mapped[str] = mapped_column(String(64), nullable=False)
    confirmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_utcnow)


class PlanRevisionRow(Base):
    """A plan version drafted from a drill's finding (预案修订)."""

    __tablename__ = "plan_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), nullable=False, index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("findings.id"), nullable=True)
    plan_id: Mapped[str] = mapped_column(String(64), nullable=False)
    from_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    to_version: Mapped[int] = mapped_column(Integer, nullable=False)
    author: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_utcnow)


class DrillSummaryRow(Base):
    """A cache of a drill's headline figures for the history chart, valid for ``events`` events
    and ``cards`` scorecard revisions (recomputed when either changes)."""

    __tablename__ = "drill_summaries"

    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), primary_key=True)
    events: Mapped[int] = mapped_column(Integer, nullable=False)
    cards: Mapped[int] = mapped_column(Integer, nullable=False)
    overall: Mapped[float | None] = mapped_column(Float, nullable=True)
    grade: Mapped[str | None] = mapped_column(String(16), nullable=True)
    first_report_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    customers_affected: Mapped[int | None] = mapped_column(Integer, nullable=True)
    late_steps: Mapped[int | None] = mapped_column(Integer, nullable=True)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_utcnow)
