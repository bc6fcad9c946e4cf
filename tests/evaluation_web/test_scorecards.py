"""Scorecards on the phone form: saved with CSRF, combined on the results page, refused out of scale, hidden
from participants until the drill ends."""

from __future__ import annotations

from ccdrill.library import catalog

from .conftest import act

RUBRIC = catalog.load("default", "rubric")
IND = [ind for _a, ind in RUBRIC.iter_indicators()]


def _count_cards(app, drill) -> int:
    from ccdrill.store import evaluation as store

    with app.state.session_factory() as s:
        return store.scorecard_revisions(s, drill)


def test_scorecards_are_saved_and_combined_on_the_results_page(client, who, played, app):
    ev = who("evaluator")
    page = ev.get(f"/drills/{played}/evaluate")
    assert page.status_code == 200
    assert IND[0].guidance.zh[:10] in page.text and 'name="score:' in page.text
    data = {f"score:{ind.id}": "4" for ind in IND}
    data[f"comment:{IND[0].id}"] = "报告及时"
    data[f"evidence:{IND[0].id}"] = ["3", "5"]
    r = ev.form(f"/drills/{played}/evaluate", f"/drills/{played}/evaluate", data)
    assert r.status_code == 303, r.text[:500]
    # a second evaluator (the admin holds no evaluator seat: make a global evaluator's second card via the store)
    from ccdrill.domain.scoring import Scorecard, combine
    from ccdrill.store import evaluation as store
    from ccdrill.store.db import unit_of_work

    second = Scorecard(evaluator="eva2", scores={ind.id: 1 for ind in IND})
    with unit_of_work(app.state.session_factory) as s:
        store.save_scorecard(s, played, second)
        cards = [c.card for c in store.scorecards(s, played)]
    expected = combine(RUBRIC, cards)
    res = who("commander").get(f"/drills/{played}/results")
    assert res.status_code == 200
    assert f"{expected.overall:.1f}" in res.text
    assert expected.grade.label.zh in res.text
    assert "data-disagreement" in res.text  # 4 against 1: the evaluators disagree
    assert "报告及时" in res.text  # the drill ended: comments are visible
    # saving again keeps history and replaces the current card
    data = {f"score:{ind.id}": "5" for ind in IND}
    assert ev.form(f"/drills/{played}/evaluate", f"/drills/{played}/evaluate", data).status_code == 303
    with app.state.session_factory() as s:
        assert len(store.scorecard_history(s, played, "evaluator")) == 2
        assert {c.card.evaluator: c.revision for c in store.scorecards(s, played)}["evaluator"] == 2


def test_a_score_outside_the_scale_is_refused_and_nothing_is_saved(client, who, played, app):
    ev = who("evaluator")
    before = _count_cards(app, played)
    r = ev.form(f"/drills/{played}/evaluate", f"/drills/{played}/evaluate",
                {f"score:{IND[0].id}": "9", f"score:{IND[1].id}": "3", f"comment:{IND[1].id}": "KEPT-REMARK"})
    assert r.status_code == 422
    assert "KEPT-REMARK" in r.text  # the form comes back with what was entered
    assert "超出" in r.text or "outside" in r.text
    assert IND[0].id in r.text
    r = ev.form(f"/drills/{played}/evaluate?lang=en", f"/drills/{played}/evaluate",
                {f"score:{IND[0].id}": "abc"})
    assert r.status_code == 422
    assert _count_cards(app, played) == before == 0


def test_only_evaluators_score_and_csrf_is_required(client, who, played):
    assert who("agent1").get(f"/drills/{played}/evaluate").status_code == 403
    ev = who("evaluator")
    r = ev.post(f"/drills/{played}/evaluate", data={f"score:{IND[0].id}": "3"}, follow_redirects=False)
    assert r.status_code == 403


def test_participants_do_not_see_scorecards_before_the_drill_ends(client, who, app, side):
    from tests.drills.conftest import PROGRAMME, assignments

    from .conftest import PLANNER

    drill = side.create_drill(programme=PROGRAMME, speed=60, actor=PLANNER, assignments=assignments())
    act(side, drill, "commander", "drill_started")
    ev = who("evaluator")
    r = ev.form(f"/drills/{drill}/evaluate", f"/drills/{drill}/evaluate",
                {f"score:{IND[0].id}": "2", f"comment:{IND[0].id}": "SECRET-REMARK"})
    assert r.status_code == 303, r.text[:400]
    agent = who("agent1")
    page = agent.get(f"/drills/{drill}/results")
    assert page.status_code == 200 and "SECRET-REMARK" not in page.text
    assert "SECRET-REMARK" in ev.get(f"/drills/{drill}/results").text
    act(side, drill, "commander", "drill_ended")
    assert "SECRET-REMARK" in agent.get(f"/drills/{drill}/results").text


def test_self_assessment_and_debrief(client, who, played):
    agent = who("agent1")
    r = agent.form(f"/drills/{played}/self-assessment", f"/drills/{played}/self-assessment",
                   {"rating": "4", "text": "切换及时", "role": "agent"})
    assert r.status_code == 303
    r = agent.form(f"/drills/{played}/self-assessment", f"/drills/{played}/self-assessment", {"rating": "9"})
    assert r.status_code == 422
    assert who("observer").get(f"/drills/{played}/self-assessment").status_code == 403
    cmd = who("commander")
    r = cmd.form(f"/drills/{played}/debrief", f"/drills/{played}/debrief", {"text": "整体处置有序", "at": "10:30"})
    assert r.status_code == 303
    assert agent.form(f"/drills/{played}/debrief", f"/drills/{played}/debrief", {"text": "x"}).status_code == 403
    res = cmd.get(f"/drills/{played}/results").text
    assert "整体处置有序" in res and "切换及时" in res
