"""The clock and pause rules through the service, with a fake clock: pending injects keep their drill-time
positions across pauses and speed changes; the runner fires them through the one record path."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from ccdrill.auth.permissions import User
from ccdrill.live.service import DrillService
from tests.drills.conftest import PROGRAMME, FakeClock, assignments, run_async

PLANNER = User("planner", is_planner=True)
COMMANDER = User("commander")


@pytest.fixture
def service(library_db, tokens):
    clock = FakeClock()
    svc = DrillService(library_db, now=clock, run_schedule=False, listen=False)
    svc.clock = clock
    return svc


def _fired(svc, drill) -> dict[int, float]:
    return {i.seq: i.fired_at for i in svc._get(drill).state.injects.values() if i.status == "fired"}


def test_injects_fire_at_their_drill_time_across_a_pause(service):
    svc, clock = service, service.clock

    async def run():
        drill = svc.create_drill(programme=PROGRAMME, speed=60, assignments=assignments(), actor=PLANNER)
        await svc.act(drill, user=COMMANDER, kind="drill_started", payload={})
        assert [e.payload["inject"] for e in await svc.fire_due(drill)] == [1]  # 09:00 is due at once
        clock.advance(2)  # drill time 120 s; inject 2 is at 09:03 = 180 s
        assert await svc.fire_due(drill) == []
        assert svc.runners.delay(drill) == pytest.approx(1.0)  # one wall second (60 drill seconds) to go
        await svc.act(drill, user=COMMANDER, kind="drill_paused", payload={})
        clock.advance(3600)  # an hour's pause: nothing comes due, nothing is late
        assert await svc.fire_due(drill) == [] and svc.runners.delay(drill) is None
        assert svc.drill_time(drill) == pytest.approx(120)
        await svc.act(drill, user=COMMANDER, kind="drill_resumed", payload={})
        assert svc.runners.delay(drill) == pytest.approx(1.0)  # still 60 drill seconds away
        clock.advance(0.5)
        assert await svc.fire_due(drill) == []
        clock.advance(0.5)
        fired = await svc.fire_due(drill)
        assert [e.payload["inject"] for e in fired] == [2]
        assert fired[0].drill_time_s == pytest.approx(180) and fired[0].actor == "system"
        # a speed change keeps the clock continuous and the next inject's drill position
        await svc.act(drill, user=COMMANDER, kind="speed_changed", payload={"speed": 10})
        assert svc.drill_time(drill) == pytest.approx(180)
        assert svc.runners.delay(drill) == pytest.approx((600 - 180) / 10)
        clock.advance(42)
        assert [e.payload["inject"] for e in await svc.fire_due(drill)] == [3]
        assert _fired(svc, drill)[3] == pytest.approx(600)

    run_async(run())


def test_the_first_inject_after_a_pause_fires_and_contingencies_wait_for_release(service):
    svc, clock = service, service.clock

    async def run():
        drill = svc.create_drill(programme=PROGRAMME, speed=60, assignments=assignments(), actor=PLANNER)
        await svc.act(drill, user=COMMANDER, kind="drill_started", payload={})
        await svc.act(drill, user=COMMANDER, kind="drill_paused", payload={})
        clock.advance(10_000)
        await svc.act(drill, user=COMMANDER, kind="drill_resumed", payload={})
        fired = await svc.fire_due(drill)
        assert [e.payload["inject"] for e in fired] == [1]  # the one at 09:00, not everything since
        clock.advance(200)  # 12,000 drill seconds: everything scheduled is due
        fired = [e.payload["inject"] for e in await svc.fire_due(drill)]
        state = svc._get(drill).state
        held = [s for s, i in state.injects.items() if i.inject.contingency]
        assert held and not set(held) & set(fired)
        await svc.act(drill, user=COMMANDER, kind="contingency_released", payload={"inject": held[0]})
        assert [e.payload["inject"] for e in await svc.fire_due(drill)] == [held[0]]

    run_async(run())


def test_the_runner_task_fires_due_injects_by_itself(library_db, tokens):
    """A real (short) wait: at ×60 the 09:03 inject is three wall seconds after the start."""
    svc = DrillService(library_db, listen=False)

    async def run():
        drill = svc.create_drill(programme=PROGRAMME, speed=60, assignments=assignments(), actor=PLANNER)
        await svc.act(drill, user=COMMANDER, kind="drill_started", payload={})
        try:
            for _ in range(80):
                if 2 in _fired(svc, drill):
                    break
                await asyncio.sleep(0.1)
            fired = _fired(svc, drill)
            assert 1 in fired and fired[2] == pytest.approx(180, abs=6)
        finally:
            await svc.stop()

    run_async(run())


def test_a_restart_rebuilds_state_and_restarts_the_runner(library_db, tokens):
    clock = FakeClock()
    svc = DrillService(library_db, now=clock, run_schedule=False, listen=False)

    async def first():
        drill = svc.create_drill(programme=PROGRAMME, speed=60, assignments=assignments(), actor=PLANNER)
        await svc.act(drill, user=COMMANDER, kind="drill_started", payload={})
        clock.advance(11)
        await svc.fire_due(drill)
        await svc.act(drill, user=User("agent1"), kind="step_complete", payload={"step": "network-failure.report"})
        return drill

    drill = run_async(first())
    before = svc._get(drill).state
    twin_before = svc.twin_series(drill, PLANNER)

    clock.advance(5)
    again = DrillService(library_db, now=clock, listen=False)

    async def second():
        await again.start()
        try:
            assert drill in again.runners.tasks
            state = again._get(drill).state
            assert state.steps == before.steps and state.injects == before.injects
            assert state.clock == before.clock and state.last_seq == before.last_seq
            assert again.drill_time(drill) == pytest.approx(16 * 60)  # the clock kept running meanwhile
            clock.t -= timedelta(seconds=5)
            assert again.twin_series(drill, PLANNER) == twin_before
        finally:
            await again.stop()

    run_async(second())
