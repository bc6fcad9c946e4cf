"""演练状态 — the state of a drill, folded from its event log: ``state = fold(events)``.

Pure: no web, no database, no clock.  The same function serves a live drill (apply each
new event to the cached state), a restart (fold the whole log) and the report (fold, then
read timings, milestones and the twin's effect timeline).

Validation lives here too: :func:`apply` refuses an event that cannot happen (an action on
an ended drill, a step that does not exist, an inject fired twice) with a
:class:`~ccdrill.errors.CcdrillError`, so the runtime applies a new event *before* it
appends it and appends nothing when that raises (:func:`record` does both steps' pure part).

Decisions:

* Drill time is seconds after ``programme.schedule.start``; the effect timeline uses the same
  origin (``twin.effects.effect_seconds`` with ``horizon_start_minutes = schedule.start``).
* A step becomes *ready* when its scenario's incident has started and every ``after`` step is
  done; *late* means more than ``target_minutes`` from ready to complete (or to now).
* The real world does not wait for the plan: starting or completing a step that is not ready
  yet is recorded and flagged ``out_of_order``.  Lateness counts from when the step became (or
  would have become) ready; a step completed before it was ever ready is never late.
* Completing a step that was never started starts it at the same instant (its ``on: start``
  effects apply then).
* Effects of injects, incidents and steps are derived, never logged twice; ``effect_applied``
  is only for effects the command post applies by hand.
* An idempotency key is scoped to its actor: ``state.idempotency[(actor, key)] → seq``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from ccdrill.domain import events as ev
from ccdrill.domain.common import minutes_of
from ccdrill.domain.plan import Plan, Step
from ccdrill.domain.programme import Inject, Phase, Programme
from ccdrill.errors import ConflictError, NotFoundError
from ccdrill.twin.effects import Effect, effect_seconds

DrillStatus = Literal["draft", "scheduled", "running", "paused", "ended", "cancelled"]
InjectStatus = Literal["pending", "fired", "skipped", "held", "released"]
StepStatus = Literal["blocked", "ready", "in_progress", "done"]

_ACTIVE = frozenset({"running", "paused"})
_OPEN = frozenset({"draft", "scheduled", "running", "paused"})
_BEFORE = frozenset({"draft", "scheduled"})

# kind → the statuses it may happen in; kinds absent here need a running or paused drill.
ALLOWED_FROM: dict[str, frozenset[str | None]] = {
    ev.DRILL_CREATED: frozenset({None}),
    ev.DRILL_SCHEDULED: frozenset(_BEFORE),
    ev.DRILL_STARTED: frozenset(_BEFORE),
    ev.DRILL_PAUSED: frozenset({"running"}),
    ev.DRILL_RESUMED: frozenset({"paused"}),
    ev.DRILL_ENDED: frozenset(_ACTIVE),
    ev.DRILL_CANCELLED: frozenset(_OPEN),
    ev.SPEED_CHANGED: frozenset(_OPEN),
    ev.INJECT_ADDED: frozenset(_OPEN),
    ev.NOTE: frozenset(_OPEN),
}
NEXT_STATUS: dict[str, DrillStatus] = {
    ev.DRILL_CREATED: "draft",
    ev.DRILL_SCHEDULED: "scheduled",
    ev.DRILL_STARTED: "running",
    ev.DRILL_PAUSED: "paused",
    ev.DRILL_RESUMED: "running",
    ev.DRILL_ENDED: "ended",
    ev.DRILL_CANCELLED: "cancelled",
}


def transition(state: DrillState | DrillStatus | None, kind: str) -> DrillStatus | None:
    """The drill status after an event of ``kind``; :class:`ConflictError` when it cannot happen."""
    status = state.status if isinstance(state, DrillState) else state
    allowed = ALLOWED_FROM.get(kind, _ACTIVE)
    if status in allowed:
        return NEXT_STATUS.get(kind, status)
    if status == "ended":
        raise ConflictError("The drill is ended; no more actions can be recorded.")
    if status == "cancelled":
        raise ConflictError("The drill is cancelled; no more actions can be recorded.")
    if status is None:
        raise ConflictError("The drill has not been created yet.")
    if kind == ev.DRILL_CREATED:
        raise ConflictError("The drill already exists.")
    if status in _BEFORE:
        if kind == ev.DRILL_ENDED:
            raise ConflictError("The drill has not started yet; cancel it instead.")
        raise ConflictError("The drill has not started yet.")
    if kind in (ev.DRILL_STARTED, ev.DRILL_SCHEDULED):
        raise ConflictError("The drill has already started.")
    if kind == ev.DRILL_PAUSED:
        raise ConflictError("The drill is already paused.")
    if kind == ev.DRILL_RESUMED:
        raise ConflictError("The drill is not paused.")
    raise ConflictError("This action is not possible now.")  # pragma: no cover - table is complete


# ---- the clock ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ClockAnchor:
    """Drill time was ``drill_s`` at wall time ``wall``; while running it moves ``speed`` × wall time."""

    wall: datetime | None = None
    drill_s: float = 0.0
    speed: float = 1.0
    running: bool = False

    def drill_time(self, now: datetime) -> float:
        if not self.running or self.wall is None:
            return self.drill_s
        return self.drill_s + max(0.0, (now - self.wall).total_seconds()) * self.speed

    def wall_time_of(self, drill_s: float) -> datetime | None:
        """When the drill clock will show ``drill_s`` (``None`` unless running)."""
        if not self.running or self.wall is None:
            return None
        return self.wall + timedelta(seconds=(drill_s - self.drill_s) / self.speed)


def advance_clock(anchor: ClockAnchor, event: ev.Event) -> ClockAnchor:
    """The clock after ``event`` (unchanged for non-clock kinds)."""
    k, w = event.kind, event.wall_time
    if k == ev.DRILL_CREATED:
        return replace(anchor, speed=float(event.payload.get("speed", anchor.speed)))
    if k == ev.DRILL_STARTED:
        return ClockAnchor(wall=w, drill_s=event.drill_time_s, speed=anchor.speed, running=True)
    if k == ev.DRILL_RESUMED:  # continue from the frozen drill time
        return replace(anchor, wall=w, running=True)
    if k in (ev.DRILL_PAUSED, ev.DRILL_ENDED, ev.DRILL_CANCELLED):
        if not anchor.running:
            return anchor
        return replace(anchor, wall=w, drill_s=event.drill_time_s, running=False)
    if k == ev.SPEED_CHANGED:
        speed = float(event.payload["speed"])
        if anchor.running:
            return ClockAnchor(wall=w, drill_s=event.drill_time_s, speed=speed, running=True)
        return replace(anchor, speed=speed)
    return anchor


# ---- parts of the state ---------------------------------------------------------------------------
@dataclass(frozen=True)
class InjectState:
    inject: Inject
    time_s: float  # its drill-time position
    status: InjectStatus
    adhoc: bool = False
    fired_at: float | None = None
    fired_by: Literal["schedule", "command"] | None = None
    actor: str | None = None  # who fired, skipped or released it
    skipped_at: float | None = None
    released_at: float | None = None
    acknowledged_by: tuple[str, ...] = ()

    @property
    def seq(self) -> int:
        return self.inject.seq


@dataclass(frozen=True)
class StepState:
    plan_id: str
    step: Step
    status: StepStatus = "blocked"
    ready_at: float | None = None
    started_at: float | None = None
    completed_at: float | None = None
    started_by: str | None = None
    completed_by: str | None = None
    out_of_order: bool = False
    acknowledged_by: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.plan_id}.{self.step.id}"

    @property
    def role(self) -> str:
        return self.step.role

    @property
    def target_s(self) -> float:
        return self.step.target_minutes * 60.0

    @property
    def due_at(self) -> float | None:
        """Drill time by which it should be complete."""
        return None if self.ready_at is None else self.ready_at + self.target_s

    def elapsed(self, now_s: float) -> float | None:
        """Seconds since it became ready, up to its completion or ``now_s``."""
        if self.ready_at is None:
            return None
        end = self.completed_at if self.completed_at is not None else now_s
        return max(0.0, end - self.ready_at)

    def late_at(self, now_s: float) -> bool:
        elapsed = self.elapsed(now_s)
        return elapsed is not None and elapsed > self.target_s

    @property
    def late(self) -> bool:
        """For a completed step: did it take longer than its target? (Open steps: :meth:`late_at`.)"""
        return self.completed_at is not None and self.late_at(self.completed_at)


@dataclass(frozen=True)
class Milestones:
    incident_started_at: float | None = None
    first_report_at: float | None = None
    plan_activated_at: float | None = None
    restored_at: float | None = None


@dataclass(frozen=True)
class TimedEffect:
    at_s: float  # drill seconds
    effect: Effect
    source: str  # "incident:PLAN", "inject:N", "step:PLAN.STEP:start|complete", "command"
    event_seq: int


@dataclass
class DrillState:
    """Everything shown about a drill, derived from its events. Treat as read-only: :func:`apply`
    returns a new state and leaves its argument unchanged."""

    programme: Programme
    plans: dict[str, Plan]
    status: DrillStatus | None = None
    clock: ClockAnchor = ClockAnchor()
    last_seq: int = 0
    drill_time_s: float = 0.0  # drill time of the last event
    last_wall: datetime | None = None
    created: ev.DrillCreated | None = None
    scheduled_for: datetime | None = None
    injects: dict[int, InjectState] = field(default_factory=dict)
    steps: dict[str, StepState] = field(default_factory=dict)
    milestones: dict[str, Milestones] = field(default_factory=dict)
    effects: tuple[TimedEffect, ...] = ()
    idempotency: dict[tuple[str, str], int] = field(default_factory=dict)

    # -- construction --
    @classmethod
    def initial(cls, programme: Programme, plans: dict[str, Plan]) -> DrillState:
        start = minutes_of(programme.schedule.start)
        injects = {i.seq: _inject_state(i, start) for i in programme.injects}
        steps: dict[str, StepState] = {}
        milestones: dict[str, Milestones] = {}
        for sc in programme.scenarios:
            plan = plans.get(sc.plan.id)
            if plan is None:
                raise NotFoundError("The plan {plan} of this programme is missing.", plan=str(sc.plan))
            milestones[plan.id] = Milestones()
            for step in plan.steps:
                steps[f"{plan.id}.{step.id}"] = StepState(plan_id=plan.id, step=step)
        return cls(programme=programme, plans=dict(plans), injects=injects, steps=steps, milestones=milestones)

    def _copy(self) -> DrillState:
        return replace(self, injects=dict(self.injects), steps=dict(self.steps),
                       milestones=dict(self.milestones), idempotency=dict(self.idempotency))

    # -- reading --
    @property
    def start_minutes(self) -> int:
        return minutes_of(self.programme.schedule.start)

    def phase_window(self, phase: Phase) -> tuple[float, float]:
        return ((minutes_of(phase.start) - self.start_minutes) * 60.0,
                (minutes_of(phase.end) - self.start_minutes) * 60.0)

    def phase_at(self, drill_s: float) -> Phase | None:
        for phase in self.programme.phases:
            lo, hi = self.phase_window(phase)
            if lo <= drill_s < hi:
                return phase
        return None

    @property
    def current_phase(self) -> Phase | None:
        """The phase at the last event's drill time (live pages: ``phase_at(clock.drill_time())``)."""
        return self.phase_at(self.drill_time_s)

    def step(self, ref: str) -> StepState:
        st = self.steps.get(ref)
        if st is None:
            raise NotFoundError("No step {step} in this drill.", step=ref)
        return st

    def inject(self, seq: int) -> InjectState:
        st = self.injects.get(seq)
        if st is None:
            raise NotFoundError("No inject {inject} in this drill.", inject=seq)
        return st

    def scenario_steps(self, plan_id: str) -> list[StepState]:
        return [s for s in self.steps.values() if s.plan_id == plan_id]

    def late_steps(self, now_s: float) -> list[StepState]:
        return [s for s in self.steps.values() if s.late_at(now_s)]

    def effect_timeline(self) -> list[tuple[float, Effect]]:
        """``[(drill seconds, effect), …]`` in time order — what the twin replays."""
        return [(e.at_s, e.effect) for e in self.effects]

    @property
    def next_inject_seq(self) -> int:
        return max(self.injects, default=0) + 1

    def seq_for(self, actor: str, idempotency_key: str) -> int | None:
        """The event an earlier request with this key recorded, if any."""
        return self.idempotency.get((actor, idempotency_key))


