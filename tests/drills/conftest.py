"""Drill fixtures: the app on a migrated database (SQLite and PostgreSQL) with the library, the demo
accounts, bearer tokens for each, a fake clock, and a helper to make and start a drill."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import pytest
from fastapi.testclient import TestClient

from ccdrill.app import create_app
from ccdrill.config import Settings
from tests.asyncutil import run_async  # noqa: F401 - re-exported for the drill tests

PROGRAMME = "network-failure-2023-10-25"
PASSWORD = "drill-pass"
# username → (global roles, drill role in the network-failure programme)
PEOPLE = {
    "commander": ((), "commander"),
    "deputy": ((), "deputy_commander"),
    "agent1": ((), "agent"),
    "agent2": ((), "agent"),
    "tech": ((), "tech_support"),
    "logistics": ((), "logistics"),
    "remote": ((), "remote_agent"),
    "observer": ((), "observer"),
    "evaluator": (("evaluator",), "evaluator"),
    "planner": (("planner",), None),
    "admin": (("admin",), None),
    "outsider": ((), None),
}
W0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self, start: datetime = W0) -> None:
        self.t = start

    def __call__(self) -> datetime:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += timedelta(seconds=seconds)


@lru_cache(maxsize=1)
def _hash() -> str:
    from ccdrill.auth.passwords import hash_password

    return hash_password(PASSWORD)


def add_people(engine) -> dict[str, str]:
    """The accounts (one argon2 hash shared, for speed) and a bearer token for each."""
    from ccdrill.store import tables
    from ccdrill.store import users as repo
    from ccdrill.store.db import unit_of_work

    tokens = {}
    with unit_of_work(engine) as s:
        for name, (flags, _role) in PEOPLE.items():
            s.add(tables.User(username=name, display_name=name.title(), password_hash=_hash(),
                              is_admin="admin" in flags, is_planner="planner" in flags,
                              is_evaluator="evaluator" in flags, active=True))
        s.flush()
        for name in PEOPLE:
            tokens[name], _ = repo.issue_token(s, name)
    return tokens


def assignments() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, (_flags, role) in PEOPLE.items():
        if role:
            out.setdefault(role, []).append(name)
    return out


@pytest.fixture
def library_db(engine):
    from ccdrill.store import documents
    from ccdrill.store.db import unit_of_work

    with unit_of_work(engine) as session:
        documents.load_library(session)
    return engine


@pytest.fixture
def tokens(library_db) -> dict[str, str]:
    return add_people(library_db)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_url_str(library_db) -> str:
    return library_db.url.render_as_string(hide_password=False)


@pytest.fixture
def app(db_url_str, tokens, clock):
    app = create_app(Settings(database_url=db_url_str, secret_key="test-secret", max_upload_bytes=200_000),
                     service_options={"now": clock, "run_schedule": False})
    app.state.sse_heartbeat = 0.2
    return app


@dataclass
class Api:
    client: TestClient
    tokens: dict[str, str]

    def h(self, who: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}", **extra}

    def get(self, who: str, url: str, **kw):
        return self.client.get(url, headers=self.h(who), **kw)

    def post(self, who: str, url: str, json=None, key: str | None = None, **kw):
        headers = self.h(who, **({"Idempotency-Key": key} if key else {}))
        return self.client.post(url, headers=headers, json=json, **kw)

    def create(self, who: str = "planner", **body) -> int:
        body = {"programme": PROGRAMME, "speed": 60, "assignments": assignments(), **body}
        r = self.post(who, "/api/v1/drills", json=body)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def count(self, drill_id: int) -> int:
        return self.client.app.state.drills.event_count(drill_id)


@pytest.fixture
def client(app):
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def api(client, tokens) -> Api:
    return Api(client, tokens)


@pytest.fixture
def drills(app):
    return app.state.drills


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_server(app):
    """The app served by uvicorn in a thread on a free loopback port (real streaming)."""
    import threading
    import time

    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(15)


def sse_frames(lines):
    """Parse an SSE line iterator into dicts (``comment`` for comment-only frames)."""
    frame: dict[str, str] = {}
    for line in lines:
        if line == "":
            if frame:
                yield frame
            frame = {}
            continue
        if line.startswith(":"):
            frame.setdefault("comment", line[1:].strip())
            continue
        name, _, value = line.partition(":")
        frame[name] = value[1:] if value.startswith(" ") else value


