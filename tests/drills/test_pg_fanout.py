"""Several workers on one PostgreSQL database: events fan out through LISTEN/NOTIFY, and concurrent writers
never lose or duplicate an event (UNIQUE (drill, seq) settles races; the loser re-reads and retries)."""

from __future__ import annotations

import asyncio

import pytest

from ccdrill.auth.permissions import User
from ccdrill.live.service import DrillService
from tests.drills.conftest import PROGRAMME, add_people, assignments, run_async

pytestmark = pytest.mark.pg


@pytest.fixture
def pg_engine(pg_url):
    from ccdrill.store import documents
    from ccdrill.store.db import make_engine, unit_of_work, upgrade

    engine = make_engine(pg_url)
    upgrade(engine)
    with unit_of_work(engine) as s:
        documents.load_library(s)
    add_people(engine)
    yield engine
    engine.dispose()


def test_an_event_written_by_one_worker_reaches_the_streams_of_another(pg_engine):
    from ccdrill.store.db import make_engine

    engine_b = make_engine(pg_engine.url.render_as_string(hide_password=False))
    a = DrillService(pg_engine, run_schedule=False)
    b = DrillService(engine_b, run_schedule=False)
    assert a.listen and b.listen

    async def run():
        await a.start()
        await b.start()
        try:
            drill = a.create_drill(programme=PROGRAMME, speed=60, assignments=assignments(),
                                   actor=User("planner", is_planner=True))
            await a.act(drill, user=User("commander"), kind="drill_started", payload={})
            got: list[int] = []

            async def listen():
                async for e in b.subscribe(drill, User("agent2"), 0):
                    got.append(e.seq)
                    if e.seq == 4:
                        return

            task = asyncio.create_task(listen())
            await asyncio.sleep(0.2)
            await a.act(drill, user=User("agent1"), kind="note", payload={"note": "from A"})
            await a.act(drill, user=User("agent1"), kind="note", payload={"note": "again"})
            await asyncio.wait_for(task, 5)
            assert got == [1, 2, 3, 4]
            # B's state followed, and B can write next without a conflict
            e = await b.act(drill, user=User("agent2"), kind="note", payload={"note": "from B"})
            assert e.seq == 5
            # concurrent writers on both workers: dense seqs, nothing lost
            results = await asyncio.gather(*[
                (a if i % 2 else b).act(drill, user=User("agent1"), kind="note", payload={"note": f"c{i}"},
                                        idempotency_key=f"c{i}") for i in range(20)])
            assert sorted(r.seq for r in results) == list(range(6, 26))
            assert a.event_count(drill) == 25
            assert [e.seq for e in a.events_after(drill, 0, User("planner", is_planner=True))] == list(range(1, 26))
        finally:
            await a.stop()
            await b.stop()

    run_async(run())
    engine_b.dispose()


def test_two_workers_running_the_schedule_fire_each_inject_once(pg_engine):
    from ccdrill.store.db import make_engine

    engine_b = make_engine(pg_engine.url.render_as_string(hide_password=False))
    a = DrillService(pg_engine)
    b = DrillService(engine_b)

    async def run():
        await a.start()
        await b.start()
        try:
            drill = a.create_drill(programme=PROGRAMME, speed=60, assignments=assignments(),
                                   actor=User("planner", is_planner=True))
            await a.act(drill, user=User("commander"), kind="drill_started", payload={})
            await asyncio.sleep(0.5)
            b._ensure_runner(drill, "running")  # both workers now run a runner for the drill
            for _ in range(60):
                await asyncio.sleep(0.1)
                if any(e.kind == "inject_fired" and e.payload["inject"] == 2
                       for e in a.events_after(drill, 0, User("planner", is_planner=True))):
                    break
            fired = [e.payload["inject"] for e in a.events_after(drill, 0, User("planner", is_planner=True))
                     if e.kind == "inject_fired"]
            assert fired == [1, 2]
        finally:
            await a.stop()
            await b.stop()

    run_async(run())
    engine_b.dispose()
