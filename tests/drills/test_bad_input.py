"""Bad input gets a clear refusal (403/404/409/413/422, in the user's language), never a 500, and the log
stays unchanged."""

from __future__ import annotations

import re

import pytest

from tests.drills.conftest import PASSWORD

EV = "/api/v1/drills/{}/events"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64
WEBP = b"RIFF\x10\0\0\0WEBPVP8 " + b"\0" * 32


@pytest.fixture
def running(api, clock):
    drill = api.create()
    api.post("commander", f"/api/v1/drills/{drill}/start")
    clock.advance(10)
    api.post("commander", EV.format(drill), json={"kind": "inject_fired", "inject": 3})
    return drill


def _login_form(client) -> str:
    page = client.get("/login")
    assert page.status_code == 200
    m = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert m
    return m.group(1)


def test_login_form_without_or_with_a_forged_csrf_token_is_403(client):
    _login_form(client)
    r = client.post("/login", data={"username": "agent1", "password": PASSWORD})
    assert r.status_code == 403
    r = client.post("/login", data={"username": "agent1", "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 403
    assert "ccdrill_session" not in client.cookies


def test_signing_in_and_out_with_the_form(client):
    token = _login_form(client)
    r = client.post("/login", data={"username": "agent1", "password": "wrong", "csrf_token": token})
    assert r.status_code == 401 and "用户名或密码错误" in r.text
    r = client.post("/login", data={"username": "agent1", "password": PASSWORD, "csrf_token": token,
                                    "next": "/api/v1/me"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/api/v1/me"
    cookie = r.headers["set-cookie"]
    assert "ccdrill_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert client.get("/api/v1/me").json()["username"] == "agent1"
    assert 'data-username="agent1"' in client.get("/login").text
    r = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    client.cookies.delete("ccdrill_session")
    assert client.get("/api/v1/me").status_code == 401


def test_login_redirects_only_inside_the_site(client):
    token = _login_form(client)
    r = client.post("/login", data={"username": "agent1", "password": PASSWORD, "csrf_token": token,
                                    "next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/drills"


def test_cookie_authenticated_api_writes_need_the_csrf_header(api, client, running):
    token = _login_form(client)
    client.post("/login", data={"username": "agent1", "password": PASSWORD, "csrf_token": token})
    before = api.count(running)
    r = client.post(EV.format(running), json={"kind": "note", "note": "x"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = client.post(EV.format(running), json={"kind": "note", "note": "x"}, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403
    assert api.count(running) == before
    r = client.post(EV.format(running), json={"kind": "note", "note": "x"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 201


@pytest.mark.parametrize("body, status", [
    ({"kind": "step_complete", "step": "network-failure.no-such-step"}, 404),
    ({"kind": "step_complete", "step": "nothing"}, 404),
    ({"kind": "acknowledge", "inject": 999}, 404),
    ({"kind": "note", "note": "长" * 4001}, 422),
    ({"kind": "note"}, 422),
    ({"kind": "no_such_kind"}, 422),
    ({"kind": "note", "note": "x", "extra": 1}, 422),
    ({"kind": "drill_created"}, 403),
    ({"kind": "inject_fired", "inject": 3}, 409),  # already fired
    ({"kind": "note", "note": "x", "photo": "photo-999"}, 404),
    ({"kind": "note", "note": "x", "photo": "../etc/passwd"}, 422),
])
def test_bad_actions_are_refused_and_leave_the_log_unchanged(api, running, body, status):
    before = api.count(running)
    who = "commander" if body["kind"] in ("inject_fired", "drill_created") else "agent1"
    r = api.post(who, EV.format(running), json=body)
    assert r.status_code == status, r.text
    assert set(r.json()["error"]) >= {"code", "message"}
    assert api.count(running) == before


def test_malformed_requests_are_refused_never_500(api, running):
    before = api.count(running)
    h = api.h("agent1", **{"Content-Type": "application/json"})
    assert api.client.post(EV.format(running), content=b"{not json", headers=h).status_code == 422
    assert api.client.post(EV.format(running), content=b"[]", headers=h).status_code == 422
    assert api.post("agent1", EV.format(running), json={"kind": "note", "note": "x"},
                    key="k" * 201).status_code == 422
    assert api.post("agent1", EV.format(running), json={"kind": "note", "inject": "abc"}).status_code == 422
    assert api.post("planner", "/api/v1/drills", json={"programme": "no-such"}).status_code == 404
    assert api.post("planner", "/api/v1/drills", json={"programme": "bad ref!"}).status_code == 422
    r = api.post("planner", "/api/v1/drills", json={"programme": "network-failure-2023-10-25",
                                                    "assignments": {"nobody-role": ["ghost"]}, "speed": 61})
    assert r.status_code == 422
    assert api.count(running) == before


def test_an_oversized_note_is_refused_in_the_users_language(api, running):
    r = api.client.post(EV.format(running), json={"kind": "note", "note": "x" * 5000},
                        headers={**api.h("agent1"), "Accept-Language": "en"})
    assert r.status_code == 422
    assert "at most 4000 characters" in " ".join(r.json()["error"]["problems"])


def test_photos_images_only_and_size_limited(api, running):
    url = f"/api/v1/drills/{running}/photos"
    before = api.count(running)
    for data, name in ((PNG, "a.png"), (JPEG, "b.jpg"), (WEBP, "c.webp")):
        r = api.client.post(url, headers=api.h("agent1"), files={"file": (name, data, "application/octet-stream")})
        assert r.status_code == 201, r.text
    photo = r.json()["photo"]
    r = api.client.post(url, headers=api.h("agent1"), files={"file": ("x.png", b"GIF89a not really", "image/png")})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input"
    r = api.client.post(url, headers=api.h("agent1"), files={"file": ("big.png", PNG + b"\0" * 300_000, "image/png")})
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    r = api.client.post(url, headers=api.h("agent1"), data={"nofile": "1"})
    assert r.status_code == 422
    assert api.client.post(url, headers=api.h("observer"), files={"file": ("a.png", PNG, "image/png")}).status_code == 403
    assert api.client.post(url, headers=api.h("outsider"), files={"file": ("a.png", PNG, "image/png")}).status_code == 404
    assert api.count(running) == before
    # the photo goes with an action, and can be fetched by the drill's people only
    r = api.post("agent1", EV.format(running), json={"kind": "report", "scenario": "network-failure", "photo": photo})
    assert r.status_code == 201 and r.json()["payload"]["photo"] == photo
    got = api.get("observer", f"/api/v1/drills/{running}/photos/{photo}")
    assert got.status_code == 200 and got.headers["content-type"] == "image/webp" and got.content == WEBP
    assert api.get("outsider", f"/api/v1/drills/{running}/photos/{photo}").status_code == 404


def test_the_login_form_is_throttled_too(client):
    token = _login_form(client)
    for _ in range(5):
        client.post("/login", data={"username": "deputy", "password": "bad", "csrf_token": token})
    r = client.post("/login", data={"username": "deputy", "password": PASSWORD, "csrf_token": token},
                    headers={"Accept-Language": "en"})
    assert r.status_code == 429 and "Too many failed sign-in attempts" in r.text
    assert "ccdrill_session" not in client.cookies


def test_the_event_log_is_append_only_even_in_sql(api, running, library_db):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    for sql in ("UPDATE drill_events SET actor = 'x'", "DELETE FROM drill_events"):
        with pytest.raises(DBAPIError, match="append-only"), library_db.begin() as conn:
            conn.execute(text(sql))
    assert api.count(running) == 3
