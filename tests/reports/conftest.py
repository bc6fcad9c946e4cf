"""The library's network-failure drill played through ``fold.record`` with known times.

Drill seconds after 09:00 (speed 1, no pauses):

=====================  ======  ==========  =====  ======  =========================
step                   ready   complete    took   target  outcome
=====================  ======  ==========  =====  ======  =========================
(incident, inject 3)           600 (T+10)
report (alice)         600     840 (T+14)  4:00   5:00    on time; first report 4:00
activate (bob)         840     1140 (T+19) 5:00   5:00    on time; activation 9:00
backup-network (carol) 1140    1920        13:00  10:00   late by 3:00
switch-channels        1920    2400        8:00   10:00   on time
remote-agents (frank)  1140    —           —      20:00   missed (started, never done)
repair (dave)          1140    2640        25:00  30:00   on time
restore (alice)        2640    3000        6:00   10:00   on time; restored 40:00
stand-down (erin)      3000    3480        8:00   10:00   on time
(end)                          5400 (T+90)
=====================  ======  ==========  =====  ======  =========================
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ccdrill.domain import events as ev
from ccdrill.domain.fold import DrillState, record
from ccdrill.library import catalog

W0 = datetime(2023, 10, 25, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
P = "network-failure"
PROGRAMME = "network-failure-2023-10-25"

FIRST_REPORT_S = 840.0
ACTIVATED_S = 1140.0
LATE_STEP = f"{P}.backup-network"
MISSED_STEP = f"{P}.remote-agents"


def library():
    programme = catalog.load(PROGRAMME, "programme")
    plans = {P: catalog.load(P, "plan")}
    return programme, plans


class Recorder:
    def __init__(self) -> None:
        programme, plans = library()
        self.state = DrillState.initial(programme, plans)
        self.events: list[ev.Event] = []

    def __call__(self, t: float, kind: str, payload: dict | None = None, actor: str = "system") -> Recorder:
        event, self.state = record(self.state, kind=kind, payload=payload, actor=actor,
                                   wall_time=W0 + timedelta(seconds=t))
        self.events.append(event)
        return self

    def step(self, t: float, step: str, actor: str, kind: str = ev.STEP_COMPLETE) -> Recorder:
        return self(t, kind, {"step": f"{P}.{step}"}, actor)


def opening() -> Recorder:
    r = Recorder()
    r(0, ev.DRILL_CREATED, {"programme": f"{PROGRAMME}@1", "plans": {P: f"{P}@1"}}, "erin")
    return r


def known_events() -> list[ev.Event]:
    r = opening()
    r(0, ev.DRILL_STARTED, None, "erin")
    r(0, ev.INJECT_FIRED, {"inject": 1, "by": "schedule"})
    r(180, ev.INJECT_FIRED, {"inject": 2, "by": "schedule"})
    r(600, ev.INJECT_FIRED, {"inject": 3, "by": "schedule"})  # the incident, T+10
    r(840, ev.REPORT, {"step": f"{P}.report", "note": "全部坐席掉线"}, "alice")  # T+14
    r.step(840, "report", "alice")
    r.step(1140, "activate", "bob")  # T+19
    r.step(1200, "backup-network", "carol", ev.STEP_START)
    r.step(1260, "remote-agents", "frank", ev.STEP_START)
    r.step(1920, "backup-network", "carol")  # late by 3:00
    r.step(2400, "switch-channels", "alice")
    r.step(2640, "repair", "dave")
    r.step(3000, "restore", "alice")
    r.step(3480, "stand-down", "erin")
    r(5400, ev.DRILL_ENDED, None, "erin")
    return r.events


def scorecards():
    from ccdrill.domain.scoring import Scorecard

    rubric = catalog.load("default", "rubric")
    ids = [i.id for a in rubric.areas for i in a.indicators]
    cards = [Scorecard(evaluator="张评估", scores={i: 4 for i in ids}),
             Scorecard(evaluator="李评估", scores={i: (5 if k % 2 else 3) for k, i in enumerate(ids)})]
    return rubric, cards


@pytest.fixture(scope="session")
def report_data():
    from ccdrill.reports import build_report_data

    programme, plans = library()
    rubric, cards = scorecards()
    return build_report_data(programme, plans, known_events(), rubric=rubric, scorecards=cards, drill_id="7")


@pytest.fixture(scope="session")
def rendered(report_data):
    """``{(fmt, lang): bytes}`` for docx, html and pdf in both languages."""
    from ccdrill.reports import render_report

    return {(fmt, lang): render_report(report_data, fmt, lang) for fmt in ("docx", "html", "pdf") for lang in ("zh", "en")}
