"""Everything a drill's evaluation and report need, read from the store — one computation.

The results page, the report download and ``ccdrill report`` all call :func:`gather`, so the
report a manager downloads and the one the command line writes show the same numbers.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ccdrill.errors import NotFoundError
from ccdrill.i18n import N_


@dataclass
class DrillInputs:
    """Everything the report needs from the store for one drill."""

    programme: Any
    plans: dict[str, Any]
    events: list[Any]
    centre: Any | None = None
    seed: int = 0
    hidden_seqs: frozenset[int] = frozenset()
    extra: dict[str, Any] = field(default_factory=dict)


def load_drill_inputs(session, drill_id: int | str) -> DrillInputs:  # noqa: ANN001 - SQLAlchemy session
    """Programme, plans, events, centre model and seed of a stored drill."""
    from ccdrill.store import documents as docs
    from ccdrill.store import drills

    try:
        key = int(drill_id)
    except (TypeError, ValueError):
        raise NotFoundError(N_("No drill {drill}."), drill=drill_id) from None
    rec = drills.get_drill(session, key)
    programme = docs.get_programme(session, rec.programme_id, rec.programme_version)
    plans = {}
    for plan_id, ref in rec.plan_refs.items():
        pid, _, ver = str(ref).partition("@")
        plans[plan_id] = docs.get_plan(session, pid or plan_id, int(ver) if ver else None)
    for sc in programme.scenarios:
        if sc.plan.id not in plans:
            plans[sc.plan.id] = docs.resolve_plan_ref(session, sc.plan)
    rows = drills.load_events(session, key)
    events = [e for e, _private in rows]
    hidden = frozenset(e.seq for e, private in rows if private)
    centre = None
    if rec.centre_id:
        try:
            centre = docs.get_centre(session, rec.centre_id, rec.centre_version)
        except NotFoundError:
            centre = rec.centre_id  # fall back to the library's model of that id
    return DrillInputs(programme=programme, plans=plans, events=events, centre=centre, seed=int(rec.seed or 0),
                       hidden_seqs=hidden)


def rubric_for(programme: Any) -> Any:
    """The programme's rubric from the library, or the default rubric."""
    from ccdrill.library import catalog

    rubric_id = getattr(getattr(programme, "evaluation", None), "rubric", None) or "default"
    try:
        return catalog.load(rubric_id, "rubric")
    except NotFoundError:
        return catalog.load("default", "rubric")


def gather(session: Any, drill_id: int, *, today: date, with_confirmed: bool = False) -> dict[str, Any]:
    """Report data plus the stored evaluation records of one drill."""
    from ccdrill.domain.scoring import combine
    from ccdrill.reports import build_report_data
    from ccdrill.store import evaluation as store

    inputs = load_drill_inputs(session, drill_id)
    rubric = rubric_for(inputs.programme)
    stored_cards = store.scorecards(session, drill_id)
    cards = [s.card for s in stored_cards]
    evaluation = combine(rubric, cards) if cards else None
    actions = store.list_actions(session, drill_ids=[drill_id])
    confirmed = store.commendations(session, drill_id)
    selfs = store.self_assessments(session, drill_id)
    debriefs = store.debriefs(session, drill_id)
    data = build_report_data(inputs.programme, inputs.plans, inputs.events, drill_id=str(drill_id),
                             centre=inputs.centre, seed=inputs.seed, rubric=rubric, evaluation=evaluation,
                             actions=[a.action for a in actions], debriefs=[d for d, _ in debriefs],
                             self_assessments=selfs, generated_on=today, hidden_seqs=inputs.hidden_seqs)
    stored = store.stored_findings(session, drill_id)
    suggested_ids = {f.id for f in data.findings}
    manual = tuple(f for key, (_, f) in stored.items() if key not in suggested_ids)
    suggestions = data.commendations
    data = dataclasses.replace(data, findings=(*data.findings, *manual), findings_suggested=not manual and not stored)
    if with_confirmed and confirmed:
        data = dataclasses.replace(data, commendations=tuple(confirmed), commendations_suggested=False)
    return {"data": data, "rubric": rubric, "cards": stored_cards, "evaluation": evaluation, "actions": actions,
            "confirmed": confirmed, "suggestions": suggestions, "stored_findings": stored,
            "self_assessments": selfs, "debriefs": debriefs}
