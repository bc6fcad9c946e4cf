"""客观用时 — objective timings of a drill, per scenario, derived from the folded event log.

Pure: no I/O, no wall clock.  Everything is in seconds of drill time (seconds after
``programme.schedule.start``, the origin of :mod:`ccdrill.domain.fold`); :func:`mmss` and
:func:`clock_label` format them.

Decisions:

* A step's **duration** is from when it became ready (its ``after`` steps done, the incident
  started) to its completion — the same span its ``target_minutes`` measures.  A step completed
  before it was ever ready (out of order) counts from its start.
* **Late**: completed, and its duration is above its target (``late_by_s`` = duration − target).
  **Missed**: not completed when the drill ended (or was cancelled); a missed step is not also
  listed as late.  While the drill still runs an unfinished step is *open*, and *overdue* when
  it has been ready longer than its target at ``now_s``.
* **Critical path (actual)**: the longest chain through ``after`` dependencies of the completed
  steps, weighted by their durations.  Because a step becomes ready when its last dependency
  completes, this is the chain that decided when the response finished.  Missed steps have no
  actual duration and are left out (they are listed as missed).
* **Critical path (target)**: the same over all steps, weighted by their targets — the plan's own
  critical path; its length is the **planned total**.  The **actual total** is from the
  incident's start to the last completed step.
* Milestones (first report, plan activation, restoration) are measured from the incident's start.
* Evidence: the sequence numbers of the events behind each figure, when the log is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ccdrill.domain import events as ev
from ccdrill.domain.common import Text, minutes_of
from ccdrill.domain.fold import DrillState, StepState
from ccdrill.domain.plan import Plan
from ccdrill.domain.programme import Programme

StepOutcome = Literal["on_time", "late", "missed", "open", "overdue"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StepTiming(_Model):
    ref: str  # "plan-id.step-id"
    plan_id: str
    step_id: str
    title: Text
    role: str
    role_name: Text
    after: tuple[str, ...] = ()
    target_s: float
    ready_at: float | None = None
    started_at: float | None = None
    completed_at: float | None = None
    started_by: str | None = None
    completed_by: str | None = None
    duration_s: float | None = None  # ready (or start) → complete
    from_incident_s: float | None = None  # incident start → complete
    late: bool = False
    late_by_s: float | None = None
    missed: bool = False
    overdue: bool = False  # open past its target at ``now_s`` (drill still running)
    out_of_order: bool = False
    outcome: StepOutcome
    evidence: tuple[int, ...] = ()  # step_start / step_complete events

    @property
    def on_time(self) -> bool:
        return self.outcome == "on_time"


class CriticalPath(_Model):
    steps: tuple[str, ...]  # step refs, first to last
    length_s: float


class ScenarioTimings(_Model):
    plan_id: str
    title: Text
    ended: bool  # the drill has ended or was cancelled
    end_at: float  # drill time of the drill's end (or ``now_s``)
    incident_at: float | None = None
    incident_inject: int | None = None
    first_report_at: float | None = None
    first_report_s: float | None = None  # after the incident started
    first_report_by: str | None = None
    activated_at: float | None = None
    activation_s: float | None = None
    restored_at: float | None = None
    restoration_s: float | None = None
    steps: tuple[StepTiming, ...] = ()
    late: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()
    critical_path: CriticalPath
    target_critical_path: CriticalPath
    actual_total_s: float | None = None  # incident → last completed step
    all_completed: bool = False
    evidence: dict[str, tuple[int, ...]] = {}  # "incident", "first_report", "activation", "restoration"

    @property
    def planned_total_s(self) -> float:
        return self.target_critical_path.length_s

    @property
    def all_on_time(self) -> bool:
        return bool(self.steps) and all(s.on_time for s in self.steps)

    def step(self, ref_or_id: str) -> StepTiming | None:
        return next((s for s in self.steps if ref_or_id in (s.ref, s.step_id)), None)


# ---- formatting -----------------------------------------------------------------------------------
def mmss(seconds: float | None) -> str:
    """``245`` → ``"04:05"``; minutes go past 59 (``"75:00"``); negative → ``"-03:00"``; None → ``"—"``."""
    if seconds is None:
        return "—"
    sign = "-" if seconds < 0 else ""
    total = int(round(abs(seconds)))
    return f"{sign}{total // 60:02d}:{total % 60:02d}"


def clock_label(programme: Programme, drill_s: float | None) -> str:
    """The wall-clock label of a drill time: ``600`` in a drill starting 09:00 → ``"09:10"``
    (``"09:10:30"`` when seconds are not zero); None → ``"—"``."""
    if drill_s is None:
        return "—"
    total = int(round(minutes_of(programme.schedule.start) * 60 + drill_s))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    base = f"{h % 24:02d}:{m:02d}"
    return base if s == 0 else f"{base}:{s:02d}"


# ---- evidence index -------------------------------------------------------------------------------
class _Index:
    """Which event stands behind which figure."""

    def __init__(self, events: Iterable[ev.Event]) -> None:
        self.step: dict[str, list[int]] = {}
        self.fired: dict[int, int] = {}
        self.reports: list[ev.Event] = []
        for e in events:
            if e.kind in (ev.STEP_START, ev.STEP_COMPLETE):
                self.step.setdefault(str(e.payload.get("step")), []).append(e.seq)
            elif e.kind == ev.INJECT_FIRED:
                self.fired[int(e.payload["inject"])] = e.seq
            elif e.kind == ev.REPORT:
                self.reports.append(e)

    def completion(self, ref: str, state: DrillState) -> int | None:
        seqs = self.step.get(ref, [])
        return seqs[-1] if seqs and state.steps[ref].completed_at is not None else None

    def report(self, plan_id: str, at: float, state: DrillState) -> ev.Event | None:
        for e in self.reports:
            if e.drill_time_s != at:
                continue
            p = e.payload
            if p.get("scenario") == plan_id or str(p.get("step", "")).split(".", 1)[0] == plan_id:
                return e
            inject = p.get("inject")
            if inject is not None and inject in state.injects:
                inj = state.injects[inject].inject
                if inj.scenario == plan_id or (inj.step or "").split(".", 1)[0] == plan_id:
                    return e
            if len(state.milestones) == 1:
                return e
        return None


# ---- computing ------------------------------------------------------------------------------------
def _duration(st: StepState) -> float | None:
    if st.completed_at is None:
        return None
    start = st.ready_at if st.ready_at is not None else st.started_at
    return max(0.0, st.completed_at - (start if start is not None else st.completed_at))


def longest_path(steps: Sequence[StepTiming], weight: dict[str, float]) -> CriticalPath:
    """The heaviest chain through ``after`` among the steps in ``weight`` (step ref → seconds).

    Ties go to the chain that ends with the step listed first in the plan."""
    by_id = {s.step_id: s for s in steps if s.ref in weight}
    best: dict[str, tuple[float, tuple[str, ...]]] = {}

    def visit(step_id: str) -> tuple[float, tuple[str, ...]]:
        if step_id in best:
            return best[step_id]
        st = by_id[step_id]
        prev: tuple[float, tuple[str, ...]] = (0.0, ())
        for dep in st.after:
            if dep in by_id:
                cand = visit(dep)
                if cand[0] > prev[0]:
                    prev = cand
        best[step_id] = (prev[0] + weight[st.ref], (*prev[1], st.ref))
        return best[step_id]

    top: tuple[float, tuple[str, ...]] = (0.0, ())
    for sid in by_id:
        cand = visit(sid)
        if cand[0] > top[0] or not top[1]:
            top = cand
    return CriticalPath(steps=top[1], length_s=top[0])


def _role_name(plan: Plan, programme: Programme, role: str) -> Text:
    r = plan.role(role) or programme.role(role)
    return r.name if r is not None else Text(zh=role, en=role)


def scenario_timings(state: DrillState, programme: Programme | None = None,
                     plans: dict[str, Plan] | None = None, *, events: Iterable[ev.Event] = (),
                     now_s: float | None = None) -> list[ScenarioTimings]:
    """Per scenario of the drill: milestones, every step against its target, late and missed steps,
    the critical paths and the planned against the actual total.

    ``events`` (the log the state was folded from) adds evidence (event seqs) and who made the first
    report; ``now_s`` is the drill time to judge an unfinished, still running drill at (default: the
    last event's)."""
    programme = programme or state.programme
    plans = plans or state.plans
    idx = _Index(events)
    ended = state.status in ("ended", "cancelled")
    end_at = state.drill_time_s if ended or now_s is None else max(now_s, state.drill_time_s)
    out: list[ScenarioTimings] = []
    for sc in programme.scenarios:
        plan = plans[sc.plan.id]
        m = state.milestones[plan.id]
        inc = m.incident_started_at

        def since(t: float | None, inc: float | None = inc) -> float | None:
            return None if t is None or inc is None else t - inc

        rows: list[StepTiming] = []
        for step in plan.steps:
            ref = f"{plan.id}.{step.id}"
            st = state.steps[ref]
            dur = _duration(st)
            done = st.completed_at is not None
            late = done and dur is not None and dur > st.target_s
            missed = not done and ended
            overdue = not done and not ended and st.late_at(end_at)
            outcome: StepOutcome = ("late" if late else "on_time") if done else (
                "missed" if missed else "overdue" if overdue else "open")
            rows.append(StepTiming(
                ref=ref, plan_id=plan.id, step_id=step.id, title=step.title, role=step.role,
                role_name=_role_name(plan, programme, step.role), after=tuple(step.after), target_s=st.target_s,
                ready_at=st.ready_at, started_at=st.started_at, completed_at=st.completed_at,
                started_by=st.started_by, completed_by=st.completed_by, duration_s=dur,
                from_incident_s=since(st.completed_at), late=late,
                late_by_s=(dur - st.target_s) if late and dur is not None else None,
                missed=missed, overdue=overdue, out_of_order=st.out_of_order, outcome=outcome,
                evidence=tuple(idx.step.get(ref, ())),
            ))
        actual = longest_path(rows, {r.ref: r.duration_s for r in rows if r.duration_s is not None})
        target = longest_path(rows, {r.ref: r.target_s for r in rows})
        completions = [r.completed_at for r in rows if r.completed_at is not None]

        evidence: dict[str, tuple[int, ...]] = {}
        incident_inject = next((i.seq for i in state.injects.values()
                                if i.inject.starts_incident and i.fired_at == inc and inc is not None
                                and _belongs(i.inject, plan.id, state)), None)
        if incident_inject is not None and incident_inject in idx.fired:
            evidence["incident"] = (idx.fired[incident_inject],)
        report_event = idx.report(plan.id, m.first_report_at, state) if m.first_report_at is not None else None
        if report_event is not None:
            evidence["first_report"] = (report_event.seq,)
        for key, flag in (("activation", "activates_plan"), ("restoration", "restores_service")):
            step = next((s for s in plan.steps if getattr(s, flag)), None)
            seq = idx.completion(f"{plan.id}.{step.id}", state) if step is not None else None
            if seq is not None:
                evidence[key] = (seq,)

        out.append(ScenarioTimings(
            plan_id=plan.id, title=plan.title, ended=ended, end_at=end_at,
            incident_at=inc, incident_inject=incident_inject,
            first_report_at=m.first_report_at, first_report_s=since(m.first_report_at),
            first_report_by=report_event.actor if report_event is not None else None,
            activated_at=m.plan_activated_at, activation_s=since(m.plan_activated_at),
            restored_at=m.restored_at, restoration_s=since(m.restored_at),
            steps=tuple(rows),
            late=tuple(r.ref for r in rows if r.late),
            missed=tuple(r.ref for r in rows if r.missed),
            critical_path=actual, target_critical_path=target,
            actual_total_s=since(max(completions)) if completions else None,
            all_completed=all(r.completed_at is not None for r in rows),
            evidence=evidence,
        ))
    return out


def _belongs(inject, plan_id: str, state: DrillState) -> bool:
    if inject.scenario == plan_id or (inject.step or "").split(".", 1)[0] == plan_id:
        return True
    return inject.scenario is None and inject.step is None and len(state.milestones) == 1
