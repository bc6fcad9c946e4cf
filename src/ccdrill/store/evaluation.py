"""The evaluation repository: scorecards (with history), self-assessments, debriefs, findings, corrective
actions (with their moves), commendations, plan revisions and the history cache of a drill's figures.

The rules live in the pure modules (:mod:`ccdrill.domain.scoring`, :mod:`ccdrill.evaluation`); this module
keeps what they decided.  Functions take a session and flush, never commit: the caller's unit of work
commits once, so a refused input (``InvalidInput`` before anything is added) leaves nothing behind.

* **Scorecards**: one current card per evaluator per drill; saving again adds a new revision (the old ones
  stay, as history) until the command post closes the drill's evaluation (then ``ConflictError``).
* **Findings**: suggested ones are computed from the log and stored only when used (an action or a plan
  revision needs a row to link to), under their deterministic id as ``key``; manual ones get ``manual-N``.
* **Corrective actions**: the :class:`~ccdrill.evaluation.actions.CorrectiveAction` as JSON (with its own
  history and evidence) plus an append-only row per move.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ccdrill.domain.common import Text
from ccdrill.domain.scoring import Debrief, Scorecard, SelfAssessment
from ccdrill.errors import ConflictError, NotFoundError
from ccdrill.evaluation.actions import CorrectiveAction, create_action, transition
from ccdrill.evaluation.commendations import Commendation
from ccdrill.evaluation.findings import Finding
from ccdrill.i18n import N_
from ccdrill.store import tables


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# ---- scorecards -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredScorecard:
    card: Scorecard
    revision: int
    saved_at: datetime


def evaluation_closed(session: Session, drill_id: int) -> tables.EvaluationClosure | None:
    return session.get(tables.EvaluationClosure, drill_id)


def close_evaluation(session: Session, drill_id: int, actor: str) -> None:
    if evaluation_closed(session, drill_id) is None:
        session.add(tables.EvaluationClosure(drill_id=drill_id, closed_by=actor, closed_at=_now()))
        session.flush()


def save_scorecard(session: Session, drill_id: int, card: Scorecard) -> int:
    """Store ``card`` (already validated against the rubric) as the evaluator's newest revision."""
    if evaluation_closed(session, drill_id) is not None:
        raise ConflictError(N_("The evaluation of drill {drill} is closed; scorecards can no longer be changed."),
                            drill=drill_id)
    last = session.scalar(select(func.max(tables.ScorecardRow.revision)).where(
        tables.ScorecardRow.drill_id == drill_id, tables.ScorecardRow.evaluator == card.evaluator)) or 0
    session.add(tables.ScorecardRow(drill_id=drill_id, evaluator=card.evaluator, revision=last + 1,
                                    content=card.model_dump(mode="json"), created_at=_now()))
    session.flush()
    return last + 1


def scorecards(session: Session, drill_id: int) -> list[StoredScorecard]:
    """The current (newest) scorecard of every evaluator, in the order they first scored."""
    rows = session.scalars(select(tables.ScorecardRow).where(tables.ScorecardRow.drill_id == drill_id)
                           .order_by(tables.ScorecardRow.id)).all()
    latest: dict[str, tables.ScorecardRow] = {}
    for r in rows:
        latest[r.evaluator] = r
    return [StoredScorecard(Scorecard.model_validate(r.content), r.revision, _aware(r.created_at))
            for r in latest.values()]


def scorecard_history(session: Session, drill_id: int, evaluator: str) -> list[StoredScorecard]:
    rows = session.scalars(select(tables.ScorecardRow).where(
        tables.ScorecardRow.drill_id == drill_id, tables.ScorecardRow.evaluator == evaluator)
        .order_by(tables.ScorecardRow.revision)).all()
    return [StoredScorecard(Scorecard.model_validate(r.content), r.revision, _aware(r.created_at)) for r in rows]


def scorecard_revisions(session: Session, drill_id: int) -> int:
    return session.scalar(select(func.count()).select_from(tables.ScorecardRow)
                          .where(tables.ScorecardRow.drill_id == drill_id)) or 0


# ---- self-assessments and debriefs ------------------------------------------------------------------


def save_self_assessment(session: Session, drill_id: int, item: SelfAssessment) -> None:
    session.add(tables.SelfAssessmentRow(drill_id=drill_id, participant=item.participant,
                                         content=item.model_dump(mode="json"), created_at=_now()))
    session.flush()


