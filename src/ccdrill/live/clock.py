"""演练时钟 — the drill clock: pausable, accelerated (×1–×60), rebuilt from the log's clock events.

Drill time is seconds after the programme's scheduled start.  While the drill runs it moves
``speed`` seconds per wall second; pausing freezes it; resuming continues from the frozen
value; a speed change keeps it continuous.  The clock holds no state of its own beyond what
the clock events say, so a restart rebuilds it by replay — and while the drill was running
the clock kept running (it is anchored to wall time, not to the process).

``now`` is injectable: tests pass a fake clock, the server passes nothing (UTC wall time).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from ccdrill.domain import events as ev
from ccdrill.domain.fold import ClockAnchor, DrillState, DrillStatus, advance_clock, transition

Now = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class DrillClock:
    """Maps wall time to drill time for one drill."""

    def __init__(self, anchor: ClockAnchor | None = None, status: DrillStatus | None = None,
                 now: Now = utc_now) -> None:
        self.anchor = anchor or ClockAnchor()
        self.status = status
        self._now = now

    @classmethod
    def from_events(cls, events: Iterable[ev.Event], now: Now = utc_now) -> DrillClock:
        """Replay the clock events of a log (other kinds are ignored)."""
        clock = cls(now=now)
        for event in events:
            clock.apply(event)
        return clock

    @classmethod
    def from_state(cls, state: DrillState, now: Now = utc_now) -> DrillClock:
        return cls(state.clock, state.status, now)

    def apply(self, event: ev.Event) -> None:
        if event.kind not in ev.CLOCK_KINDS:
            return
        self.status = transition(self.status, event.kind)
        self.anchor = advance_clock(self.anchor, event)

    def now(self) -> datetime:
        return self._now()

    @property
    def running(self) -> bool:
        return self.anchor.running

    @property
    def speed(self) -> float:
        return self.anchor.speed

    def drill_time(self, now: datetime | None = None) -> float:
        """Drill seconds at wall time ``now`` (default: the clock's ``now()``)."""
        return self.anchor.drill_time(self._now() if now is None else now)

    def wall_time_of(self, drill_s: float) -> datetime | None:
        """The wall time at which the drill clock will show ``drill_s``; ``None`` unless running
        (re-ask after a resume or a speed change)."""
        return self.anchor.wall_time_of(drill_s)
