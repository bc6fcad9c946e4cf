"""A small drill to fold and run: one scenario ("net"), five steps, four injects, a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ccdrill.domain import events as ev
from ccdrill.domain.fold import DrillState, apply, record
from ccdrill.domain.plan import Plan
from ccdrill.domain.programme import Programme
from ccdrill.live.clock import DrillClock

W0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Beijing

PLAN = {
    "id": "net", "title": "网络故障", "owner": "客服中心", "scenario_type": "network_failure",
    "scenario": "断网", "objective": "尽快恢复", "trigger": "两人以上无法登录",
    "roles": [{"id": r, "name": r} for r in ("agent", "deputy", "logistics", "tech")],
    "steps": [
        {"id": "report", "title": "报告", "role": "agent", "target_minutes": 5},
        {"id": "activate", "title": "启动预案", "role": "deputy", "after": ["report"], "target_minutes": 5,
         "activates_plan": True},
        {"id": "backup", "title": "备用网络", "role": "logistics", "after": ["activate"], "target_minutes": 10,
         "effects": [
             {"on": "start", "effect": {"type": "redirect", "from_channel": "phone", "to_channel": "chat",
                                        "share": 0.3}},
             {"on": "complete", "effect": {"type": "channel_up", "channel": "chat"}},
             {"on": "complete", "effect": {"type": "agents_join", "group": "remote", "count": 5,
                                           "after_minutes": 5, "channels": ["chat"]}},
         ]},
        {"id": "repair", "title": "修复", "role": "tech", "after": ["activate"], "target_minutes": 30,
         "effects": [{"on": "complete", "effect": {"type": "channel_up", "channel": "phone"}}]},
        {"id": "restore", "title": "恢复", "role": "agent", "after": ["backup", "repair"], "target_minutes": 10,
         "restores_service": True},
    ],
    "incident": {"description": "断网", "effects": [{"type": "channel_down", "channel": "phone"},
                                                   {"type": "channel_down", "channel": "chat"}]},
}

PROGRAMME = {
    "id": "drill", "title": "网络故障演练", "objectives": ["检验预案"], "background": "背景",
    "schedule": {"date": "2026-03-02", "start": "09:00", "end": "10:30"},
    "location": "客服中心",
    "roles": [{"id": "commander", "name": "指挥长", "kind": "command"}, {"id": "agent", "name": "客服人员"}],
    "organisation": {"leadership_group": {"leader": {"title": "组长", "holder": "经理"}},
                     "command_post": {"commander": "commander"}},
    "phases": [
        {"id": "prepare", "title": "准备", "start": "09:00", "end": "09:10"},
        {"id": "incident", "title": "事件", "start": "09:10", "end": "09:30"},
        {"id": "response", "title": "处置", "start": "09:30", "end": "10:30"},
    ],
    "scenarios": [{"plan": "net@1"}],
    "injects": [
        {"seq": 1, "time": "09:00", "title": "演练开始"},
        {"seq": 2, "time": "09:10", "title": "断网", "scenario": "net", "step": "net.report",
         "starts_incident": True, "effects": [{"type": "surge", "factor": 2, "after_minutes": 1}]},
        {"seq": 3, "time": "T+00:30", "title": "领导来电"},
        {"seq": 4, "time": "09:40", "title": "媒体询问", "contingency": True},
    ],
    "provisions": {"owner": "客服中心", "interpretation": "客服中心"},
}


@pytest.fixture
def programme() -> Programme:
    return Programme.model_validate(PROGRAMME)


@pytest.fixture
def plans() -> dict[str, Plan]:
    return {"net": Plan.model_validate(PLAN | {"version": 1})}


class FakeNow:
    """A wall clock that moves only when told."""

    def __init__(self, start: datetime = W0) -> None:
        self.t = start

    def __call__(self) -> datetime:
        return self.t

    def advance(self, seconds: float) -> datetime:
        self.t += timedelta(seconds=seconds)
        return self.t


class Drill:
    """A drill driven the way the server drives it: stamp with the clock, apply, keep the event."""

    def __init__(self, programme: Programme, plans: dict[str, Plan], speed: float = 1.0) -> None:
        self.now = FakeNow()
        self.state = DrillState.initial(programme, plans)
        self.events: list[ev.Event] = []
        self.do(ev.DRILL_CREATED, {"programme": "drill@1", "plans": {"net": "net@1"}, "speed": speed})

    @property
    def clock(self) -> DrillClock:
        return DrillClock.from_state(self.state, now=self.now)

    def do(self, kind: str, payload: dict[str, Any] | None = None, actor: str = "cmd",
           key: str | None = None) -> ev.Event:
        event, self.state = record(self.state, kind=kind, payload=payload, actor=actor, wall_time=self.now(),
                                   idempotency_key=key)
        self.events.append(event)
        return event

    def append(self, event: ev.Event) -> None:
        self.state = apply(self.state, event)
        self.events.append(event)


@pytest.fixture
def drill(programme, plans) -> Drill:
    return Drill(programme, plans)


def E(seq: int, t: float, kind: str, payload: dict[str, Any] | None = None, actor: str = "cmd",
      key: str | None = None) -> ev.Event:
    """A hand-written event at drill time ``t`` (speed 1, no pauses: wall = W0 + t)."""
    return ev.Event(seq=seq, drill_time_s=t, wall_time=W0 + timedelta(seconds=t), actor=actor, kind=kind,
                    payload=ev.canonical_payload(kind, payload), idempotency_key=key)
