"""The built-in library: every packaged file loads, validates, is bilingual and hangs together."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import yaml
from pydantic import BaseModel

from ccdrill.domain.common import Text, minutes_of
from ccdrill.domain.plan import Plan
from ccdrill.domain.programme import Programme
from ccdrill.library import catalog

ENTRIES = catalog.list_entries()
PLAN_IDS = {"system-failure", "staff-loss", "natural-disaster", "network-failure"}
PROGRAMME_IDS = {"three-scenarios", "network-failure-2023-10-25"}
CJK = re.compile(r"[\u4e00-\u9fff]")
# ASCII punctuation touching Chinese text: an official Chinese document uses full-width ,;:()
ASCII_PUNCT_IN_ZH = re.compile(r"[\u4e00-\u9fff][,;:()?!]|[,;:(?!][\u4e00-\u9fff]")
# a space between Chinese characters or after Chinese punctuation (e.g. a folded YAML line break)
SPACE_IN_ZH = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef] +[\u4e00-\u9fff]")


def _plans() -> dict[str, Plan]:
    return {p.id: p for p in catalog.plans()}


def _programmes() -> list[Programme]:
    return catalog.programmes()


def _raw(entry_id: str, kind: str | None = None) -> dict:
    return yaml.safe_load(catalog.read_text(entry_id, kind))


def _texts(obj: object, path: str = "") -> Iterator[tuple[str, Text]]:
    """Every Text inside a model, with its dotted path."""
    if isinstance(obj, Text):
        yield path, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _texts(getattr(obj, name), f"{path}.{name}" if path else name)
    elif isinstance(obj, list | tuple):
        for i, item in enumerate(obj):
            yield from _texts(item, f"{path}.{i}")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _texts(v, f"{path}.{k}")


# ---- catalogue ---------------------------------------------------------------------------------


def test_library_holds_the_seed_plans_and_programmes():
    assert PLAN_IDS <= {e.id for e in ENTRIES if e.kind == "plan"}
    assert PROGRAMME_IDS <= {e.id for e in ENTRIES if e.kind == "programme"}


def test_entry_ids_are_unique_across_kinds():
    assert catalog.find_duplicates() == {}


def test_entry_titles_bilingual():
    for e in ENTRIES:
        assert e.kind in catalog.KINDS
        assert e.title["zh"] and e.title["en"], e.id
        assert e.resource.startswith(catalog.KINDS[e.kind] + "/") and e.resource.endswith(".yaml")


def test_unknown_entry_is_a_not_found_error():
    from ccdrill.errors import NotFoundError

    with pytest.raises(NotFoundError):
        catalog.load("no-such-entry")
    with pytest.raises(catalog.UnknownEntry):
        catalog.read_text("no-such-entry")


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_every_entry_loads_and_validates(entry):
    text = catalog.read_text(entry.id, entry.kind)
    assert text.strip()
    obj = catalog.load(entry.id, entry.kind)
    if entry.kind == "plan":
        assert isinstance(obj, Plan)
    elif entry.kind == "programme":
        assert isinstance(obj, Programme)
    elif entry.kind == "centre":
        model = pytest.importorskip("ccdrill.twin.model")
        assert isinstance(obj, getattr(model, "CentreModel", dict))
    else:
        assert obj is not None
    data = yaml.safe_load(text)
    assert data.get("id", entry.id) == entry.id
    # the file name is the id, so an exported file is found again by its id
    assert entry.filename == f"{entry.id}.yaml"


# ---- bilingual, in our own words ------------------------------------------------------------------


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.kind in ("plan", "programme")], ids=lambda e: e.id)
def test_every_text_has_both_languages(entry):
    obj = catalog.load(entry.id, entry.kind)
    texts = list(_texts(obj))
    assert texts
    for path, t in texts:
        assert t.en, f"{entry.id}: {path} has no English"
        assert CJK.search(t.zh), f"{entry.id}: {path}.zh is not Chinese: {t.zh!r}"
        assert not CJK.search(t.en), f"{entry.id}: {path}.en contains Chinese: {t.en!r}"
        assert not ASCII_PUNCT_IN_ZH.search(t.zh), f"{entry.id}: {path}.zh uses ASCII punctuation: {t.zh!r}"
        assert not SPACE_IN_ZH.search(t.zh), f"{entry.id}: {path}.zh has a stray space: {t.zh!r}"


# ---- plans ----------------------------------------------------------------------------------------


def test_plan_ids_and_versions():
    plans = _plans()
    assert PLAN_IDS <= set(plans)
    for pid, plan in plans.items():
        assert plan.version == 1, pid
        assert plan.scenario_type == pid.replace("-", "_")
        assert plan.effective_date is not None


@pytest.mark.parametrize("plan_id", sorted(PLAN_IDS))
def test_plan_structure(plan_id):
    plan = _plans()[plan_id]
    role_ids = [r.id for r in plan.roles]
    step_ids = [s.id for s in plan.steps]
    assert len(role_ids) == len(set(role_ids))
    assert len(step_ids) == len(set(step_ids))
    shared = {"commander", "deputy_commander", "agent", "tech_support", "logistics", "remote_agent"}
    assert set(role_ids) <= shared
    for s in plan.steps:
        assert s.role in role_ids, (plan_id, s.id, s.role)
        for dep in s.after:
            assert dep in step_ids, (plan_id, s.id, dep)
            # steps are listed in an order that respects their dependencies
            assert step_ids.index(dep) < step_ids.index(s.id), (plan_id, s.id, dep)
        assert s.detail is not None, (plan_id, s.id)
    assert sum(s.activates_plan for s in plan.steps) == 1
    assert sum(s.restores_service for s in plan.steps) == 1
    assert plan.incident is not None and plan.incident.effects
    # every role the plan names does something
    assert set(role_ids) == {s.role for s in plan.steps}


def _acyclic(graph: dict[str, list[str]]) -> bool:
    state: dict[str, int] = {}

    def visit(n: str) -> bool:
        if state.get(n) == 1:
            return False
        if state.get(n) == 2:
            return True
        state[n] = 1
        ok = all(visit(d) for d in graph.get(n, []))
        state[n] = 2
        return ok

    return all(visit(n) for n in graph)


@pytest.mark.parametrize("plan_id", sorted(PLAN_IDS))
def test_plan_dependencies_are_acyclic(plan_id):
    plan = _plans()[plan_id]
    assert _acyclic({s.id: list(s.after) for s in plan.steps})


def test_acyclic_helper_detects_a_cycle():
    assert not _acyclic({"a": ["b"], "b": ["a"]})
    assert _acyclic({"a": [], "b": ["a"]})


# ---- twin effects against the demo centre ----------------------------------------------------------

CHANNELS = {"phone", "chat", "email"}
GROUPS = {"phone", "chat", "blended"}


def _plan_effects(plan: Plan) -> Iterator[object]:
    if plan.incident:
        yield from plan.incident.effects
    for s in plan.steps:
        for se in s.effects:
            yield se.effect


def _centre_ids() -> tuple[set[str], set[str]] | None:
    centres = [e for e in ENTRIES if e.kind == "centre"]
    demo = next((e for e in centres if e.id == "demo-centre"), None)
    if demo is None:
        return None
    data = _raw(demo.id, "centre")
    channels = set((data.get("channels") or {}).keys())
    groups = {g.get("group") for g in data.get("agents") or [] if isinstance(g, dict)}
    return channels, groups


@pytest.mark.parametrize("plan_id", sorted(PLAN_IDS))
def test_plan_effects_name_the_demo_centres_channels_and_groups(plan_id):
    plan = _plans()[plan_id]
    channels, groups = CHANNELS, set(GROUPS)
    ids = _centre_ids()
    if ids is not None:
        channels, groups = ids
    joined: set[str] = set()
    for eff in _plan_effects(plan):
        for attr in ("channel", "from_channel", "to_channel"):
            ch = getattr(eff, attr, None)
            if ch is not None:
                assert ch in channels, (plan_id, eff)
        if eff.type == "agents_join":
            if eff.group not in groups:
                assert eff.channels, (plan_id, "a new group needs its channels", eff)
                assert set(eff.channels) <= channels
            joined.add(eff.group)
        for attr in ("group", "from_group", "to_group"):
            g = getattr(eff, attr, None)
            if g is not None:
                assert g in groups | joined, (plan_id, eff)


# ---- programmes -----------------------------------------------------------------------------------


def test_programme_ids_and_versions():
    progs = {p.id: p for p in _programmes()}
    assert PROGRAMME_IDS <= set(progs)
    for p in progs.values():
        assert p.version == 1
        assert p.evaluation.rubric == "default"
        assert p.centre == "demo-centre"
    centres = {e.id for e in ENTRIES if e.kind == "centre"}
    if centres:
        for p in progs.values():
            assert p.centre in centres, p.id


@pytest.mark.parametrize("prog", _programmes(), ids=lambda p: p.id)
def test_programme_plan_references_resolve(prog):
    plans = _plans()
    for sc in prog.scenarios:
        assert sc.plan.id in plans, (prog.id, str(sc.plan))
        assert sc.plan.version == plans[sc.plan.id].version, (prog.id, str(sc.plan))


@pytest.mark.parametrize("prog", _programmes(), ids=lambda p: p.id)
def test_programme_injects_point_at_existing_steps_and_roles(prog):
    plans = _plans()
    scenario_ids = {sc.plan.id for sc in prog.scenarios}
    role_ids = {r.id for r in prog.roles}
    seqs = [i.seq for i in prog.injects]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
    for inj in prog.injects:
        if inj.from_role is not None:
            assert inj.from_role in role_ids, (prog.id, inj.seq, inj.from_role)
        assert inj.to, (prog.id, inj.seq)
        for r in inj.to:
            assert r in role_ids, (prog.id, inj.seq, r)
        if inj.scenario is not None:
            assert inj.scenario in scenario_ids, (prog.id, inj.seq)
        if inj.step is not None:
            plan_id, _, step_id = inj.step.partition(".")
            assert plan_id in scenario_ids, (prog.id, inj.seq, inj.step)
            assert plans[plan_id].step(step_id) is not None, (prog.id, inj.seq, inj.step)
            if inj.scenario is not None:
                assert inj.scenario == plan_id
    # each scenario's incident is started by exactly one inject
    for sid in scenario_ids:
        starters = [
            i
            for i in prog.injects
            if i.starts_incident and (i.scenario or (i.step or "").split(".")[0]) == sid
        ]
        assert len(starters) == 1, (prog.id, sid)


@pytest.mark.parametrize("prog", _programmes(), ids=lambda p: p.id)
def test_programme_roles_cover_the_plans_roles_and_the_command_post(prog):
    plans = _plans()
    role_ids = {r.id for r in prog.roles}
    cp = prog.organisation.command_post
    for r in [cp.commander, *cp.deputies, *cp.members]:
        assert r in role_ids, (prog.id, r)
    for sc in prog.scenarios:
        for role in plans[sc.plan.id].roles:
            assert role.id in role_ids, (prog.id, sc.plan.id, role.id)


@pytest.mark.parametrize("prog", _programmes(), ids=lambda p: p.id)
def test_phases_in_order_inside_the_schedule(prog):
    start, end = minutes_of(prog.schedule.start), minutes_of(prog.schedule.end)
    assert start < end
    assert prog.phases
    prev_end = start
    for ph in prog.phases:
        s, e = minutes_of(ph.start), minutes_of(ph.end)
        assert s < e, (prog.id, ph.id)
        assert s >= prev_end, (prog.id, ph.id, "overlaps the previous phase")
        assert start <= s and e <= end, (prog.id, ph.id, "outside the schedule")
        assert ph.activities, (prog.id, ph.id)
        prev_end = e
    # the phases fill the drill window
    assert minutes_of(prog.phases[0].start) == start and minutes_of(prog.phases[-1].end) == end


@pytest.mark.parametrize("prog", _programmes(), ids=lambda p: p.id)
def test_injects_inside_the_drill_window(prog):
    length = minutes_of(prog.schedule.end) - minutes_of(prog.schedule.start)
    times = [i.time.minutes_from(prog.schedule.start) for i in prog.injects]
    for inj, t in zip(prog.injects, times, strict=True):
        assert 0 <= t <= length, (prog.id, inj.seq, inj.time.label())
    assert times == sorted(times), prog.id


def test_network_failure_programme_completes_the_seed():
    prog = catalog.load("network-failure-2023-10-25", "programme")
    assert str(prog.schedule.date) == "2023-10-25"
    assert [(p.start.strftime("%H:%M"), p.end.strftime("%H:%M")) for p in prog.phases] == [
        ("09:00", "09:10"),
        ("09:10", "09:30"),
        ("09:30", "10:30"),
        ("10:30", "11:00"),
        ("11:00", "11:30"),
    ]
    assert 10 <= len(prog.injects) <= 14
    assert any(i.contingency for i in prog.injects)
    starter = [i for i in prog.injects if i.starts_incident]
    assert len(starter) == 1 and starter[0].time.label() == "09:10"
    kinds = {r.id: r.kind for r in prog.roles}
    assert kinds["observer"] == "observer" and kinds["evaluator"] == "evaluator"
    assert len(prog.objectives) == 3 and prog.preface is not None


def test_three_scenario_programme_follows_the_seed():
    prog = catalog.load("three-scenarios", "programme")
    assert str(prog.schedule.date) == "2023-03-15"
    assert [str(s.plan) for s in prog.scenarios] == ["system-failure@1", "staff-loss@1", "natural-disaster@1"]
    assert len(prog.evaluation.criteria) == 4
    assert len(prog.summary.items) == 3
    lg = prog.organisation.leadership_group
    assert lg.leader.holder.zh == "总经理" and lg.deputies[0].holder.zh == "副总经理"
    cp = prog.organisation.command_post
    assert (cp.commander, cp.deputies, cp.members) == (
        "commander",
        ["deputy_commander"],
        ["agent", "tech_support"],
    )
    assert prog.provisions.note is not None


# ---- the general validator agrees -----------------------------------------------------------------


def _checks():
    try:
        from ccdrill.domain import checks
    except ImportError:  # pragma: no cover - written by another engineer
        pytest.skip("ccdrill.domain.checks not available")
    return checks


@pytest.mark.parametrize("plan_id", sorted(PLAN_IDS))
def test_general_checks_find_nothing_in_library_plans(plan_id):
    checks = _checks()
    assert checks.check_plan(_raw(plan_id, "plan")) == []


@pytest.mark.parametrize("prog_id", sorted(PROGRAMME_IDS))
def test_general_checks_find_nothing_in_library_programmes(prog_id):
    checks = _checks()
    raw_plans = {e.id: _raw(e.id, "plan") for e in ENTRIES if e.kind == "plan"}

    def resolve(pid: str, version: int | None):
        data = raw_plans.get(pid)
        if data is None or (version is not None and data.get("version") != version):
            return None
        return data

    assert checks.check_programme(_raw(prog_id, "programme"), resolve) == []
