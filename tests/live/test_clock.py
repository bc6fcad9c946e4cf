"""The drill clock and the inject schedule: pauses freeze drill time, injects keep their drill-time place."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ccdrill.domain import events as ev
from ccdrill.errors import InvalidInput
from ccdrill.live.clock import DrillClock
from ccdrill.live.schedule import due_injects, fire_due, next_due
from tests.live.conftest import W0, Drill


def fire(drill: Drill) -> list[int]:
    """What the runner does when it wakes up: fire everything due, return the inject seqs."""
    fired = []
    for event in fire_due(drill.state, drill.clock):
        drill.append(event)
        fired.append(event.payload["inject"])
    return fired


def test_drill_time_stands_still_before_the_start_and_runs_at_wall_speed(drill):
    assert drill.clock.drill_time() == 0 and drill.clock.wall_time_of(60) is None
    drill.now.advance(3600)
    assert drill.clock.drill_time() == 0  # created, not started: no time passes
    drill.do(ev.DRILL_STARTED)
    drill.now.advance(90)
    assert drill.clock.drill_time() == 90
    assert drill.clock.running and drill.clock.status == "running"


def test_pause_freezes_drill_time_and_resume_continues_from_it(drill):
    drill.do(ev.DRILL_STARTED)
    drill.now.advance(300)
    pause = drill.do(ev.DRILL_PAUSED)
    assert pause.drill_time_s == 300
    drill.now.advance(600)
    assert drill.clock.drill_time() == 300 and drill.clock.wall_time_of(400) is None
    resume = drill.do(ev.DRILL_RESUMED)
    assert resume.drill_time_s == 300
    drill.now.advance(1)
    assert drill.clock.drill_time() == 301


def test_after_a_ten_minute_pause_the_next_inject_fires_at_its_drill_time_shifted_by_exactly_the_pause(drill):
    drill.do(ev.DRILL_STARTED)
    assert fire(drill) == [1]  # 09:00 = drill time 0
    assert next_due(drill.state)[0] == 600  # inject 2 at 09:10
    planned_wall = drill.clock.wall_time_of(600)
    assert planned_wall == W0 + timedelta(seconds=600)

    drill.now.advance(300)
    drill.do(ev.DRILL_PAUSED)
    drill.now.advance(600)  # a 10-minute pause
    assert fire(drill) == []  # nothing comes due while paused
    assert due_injects(drill.state, drill.clock.drill_time()) == []
    drill.do(ev.DRILL_RESUMED)

    when, inject = next_due(drill.state)
    assert (when, inject.seq) == (600, 2)  # same drill-time position
    assert drill.clock.wall_time_of(when) == planned_wall + timedelta(minutes=10)  # shifted by the pause

    drill.now.t = planned_wall + timedelta(minutes=10) - timedelta(seconds=1)
    assert fire(drill) == []  # not early
    drill.now.advance(1)
    assert fire(drill) == [2]  # the first inject after the pause fires, on time
    assert drill.state.injects[2].fired_at == 600 and drill.state.injects[2].fired_by == "schedule"
    assert drill.events[-1].actor == ev.SYSTEM
    assert drill.state.milestones["net"].incident_started_at == 600


def test_several_pauses_add_up_and_injects_never_fire_late_by_the_pauses(drill):
    drill.do(ev.DRILL_STARTED)
    fire(drill)
    for _ in range(3):
        drill.now.advance(100)
        drill.do(ev.DRILL_PAUSED)
        drill.now.advance(1000)
        drill.do(ev.DRILL_RESUMED)
    assert drill.clock.drill_time() == 300
    assert drill.clock.wall_time_of(600) == drill.now() + timedelta(seconds=300)


def test_speed_times_sixty(programme, plans):
    drill = Drill(programme, plans, speed=60)
    drill.do(ev.DRILL_STARTED)
    drill.now.advance(10)
    assert drill.clock.drill_time() == 600  # 10 wall seconds = 10 drill minutes
    assert drill.clock.wall_time_of(1800) == W0 + timedelta(seconds=30)
    fire(drill)
    assert drill.state.injects[2].status == "fired"  # 09:10 reached after 10 s
    drill.now.advance(20)
    assert fire(drill) == [3]  # T+00:30 at 30 s


def test_speed_change_mid_run_keeps_drill_time_continuous(drill):
    drill.do(ev.DRILL_STARTED)
    drill.now.advance(100)
    before = drill.clock.drill_time()
    change = drill.do(ev.SPEED_CHANGED, {"speed": 60})
    assert change.drill_time_s == before == 100
    assert drill.clock.drill_time() == 100  # no jump at the change
    drill.now.advance(10)
    assert drill.clock.drill_time() == 700
    assert drill.clock.wall_time_of(1300) == drill.now() + timedelta(seconds=10)


def test_speed_change_while_paused_applies_on_resume(drill):
    drill.do(ev.DRILL_STARTED)
    drill.now.advance(100)
    drill.do(ev.DRILL_PAUSED)
    drill.do(ev.SPEED_CHANGED, {"speed": 10})
    drill.now.advance(500)
    assert drill.clock.drill_time() == 100
    drill.do(ev.DRILL_RESUMED)
    drill.now.advance(5)
    assert drill.clock.drill_time() == 150


@pytest.mark.parametrize("speed", [0.5, 61, 0])
def test_speed_outside_one_to_sixty_is_refused(drill, speed):
    with pytest.raises(InvalidInput):
        drill.do(ev.SPEED_CHANGED, {"speed": speed})
    assert drill.state.clock.speed == 1


def test_end_freezes_the_clock(drill):
    drill.do(ev.DRILL_STARTED)
    drill.now.advance(1234)
    drill.do(ev.DRILL_ENDED)
    drill.now.advance(5000)
    assert drill.clock.drill_time() == 1234 and drill.clock.status == "ended"
    assert fire_due(drill.state, drill.clock) == []


def test_the_clock_is_rebuilt_by_replaying_the_log(programme, plans):
    drill = Drill(programme, plans, speed=2)
    drill.do(ev.DRILL_STARTED)
    drill.now.advance(100)
    drill.do(ev.DRILL_PAUSED)
    drill.now.advance(77)
    drill.do(ev.DRILL_RESUMED)
    drill.do(ev.NOTE, {"note": "继续"}, actor="alice")
    drill.now.advance(30)
    drill.do(ev.SPEED_CHANGED, {"speed": 30})
    drill.now.advance(3)  # the server is killed here and restarted
    replayed = DrillClock.from_events(drill.events, now=drill.now)
    assert replayed.drill_time() == drill.clock.drill_time() == 200 + 60 + 90
    assert replayed.status == "running" and replayed.speed == 30
    assert replayed.anchor == drill.state.clock


def test_clock_keeps_running_across_a_server_restart(drill):
    drill.do(ev.DRILL_STARTED)
    drill.now.advance(60)
    drill.now.advance(240)  # down for 4 minutes: the drill clock is wall-anchored
    clock = DrillClock.from_events(drill.events, now=drill.now)
    assert clock.drill_time() == 300


def test_contingency_injects_are_held_until_released(drill):
    drill.do(ev.DRILL_STARTED)
    drill.now.advance(3000)  # well past 09:40
    assert fire(drill) == [1, 2, 3]  # overdue injects (e.g. after a crash) fire in seq order
    assert drill.state.injects[4].status == "held" and next_due(drill.state) is None
    drill.do(ev.CONTINGENCY_RELEASED, {"inject": 4})
    assert drill.state.injects[4].status == "released"
    assert next_due(drill.state)[0] == 2400
    assert fire(drill) == [4]


def test_an_ad_hoc_inject_takes_its_place_in_the_schedule(drill):
    drill.do(ev.DRILL_STARTED)
    fire(drill)
    seq = drill.state.next_inject_seq
    drill.do(ev.INJECT_ADDED, {"inject": {"seq": seq, "time": "09:05", "title": "临时：系统告警"}})
    assert next_due(drill.state) == (300, drill.state.injects[5].inject)
    drill.now.advance(300)
    assert fire(drill) == [5]
    assert drill.state.injects[5].adhoc


def test_skipped_and_commanded_injects_leave_the_schedule(drill):
    drill.do(ev.DRILL_STARTED)
    drill.do(ev.INJECT_SKIPPED, {"inject": 1})
    drill.do(ev.INJECT_FIRED, {"inject": 3, "by": "command"})
    assert [i.seq for i in due_injects(drill.state, 10_000)] == [2]
    assert drill.state.injects[3].fired_at == 0 and drill.state.injects[3].fired_by == "command"
