"""Real time and retries against a live server: SSE with Last-Event-ID catch-up, heartbeats and disconnects;
an Idempotency-Key makes retried (even concurrent) requests count once."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.drills.conftest import sse_frames

EV = "/api/v1/drills/{}/events"


def _events(frames, n, timeout=10.0):
    out, deadline = [], time.monotonic() + timeout
    for f in frames:
        if "id" in f:
            out.append(f)
            if len(out) == n:
                return out
        assert time.monotonic() < deadline, out
    return out


def test_sse_catches_up_from_last_event_id_then_streams_live(api, live_server, drills):
    drill = api.create()
    api.post("commander", f"/api/v1/drills/{drill}/start")
    for i in range(3):
        api.post("agent1", EV.format(drill), json={"kind": "note", "note": f"n{i}"})
    # seqs: 1 created, 2 started, 3..5 notes
    headers = {**api.h("agent2"), "Last-Event-ID": "3"}
    with httpx.Client(base_url=live_server, timeout=10) as c, \
            c.stream("GET", f"/api/v1/drills/{drill}/stream", headers=headers) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        frames = sse_frames(r.iter_lines())
        got = _events(frames, 2)
        assert [f["id"] for f in got] == ["4", "5"] and got[0]["event"] == "note"
        assert json.loads(got[1]["data"])["payload"]["note"] == "n2"

        def later():
            time.sleep(0.3)
            with httpx.Client(base_url=live_server) as c2:
                c2.post(EV.format(drill), json={"kind": "note", "note": "live"}, headers=api.h("agent1"))

        threading.Thread(target=later).start()
        t0 = time.monotonic()
        live = _events(frames, 1)[0]
        assert live["id"] == "6" and json.loads(live["data"])["payload"]["note"] == "live"
        assert time.monotonic() - t0 < 5
        comment = next(f for f in frames if "comment" in f and "id" not in f)  # heartbeat (0.2 s here)
        assert comment["comment"] == "keep-alive"
    deadline = time.monotonic() + 5
    while drills.hub.waiting(drill) and time.monotonic() < deadline:  # the server noticed the disconnect
        time.sleep(0.05)
    assert drills.hub.waiting(drill) == 0


def test_sse_for_someone_elses_drill_is_404_and_private_notes_are_not_streamed(api, live_server):
    drill = api.create()
    api.post("commander", f"/api/v1/drills/{drill}/start")
    api.post("evaluator", EV.format(drill), json={"kind": "note", "note": "私密"})  # seq 3, private
    api.post("agent1", EV.format(drill), json={"kind": "note", "note": "公开"})  # seq 4
    with httpx.Client(base_url=live_server, timeout=10) as c:
        assert c.get(f"/api/v1/drills/{drill}/stream", headers=api.h("outsider")).status_code == 404
        with c.stream("GET", f"/api/v1/drills/{drill}/stream?after=2", headers=api.h("agent2")) as r:
            assert [f["id"] for f in _events(sse_frames(r.iter_lines()), 1)] == ["4"]
        with c.stream("GET", f"/api/v1/drills/{drill}/stream?after=2", headers=api.h("evaluator")) as r:
            assert [f["id"] for f in _events(sse_frames(r.iter_lines()), 2)] == ["3", "4"]


def test_the_same_idempotency_key_twice_records_one_event(api):
    drill = api.create()
    api.post("commander", f"/api/v1/drills/{drill}/start")
    before = api.count(drill)
    body = {"kind": "note", "note": "重试"}
    a = api.post("agent1", EV.format(drill), json=body, key="retry-1")
    b = api.post("agent1", EV.format(drill), json=body, key="retry-1")
    assert (a.status_code, b.status_code) == (201, 200) and a.json() == b.json()
    assert api.count(drill) == before + 1
    # keys are per user: another user's same key is another event
    assert api.post("agent2", EV.format(drill), json=body, key="retry-1").status_code == 201
    # and clock actions are idempotent too
    p1 = api.post("commander", f"/api/v1/drills/{drill}/pause", key="pause-1")
    p2 = api.post("commander", f"/api/v1/drills/{drill}/pause", key="pause-1")
    assert (p1.status_code, p2.status_code) == (201, 200) and p1.json()["seq"] == p2.json()["seq"]
    assert api.count(drill) == before + 3


def test_concurrent_retries_with_one_key_count_once(api, live_server):
    drill = api.create()
    api.post("commander", f"/api/v1/drills/{drill}/start")
    before = api.count(drill)

    def send(_):
        with httpx.Client(base_url=live_server, timeout=20) as c:
            return c.post(EV.format(drill), json={"kind": "note", "note": "same"},
                          headers={**api.h("agent1"), "Idempotency-Key": "burst"})

    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(send, range(12)))
    assert sorted(r.status_code for r in results) == [200] * 11 + [201]
    assert len({r.json()["seq"] for r in results}) == 1
    assert api.count(drill) == before + 1
