"""The tables: stored versions of plans, programmes and centre models.

Every row is one immutable version of one document.  The whole validated content
is kept as canonical JSON (``model_dump(mode="json", by_alias=True,
exclude_none=True)`` with ``version`` filled in) beside a SHA-256 of it, so that
importing the same file twice stores nothing new.  A database trigger (created by
the migration) refuses any UPDATE of the identity or the content of a version.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Integer, MetaData, String, Text, UniqueConstraint, func
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
