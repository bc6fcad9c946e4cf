"""Autoplay: a whole drill run headless by simulated participants — the same event log a live drill writes.

The command post starts the clock at drill time 0 and ends it at the programme's scheduled end;
injects fire on schedule (actor ``system``); every seat answers what reaches it after a delay drawn
from a distribution: an inject addressed to a role is acknowledged (lognormal, mean 40 s), a step
that becomes ready is acknowledged (30 s), started (30 s) and completed after a share of its target
time (uniform 0.5–1.15 × target, so some run late); the first agent reports the incident (60 s).
Evaluators leave one private note.  Delays are drill seconds, drawn from ``seed``.

Time is virtual: the drill is replayed as if it had started ``duration / speed`` ago, so it ends
now and its wall times are those of a real run at that speed.  Everything goes through the
service's record path, so the log is validated exactly as a live one.
"""

from __future__ import annotations

import heapq
import itertools
import math
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from ccdrill.auth.permissions import User
from ccdrill.domain import events as ev
from ccdrill.domain.common import minutes_of
from ccdrill.live.schedule import next_due
from ccdrill.live.service import DrillService

ACK_MEAN_S = 40.0
STEP_ACK_S = 30.0
STEP_START_S = 30.0
REPORT_S = 60.0
DEFAULT_STEP_MINUTES = 5.0


def _lognormal(rng: np.random.Generator, mean: float, cv: float = 0.5) -> float:
    sigma = math.sqrt(math.log(1 + cv * cv))
    return float(rng.lognormal(math.log(mean) - sigma * sigma / 2, sigma))


async def autoplay(service: DrillService, *, programme: str, actor: User, speed: float = 60.0, seed: int = 0,
                   assignments: dict[str, list[str]] | None = None, end_wall: datetime | None = None) -> int:
    """Create and run a drill of ``programme`` to its end; returns the drill id."""
    from ccdrill.live.service import parse_programme_ref
    from ccdrill.store import documents

    rng = np.random.default_rng(seed)
    pid, version = parse_programme_ref(programme)
    with service.factory() as s:
        prog = documents.get_programme(s, pid, version)
    duration = (minutes_of(prog.schedule.end) - minutes_of(prog.schedule.start)) * 60.0
    end_wall = end_wall or service.now()
    start_wall = end_wall - timedelta(seconds=duration / speed)

    def wall(t: float) -> datetime:
        return start_wall + timedelta(seconds=t / speed)

    assignments = {k: list(v) for k, v in (assignments or {}).items()}

    def who(role: str) -> str:
        names = assignments.get(role) or []
        return names[0] if names else f"sim-{role}"[:64]

    kinds = {r.id: r.kind for r in prog.roles}
    commander = prog.organisation.command_post.commander
    drill_id = service.create_drill(programme=f"{prog.id}@{prog.version}" if prog.version else prog.id,
                                    speed=speed, assignments=assignments, date=prog.schedule.date, actor=actor,
                                    seed=seed, at=wall(0))

    async def act(t: float, kind: str, payload: dict[str, Any], by: str) -> None:
        await service.record_action(drill_id, user=None, actor=by, kind=kind, payload=payload, at=wall(t))

    await act(0.0, ev.DRILL_STARTED, {}, who(commander))
    queue: list[tuple[float, int, str, dict[str, Any], str]] = []
    counter = itertools.count()
    planned: set[str] = set()

    def plan(key: str, t: float, kind: str, payload: dict[str, Any], by: str) -> None:
        if key not in planned:
            planned.add(key)
            heapq.heappush(queue, (t, next(counter), kind, payload, by))

    evaluators = [r.id for r in prog.roles if r.kind == "evaluator"]
    for role in evaluators:
        plan(f"note:{role}", duration * 0.6, ev.NOTE,
             {"note": "处置有序，报告及时。/ Orderly response, timely reports."}, who(role))

    while True:
        state = service._get(drill_id).state
        # what the seats answer to
        for inj in state.injects.values():
            if inj.status == "fired" and inj.fired_at is not None:
                for role in inj.inject.to:
                    if kinds.get(role, "participant") in ("participant", "command"):
                        plan(f"ack:{inj.seq}:{role}", inj.fired_at + _lognormal(rng, ACK_MEAN_S), ev.ACKNOWLEDGE,
                             {"inject": inj.seq}, who(role))
        for pid_, m in state.milestones.items():
            if m.incident_started_at is not None:
                role = "agent" if "agent" in kinds else next(iter(kinds))
                plan(f"report:{pid_}", m.incident_started_at + _lognormal(rng, REPORT_S), ev.REPORT,
                     {"scenario": pid_, "note": "系统无法登录，已报告主管。/ Cannot log in; supervisor told."},
                     who(role))
        for key, st in state.steps.items():
            if st.ready_at is None or st.status == "done":
                continue
            by = who(st.step.role)
            if f"step:{key}" not in planned:
                t_ack = st.ready_at + _lognormal(rng, STEP_ACK_S)
                t_start = t_ack + _lognormal(rng, STEP_START_S)
                target = (st.step.target_minutes or DEFAULT_STEP_MINUTES) * 60.0
                t_done = t_start + target * float(rng.uniform(0.5, 1.15))
                planned.add(f"step:{key}")
                plan(f"sack:{key}", t_ack, ev.ACKNOWLEDGE, {"step": key}, by)
                plan(f"start:{key}", t_start, ev.STEP_START, {"step": key}, by)
                plan(f"done:{key}", t_done, ev.STEP_COMPLETE, {"step": key}, by)
        t_inject = nd[0] if (nd := next_due(state)) is not None else math.inf
        t_action = queue[0][0] if queue else math.inf
        t = min(t_inject, t_action)
        if t >= duration:
            break
        t = max(t, state.drill_time_s)
        if t_inject <= t_action:
            await service.fire_due(drill_id, at=wall(t))
            continue
        _, _, kind, payload, by = heapq.heappop(queue)
        if kind == ev.STEP_START and state.steps[payload["step"]].status in ("in_progress", "done"):
            continue
        await act(t, kind, payload, by)
    await act(duration, ev.DRILL_ENDED, {}, who(commander))
    return drill_id