def self_assessments(session: Session, drill_id: int) -> list[SelfAssessment]:
    """The newest self-assessment of each participant."""
    rows = session.scalars(select(tables.SelfAssessmentRow).where(tables.SelfAssessmentRow.drill_id == drill_id)
                           .order_by(tables.SelfAssessmentRow.id)).all()
    latest: dict[str, tables.SelfAssessmentRow] = {r.participant: r for r in rows}
    return [SelfAssessment.model_validate(r.content) for r in latest.values()]


def add_debrief(session: Session, drill_id: int, item: Debrief) -> None:
    session.add(tables.DebriefRow(drill_id=drill_id, author=item.author, content=item.model_dump(mode="json"),
                                  created_at=_now()))
    session.flush()


def debriefs(session: Session, drill_id: int) -> list[tuple[Debrief, datetime]]:
    rows = session.scalars(select(tables.DebriefRow).where(tables.DebriefRow.drill_id == drill_id)
                           .order_by(tables.DebriefRow.id)).all()
    return [(Debrief.model_validate(r.content), _aware(r.created_at)) for r in rows]


# ---- findings -------------------------------------------------------------------------------------


def stored_findings(session: Session, drill_id: int) -> dict[str, tuple[int, Finding]]:
    """key → (row id, finding) of every stored finding of the drill."""
    rows = session.scalars(select(tables.FindingRow).where(tables.FindingRow.drill_id == drill_id)
                           .order_by(tables.FindingRow.id)).all()
    return {r.key: (r.id, Finding.model_validate(r.content)) for r in rows}


def ensure_finding(session: Session, drill_id: int, finding: Finding, actor: str) -> int:
    """The row id of ``finding`` (stored under its id the first time)."""
    row = session.scalars(select(tables.FindingRow).where(tables.FindingRow.drill_id == drill_id,
                                                          tables.FindingRow.key == finding.id)).first()
    if row is not None:
        return row.id
    row = tables.FindingRow(drill_id=drill_id, key=finding.id, kind=finding.kind,
                            content=finding.model_dump(mode="json"), created_by=actor, created_at=_now())
    with session.begin_nested():
        session.add(row)
    return row.id


def add_manual_finding(session: Session, drill_id: int, *, kind: str, title: str, detail: str, actor: str) -> int:
    n = session.scalar(select(func.count()).select_from(tables.FindingRow)
                       .where(tables.FindingRow.drill_id == drill_id)) or 0
    finding = Finding(id=f"manual-{n + 1}", kind=kind, source="manual",  # type: ignore[arg-type]
                      title=Text(zh=title, en=title), detail=Text(zh=detail, en=detail) if detail else None)
    return ensure_finding(session, drill_id, finding, actor)


def finding_by_id(session: Session, finding_id: int) -> tuple[int, Finding]:
    row = session.get(tables.FindingRow, finding_id)
    if row is None:
        raise NotFoundError(N_("No finding {finding}."), finding=finding_id)
    return row.drill_id, Finding.model_validate(row.content)


# ---- corrective actions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredAction:
    id: int
    drill_id: int | None
    finding_id: int | None
    action: CorrectiveAction
    created_by: str


def _action(row: tables.CorrectiveActionRow) -> StoredAction:
    return StoredAction(id=row.id, drill_id=row.drill_id, finding_id=row.finding_id,
                        action=CorrectiveAction.model_validate(row.content), created_by=row.created_by)


def create_corrective_action(session: Session, *, drill_id: int, title: str, owner: str, due: dt.date,
                             priority: str, actor: str, today: dt.date, finding: Finding | None = None,
                             finding_row: int | None = None) -> StoredAction:
    """Validate (due date not in the past, a finding that is an area for improvement …), then store."""
    at = _now()
    action = create_action(id="new", title=title, owner=owner, due=due, today=today, actor=actor,
                           priority=priority, finding=finding, drill_id=str(drill_id), at=at)  # type: ignore[arg-type]
    row = tables.CorrectiveActionRow(drill_id=drill_id, finding_id=finding_row, status=action.status,
                                     owner=action.owner, priority=action.priority, due=action.due,
                                     content={}, created_by=actor, created_at=at, updated_at=at)
    session.add(row)
    session.flush()
    action = action.model_copy(update={"id": str(row.id)})
    row.content = action.model_dump(mode="json")
    session.add(tables.ActionChangeRow(action_id=row.id, from_status=None, to_status="open", actor=actor,
                                       evidence="", at=at))
    session.flush()
    return _action(row)


def get_action(session: Session, action_id: int) -> StoredAction:
    row = session.get(tables.CorrectiveActionRow, action_id)
    if row is None:
        raise NotFoundError(N_("No corrective action {id}."), id=action_id)
    return _action(row)


