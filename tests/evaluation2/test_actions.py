"""Corrective actions (整改措施): creation, every transition and who may make it, overdue, the board."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from ccdrill.domain.common import Text
from ccdrill.errors import ConflictError, InvalidInput, PermissionDenied
from ccdrill.evaluation.actions import (
    STATUS_LABELS,
    allowed_moves,
    board,
    command_post_roles,
    create_action,
    overdue,
    transition,
)
from ccdrill.evaluation.findings import Finding

TODAY = date(2023, 10, 26)
FINDING = Finding(id="late:network-failure.backup-network", kind="improvement", source="timings",
                  title=Text(zh="备用网络启用超时", en="Backup network late"))


def new(owner: str = "carol", due: date = TODAY + timedelta(days=14), **kw):
    return create_action(id=kw.pop("id", "a1"), title=kw.pop("title", "备用路由器每月检查"), owner=owner, due=due,
                         today=TODAY, actor="pat", finding=kw.pop("finding", FINDING), **kw)


def move(action, to, actor="carol", roles=(), evidence=None, today=TODAY):
    return transition(action, to, actor=actor, actor_roles=set(roles), today=today, evidence=evidence)


def test_created_open_from_an_improvement():
    a = new(priority="high", drill_id="d-7")
    assert (a.status, a.owner, a.priority, a.finding_id, a.drill_id) == (
        "open", "carol", "high", FINDING.id, "d-7")
    assert a.title.zh == "备用路由器每月检查"
    assert [(h.from_status, h.to_status, h.actor, h.on) for h in a.history] == [(None, "open", "pat", TODAY)]


def test_a_due_date_in_the_past_is_refused_due_today_is_fine():
    assert new(due=TODAY).due == TODAY
    with pytest.raises(InvalidInput) as exc:
        new(due=TODAY - timedelta(days=1))
    [p] = exc.value.problems
    assert p.path == "due"
    assert p.message("zh") == "完成期限 2023-10-25 已经过去，请选择今天（2023-10-26）或以后的日期。"
    assert p.message("en") == "The due date 2023-10-25 is in the past; choose today (2023-10-26) or a later date."


def test_a_strength_cannot_become_an_action_and_an_owner_is_needed():
    strength = FINDING.model_copy(update={"kind": "strength"})
    with pytest.raises(InvalidInput) as exc:
        new(owner=" ", finding=strength, title=" ")
    assert [p.path for p in exc.value.problems] == ["finding_id", "owner", "title"]
    assert exc.value.problems[0].message("zh") == "只有存在的问题才能转为整改措施，亮点不能。"


def test_the_owner_moves_it_through_to_done_and_the_commander_verifies():
    a = new()
    b = move(a, "in_progress")
    c = move(b, "done", evidence="已建立月度检查表，10月检查完成")
    d = move(c, "verified", actor="erin", roles={"commander"}, evidence="抽查确认")
    assert (a.status, b.status, c.status, d.status) == ("open", "in_progress", "done", "verified")
    assert [(h.from_status, h.to_status, h.actor) for h in d.history] == [
        (None, "open", "pat"), ("open", "in_progress", "carol"), ("in_progress", "done", "carol"),
        ("done", "verified", "erin")]
    assert [(e.text, e.by) for e in d.evidence] == [("已建立月度检查表，10月检查完成", "carol"), ("抽查确认", "erin")]


def test_a_planner_may_move_anyones_action_and_reopen_it():
    a = move(new(), "in_progress", actor="pat", roles={"planner"})
    b = move(a, "done", actor="pat", roles={"planner"}, evidence="完成")
    c = move(b, "in_progress", actor="pat", roles={"planner"}, evidence="复查发现仍有问题")
    assert c.status == "in_progress" and len(c.history) == 4


def test_the_deputy_commander_verifies_too_and_the_time_is_kept():
    done = move(move(new(), "in_progress"), "done", evidence="完成")
    at = datetime(2023, 11, 2, 8, 30)
    v = transition(done, "verified", actor="bob", actor_roles={"deputy_commander"}, today=TODAY, at=at)
    assert v.status == "verified" and v.history[-1].at == at


def test_someone_else_cannot_move_it():
    with pytest.raises(PermissionDenied) as exc:
        move(new(), "in_progress", actor="mallory", roles={"agent"})
    assert exc.value.message("zh") == "只有责任人（carol）或演练策划人员可以更改整改措施 a1 的状态。"
    assert exc.value.message("en") == "Only the owner (carol) or a planner can move corrective action a1."


def test_a_commander_who_is_not_the_owner_cannot_start_it():
    with pytest.raises(PermissionDenied):
        move(new(), "in_progress", actor="erin", roles={"commander"})


def test_only_the_command_post_verifies():
    done = move(move(new(), "in_progress"), "done", evidence="完成")
    for actor, roles in (("carol", set()), ("pat", {"planner"}), ("alice", {"agent", "evaluator"})):
        with pytest.raises(PermissionDenied) as exc:
            move(done, "verified", actor=actor, roles=roles)
    assert exc.value.message("zh") == "只有演练指挥部（指挥长或副指挥长）可以验证整改措施。"
    assert exc.value.message("en") == "Only the command post (commander or deputy commander) can verify a corrective action."


def test_verified_is_final():
    done = move(move(new(), "in_progress"), "done", evidence="完成")
    verified = move(done, "verified", actor="erin", roles={"commander"})
    for to in ("open", "in_progress", "done", "verified"):
        with pytest.raises(ConflictError) as exc:
            move(verified, to, actor="pat", roles={"planner", "commander"}, evidence="x")
    assert exc.value.message("zh") == "整改措施 a1 已验证，不能再更改。"
    assert exc.value.message("en") == "Corrective action a1 is verified; it cannot change any more."


@pytest.mark.parametrize(("start", "to"), [
    ("open", "done"), ("open", "verified"), ("open", "open"), ("in_progress", "verified"),
    ("in_progress", "open"), ("in_progress", "in_progress"), ("done", "open"), ("done", "done"),
])
def test_illegal_moves_are_conflicts(start, to):
    a = new()
    path = {"open": [], "in_progress": ["in_progress"], "done": ["in_progress", "done"]}[start]
    for step in path:
        a = move(a, step, evidence="完成")
    with pytest.raises(ConflictError) as exc:
        move(a, to, actor="pat", roles={"planner", "commander"}, evidence="x")
    assert exc.value.message("en") == f"A corrective action cannot move from {start} to {to}."
    assert exc.value.message("zh") == f"整改措施不能从 {start} 状态改为 {to} 状态。"


def test_an_unknown_status_is_a_conflict():
    with pytest.raises(ConflictError) as exc:
        move(new(), "cancelled")
    assert "open, in_progress, done, verified" in exc.value.message("zh")


def test_done_needs_an_evidence_note():
    started = move(new(), "in_progress")
    for evidence in (None, "", "   "):
        with pytest.raises(InvalidInput) as exc:
            move(started, "done", evidence=evidence)
    [p] = exc.value.problems
    assert p.path == "evidence" and p.message("zh") == "请说明做了什么：整改措施标记为完成时必须填写整改证明。"
    assert started.status == "in_progress"  # unchanged


def test_allowed_moves_for_the_buttons():
    a = new()
    assert allowed_moves(a, actor="carol", actor_roles=set()) == ["in_progress"]
    assert allowed_moves(a, actor="mallory", actor_roles=set()) == []
    done = move(move(a, "in_progress"), "done", evidence="完成")
    assert allowed_moves(done, actor="carol", actor_roles=set()) == ["in_progress"]
    assert allowed_moves(done, actor="erin", actor_roles={"commander"}) == ["verified"]


def test_command_post_roles_come_from_the_programme(programme):
    assert command_post_roles(programme) == {"commander", "deputy_commander"}
    done = move(move(new(), "in_progress"), "done", evidence="完成")
    v = transition(done, "verified", actor="lee", actor_roles={"chief"}, today=TODAY, command_roles={"chief"})
    assert v.status == "verified"


def test_overdue_and_the_board():
    a_open = new(id="a-open", due=TODAY, priority="low")
    a_prog = move(new(id="a-prog", due=TODAY + timedelta(days=3), priority="high"), "in_progress")
    a_done = move(move(new(id="a-done", due=TODAY), "in_progress"), "done", evidence="完成")
    a_later = new(id="a-later", due=TODAY + timedelta(days=30), priority="high")
    a_old = new(id="a-old", due=TODAY + timedelta(days=1), priority="medium")
    actions = [a_open, a_prog, a_done, a_later, a_old]
    later = TODAY + timedelta(days=5)
    assert overdue(actions, TODAY) == []
    assert [a.id for a in overdue(actions, later)] == ["a-open", "a-old", "a-prog"]  # longest overdue first
    assert not a_done.is_overdue(later) and a_open.days_overdue(later) == 5

    b = board(actions, later)
    assert {s: [i.action.id for i in items] for s, items in b.columns.items()} == {
        "open": ["a-old", "a-open", "a-later"],  # overdue first (medium before low), then the rest
        "in_progress": ["a-prog"],
        "done": ["a-done"],
        "verified": [],
    }
    assert b.overdue_count == 3 and b.counts() == {"open": 3, "in_progress": 1, "done": 1, "verified": 0}
    assert [i.days_overdue for i in b.columns["open"]] == [4, 5, 0]
    assert STATUS_LABELS["done"] == "Done, awaiting verification"
