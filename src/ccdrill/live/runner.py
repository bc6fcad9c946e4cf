"""The inject runner: one asyncio task per running (or paused) drill.

It sleeps until the wall time at which the drill clock reaches the next due inject
(:func:`ccdrill.live.schedule.next_due` converted with the clock), waking early on any new
event of the drill (a pause, a resume, a speed change, an inject fired or added by hand), and
fires what is due through the service's one record path (actor ``system``).  While paused
nothing is due, so after a resume every pending inject keeps its drill-time position.

It never calls ``time.sleep``; an error is logged and retried after a short back-off, never
fatal.  On start the service restarts a runner for every running or paused drill.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from ccdrill.live.schedule import next_due

if TYPE_CHECKING:
    from ccdrill.live.service import DrillService

log = logging.getLogger("ccdrill.live.runner")

MAX_SLEEP = 60.0  # re-check at least every minute (a fake or adjusted clock)
FINISHED = frozenset({"ended", "cancelled"})


class Runners:
    def __init__(self, service: DrillService) -> None:
        self.service = service
        self.tasks: dict[int, asyncio.Task] = {}

    def ensure(self, drill_id: int) -> None:
        task = self.tasks.get(drill_id)
        if task is None or task.done():
            self.tasks[drill_id] = asyncio.get_running_loop().create_task(self._run(drill_id),
                                                                          name=f"ccdrill-runner-{drill_id}")

    async def stop_all(self, timeout: float = 5.0) -> None:
        """Cancel every runner; wait for them at most ``timeout`` seconds (shutdown never hangs)."""
        tasks = [t for t in self.tasks.values() if not t.done()]
        for t in tasks:
            t.cancel()
        if tasks:
            with contextlib.suppress(Exception):
                await asyncio.wait(tasks, timeout=timeout)
        self.tasks.clear()

    def delay(self, drill_id: int) -> float | None:
        """Seconds until the next inject is due (0: now); ``None`` when nothing will come due by itself."""
        svc = self.service
        state = svc._get(drill_id).state
        if state.status != "running":
            return None
        nd = next_due(state)
        if nd is None:
            return None
        wall = state.clock.wall_time_of(nd[0])
        if wall is None:
            return None
        return max(0.0, (wall - svc.now()).total_seconds())

    async def _run(self, drill_id: int) -> None:
        svc = self.service
        while True:
            try:
                live = await asyncio.to_thread(svc._get, drill_id)
                state = live.state
                if state.status in FINISHED:
                    return
                delay = self.delay(drill_id)
                if delay == 0.0:
                    fired = await svc.fire_due(drill_id)
                    if not fired:
                        await asyncio.sleep(0.05)  # nothing fired though due: let the state settle
                    continue
                timeout = MAX_SLEEP if delay is None else min(delay, MAX_SLEEP)
                await svc.hub.wait(drill_id, live.state.last_seq, timeout=timeout)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a broken runner retries, it never dies
                log.exception("runner of drill %s", drill_id)
                await asyncio.sleep(1.0)
