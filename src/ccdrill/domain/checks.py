"""Checks beyond types: the rules a plan or programme must follow to be runnable.

They work on the plain data read from a file (not on validated models) so that
a file with a type error *and* a broken reference gets both reported in one
pass.  Each finding is ``(path, msgid, params)``; the file layer locates it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ccdrill.domain.common import DrillTime, _parse_clock, clock_str, minutes_of

Finding = tuple[tuple[str | int, ...], str, dict[str, object]]
# (plan id, version or None) → the plan's data, or None when there is no such plan.
PlanResolver = Callable[[str, int | None], dict[str, Any] | None]


def _items(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, list):
        return []
    return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]


def _ids(data: Any, key: str, id_key: str = "id") -> Iterator[Finding | tuple[int, str]]:
    seen: set[str] = set()
    for i, item in _items(data, key):
        ident = item.get(id_key)
        if not isinstance(ident, str | int):
            continue
        if ident in seen:
            yield ((key, i, id_key), "Duplicate id {id}: each must be unique.", {"id": ident})
        seen.add(ident)


def _clock(value: Any) -> int | None:
    try:
        return minutes_of(_parse_clock(value))
    except Exception:
        return None


def _hm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def check_plan(data: Any) -> list[Finding]:
    out: list[Finding] = [f for f in _ids(data, "roles") if len(f) == 3]  # type: ignore[misc]
    out += [f for f in _ids(data, "steps") if len(f) == 3]  # type: ignore[misc]
    roles = [r.get("id") for _, r in _items(data, "roles")]
    steps = {s.get("id"): i for i, s in _items(data, "steps") if isinstance(s.get("id"), str)}
    for i, step in _items(data, "steps"):
        role = step.get("role")
        if isinstance(role, str) and role not in roles:
            out.append((("steps", i, "role"), "Role {role} is not one of the plan's roles: {roles}.",
                        {"role": role, "roles": ", ".join(dict.fromkeys(str(r) for r in roles))}))
        after = step.get("after")
        if isinstance(after, list):
            for j, dep in enumerate(after):
                if isinstance(dep, str) and dep not in steps:
                    out.append((("steps", i, "after", j), "Step {step} does not exist in this plan.", {"step": dep}))
    cycle = find_cycle({sid: [d for d in (s.get("after") or []) if isinstance(d, str) and d in steps]
                        for sid, s in ((s.get("id"), s) for _, s in _items(data, "steps")) if isinstance(sid, str)})
    if cycle:
        out.append((("steps", steps[cycle[0]], "after"), "Steps depend on each other in a circle: {cycle}.",
                    {"cycle": " → ".join([*cycle, cycle[0]])}))
    return out


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """One dependency cycle in ``graph`` (node → nodes it waits for), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _ref(value: Any) -> tuple[str, int | None] | None:
    if not isinstance(value, str):
        return None
    plan_id, _, version = value.strip().partition("@")
    if version and not version.isdigit():
        return None
    return plan_id, int(version) if version else None


