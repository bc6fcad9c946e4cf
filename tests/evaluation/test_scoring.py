"""Scorecards combine into indicator, area and overall scores, by hand-checked arithmetic."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from ccdrill.domain.rubric import Rubric
from ccdrill.domain.scoring import (
    Debrief,
    DisagreementRule,
    Evidence,
    Scorecard,
    SelfAssessment,
    combine,
    validate_scorecards,
)
from ccdrill.errors import InvalidInput

E1 = {"a1": 4, "a2": 3, "a3": 5, "b1": 2, "b2": 8}
E2 = {"a1": 5, "a2": 3, "a3": 1, "b1": 4, "b2": 6}


def cards(*score_sets: dict) -> list[Scorecard]:
    return [Scorecard(evaluator=f"评估员{i + 1}", scores=s) for i, s in enumerate(score_sets)]


def test_two_evaluators_hand_checked(small: Rubric):
    r = combine(small, cards(E1, E2))
    # a1 mean 4.5/5 → 90; a2 3/5 → 60; a3 3/5 → 60; b1 3/5 → 60; b2 7/10 → 70
    got = {i.id: i.score for a in r.areas for i in a.indicators}
    assert got == pytest.approx({"a1": 90, "a2": 60, "a3": 60, "b1": 60, "b2": 70})
    # A = .5·90 + .3·60 + .2·60 = 75; B = .75·60 + .25·70 = 62.5; overall = .6·75 + .4·62.5 = 70
    assert r.area("a").score == pytest.approx(75)
    assert r.area("b").score == pytest.approx(62.5)
    assert r.overall == pytest.approx(70)
    assert r.grade.grade == "pass" and r.grade.label.zh == "合格"
    a3 = r.indicator("a3")
    assert (a3.count, a3.mean, a3.min, a3.max, a3.spread) == (2, 3, 1, 5, 4)
    assert a3.std == pytest.approx(2)  # population standard deviation of 5 and 1
    assert a3.overall_weight == pytest.approx(12)  # 60 % × 20 %
    assert not r.renormalised and r.complete and r.missing_indicators == ()
    assert r.evaluators == ("评估员1", "评估员2")


def test_seed_criteria_scores(small: Rubric):
    r = combine(small, cards(E1, E2))
    crit = {c.criterion: c for c in r.criteria}
    # a: a1 (90, overall weight 30) and a3 (60, overall weight 12) → (2700 + 720) / 42
    assert crit["a"].score == pytest.approx(3420 / 42)
    assert crit["a"].indicators == ("a1", "a3")
    assert crit["b"].score == pytest.approx(60) and crit["c"].score == pytest.approx(60)
    assert "d" not in crit  # no indicator serves it


def test_missing_indicator_is_left_out_and_weights_renormalised(small: Rubric):
    e1 = {k: v for k, v in E1.items() if k != "a2"}
    e2 = {k: v for k, v in E2.items() if k != "a2"}
    r = combine(small, cards(e1, e2))
    # A = (.5·90 + .2·60) / .7 = 57 / .7
    assert r.area("a").score == pytest.approx(57 / 0.7)
    assert r.overall == pytest.approx(0.6 * 57 / 0.7 + 0.4 * 62.5)  # 73.857…
    assert r.missing_indicators == ("a2",) and r.area("a").missing_indicators == ("a2",)
    assert r.renormalised and not r.complete
    a1 = r.indicator("a1")
    assert a1.weight == 50 and a1.effective_weight == pytest.approx(50 / 70 * 100)
    a2 = r.indicator("a2")
    assert a2.count == 0 and a2.score is None and a2.effective_weight == 0 and not a2.scored
    assert any("a2" in n.message("en") and "weights" in n.message("en") for n in r.notes)
    assert any("无人评分" in n.message("zh") for n in r.notes)


def test_indicator_scored_by_one_evaluator_only_uses_that_score(small: Rubric):
    e2 = {k: v for k, v in E2.items() if k != "a1"}
    r = combine(small, cards(E1, e2))
    assert r.indicator("a1").count == 1 and r.indicator("a1").score == pytest.approx(80)
    assert not r.renormalised


def test_missing_area_is_left_out_of_the_overall(small: Rubric):
    only_a = [{k: v for k, v in e.items() if k.startswith("a")} for e in (E1, E2)]
    r = combine(small, cards(*only_a))
    assert r.overall == pytest.approx(75)
    assert r.missing_areas == ("b",) and r.area("b").score is None
    assert r.area("a").effective_weight == pytest.approx(100)
    assert set(r.missing_indicators) == {"b1", "b2"}


def test_nothing_scored(small: Rubric):
    for r in (combine(small, []), combine(small, cards({}))):
        assert r.overall is None and r.grade is None
        assert [n.msgid for n in r.notes] == ["Nothing has been scored yet."]
        assert r.notes[0].message("zh") == "尚未评分。"


def test_disagreement_by_spread(small: Rubric):
    r = combine(small, cards(E1, E2))
    # spreads: a1 1, a2 0, a3 4, b1 2, b2 2 (on its 0–10 scale) — 2 points or more disagree
    assert [d.indicator_id for d in r.disagreements] == ["a3", "b1", "b2"]
    a3 = r.disagreements[0]
    assert a3.spread == 4 and a3.std == pytest.approx(2)
    assert {(v.evaluator, v.value) for v in a3.values} == {("评估员1", 5), ("评估员2", 1)}
    assert r.indicator("a3").disagreement and not r.indicator("a1").disagreement
    assert any("a3, b1, b2" in n.message("en") for n in r.notes)


def test_disagreement_threshold_and_std_rule(small: Rubric):
    r = combine(small, cards(E1, E2), rule=DisagreementRule(spread_points=3))
    assert [d.indicator_id for d in r.disagreements] == ["a3"]
    # std only: a3 std 2, b1 std 1, b2 std 1 — above 1 means a3 alone
    r = combine(small, cards(E1, E2), rule=DisagreementRule(spread_points=None, std_above=1))
    assert [d.indicator_id for d in r.disagreements] == ["a3"]
    # one evaluator never disagrees with themselves
    assert combine(small, cards(E1)).disagreements == ()


@pytest.mark.parametrize(("scores", "grade", "label"), [
    ({"a1": 4, "a2": 5}, "excellent", "优秀"),  # 4.5 / 5 = exactly 90
    ({"a1": 4, "a2": 4}, "good", "良好"),  # 80
    ({"a1": 3, "a2": 3}, "pass", "合格"),  # 60
    ({"a1": 2, "a2": 3}, "fail", "不合格"),  # 50
])
def test_grade_from_combined_scores(scores, grade, label):
    rubric = Rubric.model_validate({
        "id": "one", "title": "单项",
        "areas": [{"id": "x", "title": "甲", "weight": 100, "indicators": [
            {"id": "i", "title": "指标", "guidance": "看", "weight": 100}]}]})
    r = combine(rubric, [Scorecard(evaluator="甲", scores={"i": scores["a1"]}),
                         Scorecard(evaluator="乙", scores={"i": scores["a2"]})])
    assert r.grade.grade == grade and r.grade.label.zh == label


def test_score_outside_the_scale_is_refused_in_both_languages(small: Rubric):
    bad = dict(E1, a1=6)
    with pytest.raises(InvalidInput) as exc:
        combine(small, cards(bad, E2))
    (p,) = exc.value.problems
    assert p.path == "scorecards.0.scores.a1"
    assert p.message("en") == "The score 6 for indicator a1 is outside its scale; allowed: 0 to 5."
    assert p.message("zh") == "指标 a1 的评分 6 超出评分范围；允许 0 至 5 分。"
    assert "scorecards.0.scores.a1" in exc.value.message("zh")


def test_every_problem_is_reported_and_nothing_is_combined(small: Rubric):
    with pytest.raises(InvalidInput) as exc:
        validate_scorecards(small, cards(dict(E1, b2=11, a3=-1), dict(E2, a1=2.5, zz=3)))
    msgs = [p.message("en") for p in exc.value.problems]
    assert len(msgs) == 4
    assert "The score 11 for indicator b2 is outside its scale; allowed: 0 to 10." in msgs
    assert "The score -1 for indicator a3 is outside its scale; allowed: 0 to 5." in msgs
    assert "The score 2.5 for indicator a1 is not a step of its scale; allowed: 0, 1, 2, 3, 4, 5." in msgs
    assert "Unknown indicator zz; it is not in rubric small." in msgs


def test_half_point_steps_are_accepted_when_the_scale_has_them():
    rubric = Rubric.model_validate({
        "id": "half", "title": "半分", "scale": {"min": 1, "max": 3, "step": 0.1},
        "areas": [{"id": "x", "title": "甲", "weight": 100, "indicators": [
            {"id": "i", "title": "指标", "guidance": "看", "weight": 100}]}]})
    r = combine(rubric, [Scorecard(evaluator="甲", scores={"i": 2.3})])
    assert r.overall == pytest.approx(65)
    with pytest.raises(InvalidInput):
        combine(rubric, [Scorecard(evaluator="甲", scores={"i": 2.35})])


def test_same_evaluator_twice_and_unknown_comment_keys_are_refused(small: Rubric):
    with pytest.raises(InvalidInput) as exc:
        combine(small, [Scorecard(evaluator="甲", scores=E1), Scorecard(evaluator="甲", scores=E2,
                                                                       comments={"nope": "x"})])
    msgs = [p.message("zh") for p in exc.value.problems]
    assert "评估人员 甲 提交了不止一份评分表。" in msgs
    assert "未知指标 nope：评估标准 small 中没有这个指标。" in msgs


@pytest.mark.parametrize("value", [True, float("nan"), float("inf"), "high"])
def test_a_score_that_is_not_a_number_is_refused(small: Rubric, value):
    try:
        card = Scorecard(evaluator="甲", scores={"a1": value})
    except ValidationError:
        return
    with pytest.raises(InvalidInput):
        validate_scorecards(small, [card])


def test_comments_and_evidence_reach_the_result(small: Rubric):
    card = Scorecard(evaluator="甲", scores={"a1": 4}, comments={"a1": "报告及时", "a2": "没看到"},
                     evidence={"a1": [12, "photo-0001.jpg"]})
    assert card.evidence["a1"] == [Evidence(event=12), Evidence(photo="photo-0001.jpg")]
    r = combine(small, [card])
    (by,) = r.indicator("a1").by_evaluator
    assert by.comment == "报告及时" and by.evidence[0].event == 12 and by.evidence[1].photo == "photo-0001.jpg"
    (c,) = r.indicator("a2").comments
    assert c.comment == "没看到" and c.value is None
    json.loads(r.model_dump_json())  # storable as it is


def test_evidence_is_an_event_or_a_photo():
    with pytest.raises(ValidationError):
        Evidence.model_validate({"event": 1, "photo": "x"})
    with pytest.raises(ValidationError):
        Evidence.model_validate({})


def test_self_assessment_and_debrief_records():
    s = SelfAssessment(participant="张三", role="agent", rating=4, text="报告及时，但不熟悉备用线路。")
    assert s.rating == 4
    with pytest.raises(ValidationError):
        SelfAssessment(participant="张三", rating=6)
    with pytest.raises(ValidationError):
        SelfAssessment(participant="张三", rating=0)
    d = Debrief(author="指挥长", text="整体响应及时。", at="T+01:30")
    assert d.at.label() == "T+01:30"
    assert Debrief(author="指挥长", text="好", at="10:30").at.label() == "10:30"
    with pytest.raises(ValidationError):
        Debrief(author="指挥长", text="")


def test_results_are_immutable(small: Rubric):
    r = combine(small, cards(E1))
    with pytest.raises(ValidationError):
        r.overall = 100  # type: ignore[misc]


def test_self_assessment_summary():
    from ccdrill.domain.scoring import score_self_assessments

    assert score_self_assessments([]) == (0, None)
    items = [SelfAssessment(participant=p, rating=r) for p, r in (("甲", 4), ("乙", 5), ("丙", 3))]
    assert score_self_assessments(items) == (3, 4.0)
