"""The library's network-failure drill, played from a hand-written log with known figures.

Drill seconds after 09:00 (speed 1, no pauses).  The incident inject (3) fires at 09:10 = 600 s.

=====  =====================  ======  ==========  =====  ======  ==========================
seq    step                   ready   complete    took   target  outcome
=====  =====================  ======  ==========  =====  ======  ==========================
7      report (alice)         600     840         4:00   5:00    on time; first report at 4:00
8      activate (bob)         840     1140        5:00   5:00    on time; activation at 9:00
9,11   backup-network (carol) 1140    1920        13:00  10:00   late by 3:00
12     switch-channels (alice)1920    2400        8:00   10:00   on time
10     remote-agents (frank)  1140    —           —      20:00   missed (started, never done)
13     repair (dave)          1140    2640        25:00  30:00   on time
14     restore (alice)        2640    3000        6:00   10:00   on time; restored at 40:00
15     stand-down (erin)      3000    3480        8:00   10:00   on time
=====  =====================  ======  ==========  =====  ======  ==========================

Critical path (actual): report → activate → repair → restore → stand-down = 4+5+25+6+8 = 48:00;
(target): the same steps, 5+5+30+10+10 = 60:00 (the backup chain is 44:00 actual, 50:00 target).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ccdrill.domain import events as ev
from ccdrill.domain.fold import DrillState, fold
from ccdrill.library import catalog

W0 = datetime(2023, 10, 25, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
P = "network-failure"


class Log:
    """Events written by hand: seq counts up, wall time = W0 + drill time."""

    def __init__(self) -> None:
        self.events: list[ev.Event] = []

    def add(self, t: float, kind: str, payload: dict[str, Any] | None = None, actor: str = "system") -> Log:
        self.events.append(ev.Event(seq=len(self.events) + 1, drill_time_s=t, wall_time=W0 + timedelta(seconds=t),
                                    actor=actor, kind=kind, payload=ev.canonical_payload(kind, payload)))
        return self

    def step(self, t: float, step: str, actor: str, kind: str = ev.STEP_COMPLETE) -> Log:
        return self.add(t, kind, {"step": f"{P}.{step}"}, actor)


def opening() -> Log:
    log = Log()
    log.add(0, ev.DRILL_CREATED, {"programme": "network-failure-2023-10-25@1", "plans": {P: f"{P}@1"}},
            actor="erin")
    log.add(0, ev.DRILL_STARTED, actor="erin")
    log.add(0, ev.INJECT_FIRED, {"inject": 1, "by": "schedule"})
    log.add(180, ev.INJECT_FIRED, {"inject": 2, "by": "schedule"})
    log.add(600, ev.INJECT_FIRED, {"inject": 3, "by": "schedule"})  # seq 5: the incident
    return log


def known_log() -> list[ev.Event]:
    log = opening()
    log.add(840, ev.REPORT, {"step": f"{P}.report", "note": "全部掉线"}, actor="alice")  # 6
    log.step(840, "report", "alice")  # 7
    log.step(1140, "activate", "bob")  # 8
    log.step(1200, "backup-network", "carol", ev.STEP_START)  # 9
    log.step(1260, "remote-agents", "frank", ev.STEP_START)  # 10
    log.step(1920, "backup-network", "carol")  # 11
    log.step(2400, "switch-channels", "alice")  # 12
    log.step(2640, "repair", "dave")  # 13
    log.step(3000, "restore", "alice")  # 14
    log.step(3480, "stand-down", "erin")  # 15
    log.add(5400, ev.DRILL_ENDED, actor="erin")  # 16
    return log.events


def on_time_log() -> list[ev.Event]:
    """Every step within its target (four exactly on it); the first report by gina at 3:00."""
    log = opening()
    log.add(780, ev.REPORT, {"scenario": P}, actor="gina")  # 6: 3:00
    log.step(800, "report", "alice")  # 7
    log.step(1100, "activate", "bob")  # 8: 5:00, exactly the target
    log.step(1700, "backup-network", "carol")  # 9: 10:00, exactly the target
    log.step(2200, "switch-channels", "alice")  # 10
    log.step(2300, "remote-agents", "frank")  # 11: 20:00, exactly the target
    log.step(2900, "repair", "dave")  # 12
    log.step(3200, "restore", "alice")  # 13
    log.step(3500, "stand-down", "erin")  # 14
    log.add(4000, ev.DRILL_ENDED, actor="erin")
    return log.events


@pytest.fixture(scope="session")
def programme():
    return catalog.load("network-failure-2023-10-25", "programme")


@pytest.fixture(scope="session")
def plans():
    return {P: catalog.load(P, "plan")}


@pytest.fixture
def state(programme, plans) -> DrillState:
    return fold(programme, plans, known_log())
