"""draft → scheduled → running ⇄ paused → ended, and cancelled: every legal and illegal move."""

from __future__ import annotations

import pytest

from ccdrill.domain import events as ev
from ccdrill.domain.fold import DrillState, transition
from ccdrill.errors import ConflictError
from tests.live.conftest import Drill

# How to reach each status from a fresh drill.
PATHS = {
    None: [],
    "draft": [ev.DRILL_CREATED],
    "scheduled": [ev.DRILL_CREATED, ev.DRILL_SCHEDULED],
    "running": [ev.DRILL_CREATED, ev.DRILL_STARTED],
    "paused": [ev.DRILL_CREATED, ev.DRILL_STARTED, ev.DRILL_PAUSED],
    "ended": [ev.DRILL_CREATED, ev.DRILL_STARTED, ev.DRILL_ENDED],
    "cancelled": [ev.DRILL_CREATED, ev.DRILL_CANCELLED],
}
PAYLOADS = {
    ev.DRILL_CREATED: {"programme": "drill@1", "plans": {"net": "net@1"}},
    ev.SPEED_CHANGED: {"speed": 5},
    ev.INJECT_FIRED: {"inject": 1},
    ev.INJECT_SKIPPED: {"inject": 3},
    ev.INJECT_ADDED: {"inject": {"seq": 9, "time": "T+00:05", "title": "临时"}},
    ev.CONTINGENCY_RELEASED: {"inject": 4},
    ev.REPORT: {"note": "断网了"},
    ev.STEP_START: {"step": "net.report"},
    ev.STEP_COMPLETE: {"step": "net.report"},
    ev.NOTE: {"note": "记录"},
    ev.EFFECT_APPLIED: {"effect": {"type": "surge", "factor": 1.5}},
}
ACTIVE = {"running", "paused"}
OPEN = {"draft", "scheduled", "running", "paused"}
# kind → (statuses it is legal in, the status it leads to; None = unchanged)
LEGAL = {
    ev.DRILL_CREATED: ({None}, "draft"),
    ev.DRILL_SCHEDULED: ({"draft", "scheduled"}, "scheduled"),
    ev.DRILL_STARTED: ({"draft", "scheduled"}, "running"),
    ev.DRILL_PAUSED: ({"running"}, "paused"),
    ev.DRILL_RESUMED: ({"paused"}, "running"),
    ev.DRILL_ENDED: (ACTIVE, "ended"),
    ev.DRILL_CANCELLED: (OPEN, "cancelled"),
    ev.SPEED_CHANGED: (OPEN, None),
    ev.INJECT_ADDED: (OPEN, None),
    ev.NOTE: (OPEN, None),
    ev.INJECT_FIRED: (ACTIVE, None),
    ev.INJECT_SKIPPED: (ACTIVE, None),
    ev.CONTINGENCY_RELEASED: (ACTIVE, None),
    ev.REPORT: (ACTIVE, None),
    ev.STEP_START: (ACTIVE, None),
    ev.STEP_COMPLETE: (ACTIVE, None),
    ev.EFFECT_APPLIED: (ACTIVE, None),
}


def at(programme, plans, status) -> Drill:
    drill = Drill(programme, plans)  # created
    if status is None:
        drill.state = DrillState.initial(programme, plans)
        drill.events = []
    else:
        for kind in PATHS[status][1:]:
            drill.do(kind, PAYLOADS.get(kind))
    assert drill.state.status == status
    return drill


def test_every_kind_is_covered():
    assert set(LEGAL) == set(ev.KINDS) - {ev.ACKNOWLEDGE}


@pytest.mark.parametrize("status", list(PATHS))
@pytest.mark.parametrize("kind", list(LEGAL))
def test_moves(programme, plans, status, kind):
    drill = at(programme, plans, status)
    legal, to = LEGAL[kind]
    before = drill.state
    if status in legal:
        drill.do(kind, PAYLOADS.get(kind))
        assert drill.state.status == (to or status)
        assert transition(status, kind) == (to or status)
    else:
        with pytest.raises(ConflictError) as exc:
            drill.do(kind, PAYLOADS.get(kind))
        assert drill.state is before  # nothing recorded
        msg = exc.value.message("en")
        if status == "ended":
            assert msg == "The drill is ended; no more actions can be recorded."
            assert exc.value.message("zh") == "演练已结束，不能再记录任何操作。"
        elif status == "cancelled":
            assert msg == "The drill is cancelled; no more actions can be recorded."
        elif status in ("draft", "scheduled") and kind != ev.DRILL_CREATED:
            assert msg.startswith("The drill has not started yet")
        assert exc.value.http_status == 409


def test_an_acknowledgement_needs_a_running_drill_and_a_fired_inject(drill):
    with pytest.raises(ConflictError):
        drill.do(ev.ACKNOWLEDGE, {"inject": 1})
    drill.do(ev.DRILL_STARTED)
    with pytest.raises(ConflictError, match="not been fired"):
        drill.do(ev.ACKNOWLEDGE, {"inject": 1})
    drill.do(ev.INJECT_FIRED, {"inject": 1})
    drill.do(ev.ACKNOWLEDGE, {"inject": 1}, actor="alice")
    drill.do(ev.ACKNOWLEDGE, {"inject": 1}, actor="alice")
    drill.do(ev.ACKNOWLEDGE, {"inject": 1}, actor="bob")
    assert drill.state.injects[1].acknowledged_by == ("alice", "bob")


def test_pause_and_resume_can_alternate(drill):
    drill.do(ev.DRILL_STARTED)
    for _ in range(3):
        drill.do(ev.DRILL_PAUSED)
        drill.do(ev.DRILL_RESUMED)
    drill.do(ev.DRILL_ENDED)
    assert drill.state.status == "ended"
