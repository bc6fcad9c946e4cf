"""Findings suggested from the hand-checked timings and from scores."""

from __future__ import annotations

from ccdrill.domain.fold import fold
from ccdrill.domain.rubric import default_rubric
from ccdrill.domain.scoring import Scorecard, combine
from ccdrill.evaluation.findings import Finding, improvements, strengths, suggest_findings
from ccdrill.evaluation.timings import scenario_timings

from .conftest import P, known_log, on_time_log


def test_late_and_missed_steps_become_areas_for_improvement(state):
    findings = suggest_findings(scenario_timings(state, events=known_log()))
    assert [(f.id, f.kind, f.source, f.step, f.evidence) for f in findings] == [
        (f"late:{P}.backup-network", "improvement", "timings", f"{P}.backup-network", (9, 11)),
        (f"missed:{P}.remote-agents", "improvement", "timings", f"{P}.remote-agents", (10,)),
    ]
    late, missed = findings
    assert late.title.zh == "步骤“启用备用网络恢复在线渠道”比目标用时超出 03:00"
    assert late.title.en == "Step “Bring up the backup network for chat and e-mail” finished 03:00 later than its target"
    assert late.detail.en == ("Logistics took 13:00 against a target of 10:00 (mm:ss, from when the step could "
                              "start).")
    assert late.detail.zh == "后勤保障实际用时 13:00，目标用时 10:00（分:秒，自该步骤可以开始时起算）。"
    assert missed.title.zh == "步骤“远程客服上线支援”到演练结束仍未完成"
    assert missed.title.en == "Step “Remote agents log in to help” was not completed by the end of the drill"
    assert late.scenario == P and strengths(findings) == [] and improvements(findings) == findings


def test_every_step_on_time_is_a_strength(programme, plans):
    events = on_time_log()
    [f] = suggest_findings(scenario_timings(fold(programme, plans, events), events=events))
    assert f.kind == "strength" and f.id == f"on-time:{P}" and f.scenario == P
    assert f.title.zh == "“客服中心网络故障应急预案”的全部步骤均在目标用时内完成"
    assert f.detail.en == ("8 steps; from the incident to the last step took 48:20 against a planned 60:00 "
                           "(mm:ss).")
    assert f.evidence == tuple(range(7, 15))


def test_low_and_high_scores(state):
    result = combine(default_rubric(), [
        Scorecard(evaluator="eva", scores={"people-first-report": 5, "support-backup": 2, "plan-steps": 4},
                  comments={"support-backup": "备用路由器没电"}, evidence={"people-first-report": [6]}),
        Scorecard(evaluator="ivan", scores={"people-first-report": 5, "support-backup": 2}),
    ])
    findings = suggest_findings(scenario_timings(state, events=known_log()), result)
    scored = [f for f in findings if f.source == "score"]
    assert [(f.id, f.kind, f.indicator) for f in scored] == [  # rubric order; plan-steps (80) is neither
        ("score:people-first-report", "strength", "people-first-report"),
        ("score:support-backup", "improvement", "support-backup"),
    ]
    high, low = scored
    assert high.evidence == (6,) and high.title.en.endswith(": 100 of 100")
    assert low.title.zh.endswith("得分偏低：40 分（满分 100）") and low.detail.zh == "备用路由器没电"
    assert len(findings) == 4  # the two timing findings come first


def test_boundaries_60_and_90_on_a_ten_point_scale(state):
    from ccdrill.domain.rubric import Rubric
    data = default_rubric().model_dump(mode="json", exclude_none=True)
    data["scale"] = {"min": 0, "max": 10, "step": 1}
    result = combine(Rubric.model_validate(data),
                     [Scorecard(evaluator="eva", scores={"plan-fit": 6, "plan-trigger": 9, "plan-steps": 5})])
    kinds = {f.indicator: f.kind for f in suggest_findings([], result)}
    assert kinds == {"plan-trigger": "strength", "plan-steps": "improvement"}  # plan-fit at exactly 60 is neither


def test_a_manual_finding_takes_plain_text():
    f = Finding(id="m1", kind="improvement", title="远程坐席名单过期", source="debrief")
    assert f.title.get("en") == "远程坐席名单过期" and f.evidence == () and f.improvement
