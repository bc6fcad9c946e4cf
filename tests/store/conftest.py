"""Sample documents for the store tests (plain canonical dicts, as a YAML file would hold them)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

PLAN: dict[str, Any] = {
    "kind": "plan",
    "id": "net-down",
    "title": {"zh": "网络故障应急预案", "en": "Network failure plan"},
    "owner": {"zh": "客服中心", "en": "Contact centre"},
    "scenario_type": "network_failure",
    "scenario": {"zh": "网络中断，客服系统无法使用。", "en": "The network is down; the system is unusable."},
    "objective": {"zh": "尽快恢复服务。", "en": "Restore service quickly."},
    "trigger": {"zh": "系统不可用超过5分钟。", "en": "The system is down for more than 5 minutes."},
    "roles": [
        {"id": "commander", "name": {"zh": "指挥长", "en": "Commander"}},
        {"id": "agent", "name": {"zh": "客服人员", "en": "Agent"}},
        {"id": "tech", "name": {"zh": "技术支持", "en": "Technical support"}},
    ],
    "steps": [
        {"id": "report", "title": {"zh": "报告故障", "en": "Report the failure"}, "role": "agent", "target_minutes": 5},
        {
            "id": "activate",
            "title": {"zh": "启动预案", "en": "Activate the plan"},
            "role": "commander",
            "after": ["report"],
            "target_minutes": 10,
            "activates_plan": True,
        },
        {
            "id": "restore",
            "title": {"zh": "恢复网络", "en": "Restore the network"},
            "role": "tech",
            "after": ["activate"],
            "target_minutes": 30,
            "restores_service": True,
        },
    ],
}

PROGRAMME: dict[str, Any] = {
    "kind": "programme",
    "id": "net-drill",
    "title": {"zh": "网络故障应急演练方案", "en": "Network failure drill programme"},
    "objectives": [{"zh": "检验预案。", "en": "Test the plan."}],
    "background": {"zh": "网络故障频发。", "en": "Network failures happen."},
    "schedule": {"date": "2023-10-25", "start": "09:00", "end": "11:30"},
    "location": {"zh": "客服中心", "en": "Contact centre"},
    "roles": [
        {"id": "commander", "name": {"zh": "指挥长", "en": "Commander"}, "kind": "command"},
        {"id": "agent", "name": {"zh": "客服人员", "en": "Agent"}},
        {"id": "tech", "name": {"zh": "技术支持", "en": "Technical support"}},
    ],
    "organisation": {
        "leadership_group": {"leader": {"title": {"zh": "组长"}, "holder": {"zh": "总经理"}}},
        "command_post": {"commander": "commander"},
    },
    "phases": [
        {"id": "prepare", "title": {"zh": "准备", "en": "Preparation"}, "start": "09:00", "end": "09:10"},
        {"id": "incident", "title": {"zh": "模拟事件发生", "en": "Incident"}, "start": "09:10", "end": "09:30"},
    ],
    "scenarios": [{"plan": "net-down@1"}],
    "injects": [
        {"seq": 1, "time": "09:10", "title": {"zh": "网络中断", "en": "Network down"}, "from": "commander", "to": ["agent"]},
        {"seq": 2, "time": "T+00:20", "title": {"zh": "客户投诉", "en": "Complaints"}, "to": ["agent"]},
    ],
    "provisions": {"owner": {"zh": "客服中心"}, "interpretation": {"zh": "客服中心"}},
}


@pytest.fixture
def plan_data() -> dict[str, Any]:
    return copy.deepcopy(PLAN)


@pytest.fixture
def programme_data() -> dict[str, Any]:
    return copy.deepcopy(PROGRAMME)
