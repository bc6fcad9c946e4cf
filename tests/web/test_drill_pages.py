"""The drill pages in-process: who sees which page, what a tap records, and how refusals read.

Runs on SQLite and PostgreSQL (the ``app`` fixture).  The browser half (live updates, the phone
layout) is in ``tests/browser``.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.people import As as Person
from tests.people import token_of

PASSWORD = "page-test-password"
PROGRAMME = "network-failure-2023-10-25"
PEOPLE = {"planner": True, "cmd": False, "agent": False, "agent2": False, "observer": False, "stranger": False}


@pytest.fixture
def drills(app, library_db):
    """Users, and two drills: #a with everyone seated, #b with only agent2."""
    from ccdrill.auth.permissions import User
    from ccdrill.store import users
    from ccdrill.store.db import unit_of_work

    with unit_of_work(library_db) as s:
        for name, planner in PEOPLE.items():
            users.create_user(s, name, PASSWORD, planner=planner)
    service = app.state.drills
    planner = User("planner", is_planner=True)
    a = service.create_drill(programme=PROGRAMME, speed=60, actor=planner, assignments={
        "commander": ["cmd"], "agent": ["agent"], "observer": ["observer"]})
    b = service.create_drill(programme=PROGRAMME, speed=1, actor=planner, assignments={"agent": ["agent2"]})
    return {"a": a, "b": b}


def As(client: TestClient, name: str, lang: str) -> Person:  # noqa: N802 - reads as a class
    return Person(client, name, PASSWORD, lang)


def act(c: Person, drill: int, kind: str, *, key: str | None = None, json: bool = True, **fields):
    page = c.get(f"/drills/{drill}/me" if kind in ("report", "acknowledge", "step_start", "step_complete")
                 else f"/drills/{drill}")
    data = {"csrf_token": token_of(page.text), "kind": kind, **fields}
    headers = {"Accept": "application/json"} if json else {}
    if key:
        headers["Idempotency-Key"] = key
    return c.post(f"/drills/{drill}/actions", data=data, headers=headers, follow_redirects=False)


def events(app, drill: int) -> list:
    from ccdrill.auth.permissions import User

    return app.state.drills.events_after(drill, 0, User("planner", is_planner=True))


@pytest.fixture
def clients(client, drills):
    made: dict[tuple[str, str], Person] = {}

    def get(name: str, lang: str = "zh") -> Person:
        if (name, lang) not in made:
            made[(name, lang)] = As(client, name, lang)
        return made[(name, lang)]

    return get


