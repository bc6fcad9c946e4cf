"""The compiled general engine gives the very numbers of the pure-Python engine."""

import pytest
from twin_models import demo, network_failure, single

from ccdrill.twin import compiled
from ccdrill.twin import effects as fx
from ccdrill.twin.engine import Simulation

pytestmark = pytest.mark.skipif(not compiled.available(), reason="numba not installed")


def _both(model, seed, timeline=(), steps=None):
    out = []
    for cls in (Simulation, compiled.CompiledSimulation):
        sim = cls(model, seed)
        if steps is None:
            for t, e in timeline:
                sim.apply(e, at=t)
        else:  # a live drill: effects applied as the clock reaches them
            pending = list(timeline)
            t = 0.0
            while t < model.horizon_s:
                while pending and pending[0][0] <= t:
                    at, e = pending.pop(0)
                    sim.apply(e, at=at)
                sim.run_until(t)
                t += steps
            for at, e in pending:
                sim.apply(e, at=at)
        sim.finish()
        out.append(sim)
    return out


def test_network_failure_day_identical():
    m = demo()
    a, b = _both(m, 11, network_failure(m))
    assert a.kpis() == b.kpis()
    ha, ea = a.hurt()
    hb, eb = b.hurt()
    assert ea == eb and all((x == y).all() for x, y in zip(ha, hb, strict=True))


def test_incremental_compiled_run_identical():
    m = demo()
    a, b = _both(m, 5, network_failure(m), steps=300.0)
    assert a.kpis() == b.kpis()
    one = compiled.CompiledSimulation(m, 5)
    for t, e in network_failure(m):
        one.apply(e, at=t)
    assert one.finish().kpis() == b.kpis()


def test_mid_run_kpis_identical():
    m = demo()
    sims = [cls(m, 2) for cls in (Simulation, compiled.CompiledSimulation)]
    for s in sims:
        s.apply(fx.ChannelDown(channel="phone", in_progress="drop"), at=3600)
        s.run_until(4000)
    assert sims[0].kpis() == sims[1].kpis()


@pytest.mark.parametrize("effects", [
    [(3600, fx.AgentsLost(group="phone", count=10, when="now")),
     (5400, fx.AgentsJoin(group="phone", count=4, ramp_minutes=10, site="remote"))],
    [(3600, fx.SiteLost(site="onsite", when="after_contact")),
     (4000, fx.AgentsJoin(group="backup", count=20, channels=["phone", "chat"], site="home"))],
    [(0, fx.Overflow(from_group="phone", to_group="chat")),
     (7200, fx.Overflow(from_group="phone", to_group="chat", enabled=False))],
    [(1800, fx.Surge(factor=1.8)), (5400, fx.Surge(factor=1.0)), (9000, fx.Surge(channel="chat", factor=0.5))],
    [(0, fx.CallbackOffered(channel="phone", share=0.6, delay_minutes=8)),
     (3600, fx.Redirect(from_channel="phone", to_channel="chat", share=0.3)),
     (7200, fx.Redirect(from_channel="phone", to_channel="chat", share=0.0))],
])
def test_every_effect_identical(effects):
    m = demo()
    a, b = _both(m, 3, effects)
    assert a.kpis() == b.kpis()


def test_single_queue_and_large_day_identical():
    a, b = _both(single(18000, 180, 1000, patience=120, hours=2), 9)
    assert a.kpis() == b.kpis()
    m = single(1800, 180, 80, patience=60, retry={"probability": 0.5, "delay_s": {"mean_s": 120}})
    a, b = _both(m, 4)
    assert a.kpis() == b.kpis()
    assert a.kpis()["total"]["retries"] > 0
