"""A planner's file is checked in one pass, and every problem says where it is and what to fix."""

from __future__ import annotations

import textwrap

import pytest

from ccdrill.errors import InvalidInput
from ccdrill.formats import parse_document

PLAN = textwrap.dedent(
    """\
    kind: plan
    id: phone-outage
    title: {zh: 电话中断预案, en: Phone outage plan}
    owner: 客服中心
    scenario_type: system_failure
    scenario: 电话平台故障
    objective: 保障客户服务
    trigger: 电话无法接通
    roles:
      - {id: agent, name: 客服人员}
      - {id: commander, name: 指挥长}
    steps:
      - {id: report, title: 上报, role: agent, target_minutes: 5}
      - {id: activate, title: 启动预案, role: commander, target_minutes: 5, after: [report]}
    """
)

PROGRAMME = textwrap.dedent(
    """\
    kind: programme
    id: phone-drill
    title: 电话中断演练
    objectives: [检验响应]
    background: 背景
    schedule: {date: 2023-10-25, start: "09:00", end: "11:30"}
    location: 客服中心
    roles:
      - {id: commander, name: 指挥长, kind: command}
      - {id: agent, name: 客服人员}
    organisation:
      leadership_group: {leader: {title: 组长, holder: 总经理}}
      command_post: {commander: commander, members: [agent]}
    phases:
      - {id: prepare, title: 准备, start: "09:00", end: "09:10"}
      - {id: incident, title: 模拟事件发生, start: "09:10", end: "09:30"}
    scenarios:
      - {plan: phone-outage@1}
    injects:
      - {seq: 1, time: "09:10", title: 电话中断, from: commander, to: [agent], step: phone-outage.report, starts_incident: true}
      - {seq: 2, time: "T+00:40", title: 恢复, to: [agent]}
    provisions: {owner: 客服中心, interpretation: 演练指挥部}
    """
)


def plans(plan_id: str, version: int | None) -> dict | None:
    import yaml

    data = yaml.safe_load(PLAN)
    return data if plan_id == data["id"] and version in (None, 1) else None


def problems_of(text: str | bytes, **kw) -> list:
    with pytest.raises(InvalidInput) as info:
        parse_document(text, filename="f.yaml", resolve_plan=plans, **kw)
    return info.value.problems


def test_clean_plan_and_programme_validate():
    plan = parse_document(PLAN, filename="p.yaml")
    assert [s.id for s in plan.steps] == ["report", "activate"]
    prog = parse_document(PROGRAMME, filename="g.yaml", resolve_plan=plans)
    assert prog.injects[1].time.offset_minutes == 40


def test_every_problem_is_reported_in_one_pass_with_line_and_column():
    text = PLAN.replace("target_minutes: 5}", "target_minutes: five}", 1).replace(
        "role: commander", "role: boss"
    ) + "colour: red\n"
    found = problems_of(text)
    by_path = {p.path: p for p in found}
    assert set(by_path) == {"steps.0.target_minutes", "steps.1.role", "colour"}
    assert by_path["colour"].line == PLAN.count("\n") + 1 and by_path["colour"].column == 1
    assert by_path["steps.1.role"].line == 14
    # Sorted by position in the file.
    assert [p.line for p in found] == sorted(p.line for p in found)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "f.yaml:14:39: steps.1.role: Role boss is not one of the plan's roles: agent, commander."),
        ("zh", "f.yaml:14:39: steps.1.role: 角色 boss 不在本预案的角色中：agent, commander。"),
    ],
)
def test_message_format_is_file_line_column_path_message_in_both_languages(lang, expected):
    (p,) = problems_of(PLAN.replace("role: commander", "role: boss"))
    assert p.format(lang) == expected


def test_unknown_key_points_at_the_key():
    (p,) = problems_of(PLAN.replace("scenario: 电话平台故障", "scenario: 电话平台故障\nscenery: x"))
    assert p.path == "scenery" and p.line == 7 and p.column == 1
    assert "scenery" in p.message("zh") and "未知的键" in p.message("zh")


def test_cyclic_dependencies_are_refused():
    text = PLAN.replace("target_minutes: 5}", "target_minutes: 5, after: [activate]}", 1)
    (p,) = problems_of(text)
    assert p.msgid.startswith("Steps depend on each other in a circle")
    assert "report → activate → report" in p.message("en")


