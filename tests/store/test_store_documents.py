"""The document repository: immutable versions, lookups that explain themselves, one id per document."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import func, select

from ccdrill.domain.common import Ref
from ccdrill.domain.plan import Plan
from ccdrill.domain.programme import Programme
from ccdrill.errors import ConflictError, NotFoundError
from ccdrill.store.db import session_factory, unit_of_work
from ccdrill.store.documents import (
    SavedVersion,
    get_centre,
    get_plan,
    get_programme,
    list_centres,
    list_plans,
    list_programmes,
    plan_versions,
    programme_versions,
    resolve_plan_ref,
    save_centre,
    save_plan,
    save_programme,
)
from ccdrill.store.tables import PlanVersion


def _plan(data, **changes) -> Plan:
    return Plan.model_validate({**data, **changes})


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(PlanVersion))


def test_saving_the_same_plan_twice_stores_one_version(session, plan_data):
    first = save_plan(session, _plan(plan_data), author="li", note="first")
    again = save_plan(session, _plan(plan_data))
    assert first == SavedVersion(first.id, 1, True)
    assert again == SavedVersion(first.id, 1, False)
    assert _count(session) == 1


def test_changed_content_makes_a_new_version_and_old_ones_stay(session, plan_data):
    save_plan(session, _plan(plan_data))
    changed = _plan(plan_data, title={"zh": "网络中断预案", "en": "Network outage plan"})
    saved = save_plan(session, changed, note="rename")
    assert (saved.version, saved.created) == (2, True)
    assert get_plan(session, "net-down").version == 2
    assert get_plan(session, "net-down").title.zh == "网络中断预案"
    assert get_plan(session, "net-down", 1).title.zh == "网络故障应急预案"
    assert [v.version for v in plan_versions(session, "net-down")] == [1, 2]
    assert plan_versions(session, "net-down")[1].note == "rename"


def test_stored_content_names_its_version_and_hashes_the_canonical_json(session, plan_data):
    save_plan(session, _plan(plan_data))
    row = session.scalars(select(PlanVersion)).one()
    assert row.content["version"] == 1
    assert list(row.content)[:3] == ["kind", "id", "version"]
    body = {k: v for k, v in row.content.items() if k != "version"}
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert row.content_hash == hashlib.sha256(canonical.encode()).hexdigest()
    assert (row.title_zh, row.title_en) == ("网络故障应急预案", "Network failure plan")
    assert get_plan(session, "net-down") == _plan(plan_data, version=1)


def test_a_file_exported_with_its_version_line_imports_as_unchanged(session, plan_data):
    save_plan(session, _plan(plan_data))
    assert save_plan(session, _plan(plan_data, version=1)) == SavedVersion(1, 1, False)


def test_an_explicit_version_with_different_content_is_a_conflict_and_writes_nothing(engine, plan_data):
    with unit_of_work(engine) as session:
        save_plan(session, _plan(plan_data))
    with pytest.raises(ConflictError) as info:
        with unit_of_work(engine) as session:
            save_plan(session, _plan(plan_data, version=1, scenario_type="custom"))
    assert info.value.message("en") == (
        "Version 1 of net-down is already stored with different content; remove the version line or raise it."
    )
    assert "net-down 的第 1 版已以不同内容存储" in info.value.message("zh")
    with session_factory(engine)() as session:
        assert _count(session) == 1
        assert get_plan(session, "net-down").scenario_type == "network_failure"


def test_an_explicit_version_above_the_latest_is_taken_and_counting_goes_on_from_it(session, plan_data):
    save_plan(session, _plan(plan_data))
    assert save_plan(session, _plan(plan_data, version=5, scenario_type="custom")).version == 5
    assert save_plan(session, _plan(plan_data, scenario_type="other")).version == 6
    with pytest.raises(ConflictError) as info:
        save_plan(session, _plan(plan_data, version=3, scenario_type="yet-another"))
    assert "older than the latest stored version 6" in info.value.message("en")
    assert [v.version for v in plan_versions(session, "net-down")] == [1, 5, 6]


def test_a_missing_plan_or_version_says_what_exists_in_both_languages(session, plan_data):
    save_plan(session, _plan(plan_data))
    save_plan(session, _plan(plan_data, scenario_type="custom"))
    with pytest.raises(NotFoundError) as info:
        get_plan(session, "net-down", 7)
    assert info.value.message("en") == "Plan net-down has no version 7; stored versions: net-down@1, net-down@2."
    assert info.value.message("zh") == "预案 net-down 没有第 7 版；已存版本：net-down@1, net-down@2。"
    with pytest.raises(NotFoundError) as info:
        get_plan(session, "nothing")
    assert info.value.message("en") == "No plan with id nothing is stored; import it first."
    assert info.value.message("zh") == "数据库中没有编号为 nothing 的预案，请先导入。"
    assert info.value.http_status == 404


def test_list_plans_gives_the_latest_of_each_with_counts(session, plan_data):
    save_plan(session, _plan(plan_data))
    save_plan(session, _plan(plan_data, scenario_type="custom"))
    save_plan(session, _plan(plan_data, id="another"))
    rows = list_plans(session)
    assert [(r.id, r.version, r.versions) for r in rows] == [("another", 1, 1), ("net-down", 2, 2)]
    assert rows[1].ref == "net-down@2"
    assert rows[1].title("en") == "Network failure plan"
    assert list_plans(session) and plan_versions(session, "missing") == []


def test_resolve_plan_ref_takes_refs_and_strings(session, plan_data):
    save_plan(session, _plan(plan_data))
    save_plan(session, _plan(plan_data, scenario_type="custom"))
    assert resolve_plan_ref(session, Ref.model_validate("net-down@1")).version == 1
    assert resolve_plan_ref(session, "net-down").version == 2
    with pytest.raises(NotFoundError):
        resolve_plan_ref(session, "net-down@3")


def test_programmes_are_versioned_the_same_way(session, programme_data):
    first = save_programme(session, Programme.model_validate(programme_data))
    assert first.created and first.version == 1
    assert not save_programme(session, Programme.model_validate(programme_data)).created
    changed = {**programme_data, "location": {"zh": "二楼会议室", "en": "Meeting room, 2nd floor"}}
    assert save_programme(session, Programme.model_validate(changed)).version == 2
    got = get_programme(session, "net-drill", 1)
    assert got == Programme.model_validate({**programme_data, "version": 1})
    assert [(r.id, r.version, r.versions) for r in list_programmes(session)] == [("net-drill", 2, 2)]
    assert [r.version for r in programme_versions(session, "net-drill")] == [1, 2]
    with pytest.raises(NotFoundError) as info:
        get_programme(session, "net-drill", 9)
    assert info.value.message("zh") == "演练方案 net-drill 没有第 9 版；已存版本：net-drill@1, net-drill@2。"


def test_centre_models_are_versioned_dicts(session):
    content = {"id": "demo", "name": {"zh": "演示中心", "en": "Demo centre"}, "agents": 40}
    assert save_centre(session, "demo", content) == SavedVersion(1, 1, True)
    assert not save_centre(session, "demo", dict(content)).created
    assert save_centre(session, "demo", {**content, "agents": 35}).version == 2
    assert get_centre(session, "demo", 1)["agents"] == 40
    assert get_centre(session, "demo") == {**content, "agents": 35, "version": 2}
    [row] = list_centres(session)
    assert (row.id, row.version, row.versions, row.title("en")) == ("demo", 2, 2, "Demo centre")
    with pytest.raises(NotFoundError, match="No centre model with id other"):
        get_centre(session, "other")