def _inject_state(inject: Inject, start_minutes: int, adhoc: bool = False) -> InjectState:
    minutes = inject.time.offset_minutes
    if minutes is None:
        assert inject.time.clock is not None
        minutes = minutes_of(inject.time.clock) - start_minutes
    return InjectState(inject=inject, time_s=minutes * 60.0, status="held" if inject.contingency else "pending",
                       adhoc=adhoc)


# ---- folding --------------------------------------------------------------------------------------
def fold(programme: Programme, plans: dict[str, Plan], events: Iterable[ev.Event]) -> DrillState:
    """The state after ``events`` (a log read back from the store, in seq order)."""
    state = DrillState.initial(programme, plans)
    for event in events:
        _apply_in_place(state, event)  # one private copy for the whole log: no copy per event
    return state


def apply(state: DrillState, event: ev.Event) -> DrillState:
    """The state after ``event``; raises (and changes nothing) when the event cannot happen."""
    new = state._copy()
    _apply_in_place(new, event)
    return new


def _apply_in_place(s: DrillState, event: ev.Event) -> None:
    if event.seq != s.last_seq + 1:
        raise ConflictError("Event {seq} is out of order; expected {expected}.",
                            seq=event.seq, expected=s.last_seq + 1)
    if event.idempotency_key and (event.actor, event.idempotency_key) in s.idempotency:
        raise ConflictError("This request was already recorded as event {seq}.",
                            seq=s.idempotency[(event.actor, event.idempotency_key)])
    data = event.data()
    s.status = transition(s, event.kind)
    s.clock = advance_clock(s.clock, event)
    handler = _HANDLERS.get(event.kind)
    if handler is not None:
        handler(s, event, data)
    s.last_seq = event.seq
    s.drill_time_s = event.drill_time_s
    s.last_wall = event.wall_time
    if event.idempotency_key:
        s.idempotency[(event.actor, event.idempotency_key)] = event.seq


