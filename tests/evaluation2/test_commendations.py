"""Commendations (表彰) suggested from the log, confirmed only by the command post."""

from __future__ import annotations

from datetime import date

import pytest

from ccdrill.domain import events as ev
from ccdrill.domain.common import Text
from ccdrill.domain.fold import fold
from ccdrill.errors import PermissionDenied
from ccdrill.evaluation.commendations import confirm, suggest_commendations
from ccdrill.evaluation.timings import scenario_timings

from .conftest import P, known_log, on_time_log, opening


def suggestions(state, events):
    return suggest_commendations(state, scenario_timings(state, events=events))


def test_suggestions_from_the_known_log(state):
    got = suggestions(state, known_log())
    assert [(s.id, s.kind, s.person, s.role) for s in got] == [
        ("fastest-report", "person", "alice", None),
        ("role-on-time:agent", "team", None, "agent"),  # report, switch-channels, restore
        ("role-on-time:deputy_commander", "team", None, "deputy_commander"),
        ("role-on-time:tech_support", "team", None, "tech_support"),
        ("role-on-time:commander", "team", None, "commander"),
        ("most-steps:alice", "person", "alice", None),  # 3 steps
    ]  # not logistics (late), not remote_agent (missed), no scenario (not all on time)
    fastest, agents, *_, most = got
    assert fastest.evidence == (6,) and fastest.scenario == P
    assert fastest.reason.zh == "首报最快：“客服中心网络故障应急预案”事件发生后 04:00 即报告"
    assert fastest.reason.en == "Fastest first report: 04:00 after the incident in “Contact-centre network failure plan”"
    assert agents.team.zh == "客服人员" and agents.evidence == (7, 12, 14)
    assert agents.reason.zh == "客服人员团队的全部步骤均在目标用时内完成（共 3 个步骤）"
    assert agents.reason.en == "Every step of the Agent team was completed within its target (steps: 3)"
    assert most.reason.en == "Completed the most steps: 3" and most.evidence == (7, 12, 14)


def test_every_step_on_time_commends_the_scenario(programme, plans):
    events = on_time_log()
    got = suggestions(fold(programme, plans, events), events)
    ids = [s.id for s in got]
    assert ids[0] == "fastest-report" and got[0].person == "gina"
    assert f"scenario-on-time:{P}" in ids and "role-on-time:logistics" in ids and "role-on-time:remote_agent" in ids
    sc = next(s for s in got if s.id == f"scenario-on-time:{P}")
    assert sc.kind == "team" and sc.team.en == "Contact-centre network failure plan"
    assert sc.evidence == tuple(range(7, 15))


def test_a_slow_first_report_and_a_tie_are_handled(programme, plans):
    log = opening().add(1000, ev.REPORT, {"scenario": P}, actor="alice")  # 6:40 > the 5:00 target
    log.step(1000, "report", "alice").step(1200, "activate", "bob").step(1500, "backup-network", "alice")
    log.step(1600, "repair", "bob")
    got = suggestions(fold(programme, plans, log.events), log.events)
    ids = [s.id for s in got]
    assert "fastest-report" not in ids
    assert [s.person for s in got if s.id.startswith("most-steps")] == ["alice", "bob"]


def test_confirmation_by_the_command_post_only(state):
    fastest = suggestions(state, known_log())[0]
    c = confirm(fastest, "erin", {"commander"}, today=date(2023, 10, 25))
    assert (c.suggestion_id, c.person, c.confirmed_by, c.confirmed_on) == ("fastest-report", "alice", "erin",
                                                                          date(2023, 10, 25))
    assert c.reason == fastest.reason and c.evidence == (6,)
    own = confirm(fastest, "bob", {"deputy_commander"}, reason=Text(zh="首报及时准确", en="Quick, accurate report"))
    assert own.reason.en == "Quick, accurate report"
    for roles in (set(), {"planner"}, {"agent"}, {"evaluator", "observer"}):
        with pytest.raises(PermissionDenied) as exc:
            confirm(fastest, "alice", roles)
    assert exc.value.message("zh") == "只有演练指挥部（指挥长或副指挥长）可以确认表彰。"
    assert exc.value.message("en") == "Only the command post (commander or deputy commander) can confirm a commendation."