def check_programme(data: Any, resolve: PlanResolver | None = None) -> list[Finding]:
    out: list[Finding] = []
    for key in ("roles", "phases"):
        out += [f for f in _ids(data, key) if len(f) == 3]  # type: ignore[misc]
    out += [f for f in _ids(data, "injects", "seq") if len(f) == 3]  # type: ignore[misc]
    if not isinstance(data, dict):
        return out
    roles = [r.get("id") for _, r in _items(data, "roles")]
    role_list = ", ".join(str(r) for r in roles)

    def role_ok(path: tuple[str | int, ...], value: Any) -> None:
        if isinstance(value, str) and value not in roles:
            out.append((path, "Unknown role {role}; the programme's roles are: {roles}.",
                        {"role": value, "roles": role_list}))

    org = data.get("organisation")
    cp = org.get("command_post") if isinstance(org, dict) else None
    if isinstance(cp, dict):
        role_ok(("organisation", "command_post", "commander"), cp.get("commander"))
        for key in ("deputies", "members"):
            for j, r in enumerate(cp.get(key) or [] if isinstance(cp.get(key), list) else []):
                role_ok(("organisation", "command_post", key, j), r)

    sched = data.get("schedule") if isinstance(data.get("schedule"), dict) else {}
    start, end = _clock(sched.get("start")), _clock(sched.get("end"))
    if start is not None and end is not None and end <= start:
        out.append((("schedule", "end"), "The drill ends ({end}) before it starts ({start}).",
                    {"start": _hm(start), "end": _hm(end)}))
        start = end = None

    windows: list[tuple[int, int, int, str]] = []
    for i, ph in _items(data, "phases"):
        ps, pe = _clock(ph.get("start")), _clock(ph.get("end"))
        name = str(ph.get("id", i + 1))
        if ps is None or pe is None:
            continue
        if pe <= ps:
            out.append((("phases", i, "end"), "Phase {phase} ends ({end}) before it starts ({start}).",
                        {"phase": name, "start": _hm(ps), "end": _hm(pe)}))
            continue
        if start is not None and end is not None and (ps < start or pe > end):
            out.append((("phases", i), "Phase {phase} ({pstart}–{pend}) lies outside the drill time {start}–{end}.",
                        {"phase": name, "pstart": _hm(ps), "pend": _hm(pe), "start": _hm(start), "end": _hm(end)}))
        for (os_, oe, _oi, oname) in windows:
            if ps < oe and os_ < pe:
                out.append((("phases", i), "Phase {phase} ({pstart}–{pend}) overlaps phase {other}.",
                            {"phase": name, "pstart": _hm(ps), "pend": _hm(pe), "other": oname}))
        windows.append((ps, pe, i, name))

    plans: dict[str, dict[str, Any]] = {}
    for i, sc in _items(data, "scenarios"):
        ref = _ref(sc.get("plan"))
        if ref is None or resolve is None:
            continue
        plan = resolve(*ref)
        label = ref[0] if ref[1] is None else f"{ref[0]}@{ref[1]}"
        if plan is None:
            out.append((("scenarios", i, "plan"),
                        "Plan {ref} does not exist (not in the library, the database or the files given).",
                        {"ref": label}))
            continue
        plans[ref[0]] = plan
        for _, prole in _items(plan, "roles"):
            rid = prole.get("id")
            if isinstance(rid, str) and rid not in roles:
                out.append((("scenarios", i, "plan"), "Plan {plan} needs role {role}, which has no seat in this programme.",
                            {"plan": label, "role": rid}))
    scenario_ids = [r[0] for _, sc in _items(data, "scenarios") if (r := _ref(sc.get("plan")))]

    for i, inj in _items(data, "injects"):
        seq = inj.get("seq", i + 1)
        role_ok(("injects", i, "from"), inj.get("from"))
        to = inj.get("to")
        for j, r in enumerate(to if isinstance(to, list) else []):
            role_ok(("injects", i, "to", j), r)
        if start is not None and end is not None and "time" in inj:
            try:
                at = DrillTime.model_validate(inj["time"]).minutes_from(_parse_clock(sched.get("start")))
            except Exception:
                at = None
            if at is not None and not (0 <= at <= end - start):
                out.append((("injects", i, "time"), "Inject {seq} at {time} falls outside the drill time {start}–{end}.",
                            {"seq": seq, "time": _hm(start + at) if at >= -start else str(inj["time"]),
                             "start": _hm(start), "end": _hm(end)}))
        scen = inj.get("scenario")
        if isinstance(scen, str) and scenario_ids and scen not in scenario_ids:
            out.append((("injects", i, "scenario"), "Scenario {scenario} is not one of this programme's: {scenarios}.",
                        {"scenario": scen, "scenarios": ", ".join(scenario_ids)}))
        step = inj.get("step")
        if isinstance(step, str):
            plan_id, dot, step_id = step.partition(".")
            if not dot or not step_id:
                out.append((("injects", i, "step"), 'Write the linked step as "plan-id.step-id", e.g. {example}.',
                            {"example": "network-failure.report"}))
            elif scenario_ids and plan_id not in scenario_ids:
                out.append((("injects", i, "step"), "Inject {seq} points at step {step}, but plan {plan} is not a scenario of this programme.",
                            {"seq": seq, "step": step, "plan": plan_id}))
            elif plan_id in plans and step_id not in [s.get("id") for _, s in _items(plans[plan_id], "steps")]:
                out.append((("injects", i, "step"), "Inject {seq} points at step {step}, which does not exist.",
                            {"seq": seq, "step": step}))
        if inj.get("starts_incident") is True and not isinstance(scen, str) and len(scenario_ids) > 1 \
                and not (isinstance(step, str) and "." in step):
            out.append((("injects", i, "starts_incident"), "Say which scenario inject {seq} starts (scenario: plan id).",
                        {"seq": seq}))
    return out


__all__ = ["check_plan", "check_programme", "find_cycle", "clock_str", "Finding", "PlanResolver"]