def make_event(state: DrillState, *, kind: str, payload: dict[str, Any] | None, actor: str,
               wall_time: datetime, idempotency_key: str | None = None) -> ev.Event:
    """The next event of the drill, stamped with the drill clock at ``wall_time``."""
    drill_s = state.drill_time_s if state.status is None else max(state.drill_time_s, state.clock.drill_time(wall_time))
    return ev.Event(seq=state.last_seq + 1, drill_time_s=drill_s, wall_time=wall_time, actor=actor, kind=kind,
                    payload=ev.canonical_payload(kind, payload), idempotency_key=idempotency_key)


def record(state: DrillState, *, kind: str, payload: dict[str, Any] | None, actor: str,
           wall_time: datetime, idempotency_key: str | None = None) -> tuple[ev.Event, DrillState]:
    """Make the next event and apply it: append the event only if this returns."""
    event = make_event(state, kind=kind, payload=payload, actor=actor, wall_time=wall_time,
                       idempotency_key=idempotency_key)
    return event, apply(state, event)


# ---- handlers (mutate the fresh copy made by apply) -----------------------------------------------
def _add_effect(s: DrillState, effect: Effect, trigger_s: float, source: str, seq: int) -> None:
    te = TimedEffect(at_s=effect_seconds(effect, s.start_minutes, trigger_s), effect=effect, source=source,
                     event_seq=seq)
    items = list(s.effects)
    items.insert(bisect.bisect_right([e.at_s for e in items], te.at_s), te)
    s.effects = tuple(items)


