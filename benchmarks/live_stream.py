"""Live drill benchmark: SSE fan-out latency and sustained participant actions, SQLite then PostgreSQL.

For each database the script prepares a fresh database (library, accounts, bearer tokens), starts
``ccdrill serve`` in a subprocess on loopback, creates and starts a drill, then

1. opens ``--streams`` (1,000) server-sent-event streams over raw asyncio sockets, fires an inject
   ``--injects`` times from the command post and measures, per stream, the time from just before the
   POST to the arrival of ``event: inject_fired`` (an upper bound on delivery latency) — p50/p99/max;
2. closes the streams and sends ``--rate`` (200) participant actions per second for ``--seconds`` (20)
   open-loop (each with its own Idempotency-Key), measuring request latency p50/p99/max, then reads the
   log back and checks that every acknowledged action is in it (none lost, none doubled).

Loopback only; bounded by the arguments.  PostgreSQL is skipped when ``--pg`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``) cannot be reached.

    python benchmarks/live_stream.py [--quick] [--streams 1000] [--rate 200] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

PROGRAMME = "network-failure-2023-10-25"
AGENTS = 20
PASSWORD = "bench-pass"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))]


def _prepare(url: str) -> dict[str, str]:
    from ccdrill.auth.passwords import hash_password
    from ccdrill.store import documents, tables
    from ccdrill.store import users as repo
    from ccdrill.store.db import make_engine, unit_of_work, upgrade

    upgrade(url)
    engine = make_engine(url)
    names = ["planner", "commander"] + [f"agent{i}" for i in range(AGENTS)]
    h = hash_password(PASSWORD)
    tokens = {}
    with unit_of_work(engine) as s:
        documents.load_library(s)
        for n in names:
            s.add(tables.User(username=n, display_name=n, password_hash=h, is_admin=False,
                              is_planner=n == "planner", is_evaluator=False, active=True))
        s.flush()
        for n in names:
            tokens[n], _ = repo.issue_token(s, n)
    engine.dispose()
    return tokens


def _serve(url: str, port: int, log: Path) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("ccdrill")
    fh = log.open("ab")
    proc = subprocess.Popen([str(exe), "serve", "--db", url, "--port", str(port)], stdout=fh, stderr=fh)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise SystemExit("server failed to start:\n" + log.read_text()[-3000:])
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start in time")


class Stream:
    """One SSE stream over a raw socket; records when ``event: inject_fired`` frames arrive."""

    def __init__(self) -> None:
        self.arrivals: dict[int, float] = {}
        self.ready = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def run(self, port: int, path: str, token: str) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        self.writer = writer
        writer.write((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                      f"Authorization: Bearer {token}\r\n\r\n").encode())
        await writer.drain()
        buf = b""
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                return
            now = time.perf_counter()
            buf += chunk
            if not self.ready.is_set() and b": ccdrill" in buf:
                self.ready.set()
            while b"event: inject_fired\ndata: " in buf:
                i = buf.index(b"event: inject_fired\ndata: ")
                j = buf.find(b'"inject":', i)
                k = buf.find(b"\n\n", i)
                if j < 0 or k < 0:
                    break
                num = buf[j + 9:].split(b",", 1)[0].split(b"}", 1)[0]
                self.arrivals.setdefault(int(num), now)
                buf = buf[k + 2:]
            if len(buf) > 1 << 20:
                buf = buf[-4096:]

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.task is not None:
            self.task.cancel()


async def fanout(port: int, tokens: dict[str, str], drill: int, n_streams: int, injects: list[int]) -> dict:
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        last = (await c.get(f"/api/v1/drills/{drill}", headers={"Authorization": f"Bearer {tokens['commander']}"})
                ).json()["last_seq"]
        streams = [Stream() for _ in range(n_streams)]
        t_open = time.perf_counter()
        for i, s in enumerate(streams):
            s.task = asyncio.create_task(s.run(port, f"/api/v1/drills/{drill}/stream?after={last}",
                                               tokens[f"agent{i % AGENTS}"]))
            if i % 100 == 99:
                await asyncio.sleep(0.05)
        await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in streams)), 120)
        open_s = time.perf_counter() - t_open
        latencies: list[float] = []
        per_inject = []
        for inject in injects:
            await asyncio.sleep(0.5)
            t0 = time.perf_counter()
            r = await c.post(f"/api/v1/drills/{drill}/events", json={"kind": "inject_fired", "inject": inject},
                             headers={"Authorization": f"Bearer {tokens['commander']}"})
            assert r.status_code == 201, r.text
            deadline = time.perf_counter() + 30
            while any(inject not in s.arrivals for s in streams) and time.perf_counter() < deadline:
                await asyncio.sleep(0.01)
            lat = [(s.arrivals[inject] - t0) * 1000 for s in streams if inject in s.arrivals]
            per_inject.append(len(lat))
            latencies += lat
        for s in streams:
            s.close()
        await asyncio.sleep(0.2)
    return {"streams": n_streams, "open_s": open_s, "samples": len(latencies),
            "missing": n_streams * len(injects) - len(latencies),
            "p50": _pct(latencies, 50), "p99": _pct(latencies, 99), "max": max(latencies, default=float("nan"))}


class Conn:
    """A keep-alive HTTP/1.1 connection over raw asyncio streams (httpx's pool is slower than the server)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        self.writer.write(head.encode() + body)
        await self.writer.drain()
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = next(int(v.split(b":")[1]) for v in lines[1:] if v.lower().startswith(b"content-length"))
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def actions(port: int, tokens: dict[str, str], drill: int, rate: int, seconds: float,
                  connections: int = 64) -> dict:
    """Open loop: request i is due at ``start + i / rate``; its latency counts from then (queueing included)."""
    import json

    lat: list[float] = []
    acked: dict[int, str] = {}
    errors: list[str] = []
    auth = {"Authorization": f"Bearer {tokens['commander']}"}
    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        before = len((await c.get(f"/api/v1/drills/{drill}/events", headers=auth)).json())
    free: asyncio.Queue[Conn] = asyncio.Queue()
    for _ in range(connections):
        free.put_nowait(Conn(port))

    async def one(i: int, due: float) -> None:
        who = f"agent{i % AGENTS}"
        key = f"b-{i}-{uuid.uuid4().hex[:8]}"
        body = json.dumps({"kind": "note", "note": key}).encode()
        conn = await free.get()
        try:
            status, data = await conn.request(
                "POST", f"/api/v1/drills/{drill}/events",
                {"Authorization": f"Bearer {tokens[who]}", "Idempotency-Key": key,
                 "Content-Type": "application/json"}, body)
        except (OSError, asyncio.IncompleteReadError) as exc:
            errors.append(type(exc).__name__)
            conn.close()
            free.put_nowait(Conn(port))
            return
        free.put_nowait(conn)
        lat.append((time.perf_counter() - due) * 1000)
        if status == 201:
            acked[json.loads(data)["seq"]] = key
        else:
            errors.append(str(status))

    total = int(rate * seconds)
    tasks = []
    start = time.perf_counter()
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, due)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    while not free.empty():
        free.get_nowait().close()
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        events = (await c.get(f"/api/v1/drills/{drill}/events", headers=auth)).json()
    by_seq = {e["seq"]: e for e in events}
    lost = [s for s, k in acked.items() if by_seq.get(s, {}).get("payload", {}).get("note") != k]
    return {"sent": total, "acked": len(acked), "errors": len(errors), "lost": len(lost),
            "log_growth": len(events) - before, "achieved_rate": total / elapsed,
            "p50": _pct(lat, 50), "p99": _pct(lat, 99), "max": max(lat, default=float("nan"))}


