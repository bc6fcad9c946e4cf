"""Corrective actions (transitions and who may make them), report downloads, plan revisions, history."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from .conftest import PLANNER, play


def _improvement(client_as, drill) -> str:
    page = client_as.get(f"/drills/{drill}/results").text
    keys = re.findall(r'data-finding="([^"]+)"', page)
    assert keys, "the played drill has areas for improvement"
    return keys[0]


def _create(cmd, drill, finding, owner="agent1", due=None, priority="high"):
    due = due or (date.today() + timedelta(days=14)).isoformat()
    return cmd.form(f"/drills/{drill}/results", f"/drills/{drill}/corrective-actions",
                    {"finding": finding, "title": "补充备用线路切换演练", "owner": owner, "due": due,
                     "priority": priority})


def _move(person, action, to, evidence=""):
    return person.form(f"/actions/{action}", f"/actions/{action}/move", {"to": to, "evidence": evidence})


def test_corrective_action_transitions_and_permissions(client, who, played, app):
    cmd = who("commander")
    finding = _improvement(cmd, played)
    # a due date in the past is refused, nothing stored
    r = _create(cmd, played, finding, due=(date.today() - timedelta(days=1)).isoformat())
    assert r.status_code == 422
    from ccdrill.store import evaluation as store

    with app.state.session_factory() as s:
        assert store.list_actions(s) == []
    # participants do not create actions
    assert _create(who("agent2"), played, finding).status_code == 403
    r = _create(cmd, played, finding)
    assert r.status_code == 303, r.text[:400]
    action = int(r.headers["location"].rsplit("/", 1)[1])

    owner, other, planner, deputy = who("agent1"), who("agent2"), who("planner"), who("deputy")
    assert "data-action" in cmd.get("/actions").text
    assert _move(other, action, "in_progress").status_code == 403  # neither owner nor planner
    assert _move(owner, action, "verified").status_code == 409  # illegal move
    assert _move(owner, action, "in_progress").status_code == 303
    assert _move(owner, action, "done").status_code == 422  # evidence required
    assert _move(planner, action, "done", "已完成备用线路切换培训").status_code == 303
    assert _move(owner, action, "verified").status_code == 403  # only the command post verifies
    assert _move(planner, action, "verified").status_code == 403
    assert _move(deputy, action, "verified").status_code == 303
    assert _move(deputy, action, "in_progress").status_code == 409  # verified is final
    page = cmd.get(f"/actions/{action}").text
    assert "已完成备用线路切换培训" in page and "已验证" in page
    with app.state.session_factory() as s:
        changes = [(c.from_status, c.to_status, c.actor) for c in store.action_changes(s, action)]
    assert changes == [(None, "open", "commander"), ("open", "in_progress", "agent1"),
                       ("in_progress", "done", "planner"), ("done", "verified", "deputy")]


def test_overdue_actions_stand_out_on_the_board(client, who, played, app):
    from ccdrill.store import tables
    from ccdrill.store.db import unit_of_work

    cmd = who("commander")
    r = _create(cmd, played, _improvement(cmd, played))
    action = int(r.headers["location"].rsplit("/", 1)[1])
    with unit_of_work(app.state.session_factory) as s:  # time passes: the due date is now behind us
        row = s.get(tables.CorrectiveActionRow, action)
        content = dict(row.content)
        content["due"] = (date.today() - timedelta(days=3)).isoformat()
        row.content, row.due = content, date.today() - timedelta(days=3)
    board = cmd.get("/actions").text
    assert re.search(rf'class="ev-card overdue[^"]*" href="/actions/{action}"', board)
    assert "data-overdue-count" in board
    assert f'href="/actions/{action}"' in cmd.get("/actions?overdue=1").text
    assert f'href="/actions/{action}"' not in cmd.get("/actions?status=verified").text


def test_report_downloads_and_a_drill_that_never_ran(client, who, played, side):
    from docx import Document

    cmd = who("commander")
    r = cmd.get(f"/drills/{played}/report.docx")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxml")
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "总结报告" in text
    r = cmd.get(f"/drills/{played}/report.html")
    assert r.status_code == 200 and "<html" in r.text
    r = cmd.get(f"/drills/{played}/report.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    never = side.create_drill(programme="network-failure-2023-10-25", speed=60, actor=PLANNER,
                              assignments={"commander": ["commander"]})
    r = cmd.get(f"/drills/{never}/report.docx")
    assert r.status_code == 409 and "尚未开始" in r.text
    r = who("commander", "en").get(f"/drills/{never}/report.pdf?lang=en")
    assert r.status_code == 409 and "never been started" in r.text
    assert who("outsider").get(f"/drills/{played}/report.docx").status_code == 404


def test_plan_revision_makes_the_next_version_linked_to_the_finding(client, who, played, app):
    from ccdrill.store import documents, tables
    from ccdrill.web.pages import yaml_text

    planner = who("planner")
    finding = _improvement(who("commander"), played)
    plan_id = "network-failure"
    with app.state.session_factory() as s:
        current = documents.get_plan(s, plan_id)
    url = f"/plans/{plan_id}/revise?drill={played}&finding={finding}"
    page = planner.get(url)
    assert page.status_code == 200 and "steps:" in page.text
    # invalid YAML: located problems, nothing saved
    bad = yaml_text(current).decode().replace("target_minutes: ", "target_minutes: -", 1)
    r = planner.form(url, f"/plans/{plan_id}/revise", {"mode": "yaml", "yaml": bad, "drill": str(played),
                                                       "finding": finding})
    assert r.status_code == 422 and re.search(r"network-failure\.yaml:\d+:\d+", r.text)
    r = planner.form(url, f"/plans/{plan_id}/revise", {"mode": "yaml", "yaml": "steps: [oops", "drill": str(played),
                                                       "finding": finding})
    assert r.status_code == 422
    with app.state.session_factory() as s:
        assert documents.get_plan(s, plan_id).version == current.version
    # the simple form: a step's target minutes
    step = current.steps[0]
    r = planner.form(url, f"/plans/{plan_id}/revise", {"mode": "steps", "drill": str(played), "finding": finding,
                                                       f"target:{step.id}": f"{step.target_minutes + 5:g}",
                                                       "note": "延长首步目标"})
    assert r.status_code == 303, r.text[:500]
    n = current.version + 1
    assert r.headers["location"] == f"/plans/{plan_id}/diff?from={current.version}&to={n}"
    diff = planner.get(r.headers["location"])
    assert diff.status_code == 200 and "target_minutes" in diff.text
    with app.state.session_factory() as s:
        row = s.query(tables.PlanVersion).filter_by(plan_id=plan_id, version=n).one()
        assert row.source_drill_id == played and row.source_finding_id is not None
        assert s.get(tables.FindingRow, row.source_finding_id).key == finding
    assert who("agent1").get(url).status_code == 403


def test_history_lists_drills_with_their_scores(client, who, side, app):
    from ccdrill.domain.scoring import Scorecard, combine
    from ccdrill.library import catalog
    from ccdrill.store import evaluation as store
    from ccdrill.store.db import unit_of_work

    rubric = catalog.load("default", "rubric")
    ids = [play(side, seed) for seed in (1, 2)]
    expected = {}
    for drill, value in zip(ids, (2, 4), strict=True):
        card = Scorecard(evaluator="evaluator", scores={ind.id: value for _a, ind in rubric.iter_indicators()})
        with unit_of_work(app.state.session_factory) as s:
            store.save_scorecard(s, drill, card)
        expected[drill] = combine(rubric, [card]).overall
    page = who("planner").get("/history")
    assert page.status_code == 200
    for drill in ids:
        assert f'data-drill="{drill}"' in page.text
        assert f"{expected[drill]:.1f}" in page.text
    assert "data-trend" in page.text and 'data-chart="history"' in page.text
    # a new scorecard refreshes the cached figures
    with unit_of_work(app.state.session_factory) as s:
        store.save_scorecard(s, ids[0], Scorecard(evaluator="evaluator", scores={
            ind.id: 5 for _a, ind in rubric.iter_indicators()}))
    assert "100.0" in who("planner").get("/history").text


def test_commendations_are_confirmed_by_the_command_post_only(client, who, played, app):
    from ccdrill.store import evaluation as store

    cmd = who("commander")
    page = cmd.get(f"/drills/{played}/results").text
    suggestion = re.search(r'name="suggestion" value="([^"]+)"', page).group(1)
    url = f"/drills/{played}/commendations/confirm"
    assert who("planner").form(f"/drills/{played}/results", url, {"suggestion": suggestion}).status_code == 403
    assert who("agent1").form(f"/drills/{played}/results", url, {"suggestion": suggestion}).status_code == 403
    assert cmd.form(f"/drills/{played}/results", url, {"suggestion": suggestion}).status_code == 303
    with app.state.session_factory() as s:
        assert [c.suggestion_id for c in store.commendations(s, played)] == [suggestion]
    assert "已由 commander 确认" in cmd.get(f"/drills/{played}/results").text


def test_closing_the_evaluation_makes_the_scorecards_final(client, who, played):
    ev, cmd = who("evaluator"), who("commander")
    url = f"/drills/{played}/evaluate"
    ind = re.search(r'name="score:([^"]+)"', ev.get(url).text).group(1)
    assert ev.form(url, url, {f"score:{ind}": "3"}).status_code == 303
    close = f"/drills/{played}/evaluation/close"
    assert who("agent1").form(f"/drills/{played}/results", close, {}).status_code == 403
    assert cmd.form(f"/drills/{played}/results", close, {}).status_code == 303
    assert ev.form(url, url, {f"score:{ind}": "4"}).status_code == 409