def _refresh_ready(s: DrillState, plan_id: str, t: float) -> None:
    if s.milestones[plan_id].incident_started_at is None:
        return
    for key, st in list(s.steps.items()):
        if st.plan_id != plan_id or st.ready_at is not None or st.status == "done":
            continue
        if all(s.steps[f"{plan_id}.{dep}"].status == "done" for dep in st.step.after
               if f"{plan_id}.{dep}" in s.steps):
            s.steps[key] = replace(st, ready_at=t, status="ready" if st.status == "blocked" else st.status)


def _scenario_of(s: DrillState, *, step: str | None = None, inject: Inject | None = None,
                 scenario: str | None = None) -> str | None:
    if scenario and scenario in s.milestones:
        return scenario
    if step:
        plan_id = step.split(".", 1)[0]
        if plan_id in s.milestones:
            return plan_id
    if inject is not None:
        return _scenario_of(s, step=inject.step, scenario=inject.scenario)
    if len(s.milestones) == 1:
        return next(iter(s.milestones))
    return None


def _on_created(s: DrillState, e: ev.Event, d: Any) -> None:
    s.created = d


def _on_scheduled(s: DrillState, e: ev.Event, d: Any) -> None:
    s.scheduled_for = d.at


def _on_fired(s: DrillState, e: ev.Event, d: Any) -> None:
    st = s.inject(d.inject)
    if st.status == "fired":
        raise ConflictError("Inject {inject} has already been fired.", inject=d.inject)
    if st.status == "skipped":
        raise ConflictError("Inject {inject} was skipped; add an ad-hoc inject instead.", inject=d.inject)
    if st.status == "held" and d.by == "schedule":
        raise ConflictError("Inject {inject} is a contingency inject; release it first.", inject=d.inject)
    t = e.drill_time_s
    s.injects[d.inject] = replace(st, status="fired", fired_at=t, fired_by=d.by, actor=e.actor)
    inject = st.inject
    if inject.starts_incident:
        plan_id = _scenario_of(s, inject=inject)
        if plan_id is not None and s.milestones[plan_id].incident_started_at is None:
            s.milestones[plan_id] = replace(s.milestones[plan_id], incident_started_at=t)
            incident = s.plans[plan_id].incident
            for effect in incident.effects if incident else []:
                _add_effect(s, effect, t, f"incident:{plan_id}", e.seq)
            _refresh_ready(s, plan_id, t)
    for effect in inject.effects:
        _add_effect(s, effect, t, f"inject:{inject.seq}", e.seq)


