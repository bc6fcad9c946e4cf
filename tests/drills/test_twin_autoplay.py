"""The live twin (deterministic, reacting to the team's steps) and autoplay (a whole drill, headless)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ccdrill.auth.permissions import User
from ccdrill.live.service import DrillService
from ccdrill.live.twin_live import LiveTwin, library_centre
from ccdrill.twin import effects as fx
from tests.drills.conftest import run_async

PLANNER = User("planner", is_planner=True)


def test_the_live_twin_is_deterministic_and_compares_with_the_baseline():
    model = library_centre()
    down = [(1000.0, fx.ChannelDown(type="channel_down", channel="phone"))]
    one = LiveTwin(model, seed=7, start_minutes=9 * 60)
    a = one.series([], 300)
    b = one.series(down, 3600)  # incremental: the effect lies ahead of the simulation
    fresh = LiveTwin(model, seed=7, start_minutes=9 * 60).series(down, 3600)  # replay in one go
    assert b == fresh
    assert a["t"][0] == 0 and b["t"] == [0.0, 900.0, 1800.0, 2700.0]
    assert b["service_level"][0] == b["baseline_service_level"][0]  # before the incident: identical
    assert b["service_level"][-1] < b["baseline_service_level"][-1]  # phones down: service falls
    assert b["target"] == 0.8 and set(b["latest"]) >= {"service_level", "baseline_queue", "agents"}


def test_autoplay_writes_a_complete_log_and_is_reproducible(library_db, tokens):
    from ccdrill.live.autoplay import autoplay
    from tests.drills.conftest import PROGRAMME, assignments

    svc = DrillService(library_db, run_schedule=False, listen=False)

    async def play(seed):
        return await autoplay(svc, programme=PROGRAMME, actor=PLANNER, speed=60, seed=seed,
                              assignments=assignments())

    d1, d2, d3 = (run_async(play(s)) for s in (5, 5, 6))
    log1 = svc.events_after(d1, 0, PLANNER)
    log2 = svc.events_after(d2, 0, PLANNER)
    assert log1[-1].kind == "drill_ended" and svc._get(d1).state.status == "ended"
    assert all(st.status == "done" for st in svc._get(d1).state.steps.values())
    assert [(e.kind, e.actor, round(e.drill_time_s, 3)) for e in log1] == \
           [(e.kind, e.actor, round(e.drill_time_s, 3)) for e in log2]
    assert [e.drill_time_s for e in svc.events_after(d3, 0, PLANNER)] != [e.drill_time_s for e in log1]
    assert {e.actor for e in log1} >= {"commander", "agent1", "tech", "logistics", "system"}
    # the same twin numbers from the log, whichever process replays it
    series = svc.twin_series(d1, PLANNER)
    svc.forget(d1)
    assert svc.twin_series(d1, PLANNER) == series
    restored = svc._get(d1).state.milestones["network-failure"].restored_at
    assert restored is not None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_autoplay_command_prints_the_drill_id_last(tmp_path, lang):
    from ccdrill.cli import build_app

    db = f"sqlite:///{tmp_path / 'a.db'}"
    r = CliRunner().invoke(build_app(lang), ["drill", "autoplay", "network-failure-2023-10-25", "--seed", "3",
                                             "--db", db])
    assert r.exit_code == 0, r.output
    assert r.output.strip().splitlines()[-1] == "1"
    listed = CliRunner().invoke(build_app(lang), ["drill", "list", "--db", db])
    assert "ended" in listed.output and "network-failure-2023-10-25@1" in listed.output
    bad = CliRunner().invoke(build_app(lang), ["drill", "autoplay", "no-such-programme", "--db", db])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_user_commands(tmp_path):
    from ccdrill.cli import build_app

    db = f"sqlite:///{tmp_path / 'u.db'}"
    app = build_app("en")
    r = CliRunner().invoke(app, ["user", "create", "lead", "--password", "s3cret!", "--planner",
                                 "--display-name", "值班主管", "--db", db])
    assert r.exit_code == 0 and "User lead created." in r.output
    again = CliRunner().invoke(app, ["user", "create", "lead", "--password", "s3cret!", "--db", db])
    assert again.exit_code == 2 and "already exists" in again.output
    bad = CliRunner().invoke(app, ["user", "create", "bad name", "--password", "s3cret!", "--db", db])
    assert bad.exit_code == 2
    listed = CliRunner().invoke(app, ["user", "list", "--db", db])
    assert "lead" in listed.output and "planner" in listed.output and "值班主管" in listed.output
    from ccdrill.store import users
    from ccdrill.store.db import make_engine, session_factory

    engine = make_engine(db)
    with session_factory(engine)() as s:
        row = users.authenticate(s, "lead", "s3cret!")
        assert row is not None and row.password_hash.startswith("$argon2id$")
        assert users.authenticate(s, "lead", "wrong") is None
    engine.dispose()
