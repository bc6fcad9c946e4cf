"""States draft → scheduled → running ⇄ paused → ended, and cancelled — through the API, on both databases."""

from __future__ import annotations

import datetime as dt

EV = "/api/v1/drills/{}/events"


def test_a_drill_keeps_the_exact_programme_and_plan_versions(api):
    drill = api.create()
    body = api.get("planner", f"/api/v1/drills/{drill}").json()
    assert body["programme"] == "network-failure-2023-10-25@1"
    assert body["plans"] == {"network-failure": "network-failure@1"}
    created = api.get("planner", EV.format(drill)).json()[0]
    assert created["kind"] == "drill_created" and created["payload"]["programme"].endswith("@1")


def test_with_a_date_the_drill_is_scheduled(api):
    drill = api.create(date="2026-03-02")
    body = api.get("commander", f"/api/v1/drills/{drill}").json()
    assert body["status"] == "scheduled" and body["date"] == "2026-03-02"


def test_the_full_lifecycle_and_every_refused_transition_is_409_with_the_log_unchanged(api, clock):
    drill = api.create(date=dt.date(2026, 3, 2).isoformat())
    url = f"/api/v1/drills/{drill}"

    def refused(action: str) -> None:
        before = api.count(drill)
        r = api.post("commander", f"{url}/{action}")
        assert r.status_code == 409, (action, r.text)
        assert r.json()["error"]["code"] == "conflict"
        assert api.count(drill) == before

    refused("pause")
    refused("resume")
    refused("end")
    assert api.post("commander", f"{url}/start").status_code == 201
    refused("start")
    refused("resume")
    clock.advance(60)
    assert api.post("commander", f"{url}/pause", json={"reason": "领导讲话"}).status_code == 201
    refused("pause")
    clock.advance(600)
    assert api.get("agent1", url).json()["drill_time_s"] == 3600  # frozen while paused
    assert api.post("commander", f"{url}/resume").status_code == 201
    clock.advance(1)
    assert api.get("agent1", url).json()["drill_time_s"] == 3660
    assert api.post("commander", f"{url}/end").status_code == 201
    assert api.get("agent1", url).json()["status"] == "ended"
    for action in ("start", "pause", "resume", "end", "cancel"):
        refused(action)
    before = api.count(drill)
    r = api.client.post(
        EV.format(drill), json={"kind": "note", "note": "还能记吗"},
        headers={**api.h("agent1"), "Accept-Language": "en"})
    assert r.status_code == 409
    assert r.json()["error"]["message"] == "The drill is ended; no more actions can be recorded."
    assert api.count(drill) == before


def test_a_draft_drill_can_be_cancelled_and_then_nothing_more_happens(api):
    drill = api.create()
    assert api.post("deputy", f"/api/v1/drills/{drill}/cancel").status_code == 201
    assert api.get("deputy", f"/api/v1/drills/{drill}").json()["status"] == "cancelled"
    assert api.post("deputy", f"/api/v1/drills/{drill}/start").status_code == 409


def test_the_state_reports_phase_injects_steps_and_twin(api, clock):
    drill = api.create()
    api.post("commander", f"/api/v1/drills/{drill}/start")
    clock.advance(35 * 60 / 60)  # 35 drill minutes at ×60
    body = api.get("agent1", f"/api/v1/drills/{drill}").json()
    assert body["current_phase"]["id"] == "response"
    assert body["drill_time_s"] == 35 * 60
    assert {i["seq"] for i in body["injects"]} >= {1, 2, 3}
    assert body["steps"]["network-failure.report"]["status"] == "blocked"
    assert set(body["twin"]["latest"]) >= {"service_level", "baseline_service_level", "queue", "agents"}
