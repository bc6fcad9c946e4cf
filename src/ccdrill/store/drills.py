"""The drill repository: drills, their append-only event logs, assignments and uploaded photos.

Functions take a session and flush, never commit: the caller's unit of work commits once, so an
event and the drill's status cache are written in one transaction.  On PostgreSQL
:func:`append_event` also sends ``NOTIFY ccdrill_events, '<drill id>:<seq>'`` in that transaction,
delivered to every listening worker when it commits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ccdrill.domain import events as ev
from ccdrill.errors import NotFoundError
from ccdrill.i18n import N_
from ccdrill.store import tables

NOTIFY_CHANNEL = "ccdrill_events"


@dataclass(frozen=True)
class DrillRecord:
    id: int
    programme_id: str
    programme_version: int
    plan_refs: dict[str, str]
    centre_id: str | None
    centre_version: int | None
    speed: float
    seed: int
    date: dt.date | None
    status: str
    created_by: str
    created_at: datetime

    @property
    def programme_ref(self) -> str:
        return f"{self.programme_id}@{self.programme_version}"


def _record(row: tables.Drill) -> DrillRecord:
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    return DrillRecord(id=row.id, programme_id=row.programme_id, programme_version=row.programme_version,
                       plan_refs=dict(row.plan_refs or {}), centre_id=row.centre_id, centre_version=row.centre_version,
                       speed=row.speed, seed=row.seed, date=row.date, status=row.status, created_by=row.created_by,
                       created_at=created)


def create_drill(session: Session, *, programme_id: str, programme_version: int, plan_refs: dict[str, str],
                 centre_id: str | None, centre_version: int | None, speed: float, seed: int,
                 date: dt.date | None, created_by: str, assignments: dict[str, list[str]]) -> int:
    row = tables.Drill(programme_id=programme_id, programme_version=programme_version, plan_refs=plan_refs,
                       centre_id=centre_id, centre_version=centre_version, speed=speed, seed=seed, date=date,
                       status="draft", created_by=created_by)
    session.add(row)
    session.flush()
    for role, names in assignments.items():
        for name in dict.fromkeys(names):
            session.add(tables.DrillAssignment(drill_id=row.id, role_id=role, username=name))
    session.flush()
    return row.id


def get_drill(session: Session, drill_id: int) -> DrillRecord:
    row = session.get(tables.Drill, drill_id)
    if row is None:
        raise NotFoundError(N_("No drill {drill}."), drill=drill_id)
    return _record(row)


def list_drills(session: Session, *, username: str | None = None, statuses: tuple[str, ...] | None = None
                ) -> list[DrillRecord]:
    """Drills newest first; only those ``username`` is assigned to when given."""
    q = select(tables.Drill).order_by(tables.Drill.id.desc())
    if username is not None:
        q = q.where(tables.Drill.id.in_(select(tables.DrillAssignment.drill_id)
                                        .where(tables.DrillAssignment.username == username)))
    if statuses:
        q = q.where(tables.Drill.status.in_(statuses))
    return [_record(r) for r in session.scalars(q)]


def assignments(session: Session, drill_id: int) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    q = (select(tables.DrillAssignment.role_id, tables.DrillAssignment.username)
         .where(tables.DrillAssignment.drill_id == drill_id).order_by(tables.DrillAssignment.id))
    for role, name in session.execute(q):
        out[role].append(name)
    return dict(out)


def append_event(session: Session, drill_id: int, event: ev.Event, *, private: bool = False,
                 status: str | None = None, notify: bool = True) -> None:
    """Append ``event`` (and set the drill's status cache to ``status`` when given); the UNIQUE constraints
    refuse a duplicate seq or idempotency key.  ``notify`` (PostgreSQL): tell the other workers."""
    session.add(tables.DrillEvent(drill_id=drill_id, seq=event.seq, drill_time_s=event.drill_time_s,
                                  wall_time=event.wall_time, actor=event.actor, kind=event.kind,
                                  payload=event.payload, idempotency_key=event.idempotency_key, private=private))
    if status is not None:
        session.query(tables.Drill).filter(tables.Drill.id == drill_id, tables.Drill.status != status) \
            .update({tables.Drill.status: status}, synchronize_session=False)
    session.flush()
    if notify and session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:ch, :msg)"), {"ch": NOTIFY_CHANNEL, "msg": f"{drill_id}:{event.seq}"})


def _event(row: Any) -> ev.Event:
    wall = row.wall_time if row.wall_time.tzinfo else row.wall_time.replace(tzinfo=UTC)
    return ev.Event(seq=row.seq, drill_time_s=row.drill_time_s, wall_time=wall, actor=row.actor, kind=row.kind,
                    payload=dict(row.payload or {}), idempotency_key=row.idempotency_key)


def load_events(session: Session, drill_id: int, *, after: int = 0, limit: int | None = None
                ) -> list[tuple[ev.Event, bool]]:
    """``[(event, private), …]`` with seq > ``after``, in order."""
    q = (select(tables.DrillEvent).where(tables.DrillEvent.drill_id == drill_id, tables.DrillEvent.seq > after)
         .order_by(tables.DrillEvent.seq))
    if limit is not None:
        q = q.limit(limit)
    return [(_event(r), bool(r.private)) for r in session.scalars(q)]


def event_count(session: Session, drill_id: int) -> int:
    return session.scalar(select(func.count()).select_from(tables.DrillEvent)
                          .where(tables.DrillEvent.drill_id == drill_id)) or 0


def save_upload(session: Session, *, drill_id: int, username: str, filename: str, content_type: str,
                data: bytes) -> int:
    row = tables.Upload(drill_id=drill_id, username=username, filename=filename[:200], content_type=content_type,
                        size=len(data), data=data)
    session.add(row)
    session.flush()
    return row.id


def get_upload(session: Session, drill_id: int, upload_id: int) -> tables.Upload:
    row = session.get(tables.Upload, upload_id)
    if row is None or row.drill_id != drill_id:
        raise NotFoundError(N_("No photo {photo} in this drill."), photo=upload_id)
    return row


def link_upload(session: Session, drill_id: int, upload_id: int, seq: int) -> None:
    row = session.get(tables.Upload, upload_id)
    if row is not None and row.drill_id == drill_id and row.seq is None:
        row.seq = seq
        session.flush()
