"""The vertical slice: token → create → start → act (idempotent) → state → events."""

from __future__ import annotations


def test_a_drill_from_creation_to_an_acknowledged_action(api, clock):
    drill = api.create()
    r = api.get("commander", f"/api/v1/drills/{drill}")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "draft" and r.json()["can_control"]
    assert api.post("commander", f"/api/v1/drills/{drill}/start").status_code == 201
    clock.advance(10)  # ×60: ten minutes of drill time
    r = api.post("commander", f"/api/v1/drills/{drill}/events", json={"kind": "inject_fired", "inject": 3})
    assert r.status_code == 201, r.text
    body = {"kind": "report", "step": "network-failure.report", "note": "系统登录不上"}
    first = api.post("agent1", f"/api/v1/drills/{drill}/events", json=body, key="k-1")
    again = api.post("agent1", f"/api/v1/drills/{drill}/events", json=body, key="k-1")
    assert first.status_code == 201 and again.status_code == 200, (first.text, again.text)
    assert first.json()["seq"] == again.json()["seq"]
    events = api.get("observer", f"/api/v1/drills/{drill}/events", params={"after": 0}).json()
    assert [e["kind"] for e in events] == ["drill_created", "drill_started", "inject_fired", "report"]
    state = api.get("agent1", f"/api/v1/drills/{drill}").json()
    assert state["status"] == "running" and state["drill_time_s"] == 600
    assert state["current_phase"]["id"] == "incident"
    assert state["milestones"]["network-failure"]["first_report_at"] == 600
    assert state["twin"]["latest"]["service_level"] is not None
