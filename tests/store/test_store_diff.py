"""diff(): what changed between two contents, matching steps by id and injects by seq."""

from __future__ import annotations

import copy

from ccdrill.domain.diff import Change, diff
from ccdrill.domain.plan import Plan


def _content(data) -> dict:
    return Plan.model_validate(data).model_dump(mode="json", by_alias=True, exclude_none=True)


def test_identical_contents_and_a_different_version_show_no_change(plan_data):
    a = _content({**plan_data, "version": 1})
    b = _content({**plan_data, "version": 2})
    assert diff(a, b) == []


def test_inserting_a_step_is_one_added_step_not_every_later_step_changed(plan_data):
    a = _content(plan_data)
    new = copy.deepcopy(plan_data)
    notify = {"id": "notify", "title": {"zh": "通知", "en": "Notify"}, "role": "commander", "target_minutes": 3}
    new["steps"].insert(1, notify)
    changes = diff(a, _content(new))
    assert [(c.path, c.kind) for c in changes] == [("steps[notify]", "added")]
    assert changes[0].new["title"] == {"zh": "通知", "en": "Notify"}


def test_a_removed_step_and_a_changed_field_are_named_by_step_id(plan_data):
    new = copy.deepcopy(plan_data)
    del new["steps"][2]
    new["steps"][0]["target_minutes"] = 8
    new["steps"][1]["after"] = []
    changes = diff(_content(plan_data), _content(new))
    assert Change("steps[restore]", "removed", _content(plan_data)["steps"][2], None) in changes
    assert Change("steps[report].target_minutes", "changed", 5.0, 8.0) in changes
    assert Change("steps[activate].after", "changed", ["report"], []) in changes
    assert len(changes) == 3


def test_texts_show_their_zh_and_en_subfields(plan_data):
    new = copy.deepcopy(plan_data)
    new["title"] = {"zh": "网络中断预案", "en": "Network failure plan"}
    new["steps"][0]["detail"] = {"zh": "电话报告值班长"}
    changes = diff(_content(plan_data), _content(new))
    assert changes == [
        Change("title.zh", "changed", "网络故障应急预案", "网络中断预案"),
        Change("steps[report].detail", "added", None, {"zh": "电话报告值班长"}),
    ]


def test_a_reorder_is_reported_as_moved(plan_data):
    new = copy.deepcopy(plan_data)
    new["roles"] = [new["roles"][2], new["roles"][0], new["roles"][1]]
    changes = diff(_content(plan_data), _content(new))
    assert changes == [Change("roles[tech]", "moved", 3, 1)]


def test_a_moved_and_edited_step_shows_both(plan_data):
    new = copy.deepcopy(plan_data)
    new["steps"] = [new["steps"][1], new["steps"][0], new["steps"][2]]
    new["steps"][0]["after"] = []
    new["steps"][1]["title"]["en"] = "Report it"
    changes = diff(_content(plan_data), _content(new))
    kinds = {(c.path, c.kind) for c in changes}
    assert ("steps[activate].after", "changed") in kinds
    assert ("steps[report].title.en", "changed") in kinds
    moved = [c for c in changes if c.kind == "moved"]
    assert len(moved) == 1 and moved[0].path in ("steps[report]", "steps[activate]")


def test_injects_are_matched_by_seq_and_plain_lists_by_position():
    a = {
        "objectives": [{"zh": "甲"}, {"zh": "乙"}],
        "injects": [{"seq": 1, "title": {"zh": "一"}}, {"seq": 2, "title": {"zh": "二"}}],
    }
    b = {
        "objectives": [{"zh": "甲"}, {"zh": "乙", "en": "B"}, {"zh": "丙"}],
        "injects": [{"seq": 2, "title": {"zh": "贰"}}, {"seq": 3, "title": {"zh": "三"}}],
    }
    changes = diff(a, b)
    assert Change("objectives[2].en", "added", None, "B") in changes
    assert Change("objectives[3]", "added", None, {"zh": "丙"}) in changes
    assert Change("injects[seq=1]", "removed", {"seq": 1, "title": {"zh": "一"}}, None) in changes
    assert Change("injects[seq=2].title.zh", "changed", "二", "贰") in changes
    assert Change("injects[seq=3]", "added", None, {"seq": 3, "title": {"zh": "三"}}) in changes
    assert len(changes) == 5


def test_top_level_fields_added_and_removed():
    assert diff({"a": 1, "version": 1}, {"b": 2, "version": 3}) == [
        Change("a", "removed", 1, None),
        Change("b", "added", None, 2),
    ]
