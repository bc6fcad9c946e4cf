"""Every permission rule, through the API: who sees, who controls, who acts on what."""

from __future__ import annotations

import pytest

EV = "/api/v1/drills/{}/events"


@pytest.fixture
def running(api, clock):
    drill = api.create()
    assert api.post("commander", f"/api/v1/drills/{drill}/start").status_code == 201
    clock.advance(10)
    assert api.post("deputy", EV.format(drill), json={"kind": "inject_fired", "inject": 3}).status_code == 201
    return drill


def test_without_a_token_the_api_answers_401_in_the_callers_language(api, client):
    r = client.get("/api/v1/drills", headers={"Accept-Language": "en"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    assert r.json()["error"]["message"] == "Please sign in."
    r = client.get("/api/v1/drills", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.json()["error"]["message"] == "请先登录。"


def test_a_token_is_issued_for_the_right_password_only(client):
    from tests.drills.conftest import PASSWORD

    r = client.post("/api/v1/auth/token", json={"username": "agent1", "password": PASSWORD})
    assert r.status_code == 200 and r.json()["token"].startswith("ccd_")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert me.json()["username"] == "agent1"
    assert client.post("/api/v1/auth/token", json={"username": "agent1", "password": "x"}).status_code == 401


def test_login_throttling_after_five_failures_gives_429_with_a_localized_message(client):
    from tests.drills.conftest import PASSWORD

    for _ in range(5):
        assert client.post("/api/v1/auth/token", json={"username": "tech", "password": "bad"}).status_code == 401
    r = client.post("/api/v1/auth/token", json={"username": "tech", "password": PASSWORD},
                    headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 429 and "登录失败次数过多" in r.json()["error"]["message"]
    assert int(r.headers["Retry-After"]) > 0
    # another username from the same address is not locked
    assert client.post("/api/v1/auth/token", json={"username": "agent1", "password": PASSWORD}).status_code == 200


def test_only_planners_and_admins_create_drills(api):
    from tests.drills.conftest import PROGRAMME

    r = api.post("commander", "/api/v1/drills", json={"programme": PROGRAMME, "speed": 60})
    assert r.status_code == 403
    assert api.post("admin", "/api/v1/drills", json={"programme": PROGRAMME}).status_code == 201


def test_someone_elses_drill_is_404_and_missing_from_their_list(api, running):
    assert api.get("outsider", f"/api/v1/drills/{running}").status_code == 404
    assert api.get("outsider", EV.format(running)).status_code == 404
    assert api.get("outsider", f"/api/v1/drills/{running}/twin").status_code == 404
    r = api.post("outsider", EV.format(running), json={"kind": "note", "note": "hi"})
    assert r.status_code == 404
    assert api.get("outsider", "/api/v1/drills").json() == []
    assert [d["id"] for d in api.get("agent1", "/api/v1/drills").json()] == [running]
    assert api.get("agent1", "/api/v1/drills/999999").status_code == 404
    assert api.get("agent1", "/api/v1/drills/abc").status_code == 404


def test_observers_read_but_never_act(api, running):
    before = api.count(running)
    assert api.get("observer", f"/api/v1/drills/{running}").json()["is_observer"] is True
    for body in ({"kind": "note", "note": "x"}, {"kind": "acknowledge", "inject": 3},
                 {"kind": "report", "scenario": "network-failure"}):
        r = api.post("observer", EV.format(running), json=body)
        assert r.status_code == 403, r.text
    assert api.post("observer", f"/api/v1/drills/{running}/pause").status_code == 403
    assert api.count(running) == before


def test_only_the_command_post_or_a_planner_controls_the_clock_and_injects(api, running):
    before = api.count(running)
    for who in ("agent1", "tech", "evaluator", "observer"):
        assert api.post(who, f"/api/v1/drills/{running}/pause").status_code == 403
        assert api.post(who, EV.format(running), json={"kind": "inject_fired", "inject": 4}).status_code == 403
        assert api.post(who, EV.format(running), json={"kind": "inject_skipped", "inject": 4}).status_code == 403
    assert api.count(running) == before
    assert api.post("planner", f"/api/v1/drills/{running}/pause").status_code == 201
    assert api.post("deputy", f"/api/v1/drills/{running}/resume").status_code == 201
    assert api.post("commander", EV.format(running), json={"kind": "inject_skipped", "inject": 4}).status_code == 201
    r = api.post("deputy", EV.format(running), json={"kind": "speed_changed", "speed": 30})
    assert r.status_code == 201
    assert api.get("agent1", f"/api/v1/drills/{running}").json()["speed"] == 30


def test_participants_act_only_on_their_roles_steps_and_injects(api, running):
    ev = EV.format(running)
    before = api.count(running)
    assert api.post("tech", ev, json={"kind": "step_complete", "step": "network-failure.report"}).status_code == 403
    assert api.post("tech", ev, json={"kind": "acknowledge", "inject": 3}).status_code == 403  # to: [agent]
    assert api.count(running) == before
    assert api.post("agent2", ev, json={"kind": "acknowledge", "inject": 3}).status_code == 201
    assert api.post("agent1", ev, json={"kind": "step_start", "step": "network-failure.report"}).status_code == 201
    assert api.post("agent1", ev, json={"kind": "step_complete", "step": "network-failure.report"}).status_code == 201
    # anyone in the drill may report up and write a note
    assert api.post("tech", ev, json={"kind": "report", "scenario": "network-failure", "note": "线路告警"}).status_code == 201
    assert api.post("logistics", ev, json={"kind": "note", "note": "备用设备已就位"}).status_code == 201
    # the command post may act on any step
    assert api.post("deputy", ev, json={"kind": "step_complete", "step": "network-failure.activate"}).status_code == 201
    steps = api.get("agent1", f"/api/v1/drills/{running}").json()["steps"]
    assert steps["network-failure.report"]["status"] == "done"
    assert steps["network-failure.activate"]["status"] == "done"


def test_evaluators_write_private_notes_seen_by_participants_only_after_the_end(api, running):
    ev = EV.format(running)
    assert api.post("evaluator", ev, json={"kind": "step_complete", "step": "network-failure.report"}).status_code == 403
    r = api.post("evaluator", ev, json={"kind": "note", "note": "报告用时偏长"})
    assert r.status_code == 201 and r.json()["private"] is True
    seq = r.json()["seq"]
    shared = api.post("evaluator", ev, json={"kind": "note", "note": "秩序良好", "private": False})
    assert shared.json()["private"] is False

    def seqs(who):
        return [e["seq"] for e in api.get(who, ev).json()]

    assert seq not in seqs("agent1") and seq not in seqs("commander") and seq not in seqs("observer")
    assert shared.json()["seq"] in seqs("agent1")
    assert seq in seqs("evaluator") and seq in seqs("planner")
    assert api.post("commander", f"/api/v1/drills/{running}/end").status_code == 201
    assert seq in seqs("agent1") and seq in seqs("observer")


def test_the_command_post_adds_fires_and_skips_injects_and_applies_effects(api, running, clock):
    ev = EV.format(running)
    r = api.post("deputy", ev, json={"kind": "inject_added", "payload": {
        "inject": {"seq": 50, "time": "T+00:20", "title": "临时注入：媒体来电", "to": ["agent"]}}})
    assert r.status_code == 201, r.text
    assert api.post("agent1", ev, json={"kind": "inject_added", "payload": {
        "inject": {"seq": 51, "time": "T+00:20", "title": "x"}}}).status_code == 403
    assert api.post("deputy", ev, json={"kind": "inject_fired", "inject": 50}).status_code == 201
    assert api.post("agent1", ev, json={"kind": "acknowledge", "inject": 50}).status_code == 201
    r = api.post("commander", ev, json={"kind": "effect_applied", "payload": {
        "effect": {"type": "channel_down", "channel": "chat"}}, "reason": "模拟在线客服也中断"})
    assert r.status_code == 201, r.text
    body = api.get("agent1", f"/api/v1/drills/{running}").json()
    injects = {i["seq"]: i for i in body["injects"]}
    assert injects[50]["status"] == "fired" and injects[50]["acknowledged_by"] == ["agent1"]
    twin = api.get("observer", f"/api/v1/drills/{running}/twin").json()
    assert len(twin["t"]) == len(twin["service_level"]) == len(twin["baseline_service_level"]) >= 1


def test_a_revoked_token_stops_working(client):
    from tests.drills.conftest import PASSWORD

    token = client.post("/api/v1/auth/token", json={"username": "agent2", "password": PASSWORD}).json()["token"]
    h = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=h).status_code == 200
    assert client.delete("/api/v1/auth/token", headers=h).status_code == 204
    assert client.get("/api/v1/me", headers=h).status_code == 401
