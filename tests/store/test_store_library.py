"""Loading the built-in library stores every plan, programme and centre model once."""

from __future__ import annotations

from ccdrill.library import catalog
from ccdrill.store.db import unit_of_work
from ccdrill.store.documents import list_centres, list_plans, list_programmes, load_library, plan_content


def test_load_library_is_idempotent(engine):
    stored_kinds = {"plan", "programme", "centre"}
    expected = [(e.kind, e.id) for e in catalog.list_entries() if e.kind in stored_kinds]
    assert any(kind == "plan" for kind, _ in expected)
    with unit_of_work(engine) as session:
        first = load_library(session)
    assert [(kind, doc_id) for kind, doc_id, _ in first] == expected
    assert all(saved.created and saved.version == 1 for _, _, saved in first)
    with unit_of_work(engine) as session:
        again = load_library(session)
    assert [saved for _, _, saved in again] == [type(s)(s.id, s.version, False) for _, _, s in first]
    with unit_of_work(engine) as session:
        assert {(r.id, r.versions) for r in list_plans(session)} == {(i, 1) for k, i in expected if k == "plan"}
        assert {r.id for r in list_programmes(session)} == {i for k, i in expected if k == "programme"}
        assert {r.id for r in list_centres(session)} == {i for k, i in expected if k == "centre"}
        for row in list_plans(session):
            assert plan_content(session, row.id)["version"] == 1


def test_a_changed_library_entry_becomes_the_next_version_and_keeps_the_old_one(engine, monkeypatch):
    """Upgrading ccdrill must not break `make demo` on an existing database, nor rewrite history."""
    from ccdrill.library import catalog
    from ccdrill.store.db import unit_of_work
    from ccdrill.store.documents import get_plan, load_library, plan_versions

    with unit_of_work(engine) as session:
        load_library(session)
    original = catalog.load

    def edited(entry_id, kind=None):
        doc = original(entry_id, kind)
        if entry_id == "staff-loss" and (kind in (None, "plan")):
            return doc.model_copy(update={"trigger": doc.trigger.model_copy(update={"zh": "新的启动条件"})})
        return doc

    monkeypatch.setattr(catalog, "load", edited)
    with unit_of_work(engine) as session:
        load_library(session)
    with unit_of_work(engine) as session:
        versions = [v.version for v in plan_versions(session, "staff-loss")]
        assert versions == [1, 2] or versions == [2, 1]
        assert get_plan(session, "staff-loss", 1).trigger.zh != "新的启动条件"
        assert get_plan(session, "staff-loss", 2).trigger.zh == "新的启动条件"
