"""state = fold(events): step states, lateness, milestones and the twin's effect timeline from a log."""

from __future__ import annotations

import pytest

from ccdrill.domain import events as ev
from ccdrill.domain.fold import DrillState, apply, fold
from ccdrill.errors import ConflictError, InvalidInput, NotFoundError
from ccdrill.library import catalog
from tests.live.conftest import E


def log() -> list[ev.Event]:
    """A drill at speed 1 with no pauses; drill seconds after 09:00."""
    return [
        E(1, 0, ev.DRILL_CREATED, {"programme": "drill@1", "plans": {"net": "net@1"},
                                   "assignments": {"agent": ["alice"]}}),
        E(2, 0, ev.DRILL_STARTED),
        E(3, 0, ev.INJECT_FIRED, {"inject": 1, "by": "schedule"}, actor="system"),
        E(4, 600, ev.INJECT_FIRED, {"inject": 2, "by": "schedule"}, actor="system"),  # incident 09:10
        E(5, 700, ev.REPORT, {"step": "net.report", "note": "全部掉线"}, actor="alice"),
        E(6, 780, ev.STEP_COMPLETE, {"step": "net.report"}, actor="alice"),  # 3 min of 5
        E(7, 1200, ev.STEP_COMPLETE, {"step": "net.activate"}, actor="bob"),  # 7 min of 5: late
        E(8, 1260, ev.STEP_START, {"step": "net.backup"}, actor="carol"),
        E(9, 2100, ev.STEP_COMPLETE, {"step": "net.backup"}, actor="carol"),  # 15 min of 10: late
        E(10, 2400, ev.STEP_COMPLETE, {"step": "net.repair"}, actor="dave", key="k-1"),  # 20 min of 30
        E(11, 2700, ev.STEP_COMPLETE, {"step": "net.restore", "note": "已恢复", "photo": "upl-7"},
          actor="alice"),
        E(12, 3000, ev.DRILL_ENDED),
    ]


def test_step_states_from_a_hand_written_log(programme, plans):
    s = fold(programme, plans, log())
    assert s.status == "ended" and s.last_seq == 12
    rows = {k: (st.status, st.ready_at, st.started_at, st.completed_at, st.late) for k, st in s.steps.items()}
    assert rows == {
        "net.report": ("done", 600, 780, 780, False),
        "net.activate": ("done", 780, 1200, 1200, True),
        "net.backup": ("done", 1200, 1260, 2100, True),
        "net.repair": ("done", 1200, 2400, 2400, False),
        "net.restore": ("done", 2400, 2700, 2700, False),
    }
    assert s.steps["net.backup"].started_by == "carol" and s.steps["net.repair"].completed_by == "dave"
    assert not any(st.out_of_order for st in s.steps.values())
    assert s.created.assignments == {"agent": ["alice"]}


def test_step_readiness_and_live_lateness_midway(programme, plans):
    s = fold(programme, plans, log()[:7])  # up to activate
    assert {k: st.status for k, st in s.steps.items()} == {
        "net.report": "done", "net.activate": "done", "net.backup": "ready", "net.repair": "ready",
        "net.restore": "blocked"}
    backup = s.steps["net.backup"]
    assert backup.due_at == 1800 and not backup.late_at(1800) and backup.late_at(1801)
    assert [st.key for st in s.late_steps(1801)] == ["net.activate", "net.backup"]
    assert s.steps["net.restore"].elapsed(5000) is None


def test_nothing_is_ready_before_the_incident(programme, plans):
    s = fold(programme, plans, log()[:3])
    assert {st.status for st in s.steps.values()} == {"blocked"}


def test_milestones(programme, plans):
    m = fold(programme, plans, log()).milestones["net"]
    assert (m.incident_started_at, m.first_report_at, m.plan_activated_at, m.restored_at) == (600, 700, 1200, 2700)


def test_effect_timeline(programme, plans):
    s = fold(programme, plans, log())
    got = [(t, e.type, getattr(e, "channel", None)) for t, e in s.effect_timeline()]
    assert got == [
        (600, "channel_down", "phone"),  # the incident
        (600, "channel_down", "chat"),
        (660, "surge", None),  # the inject's own effect, 1 minute after it fires
        (1260, "redirect", None),  # backup on start
        (2100, "channel_up", "chat"),  # backup on complete
        (2400, "agents_join", None),  # backup on complete + 5 minutes
        (2400, "channel_up", "phone"),  # repair on complete
    ]
    assert [e.source for e in s.effects][:4] == ["incident:net", "incident:net", "inject:2", "step:net.backup:start"]


def test_current_phase_follows_drill_time(programme, plans):
    s = fold(programme, plans, log()[:4])
    assert s.current_phase.id == "incident"
    assert [getattr(s.phase_at(t), "id", None) for t in (0, 599, 600, 1800, 5399, 5400)] == [
        "prepare", "prepare", "incident", "response", "response", None]


