"""ReportData — everything the summary report (演练总结报告) shows, computed once from its inputs.

The builder (:mod:`ccdrill.reports.build`) only formats what is here, so every number in every
format (DOCX, HTML, PDF, Markdown) comes from the same computation: the drill's event log folded
(:func:`ccdrill.domain.fold.fold`), its objective timings (:mod:`ccdrill.evaluation.timings`), the
scores (:func:`ccdrill.domain.scoring.combine`) and the twin replay (:mod:`ccdrill.reports.impact`).

Findings, corrective actions and commendations may be passed in (models or plain dicts); when
findings or commendations are not given they are suggested from the log, and the report says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ccdrill.domain import events as ev
from ccdrill.domain.common import Text, minutes_of
from ccdrill.domain.fold import DrillState, fold
from ccdrill.domain.plan import Plan
from ccdrill.domain.programme import Programme
from ccdrill.errors import ConflictError, NotFoundError
from ccdrill.i18n import N_
from ccdrill.reports.impact import IMPACT_SEED, CustomerImpact, compute_impact

MSG_NEVER_RAN = N_("The drill {drill} has never been started, so there is nothing to report yet.")
MSG_NO_EVENTS = N_("The drill {drill} has no recorded events, so there is nothing to report yet.")


class DrillNeverRan(ConflictError):
    """A report was asked for a drill that was never started."""


@dataclass(frozen=True)
class RevisionRecommendation:
    """预案修订建议: what to change in which plan, and why."""

    plan_id: str
    text: Text
    reason: Text | None = None
    step: str | None = None


@dataclass(frozen=True)
class Participant:
    username: str
    roles: tuple[str, ...]  # drill role ids


@dataclass(frozen=True)
class ReportData:
    programme: Programme
    plans: dict[str, Plan]
    events: tuple[ev.Event, ...]
    state: DrillState
    timings: tuple[Any, ...]  # ScenarioTimings
    drill_id: str | None
    drill_date: date
    start_minutes: int
    end_s: float  # drill time of the last event (the end of the drill when it ended)
    ended: bool
    participants: tuple[Participant, ...]
    evaluation: Any | None = None  # EvaluationResult
    rubric: Any | None = None
    findings: tuple[Any, ...] = ()
    findings_suggested: bool = False
    actions: tuple[Any, ...] = ()
    commendations: tuple[Any, ...] = ()
    commendations_suggested: bool = False
    revisions: tuple[RevisionRecommendation, ...] = ()
    impact: CustomerImpact | None = None
    impact_problem: str | None = None  # msgid: why there is no customer impact
    debriefs: tuple[Any, ...] = ()
    self_assessments: tuple[Any, ...] = ()
    generated_on: date | None = None
    hidden_seqs: frozenset[int] = frozenset()  # private events: folded, not listed in the appendix
    extra: dict[str, Any] = field(default_factory=dict)

    # ---- convenient reads ----
    @property
    def late_steps(self) -> list[Any]:
        return [s for sc in self.timings for s in sc.steps if s.late]

    @property
    def missed_steps(self) -> list[Any]:
        return [s for sc in self.timings for s in sc.steps if s.missed]

    @property
    def all_steps(self) -> list[Any]:
        return [s for sc in self.timings for s in sc.steps]

    @property
    def people(self) -> tuple[str, ...]:
        return tuple(p.username for p in self.participants)

    @property
    def grade_label(self) -> Text | None:
        ev_ = self.evaluation
        return ev_.grade.label if ev_ is not None and ev_.grade is not None else None

    def clock(self, drill_s: float | None) -> str:
        """Wall-clock label of a drill time ("09:14"; "09:14:30" with seconds)."""
        if drill_s is None:
            return "—"
        total = int(round(self.start_minutes * 60 + drill_s))
        h, rest = divmod(total, 3600)
        m, s = divmod(rest, 60)
        base = f"{h % 24:02d}:{m:02d}"
        return base if s == 0 else f"{base}:{s:02d}"


# ---- coercion of loosely typed inputs -------------------------------------------------------------
def _coerce(items: Iterable[Any] | None, model_path: str, name: str) -> tuple[Any, ...]:
    if not items:
        return ()
    out = []
    model = None
    for item in items:
        if isinstance(item, Mapping):
            if model is None:
                import importlib

                model = getattr(importlib.import_module(model_path), name)
            out.append(model.model_validate(dict(item)))
        else:
            out.append(item)
    return tuple(out)


def _participants(programme: Programme, state: DrillState, events: Sequence[ev.Event]) -> tuple[Participant, ...]:
    roles: dict[str, list[str]] = {}
    order: list[str] = []
    created = state.created
    if created is not None:
        for role_id, users in created.assignments.items():
            for u in users:
                if u not in roles:
                    roles[u] = []
                    order.append(u)
                if role_id not in roles[u]:
                    roles[u].append(role_id)
    assigned = set(roles)
    for e in events:
        if e.actor == ev.SYSTEM:
            continue
        if e.actor not in roles:
            roles[e.actor] = []
            order.append(e.actor)
        if e.actor in assigned:
            continue
        # no assignment recorded: the roles of the steps this person acted on
        ref = e.payload.get("step") if e.kind in (ev.STEP_START, ev.STEP_COMPLETE) else None
        if ref and ref in state.steps:
            role = state.steps[ref].role
            if role not in roles[e.actor]:
                roles[e.actor].append(role)
    role_rank = {r.id: i for i, r in enumerate(programme.roles)}
    first = {u: i for i, u in enumerate(order)}
    order.sort(key=lambda u: (min((role_rank.get(r, 999) for r in roles[u]), default=999), first[u]))
    return tuple(Participant(username=u, roles=tuple(roles[u])) for u in order)


def _revisions(timings: Sequence[Any], plans: Mapping[str, Plan], evaluation: Any | None) -> list[RevisionRecommendation]:
    from ccdrill.evaluation.timings import mmss

    out: list[RevisionRecommendation] = []
    for sc in timings:
        for st in sc.steps:
            if st.late:
                out.append(RevisionRecommendation(
                    plan_id=sc.plan_id, step=st.ref,
                    text=_bi(
                        N_("Review step “{step}” of {plan}: either give {role} what they need to finish within "
                           "{target}, or set a realistic target and say what is done meanwhile."),
                        step=st.title, plan=sc.title, role=st.role_name, target=mmss(st.target_s)),
                    reason=_bi(N_("It took {actual} against a target of {target} (mm:ss)."),
                               actual=mmss(st.duration_s), target=mmss(st.target_s)),
                ))
            elif st.missed:
                out.append(RevisionRecommendation(
                    plan_id=sc.plan_id, step=st.ref,
                    text=_bi(N_("Make step “{step}” of {plan} explicit: who starts it ({role}), what triggers it, "
                                "and how its completion is reported."),
                             step=st.title, plan=sc.title, role=st.role_name),
                    reason=_bi(N_("It was not recorded as complete by the end of the drill.")),
                ))
    if evaluation is not None:
        for area in evaluation.areas:
            for ind in area.indicators:
                if ind.score is not None and ind.score < 60:
                    plan_id = timings[0].plan_id if timings else ""
                    out.append(RevisionRecommendation(
                        plan_id=plan_id,
                        text=_bi(N_("Revise the part of the plan that “{indicator}” measures."), indicator=ind.title),
                        reason=_bi(N_("Scored {score} of 100."), score=f"{ind.score:.1f}".rstrip("0").rstrip(".")),
                    ))
    del plans
    return out


def _bi(msgid: str, **params: Any) -> Text:
    """A bilingual text from an English msgid; ``Text`` parameters are taken in the matching language."""
    from ccdrill.i18n import t

    def fill(lang: str) -> str:
        return t(msgid, lang, **{k: (v.get(lang) if isinstance(v, Text) else v) for k, v in params.items()})

    return Text(zh=fill("zh"), en=fill("en"))


def load_centre(programme: Programme, centre: Any | None) -> Any | None:
    """The centre model the twin simulates: the one given, else the programme's ``centre`` from the library."""
    from ccdrill.twin.model import CentreModel

    if isinstance(centre, CentreModel):
        return centre
    if isinstance(centre, Mapping):
        content = {k: v for k, v in centre.items() if k != "version"}  # the store adds its version number
        return CentreModel.model_validate(content)
    centre_id = centre if isinstance(centre, str) else programme.centre
    if not centre_id:
        return None
    from ccdrill.library import catalog

    try:
        loaded = catalog.load(centre_id, "centre")
    except Exception:  # noqa: BLE001 - unknown id: the report says the impact is unavailable
        return None
    return loaded if isinstance(loaded, CentreModel) else CentreModel.model_validate(loaded)


