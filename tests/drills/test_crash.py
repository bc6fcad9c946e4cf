"""``kill -9`` the server mid-drill: every acknowledged event survives; after a restart the drill resumes with
its clock, step states and twin rebuilt by replay exactly as before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.drills.conftest import PROGRAMME, add_people, assignments, free_port

EV = "/api/v1/drills/{}/events"


def _serve(url: str, port: int, log: Path) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("ccdrill")
    fh = log.open("ab")
    proc = subprocess.Popen([str(exe), "serve", "--db", url, "--port", str(port)], stdout=fh, stderr=fh,
                            env={**os.environ, "CCDRILL_LANG": "en"})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        assert proc.poll() is None, log.read_text()
        time.sleep(0.1)
    proc.kill()
    pytest.fail("the server did not start: " + log.read_text())


def _snapshot(c: httpx.Client, drill: int, headers: dict) -> dict:
    body = c.get(f"/api/v1/drills/{drill}", headers=headers).json()
    return {k: body[k] for k in ("status", "drill_time_s", "steps", "injects", "milestones", "last_seq")}


@pytest.mark.slow
def test_kill_9_mid_drill_loses_no_acknowledged_event(tmp_path):
    from ccdrill.store import documents
    from ccdrill.store.db import make_engine, unit_of_work, upgrade

    url = f"sqlite:///{tmp_path / 'x.db'}"
    upgrade(url)
    engine = make_engine(url)
    with unit_of_work(engine) as s:
        documents.load_library(s)
    tokens = add_people(engine)
    engine.dispose()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    proc = _serve(url, port, log)
    h = {who: {"Authorization": f"Bearer {tok}"} for who, tok in tokens.items()}
    try:
        with httpx.Client(base_url=base, timeout=10) as c:
            r = c.post("/api/v1/drills", json={"programme": PROGRAMME, "speed": 60, "assignments": assignments()},
                       headers=h["planner"])
            drill = r.json()["id"]
            assert c.post(f"/api/v1/drills/{drill}/start", headers=h["commander"]).status_code == 201
            c.post(EV.format(drill), json={"kind": "inject_fired", "inject": 3}, headers=h["deputy"])
            c.post(EV.format(drill), json={"kind": "step_complete", "step": "network-failure.report"},
                   headers=h["agent1"])
            c.post(EV.format(drill), json={"kind": "step_complete", "step": "network-failure.activate"},
                   headers=h["deputy"])
            c.post(EV.format(drill), json={"kind": "step_start", "step": "network-failure.backup-network"},
                   headers=h["logistics"])
            assert c.post(f"/api/v1/drills/{drill}/pause", headers=h["commander"]).status_code == 201
            before = _snapshot(c, drill, h["observer"])
            twin_before = c.get(f"/api/v1/drills/{drill}/twin", headers=h["commander"]).json()

        acknowledged: dict[int, str] = {}
        stop = threading.Event()

        def burst(who: str) -> None:
            with httpx.Client(base_url=base, timeout=5) as c:
                i = 0
                while not stop.is_set():
                    i += 1
                    key = f"{who}-{i}"
                    try:
                        r = c.post(EV.format(drill), json={"kind": "note", "note": key},
                                   headers={**h[who], "Idempotency-Key": key})
                    except httpx.HTTPError:
                        return
                    if r.status_code in (200, 201):
                        acknowledged[r.json()["seq"]] = key

        threads = [threading.Thread(target=burst, args=(w,)) for w in ("agent1", "agent2", "tech")]
        for t in threads:
            t.start()
        time.sleep(1.5)
        os.kill(proc.pid, signal.SIGKILL)  # mid-burst
        proc.wait(10)
        stop.set()
        for t in threads:
            t.join(10)
        assert len(acknowledged) > 10

        proc = _serve(url, port, log)
        with httpx.Client(base_url=base, timeout=10) as c:
            events = c.get(EV.format(drill), headers=h["commander"]).json()
            by_seq = {e["seq"]: e for e in events}
            assert [e["seq"] for e in events] == list(range(1, len(events) + 1))  # dense, in order
            for seq, key in acknowledged.items():
                assert by_seq[seq]["payload"]["note"] == key and by_seq[seq]["idempotency_key"] == key
            after = _snapshot(c, drill, h["observer"])
            assert after["status"] == "paused" and after["drill_time_s"] == before["drill_time_s"]
            assert after["steps"] == before["steps"] and after["injects"] == before["injects"]
            assert after["milestones"] == before["milestones"]
            assert c.get(f"/api/v1/drills/{drill}/twin", headers=h["commander"]).json() == twin_before
            # a retried request that was acknowledged before the crash is still recognised
            seq, key = next(iter(acknowledged.items()))
            who = key.rsplit("-", 1)[0]
            again = c.post(EV.format(drill), json={"kind": "note", "note": key},
                           headers={**h[who], "Idempotency-Key": key})
            assert again.status_code == 200 and again.json()["seq"] == seq
            # and the drill resumes where it stood
            assert c.post(f"/api/v1/drills/{drill}/resume", headers=h["commander"]).status_code == 201
            time.sleep(0.5)
            resumed = _snapshot(c, drill, h["observer"])
            assert resumed["status"] == "running" and resumed["drill_time_s"] > before["drill_time_s"]
            r = c.post(EV.format(drill), json={"kind": "step_complete", "step": "network-failure.backup-network"},
                       headers=h["logistics"])
            assert r.status_code == 201 and r.json()["seq"] == len(events) + 2
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
