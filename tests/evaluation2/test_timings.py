"""Objective timings from a hand-written log of the library's network-failure drill (see conftest)."""

from __future__ import annotations

from ccdrill.domain import events as ev
from ccdrill.domain.fold import fold
from ccdrill.evaluation.timings import clock_label, mmss, scenario_timings

from .conftest import P, known_log, on_time_log, opening


def test_milestones_from_the_incident(state):
    [sc] = scenario_timings(state, state.programme, state.plans, events=known_log())
    assert sc.plan_id == P and sc.ended and sc.end_at == 5400
    assert sc.incident_at == 600 and sc.incident_inject == 3
    assert sc.first_report_at == 840 and sc.first_report_s == 240 and mmss(sc.first_report_s) == "04:00"
    assert sc.first_report_by == "alice"
    assert sc.activated_at == 1140 and sc.activation_s == 540 and mmss(sc.activation_s) == "09:00"
    assert sc.restored_at == 3000 and sc.restoration_s == 2400 and mmss(sc.restoration_s) == "40:00"
    assert sc.evidence == {"incident": (5,), "first_report": (6,), "activation": (8,), "restoration": (14,)}


def test_every_step_against_its_target(state):
    [sc] = scenario_timings(state, events=known_log())
    rows = {s.step_id: (s.ready_at, s.completed_at, s.duration_s, s.target_s, s.outcome, s.late_by_s)
            for s in sc.steps}
    assert rows == {
        "report": (600, 840, 240, 300, "on_time", None),
        "activate": (840, 1140, 300, 300, "on_time", None),  # exactly the target is on time
        "backup-network": (1140, 1920, 780, 600, "late", 180),
        "switch-channels": (1920, 2400, 480, 600, "on_time", None),
        "remote-agents": (1140, None, None, 1200, "missed", None),
        "repair": (1140, 2640, 1500, 1800, "on_time", None),
        "restore": (2640, 3000, 360, 600, "on_time", None),
        "stand-down": (3000, 3480, 480, 600, "on_time", None),
    }
    assert sc.late == (f"{P}.backup-network",) and mmss(sc.step("backup-network").late_by_s) == "03:00"
    assert sc.missed == (f"{P}.remote-agents",)
    assert sc.step("backup-network").evidence == (9, 11) and sc.step("remote-agents").evidence == (10,)
    assert sc.step("repair").from_incident_s == 2040 and sc.step("repair").completed_by == "dave"
    assert sc.step("backup-network").role_name.get("en") == "Logistics"
    assert not sc.all_completed and not sc.all_on_time


def test_critical_path_actual_and_target(state):
    [sc] = scenario_timings(state, events=known_log())
    path = tuple(f"{P}.{s}" for s in ("report", "activate", "repair", "restore", "stand-down"))
    assert sc.critical_path.steps == path and sc.critical_path.length_s == 2880  # 48:00
    assert sc.target_critical_path.steps == path and sc.target_critical_path.length_s == 3600  # 60:00
    assert sc.planned_total_s == 3600 and sc.actual_total_s == 2880
    assert mmss(sc.critical_path.length_s) == "48:00"


def test_a_late_chain_becomes_the_critical_path(programme, plans):
    events = opening().add(840, ev.REPORT, {"scenario": P}, actor="alice")
    for t, step in ((840, "report"), (1140, "activate"), (3000, "backup-network"), (3200, "repair"), (3300, "switch-channels"),
                    (3600, "restore")):
        events.step(t, step, "x")
    [sc] = scenario_timings(fold(programme, plans, events.events), events=events.events)
    assert sc.critical_path.steps == tuple(f"{P}.{s}" for s in ("report", "activate", "backup-network",
                                                               "switch-channels", "restore"))
    assert sc.critical_path.length_s == 240 + 300 + 1860 + 300 + 300 == 3600 - 600
    # the drill is still running: the unfinished steps are open, the stand-down not yet overdue
    assert not sc.ended and sc.step("stand-down").outcome == "open" and sc.missed == ()
    [later] = scenario_timings(fold(programme, plans, events.events), now_s=3600 + 601)
    assert later.step("stand-down").outcome == "overdue" and later.step("remote-agents").outcome == "overdue"


def test_all_on_time(programme, plans):
    events = on_time_log()
    [sc] = scenario_timings(fold(programme, plans, events), events=events)
    assert sc.all_on_time and sc.all_completed and sc.late == () and sc.missed == ()
    assert sc.first_report_by == "gina" and sc.first_report_s == 180
    assert sc.actual_total_s == 2900 and sc.critical_path.length_s == 2900  # 3500 − 600


def test_nothing_happened_yet(programme, plans):
    [sc] = scenario_timings(fold(programme, plans, opening().events[:4]))
    assert sc.incident_at is None and sc.first_report_s is None and sc.actual_total_s is None
    assert sc.critical_path.steps == () and sc.critical_path.length_s == 0
    assert sc.target_critical_path.length_s == 3600
    assert {s.outcome for s in sc.steps} == {"open"} and sc.evidence == {}


def test_formatting():
    assert mmss(245) == "04:05" and mmss(4500) == "75:00" and mmss(-180) == "-03:00" and mmss(None) == "—"
    assert mmss(59.6) == "01:00"


def test_clock_labels(programme):
    assert clock_label(programme, 600) == "09:10" and clock_label(programme, 630) == "09:10:30"
    assert clock_label(programme, 5400) == "10:30" and clock_label(programme, None) == "—"