def _on_skipped(s: DrillState, e: ev.Event, d: Any) -> None:
    st = s.inject(d.inject)
    if st.status == "fired":
        raise ConflictError("Inject {inject} has already been fired.", inject=d.inject)
    if st.status == "skipped":
        raise ConflictError("Inject {inject} was already skipped.", inject=d.inject)
    s.injects[d.inject] = replace(st, status="skipped", skipped_at=e.drill_time_s, actor=e.actor)


def _on_released(s: DrillState, e: ev.Event, d: Any) -> None:
    st = s.inject(d.inject)
    if st.status != "held":
        raise ConflictError("Inject {inject} is not a held contingency inject.", inject=d.inject)
    s.injects[d.inject] = replace(st, status="released", released_at=e.drill_time_s, actor=e.actor)


def _on_added(s: DrillState, e: ev.Event, d: Any) -> None:
    inject: Inject = d.inject
    if inject.seq in s.injects:
        raise ConflictError("Inject {inject} already exists.", inject=inject.seq)
    if inject.step is not None:
        s.step(inject.step)
    s.injects[inject.seq] = _inject_state(inject, s.start_minutes, adhoc=True)


def _check_refs(s: DrillState, d: Any) -> None:
    if getattr(d, "step", None) is not None:
        s.step(d.step)
    if getattr(d, "inject", None) is not None:
        s.inject(d.inject)