def test_unknown_dependency_is_refused():
    (p,) = problems_of(PLAN.replace("after: [report]", "after: [reprot]"))
    assert p.path == "steps.1.after.0" and "reprot" in p.message("en")


def test_inject_to_unknown_role_and_unknown_step():
    text = PROGRAMME.replace("to: [agent], step: phone-outage.report", "to: [agnet], step: phone-outage.repair")
    found = problems_of(text)
    assert {p.path for p in found} == {"injects.0.to.0", "injects.0.step"}
    assert any("repair" in p.message("zh") and "不存在" in p.message("zh") for p in found)


def test_phases_overlapping_or_outside_the_schedule():
    text = PROGRAMME.replace('start: "09:10", end: "09:30"', 'start: "09:05", end: "11:45"')
    found = problems_of(text)
    msgs = sorted(p.msgid for p in found)
    assert any("overlaps" in m for m in msgs) and any("outside the drill time" in m for m in msgs)
    assert all(p.path == "phases.1" for p in found)


def test_plan_reference_that_does_not_exist():
    (p,) = problems_of(PROGRAMME.replace("phone-outage@1", "phone-outage@7"))
    assert p.path == "scenarios.0.plan"
    assert "phone-outage@7" in p.message("en")


def test_inject_outside_the_drill_window():
    found = problems_of(PROGRAMME.replace('time: "T+00:40"', 'time: "T+03:00"'))
    (p,) = found
    assert p.path == "injects.1.time" and "12:00" in p.message("en") and "09:00–11:30" in p.message("en")


def test_schedule_ending_before_it_starts():
    found = problems_of(PROGRAMME.replace('end: "11:30"}', 'end: "08:00"}'))
    assert any(p.path == "schedule.end" for p in found)


def test_unquoted_clock_times_are_understood():
    """YAML 1.1 reads 09:10 as the number 550; planners should not have to know that."""
    prog = parse_document(PROGRAMME.replace('"09:10"', "09:10"), filename="g.yaml", resolve_plan=plans)
    assert prog.phases[0].end.strftime("%H:%M") == "09:10"


@pytest.mark.parametrize(
    ("data", "msgid_start"),
    [
        (b"kind: plan\nid: [unclosed\n", "YAML syntax error"),
        (b"kind: plan\nid: x\xff\xfe\n", "The file is not UTF-8 text"),
        (b"", "The file is empty."),
        (b"- just\n- a list\n", "The file must be a mapping"),
        (b"kind: rocket\n", "Unknown kind"),
        (b"kind: plan\nid: a\nid: b\n", "Duplicate key"),
    ],
)
def test_broken_files_get_a_clear_located_message(data, msgid_start):
    found = problems_of(data)
    assert found[0].msgid.startswith(msgid_start)
    assert found[0].line is not None
    assert found[0].message("zh") != found[0].msgid  # translated


def test_alias_bomb_is_refused_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    found = problems_of("\n".join(lines).encode())
    assert found[0].msgid.startswith("The file expands to more than")


def test_fifty_megabyte_file_is_refused_before_parsing():
    found = problems_of(b"kind: plan\n" + b"#" * (50 * 1024 * 1024))
    assert "50.0" in found[0].message("en") and "MB" in found[0].message("en")


def test_hostile_strings_are_kept_as_inert_text():
    hostile = "<script>alert(1)</script> ' OR 1=1; -- \u202e"
    plan = parse_document(PLAN.replace("电话平台故障", f'"{hostile}"'), filename="p.yaml")
    assert plan.scenario.zh == hostile.strip()


def test_python_object_tags_are_not_executed():
    found = problems_of(PLAN + "x: !!python/object/apply:os.system ['echo pwned']\n")
    assert found and all("pwned" not in p.message("en") or p.line for p in found)


def test_bare_on_key_of_a_step_effect_is_read_as_a_name_not_a_boolean():
    text = PLAN.replace(
        "role: agent, target_minutes: 5}",
        "role: agent, target_minutes: 5, effects: [{on: start, effect: {type: channel_down, channel: phone}}]}",
    )
    plan = parse_document(text, filename="p.yaml")
    assert plan.steps[0].effects[0].on == "start"


def test_choices_are_listed_without_english_words():
    (p,) = problems_of(PROGRAMME.replace("location: 客服中心", "location: 客服中心\ndrill_type: {form: tabeltop}"))
    assert p.path == "drill_type.form"
    assert p.message("zh") == "应为以下之一：tabletop, live。"
