"""注入调度 — which injects are due, on the drill clock.

Every pending inject keeps its drill-time position: it fires when the *drill* clock reaches
it, whatever pauses or speed changes came before.  While paused the drill clock stands still,
so nothing comes due and nothing is fired late by the pause length; after a resume the runner
asks :func:`next_due` again and converts it to wall time with the clock.

Held contingency injects are never due; once released they are due at their own position
(at once, if it has passed).  Firing, skipping, adding and releasing are all events.
"""

from __future__ import annotations

from datetime import datetime

from ccdrill.domain import events as ev
from ccdrill.domain.fold import DrillState, InjectState, record
from ccdrill.domain.programme import Inject
from ccdrill.live.clock import DrillClock

_SCHEDULABLE = frozenset({"pending", "released"})


def _waiting(state: DrillState) -> list[InjectState]:
    return sorted((i for i in state.injects.values() if i.status in _SCHEDULABLE), key=lambda i: (i.time_s, i.seq))


def due_injects(state: DrillState, drill_time: float) -> list[Inject]:
    """Injects to fire at ``drill_time``: pending (or released), at or before it, in seq order."""
    return [i.inject for i in sorted(_waiting(state), key=lambda i: i.seq) if i.time_s <= drill_time]


def next_due(state: DrillState) -> tuple[float, Inject] | None:
    """The earliest waiting inject and its drill time (the runner sleeps until ``wall_time_of`` it)."""
    waiting = _waiting(state)
    return (waiting[0].time_s, waiting[0].inject) if waiting else None


def fire_due(state: DrillState, clock: DrillClock, now: datetime | None = None) -> list[ev.Event]:
    """The ``inject_fired`` events (by the schedule, actor ``system``) for everything due now.

    Returns the events in order; the caller appends them one by one (each applied first).
    Nothing is due unless the drill is running."""
    if state.status != "running":
        return []
    when = clock.now() if now is None else now
    out: list[ev.Event] = []
    for inject in due_injects(state, clock.drill_time(when)):
        event, state = record(state, kind=ev.INJECT_FIRED, payload={"inject": inject.seq, "by": "schedule"},
                              actor=ev.SYSTEM, wall_time=when)
        out.append(event)
    return out