def test_signed_out_visitors_are_asked_to_sign_in(client, drills):
    r = client.get("/drills")
    assert r.status_code == 200 and 'href="/login?next=/drills"' in r.text
    r = client.get(f"/drills/{drills['a']}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_a_participant_sees_only_their_drills(clients, drills):
    agent = clients("agent")
    listing = agent.get("/drills")
    assert f'data-drill-row="{drills["a"]}"' in listing.text
    assert f'data-drill-row="{drills["b"]}"' not in listing.text
    assert "客服人员" in listing.text  # "my role"
    assert agent.get(f"/drills/{drills['b']}").status_code == 404
    assert agent.get(f"/drills/{drills['b']}/me").status_code == 404
    assert agent.get(f"/drills/{drills['b']}/panels?view=me").status_code == 404
    assert agent.get(f"/drills/{drills['b']}/twin.json").status_code == 404
    # the console sends a participant to their own view
    r = agent.get(f"/drills/{drills['a']}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/drills/{drills['a']}/me"
    me = agent.get(f"/drills/{drills['a']}/me")
    assert me.status_code == 200 and "客服人员" in me.text and "演练尚未开始" in me.text


def test_the_observer_gets_a_read_only_console(clients, drills):
    observer = clients("observer")
    r = observer.get(f"/drills/{drills['a']}")
    assert r.status_code == 200
    assert "data-readonly" in r.text and "data-act" not in r.text and "data-controls" not in r.text
    assert "/static/js/console.js" in r.text and 'data-stream="/api/v1/drills/' in r.text
    before = len(events(observer.app, drills["a"]))
    refused = act(observer, drills["a"], "drill_started")
    assert refused.status_code == 403
    assert len(events(observer.app, drills["a"])) == before


def test_the_command_post_console_has_the_controls(clients, drills):
    cmd = clients("cmd")
    r = cmd.get(f"/drills/{drills['a']}")
    assert r.status_code == 200 and 'value="drill_started"' in r.text and "立即下达" not in r.text
    assert act(cmd, drills["a"], "drill_started").status_code == 201
    r = cmd.get(f"/drills/{drills['a']}")
    for text in ("暂停", "结束", "各岗位处置步骤", "情景注入（MSEL）", "实时记录", "模拟客服中心", "立即下达", "下达备用", "twin-chart"):
        assert text in r.text, text
    en = clients("cmd", "en").get(f"/drills/{drills['a']}?lang=en")
    for text in ("Pause", "Steps by role", "Injects (MSEL)", "Live log", "Issue now", "Release standby"):
        assert text in en.text, text


def test_a_tap_counts_once_and_the_panels_follow(clients, drills):
    cmd, agent, d = clients("cmd"), clients("agent"), drills["a"]
    assert act(cmd, d, "drill_started", key="start-1").status_code == 201
    assert act(cmd, d, "inject_fired", inject="3", key="fire-3").status_code == 201
    n = len(events(cmd.app, d))
    # a double tap and a retry after a lost answer carry the same key: recorded once
    first = act(agent, d, "step_complete", step="network-failure.report", key="tap-1", note="已上报主管")
    again = act(agent, d, "step_complete", step="network-failure.report", key="tap-1", note="已上报主管")
    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["seq"] == again.json()["seq"]
    assert len(events(cmd.app, d)) == n + 1
    panels = cmd.get(f"/drills/{d}/panels?view=console")
    assert panels.status_code == 200 and panels.headers["cache-control"] == "no-store"
    assert re.search(r'data-step="network-failure.report">.*?step-done', panels.text, re.S)
    assert "已上报主管" in panels.text
    twin = cmd.get(f"/drills/{d}/twin.json").json()
    assert {"t", "service_level", "baseline_service_level", "queue", "agents", "target"} <= set(twin)
    # without JavaScript the form posts and comes back to the page
    r = act(agent, d, "report", json=False, inject="3", back=f"/drills/{d}/me")
    assert r.status_code == 303 and r.headers["location"] == f"/drills/{d}/me"


def test_the_command_post_adds_an_inject_and_changes_the_speed(clients, drills):
    cmd, agent, d = clients("cmd"), clients("agent"), drills["a"]
    assert act(cmd, d, "drill_started").status_code == 201
    assert act(cmd, d, "inject_added", title="大客户来电投诉", description="VIP 客户要求经理回电",
               to="agent").status_code == 201
    assert act(cmd, d, "inject_added", title="").status_code == 422
    assert act(cmd, d, "speed_changed", speed="10").status_code == 201
    assert act(cmd, d, "contingency_released", inject="9").status_code == 201
    page = cmd.get(f"/drills/{d}").text
    assert "大客户来电投诉" in page and "临时" in page and "倍速 ×10" in page
    assert re.search(r'data-inject="9">.*?inj-released', page, re.S)
    assert act(agent, d, "inject_added", title="不该成功").status_code == 403


def test_a_missing_or_forged_csrf_token_is_refused(clients, drills):
    cmd, d = clients("cmd"), drills["a"]
    before = len(events(cmd.app, d))
    r = cmd.post(f"/drills/{d}/actions", data={"kind": "drill_started"})
    assert r.status_code == 403 and "此表单已过期" in r.text
    r = cmd.post(f"/drills/{d}/actions", data={"kind": "drill_started", "csrf_token": "forged"},
                 headers={"Accept": "application/json"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert len(events(cmd.app, d)) == before


def test_an_action_on_an_ended_drill_is_a_localized_conflict(clients, drills):
    cmd, agent, d = clients("cmd"), clients("agent"), drills["a"]
    assert act(cmd, d, "drill_started").status_code == 201
    assert act(cmd, d, "drill_ended").status_code == 201
    before = len(events(cmd.app, d))
    r = act(agent, d, "report", json=False, note="太迟了")
    assert r.status_code == 409 and "演练已结束，不能再记录任何操作。" in r.text
    r = act(clients("agent", "en"), d, "report", note="too late")
    assert r.status_code == 409 and "ended" in r.json()["error"]["message"]
    assert len(events(cmd.app, d)) == before
    me = agent.get(f"/drills/{d}/me").text
    assert "演练已结束，无需再操作" in me and "data-act" not in me  # no buttons left to tap


def test_bad_actions_are_clear_refusals(clients, drills):
    cmd, agent, d = clients("cmd"), clients("agent"), drills["a"]
    assert act(cmd, d, "drill_started").status_code == 201
    assert act(agent, d, "no_such_kind").status_code == 422
    assert act(agent, d, "step_complete", step="network-failure.nope").status_code == 404
    assert act(agent, d, "drill_paused").status_code == 403  # only the command post controls the clock
    page = agent.get(f"/drills/{d}/me")
    r = agent.post(f"/drills/{d}/actions", data={"csrf_token": token_of(page.text), "kind": "report"},
                   files={"photo_file": ("x.jpg", b"not an image at all", "image/jpeg")},
                   headers={"Accept": "application/json"})
    assert r.status_code == 422
    r = agent.post(f"/drills/{d}/actions", data={"csrf_token": token_of(page.text), "kind": "report"},
                   files={"photo_file": ("p.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")},
                   headers={"Accept": "application/json"})
    assert r.status_code == 201
    last = events(cmd.app, d)[-1]
    assert last.kind == "report" and last.payload.get("photo", "").startswith("photo-")


def test_planners_create_drills_from_a_programme_version(clients, drills):
    planner = clients("planner")
    form = planner.get("/drills/new")
    assert form.status_code == 200 and f'value="{PROGRAMME}@1"' in form.text and 'name="role:agent"' in form.text
    assert 'name="role:agent" value="agent2"' in form.text
    r = planner.post("/drills/new", data={
        "csrf_token": token_of(form.text), "programme": f"{PROGRAMME}@1", "speed": "30", "date": "2026-12-01",
        "role:commander": "cmd", "role:agent": ["agent", "agent2"]}, follow_redirects=False)
    assert r.status_code == 303
    new_id = int(r.headers["location"].rsplit("/", 1)[1])
    agent2 = clients("agent2")
    assert f'data-drill-row="{new_id}"' in agent2.get("/drills").text
    assert clients("agent").get("/drills/new").status_code == 403
    bad = planner.post("/drills/new", data={"csrf_token": token_of(form.text), "programme": f"{PROGRAMME}@1",
                                            "speed": "500"})
    assert bad.status_code == 422
