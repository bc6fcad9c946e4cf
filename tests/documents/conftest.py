"""Small inline programmes and plans for the document tests."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ccdrill.domain.plan import Plan
from ccdrill.domain.programme import Programme

PLAN: dict[str, Any] = {
    "kind": "plan",
    "id": "network-failure",
    "version": 1,
    "title": {"zh": "客服中心网络故障应急预案", "en": "Contact-centre network failure plan"},
    "owner": {"zh": "客服中心", "en": "Customer Service Centre"},
    "effective_date": "2023-10-01",
    "scenario_type": "network_failure",
    "scenario": {"zh": "客服中心突然断网，客服系统无法正常使用", "en": "The centre loses its network and agents cannot work"},
    "objective": {"zh": "检验网络故障时的应急响应能力", "en": "Test the response to a network failure"},
    "trigger": {"zh": "两名以上客服人员同时无法登录系统", "en": "Two or more agents cannot log in"},
    "response_level": "III",
    "roles": [
        {"id": "agent", "name": {"zh": "客服人员", "en": "Agent"}, "duties": {"zh": "发现并报告异常", "en": "Spot and report"}},
        {"id": "deputy_commander", "name": {"zh": "副指挥长", "en": "Deputy commander"}},
        {"id": "tech_support", "name": {"zh": "技术支持", "en": "Technical support"}},
    ],
    "steps": [
        {"id": "report", "title": {"zh": "发现异常并报告客服主管", "en": "Spot the fault and report it"},
         "role": "agent", "target_minutes": 5},
        {"id": "activate", "title": {"zh": "启动应急预案", "en": "Activate the plan"}, "role": "deputy_commander",
         "after": ["report"], "target_minutes": 5, "activates_plan": True},
        {"id": "repair", "title": {"zh": "排查故障原因并修复", "en": "Find and fix the fault"}, "role": "tech_support",
         "after": ["activate"], "target_minutes": 30, "restores_service": True,
         "detail": {"zh": "联系运营商。", "en": "Call the carrier."}},
    ],
    "incident": {"description": {"zh": "网络中断，全部渠道不可用。", "en": "The network is down; every channel stops."}},
}

PROGRAMME: dict[str, Any] = {
    "kind": "programme",
    "id": "network-drill",
    "version": 2,
    "title": {"zh": "客服中心网络故障应急预案演练方案", "en": "Contact-centre network failure drill programme"},
    "preface": {"zh": "客服中心是企业对外服务的重要窗口。", "en": "The contact centre is the company's front door."},
    "objectives": [
        {"zh": "提高客服团队对突发事件的应对能力", "en": "Improve the team's response to incidents"},
        {"zh": "检验应急预案的可行性和有效性", "en": "Test that the plan works"},
        {"zh": "增强安全意识", "en": "Raise awareness"},
    ],
    "background": {"zh": "模拟客服中心突然遭遇网络故障。", "en": "A simulated network failure hits the centre."},
    "drill_type": {"form": "live", "scope": "single"},
    "schedule": {"date": "2023-10-25", "start": "09:00", "end": "11:30"},
    "location": {"zh": "公司客服中心", "en": "The company contact centre"},
    "roles": [
        {"id": "commander", "name": {"zh": "指挥长", "en": "Commander"}, "kind": "command",
         "holder": {"zh": "客服中心经理", "en": "Centre manager"}},
        {"id": "deputy_commander", "name": {"zh": "副指挥长", "en": "Deputy commander"}, "kind": "command",
         "holder": {"zh": "客服主管", "en": "Supervisor"}, "duties": {"zh": "启动预案，调度人员", "en": "Activate and direct"}},
        {"id": "agent", "name": {"zh": "客服人员", "en": "Agents"}},
        {"id": "tech_support", "name": {"zh": "技术支持人员", "en": "Technical support"}},
        {"id": "observer", "name": {"zh": "观摩人员", "en": "Observers"}, "kind": "observer",
         "holder": {"zh": "公司其他部门员工", "en": "Staff of other departments"}},
        {"id": "evaluator", "name": {"zh": "评估人员", "en": "Evaluators"}, "kind": "evaluator"},
    ],
    "organisation": {
        "leadership_group": {
            "leader": {"title": {"zh": "组长", "en": "Leader"}, "holder": {"zh": "总经理", "en": "General manager"}},
            "deputies": [{"title": {"zh": "副组长", "en": "Deputy leader"},
                          "holder": {"zh": "副总经理", "en": "Deputy general manager"}}],
            "members": [{"zh": "各部门负责人", "en": "Heads of department"}],
        },
        "command_post": {"commander": "commander", "deputies": ["deputy_commander"], "members": ["agent", "tech_support"]},
    },
    "phases": [
        {"id": "prepare", "title": {"zh": "演练准备阶段", "en": "Preparation"}, "start": "09:00", "end": "09:10",
         "activities": [{"zh": "宣布演练开始", "en": "Announce the start"}, {"zh": "参演人员到位", "en": "Everyone in place"}]},
        {"id": "incident", "title": {"zh": "模拟事件发生阶段", "en": "Incident"}, "start": "09:10", "end": "09:30",
         "activities": [{"zh": "模拟网络故障发生", "en": "The network fails"}]},
        {"id": "response", "title": {"zh": "应急响应阶段", "en": "Response"}, "start": "09:30", "end": "11:30"},
    ],
    "scenarios": [{"plan": "network-failure@1"}],
    "injects": [
        {"seq": 1, "time": "09:10", "title": {"zh": "网络中断", "en": "Network down"}, "from": "deputy_commander",
         "to": ["agent"], "channel": "system", "expected_action": {"zh": "报告客服主管", "en": "Report it"},
         "step": "network-failure.report", "scenario": "network-failure", "starts_incident": True},
        {"seq": 2, "time": "T+00:20", "title": {"zh": "客户大量投诉", "en": "Complaints pile up"},
         "description": {"zh": "微博出现投诉", "en": "Complaints on social media"},
         "to": ["deputy_commander"], "channel": "phone"},
        {"seq": 3, "time": "10:00", "title": {"zh": "备用网络也故障", "en": "Backup network fails too"},
         "from": "commander", "to": ["tech_support"], "contingency": True},
    ],
    "evaluation": {
        "rubric": "default",
        "criteria": [{"zh": "演练预案的实用性", "en": "How practical the plan is"},
                     {"zh": "应急响应能力", "en": "Response capability"},
                     {"zh": "客户服务质量保障情况", "en": "Service quality"},
                     {"zh": "存在的问题及改进措施", "en": "Problems and fixes"}],
        "after": [{"zh": "根据评估结果修订应急预案", "en": "Revise the plan from the findings"}],
    },
    "summary": {"items": [{"zh": "召开总结会议", "en": "Hold a debrief"}, {"zh": "表彰优秀个人", "en": "Commend the best"}]},
    "provisions": {
        "owner": {"zh": "客服中心", "en": "the Customer Service Centre"},
        "interpretation": {"zh": "演练指挥部", "en": "the drill command post"},
        "effective": {"zh": "自发布之日起实施", "en": "on the date of issue"},
        "note": {"zh": "本方案仅供参考", "en": "This programme is a guide"},
    },
}


def make_programme(**overrides: Any) -> Programme:
    data = copy.deepcopy(PROGRAMME)
    data.update(overrides)
    return Programme.model_validate(data)


def make_plan(**overrides: Any) -> Plan:
    data = copy.deepcopy(PLAN)
    data.update(overrides)
    return Plan.model_validate(data)


@pytest.fixture
def programme() -> Programme:
    return make_programme()


@pytest.fixture
def plan() -> Plan:
    return make_plan()


@pytest.fixture
def plans(plan: Plan) -> dict[str, Plan]:
    return {plan.id: plan}