def test_fold_is_deterministic_and_incremental_apply_equals_batch_fold(programme, plans):
    events = log()
    a, b = fold(programme, plans, events), fold(programme, plans, events)
    assert a == b
    s = DrillState.initial(programme, plans)
    for event in events:
        prev = s
        s = apply(s, event)
        assert prev is not s
        assert prev == fold(programme, plans, events[: event.seq - 1])  # apply leaves its input alone
    assert s == a


def test_replay_from_stored_json_gives_the_same_state(programme, plans, drill):
    drill.do(ev.DRILL_STARTED)
    drill.do(ev.INJECT_ADDED, {"inject": {"seq": 5, "time": "09:20", "title": "临时", "from": "commander",
                                          "effects": [{"type": "surge", "factor": 3}]}})
    drill.now.advance(5)
    drill.do(ev.INJECT_FIRED, {"inject": 5})
    drill.do(ev.EFFECT_APPLIED, {"effect": {"type": "surge", "factor": 1}})
    stored = [ev.Event.model_validate_json(e.model_dump_json()) for e in drill.events]  # through the DB
    assert fold(programme, plans, stored) == drill.state
    assert [(t, e.type) for t, e in drill.state.effect_timeline()] == [(5, "surge"), (5, "surge")]
    assert drill.state.injects[5].inject.from_role == "commander"


def test_a_step_done_before_its_dependencies_is_recorded_and_flagged(programme, plans):
    events = log()[:4] + [
        E(5, 900, ev.STEP_COMPLETE, {"step": "net.repair"}, actor="dave"),
        E(6, 1000, ev.STEP_START, {"step": "net.backup"}, actor="carol"),
        E(7, 1100, ev.STEP_COMPLETE, {"step": "net.report"}, actor="alice"),
        E(8, 1200, ev.STEP_COMPLETE, {"step": "net.activate"}, actor="bob"),
    ]
    s = fold(programme, plans, events)
    repair, backup = s.steps["net.repair"], s.steps["net.backup"]
    assert repair.status == "done" and repair.out_of_order and repair.ready_at is None and not repair.late
    assert backup.status == "in_progress" and backup.out_of_order and backup.ready_at == 1200
    assert s.steps["net.restore"].status == "blocked"  # backup is not done yet
    assert ("channel_up", 900) in [(e.type, t) for t, e in s.effect_timeline()]  # the twin follows reality


def test_completing_an_unstarted_step_starts_it_at_the_same_instant(programme, plans):
    s = fold(programme, plans, log()[:7] + [E(8, 1300, ev.STEP_COMPLETE, {"step": "net.backup"})])
    backup = s.steps["net.backup"]
    assert backup.started_at == backup.completed_at == 1300
    assert [(t, e.type) for t, e in s.effect_timeline()][3:5] == [(1300, "redirect"), (1300, "channel_up")]


def test_a_report_before_the_incident_is_not_a_detection(programme, plans):
    s = fold(programme, plans, log()[:3] + [E(4, 100, ev.REPORT, {"scenario": "net"})])
    assert s.milestones["net"].first_report_at is None


@pytest.mark.parametrize(("event", "error", "msgid"), [
    (E(8, 1300, ev.STEP_COMPLETE, {"step": "net.nope"}), NotFoundError, "No step {step} in this drill."),
    (E(8, 1300, ev.STEP_START, {"step": "other.report"}), NotFoundError, "No step {step} in this drill."),
    (E(8, 1300, ev.STEP_COMPLETE, {"step": "net.report"}), ConflictError, "Step {step} is already complete."),
    (E(8, 1300, ev.INJECT_FIRED, {"inject": 99}), NotFoundError, "No inject {inject} in this drill."),
    (E(8, 1300, ev.INJECT_FIRED, {"inject": 2}), ConflictError, "Inject {inject} has already been fired."),
    (E(8, 1300, ev.INJECT_SKIPPED, {"inject": 2}), ConflictError, "Inject {inject} has already been fired."),
    (E(8, 1300, ev.INJECT_FIRED, {"inject": 4, "by": "schedule"}), ConflictError,
     "Inject {inject} is a contingency inject; release it first."),
    (E(8, 1300, ev.CONTINGENCY_RELEASED, {"inject": 3}), ConflictError,
     "Inject {inject} is not a held contingency inject."),
    (E(8, 1300, ev.INJECT_ADDED, {"inject": {"seq": 3, "time": "09:50", "title": "x"}}), ConflictError,
     "Inject {inject} already exists."),
    (E(8, 1300, ev.NOTE, {"note": "x", "step": "net.nope"}), NotFoundError, "No step {step} in this drill."),
    (E(9, 1300, ev.NOTE, {"note": "x"}), ConflictError, "Event {seq} is out of order; expected {expected}."),
    (E(8, 1300, ev.NOTE, {"note": "again"}, key="k-7"), ConflictError,
     "This request was already recorded as event {seq}."),
])
def test_impossible_events_are_refused_and_change_nothing(programme, plans, event, error, msgid):
    events = log()[:6] + [E(7, 1200, ev.NOTE, {"note": "first"}, key="k-7")]
    s = fold(programme, plans, events)
    with pytest.raises(error) as exc:
        apply(s, event)
    assert exc.value.msgid == msgid
    assert s == fold(programme, plans, events)