def list_actions(session: Session, *, drill_ids: Sequence[int] | None = None, owner: str | None = None
                 ) -> list[StoredAction]:
    q = select(tables.CorrectiveActionRow).order_by(tables.CorrectiveActionRow.id)
    if drill_ids is not None:
        q = q.where(tables.CorrectiveActionRow.drill_id.in_(list(drill_ids)))
    if owner is not None:
        q = q.where(tables.CorrectiveActionRow.owner == owner)
    return [_action(r) for r in session.scalars(q)]


def move_action(session: Session, action_id: int, to_status: str, *, actor: str, actor_roles: Sequence[str],
                command_roles: Sequence[str], today: dt.date, evidence: str | None = None) -> StoredAction:
    """Apply :func:`~ccdrill.evaluation.actions.transition` (its checks and errors) and store the result."""
    row = session.get(tables.CorrectiveActionRow, action_id, with_for_update=True)
    if row is None:
        raise NotFoundError(N_("No corrective action {id}."), id=action_id)
    at = _now()
    moved = transition(CorrectiveAction.model_validate(row.content), to_status, actor=actor, actor_roles=actor_roles,
                       today=today, evidence=evidence, at=at, command_roles=command_roles)
    previous = row.status
    row.content = moved.model_dump(mode="json")
    row.status = moved.status
    row.updated_at = at
    session.add(tables.ActionChangeRow(action_id=row.id, from_status=previous, to_status=moved.status, actor=actor,
                                       evidence=(evidence or "").strip(), at=at))
    session.flush()
    return _action(row)


def action_changes(session: Session, action_id: int) -> list[tables.ActionChangeRow]:
    return list(session.scalars(select(tables.ActionChangeRow).where(tables.ActionChangeRow.action_id == action_id)
                                .order_by(tables.ActionChangeRow.id)))


# ---- commendations --------------------------------------------------------------------------------


def save_commendation(session: Session, drill_id: int, item: Commendation) -> None:
    if session.scalars(select(tables.CommendationRow).where(
            tables.CommendationRow.drill_id == drill_id,
            tables.CommendationRow.suggestion_id == item.suggestion_id)).first() is not None:
        return
    session.add(tables.CommendationRow(drill_id=drill_id, suggestion_id=item.suggestion_id,
                                       content=item.model_dump(mode="json"), confirmed_by=item.confirmed_by,
                                       confirmed_at=_now()))
    session.flush()


def commendations(session: Session, drill_id: int) -> list[Commendation]:
    rows = session.scalars(select(tables.CommendationRow).where(tables.CommendationRow.drill_id == drill_id)
                           .order_by(tables.CommendationRow.id)).all()
    return [Commendation.model_validate(r.content) for r in rows]


# ---- plan revisions -------------------------------------------------------------------------------


def save_plan_revision(session: Session, plan: Any, *, drill_id: int, finding_row: int | None, author: str,
                       note: str = "") -> tuple[int | None, int, bool]:
    """Save ``plan`` as a new version linked to the drill and the finding; ``(from, to, created)``."""
    from ccdrill.store import documents

    versions = [v.version for v in documents.plan_versions(session, plan.id)] if _has_plan(session, plan.id) else []
    before = max(versions) if versions else None
    saved = documents.save_plan(session, plan.model_copy(update={"version": None}), author=author, note=note,
                                source_drill_id=drill_id, source_finding_id=finding_row)
    if saved.created:
        session.add(tables.PlanRevisionRow(drill_id=drill_id, finding_id=finding_row, plan_id=plan.id,
                                           from_version=before, to_version=saved.version, author=author,
                                           created_at=_now()))
        session.flush()
    return before, saved.version, saved.created


def _has_plan(session: Session, plan_id: str) -> bool:
    return session.scalar(select(func.count()).select_from(tables.PlanVersion)
                          .where(tables.PlanVersion.plan_id == plan_id)) > 0


def plan_revisions(session: Session, drill_id: int) -> list[tables.PlanRevisionRow]:
    return list(session.scalars(select(tables.PlanRevisionRow).where(tables.PlanRevisionRow.drill_id == drill_id)
                                .order_by(tables.PlanRevisionRow.id)))


# ---- the history cache ----------------------------------------------------------------------------


def summary(session: Session, drill_id: int) -> tables.DrillSummaryRow | None:
    return session.get(tables.DrillSummaryRow, drill_id)


def save_summary(session: Session, drill_id: int, **values: Any) -> None:
    row = session.get(tables.DrillSummaryRow, drill_id)
    if row is None:
        row = tables.DrillSummaryRow(drill_id=drill_id, **values, computed_at=_now())
        session.add(row)
    else:
        for k, v in values.items():
            setattr(row, k, v)
        row.computed_at = _now()
    session.flush()