def build_report_data(
    programme: Programme,
    plans: Mapping[str, Plan],
    events: Sequence[ev.Event],
    *,
    drill_id: str | None = None,
    centre: Any | None = None,
    rubric: Any | None = None,
    scorecards: Sequence[Any] = (),
    evaluation: Any | None = None,
    findings: Sequence[Any] | None = None,
    actions: Sequence[Any] = (),
    commendations: Sequence[Any] | None = None,
    revisions: Sequence[RevisionRecommendation | Text | str] | None = None,
    debriefs: Sequence[Any] = (),
    self_assessments: Sequence[Any] = (),
    seed: int = IMPACT_SEED,
    generated_on: date | None = None,
    hidden_seqs: Iterable[int] = (),
) -> ReportData:
    """Compute everything the report shows.  Refuses (:class:`DrillNeverRan`) a drill that never started."""
    from ccdrill.evaluation.commendations import suggest_commendations
    from ccdrill.evaluation.findings import suggest_findings
    from ccdrill.evaluation.timings import scenario_timings

    label = drill_id or programme.id
    events = tuple(events)
    if not events:
        raise DrillNeverRan(MSG_NO_EVENTS, drill=label)
    if not any(e.kind == ev.DRILL_STARTED for e in events):
        raise DrillNeverRan(MSG_NEVER_RAN, drill=label)
    plans = dict(plans)
    for sc in programme.scenarios:
        if sc.plan.id not in plans:
            raise NotFoundError("The plan {plan} of this programme is missing.", plan=str(sc.plan))
    state = fold(programme, plans, events)
    timings = tuple(scenario_timings(state, programme, plans, events=events))

    if evaluation is None and rubric is not None and scorecards:
        from ccdrill.domain.scoring import Scorecard, combine

        cards = [Scorecard.model_validate(dict(c)) if isinstance(c, Mapping) else c for c in scorecards]
        evaluation = combine(rubric, cards)

    findings_suggested = findings is None
    found = (tuple(suggest_findings(timings, evaluation)) if findings is None
             else _coerce(findings, "ccdrill.evaluation.findings", "Finding"))
    commendations_suggested = commendations is None
    comm = (tuple(suggest_commendations(state, timings)) if commendations is None
            else _coerce(commendations, "ccdrill.evaluation.commendations", "Commendation"))
    acts = _coerce(actions, "ccdrill.evaluation.actions", "CorrectiveAction")

    recs: list[RevisionRecommendation] = []
    for r in revisions or ():
        if isinstance(r, RevisionRecommendation):
            recs.append(r)
        else:
            recs.append(RevisionRecommendation(plan_id=timings[0].plan_id if timings else "",
                                               text=r if isinstance(r, Text) else Text(zh=str(r))))
    if revisions is None:
        recs = _revisions(timings, plans, evaluation)

    model = load_centre(programme, centre)
    impact, problem = None, None
    if model is None:
        problem = N_("No centre model is linked to this programme, so the customer impact was not simulated.")
    else:
        offset = (minutes_of(programme.schedule.start) - model.horizon.start_min) * 60.0
        if offset < 0 or offset >= model.horizon_s:
            problem = N_("The centre model's simulated day does not cover the drill's time, so the customer impact "
                         "was not simulated.")
        else:
            impact = compute_impact(state, model, seed=seed)
            if impact.incident_start_s is None:
                problem = N_("No incident was injected in this drill, so there was no customer impact to simulate.")

    scheduled = state.scheduled_for.date() if state.scheduled_for is not None else None
    return ReportData(
        programme=programme, plans=plans, events=events, state=state, timings=timings, drill_id=drill_id,
        drill_date=scheduled or programme.schedule.date, start_minutes=minutes_of(programme.schedule.start),
        end_s=state.drill_time_s, ended=state.status in ("ended", "cancelled"),
        participants=_participants(programme, state, events),
        evaluation=evaluation, rubric=rubric, findings=found, findings_suggested=findings_suggested,
        actions=acts, commendations=comm, commendations_suggested=commendations_suggested,
        revisions=tuple(recs), impact=impact, impact_problem=problem,
        debriefs=tuple(debriefs), self_assessments=tuple(self_assessments), generated_on=generated_on,
        hidden_seqs=frozenset(hidden_seqs),
    )