def test_the_same_key_from_another_actor_is_another_request(programme, plans):
    s = fold(programme, plans, log()[:6] + [E(7, 1200, ev.NOTE, {"note": "a"}, actor="alice", key="k")])
    s = apply(s, E(8, 1200, ev.NOTE, {"note": "b"}, actor="bob", key="k"))
    assert s.seq_for("alice", "k") == 7 and s.seq_for("bob", "k") == 8 and s.seq_for("carol", "k") is None


def test_bad_payloads_are_invalid_input():
    with pytest.raises(InvalidInput) as exc:
        ev.canonical_payload(ev.NOTE, {"note": "长" * 4001})
    assert exc.value.problems[0].msgid == "Too long: at most {max_length} characters."
    assert "4000" in exc.value.message("zh")
    with pytest.raises(InvalidInput):
        ev.canonical_payload("dance", {})
    with pytest.raises(InvalidInput):
        ev.canonical_payload(ev.STEP_COMPLETE, {})
    with pytest.raises(InvalidInput):
        ev.canonical_payload(ev.STEP_COMPLETE, {"step": "no-plan-part"})
    with pytest.raises(InvalidInput):
        ev.canonical_payload(ev.ACKNOWLEDGE, {"note": "收到"})
    with pytest.raises(InvalidInput):
        ev.canonical_payload(ev.INJECT_FIRED, {"inject": 1, "by": "magic"})
    assert ev.canonical_payload(ev.NOTE, {"note": "长" * 4000})["note"] == "长" * 4000


def test_events_carry_utc_wall_times():
    from datetime import datetime, timedelta, timezone

    e = E(1, 0, ev.NOTE, {"note": "x"})
    beijing = e.wall_time.astimezone(timezone(timedelta(hours=8)))
    assert ev.Event.model_validate(e.model_dump() | {"wall_time": beijing}).wall_time.utcoffset() == timedelta(0)
    with pytest.raises(ValueError):
        ev.Event.model_validate(e.model_dump() | {"wall_time": datetime(2026, 1, 1)})


def test_the_seed_network_failure_drill_folds_end_to_end():
    try:
        programme = catalog.load("network-failure-2023-10-25", "programme")
        plan = catalog.load("network-failure", "plan")
    except catalog.UnknownEntry:  # pragma: no cover - the library ships them
        pytest.skip("the seed drill is not in the library")
    events = [E(1, 0, ev.DRILL_CREATED, {"programme": programme.ref, "plans": {plan.id: plan.ref}}),
              E(2, 0, ev.DRILL_STARTED)]
    s = fold(programme, {plan.id: plan}, events)
    incident = next(i for i in programme.injects if i.starts_incident)
    t = incident.time.minutes_from(programme.schedule.start) * 60.0
    s = apply(s, E(3, t, ev.INJECT_FIRED, {"inject": incident.seq, "by": "schedule"}))
    seq = 4
    while (ready := [st for st in s.steps.values() if st.status == "ready"]):
        t += 60
        s = apply(s, E(seq, t, ev.STEP_COMPLETE, {"step": ready[0].key}, actor="alice"))
        seq += 1
    assert {st.status for st in s.steps.values()} == {"done"}
    m = s.milestones[plan.id]
    assert m.incident_started_at < m.plan_activated_at < m.restored_at
    types = [e.type for _, e in s.effect_timeline()]
    assert types[:3] == ["channel_down"] * 3 and "channel_up" in types


def test_completing_the_report_step_counts_as_the_first_report(programme, plans):
    """An agent who taps 完成 on "发现异常并报告" without also tapping 上报 has still reported."""
    from ccdrill.domain.plan import Plan
    from tests.live.conftest import PLAN

    data = {**PLAN, "steps": [{**PLAN["steps"][0], "reports_incident": True}, *PLAN["steps"][1:]]}
    marked = {"net": Plan.model_validate(data)}
    events = [*log()[:4], E(5, 780, ev.STEP_COMPLETE, {"step": "net.report"}, actor="alice")]
    assert fold(programme, plans, events).milestones["net"].first_report_at is None
    assert fold(programme, marked, events).milestones["net"].first_report_at == 780