def run_backend(name: str, url: str, args: argparse.Namespace, tmp: Path) -> None:
    tokens = _prepare(url)
    port = _free_port()
    proc = _serve(url, port, tmp / f"{name}.log")
    try:
        h = {"Authorization": f"Bearer {tokens['planner']}"}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
            assignments = {"commander": ["commander"], "agent": [f"agent{i}" for i in range(AGENTS)]}
            drill = c.post("/api/v1/drills", json={"programme": PROGRAMME, "speed": 1, "assignments": assignments},
                           headers=h).json()["id"]
            c.post(f"/api/v1/drills/{drill}/start", headers={"Authorization": f"Bearer {tokens['commander']}"})
        f = asyncio.run(fanout(port, tokens, drill, args.streams, list(range(2, 2 + args.injects))))
        print(f"[{name}] {f['streams']} SSE streams open in {f['open_s']:.1f} s; inject delivery over "
              f"{f['samples']} deliveries ({f['missing']} missing): p50 {f['p50']:.0f} ms, "
              f"p99 {f['p99']:.0f} ms, max {f['max']:.0f} ms")
        a = asyncio.run(actions(port, tokens, drill, args.rate, args.seconds))
        print(f"[{name}] {a['sent']} actions at {a['achieved_rate']:.0f}/s: acknowledged {a['acked']}, "
              f"errors {a['errors']}, lost {a['lost']}, log grew by {a['log_growth']}; "
              f"latency p50 {a['p50']:.1f} ms, p99 {a['p99']:.1f} ms, max {a['max']:.0f} ms")
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--streams", type=int, default=1000)
    ap.add_argument("--injects", type=int, default=5)
    ap.add_argument("--rate", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--pg", default=os.environ.get("CCDRILL_TEST_PG_URL",
                                                   "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--only", choices=["sqlite", "postgresql"])
    ap.add_argument("--quick", action="store_true", help="200 streams, 100 actions/s for 5 s")
    args = ap.parse_args()
    if args.quick:
        args.streams, args.injects, args.rate, args.seconds = 200, 2, 100, 5
    args.streams = max(1, min(args.streams, 5000))
    args.seconds = max(1.0, min(args.seconds, 120.0))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, args.streams * 2 + 512))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    print(f"ccdrill live benchmark: Python {sys.version.split()[0]}, {os.cpu_count()} cores, loopback")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if args.only in (None, "sqlite"):
            run_backend("sqlite", f"sqlite:///{tmp / 'bench.db'}", args, tmp)
        if args.only in (None, "postgresql"):
            from sqlalchemy import text
            from sqlalchemy.engine import make_url

            from ccdrill.store.db import make_engine, normalize_url

            admin_url = normalize_url(args.pg)
            name = f"ccdrill_bench_{uuid.uuid4().hex[:8]}"
            try:
                admin = make_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
            except Exception as exc:  # noqa: BLE001
                print(f"[postgresql] skipped: {type(exc).__name__}")
                return
            try:
                url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
                run_backend("postgresql", url, args, tmp)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