def _on_acknowledge(s: DrillState, e: ev.Event, d: Any) -> None:
    _check_refs(s, d)
    if d.inject is not None:
        st = s.injects[d.inject]
        if st.status != "fired":
            raise ConflictError("Inject {inject} has not been fired yet.", inject=d.inject)
        if e.actor not in st.acknowledged_by:
            s.injects[d.inject] = replace(st, acknowledged_by=(*st.acknowledged_by, e.actor))
    if d.step is not None:
        stp = s.steps[d.step]
        if e.actor not in stp.acknowledged_by:
            s.steps[d.step] = replace(stp, acknowledged_by=(*stp.acknowledged_by, e.actor))


def _on_report(s: DrillState, e: ev.Event, d: Any) -> None:
    _check_refs(s, d)
    inject = s.injects[d.inject].inject if d.inject is not None else None
    plan_id = _scenario_of(s, step=d.step, inject=inject, scenario=d.scenario)
    if plan_id is None:
        return
    m = s.milestones[plan_id]
    if m.incident_started_at is not None and m.first_report_at is None:
        s.milestones[plan_id] = replace(m, first_report_at=e.drill_time_s)


def _start_effects(s: DrillState, st: StepState, t: float, seq: int) -> None:
    for se in st.step.effects:
        if se.on == "start":
            _add_effect(s, se.effect, t, f"step:{st.key}:start", seq)


def _on_step_start(s: DrillState, e: ev.Event, d: Any) -> None:
    st = s.step(d.step)
    if st.status == "done":
        raise ConflictError("Step {step} is already complete.", step=d.step)
    if st.status == "in_progress":
        raise ConflictError("Step {step} has already started.", step=d.step)
    _check_refs(s, d)
    t = e.drill_time_s
    s.steps[d.step] = replace(st, status="in_progress", started_at=t, started_by=e.actor,
                              out_of_order=st.status == "blocked")
    _start_effects(s, st, t, e.seq)


def _on_step_complete(s: DrillState, e: ev.Event, d: Any) -> None:
    st = s.step(d.step)
    if st.status == "done":
        raise ConflictError("Step {step} is already complete.", step=d.step)
    _check_refs(s, d)
    t = e.drill_time_s
    if st.started_at is None:
        st = replace(st, started_at=t, started_by=e.actor, out_of_order=st.status == "blocked")
        _start_effects(s, st, t, e.seq)
    elif st.status == "blocked":  # pragma: no cover - a started step is never blocked
        st = replace(st, out_of_order=True)
    s.steps[d.step] = replace(st, status="done", completed_at=t, completed_by=e.actor)
    for se in st.step.effects:
        if se.on == "complete":
            _add_effect(s, se.effect, t, f"step:{st.key}:complete", e.seq)
    m = s.milestones[st.plan_id]
    if st.step.reports_incident and m.incident_started_at is not None and m.first_report_at is None:
        m = replace(m, first_report_at=t)  # completing the "report it" step is a report, too
    if st.step.activates_plan and m.plan_activated_at is None:
        m = replace(m, plan_activated_at=t)
    if st.step.restores_service and m.restored_at is None:
        m = replace(m, restored_at=t)
    s.milestones[st.plan_id] = m
    _refresh_ready(s, st.plan_id, t)


def _on_note(s: DrillState, e: ev.Event, d: Any) -> None:
    _check_refs(s, d)


def _on_effect(s: DrillState, e: ev.Event, d: Any) -> None:
    _add_effect(s, d.effect, e.drill_time_s, "command", e.seq)


_HANDLERS = {
    ev.DRILL_CREATED: _on_created,
    ev.DRILL_SCHEDULED: _on_scheduled,
    ev.INJECT_FIRED: _on_fired,
    ev.INJECT_SKIPPED: _on_skipped,
    ev.CONTINGENCY_RELEASED: _on_released,
    ev.INJECT_ADDED: _on_added,
    ev.ACKNOWLEDGE: _on_acknowledge,
    ev.REPORT: _on_report,
    ev.STEP_START: _on_step_start,
    ev.STEP_COMPLETE: _on_step_complete,
    ev.NOTE: _on_note,
    ev.EFFECT_APPLIED: _on_effect,
}
