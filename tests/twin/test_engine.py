"""The general engine: determinism, conservation, Little's law and effects doing what they say."""

import math

import numpy as np
import pytest
from twin_models import demo, network_failure, single

from ccdrill.twin import effects as fx
from ccdrill.twin.engine import Simulation, SimulationError
from ccdrill.twin.kpis import customers_affected, time_to_recover


def _conserved(k):
    for block in [k["total"], *k["channels"].values(), *k["intervals"],
                  *[c for row in k["intervals"] for c in row["channels"].values()]]:
        assert block["offered"] == block["answered"] + block["abandoned"] + block["blocked"], block


def test_incremental_and_one_shot_runs_are_identical():
    m = demo()
    tl = network_failure(m)
    one = Simulation(m, 42)
    for t, e in tl:
        one.apply(e, at=t)
    one.finish()
    step = Simulation(m, 42)
    pending = list(tl)
    t = 0.0
    while t < m.horizon_s:
        while pending and pending[0][0] <= t:
            at, e = pending.pop(0)
            step.apply(e, at=at)
        step.run_until(t)
        step.kpis()  # reporting mid-run changes nothing
        t += 97.0
    for at, e in pending:
        step.apply(e, at=at)
    step.finish()
    assert one.kpis() == step.kpis()
    again = Simulation(m, 42)
    for t, e in tl:
        again.apply(e, at=t)
    assert again.finish().kpis() == one.kpis()
    assert Simulation(m, 43).finish().kpis() != Simulation(m, 42).finish().kpis()


def test_conservation_with_the_network_failure():
    m = demo()
    sim = Simulation(m, 7)
    for t, e in network_failure(m):
        sim.apply(e, at=t)
    k = sim.finish().kpis()
    _conserved(k)
    assert k["total"]["blocked"] > 0 and k["total"]["dropped"] > 0


def test_baseline_day_is_a_good_day_and_the_incident_hurts():
    m = demo()
    tl = network_failure(m)
    base = Simulation(m, 3).finish()
    inc = Simulation(m, 3)
    for t, e in tl:
        inc.apply(e, at=t)
    inc.finish()
    kb, ki = base.kpis(), inc.kpis()
    assert 0.75 <= kb["total"]["service_level"] <= 0.95
    aff = customers_affected(inc, base)
    assert aff["total"] > 100
    assert aff["total"] <= aff["hurt_incident"]
    ten = 8  # the 10:00 interval
    assert ki["intervals"][ten]["service_level"] < kb["intervals"][ten]["service_level"] - 0.3
    ttr = time_to_recover(ki, 2 * 3600 + 40 * 60)
    assert ttr is not None and ttr >= 0
    # same customers: before the incident both runs are identical
    for i in range(ten):
        assert ki["intervals"][i]["offered"] == kb["intervals"][i]["offered"]


def test_littles_law_without_abandonment():
    m = single(1800, 180, 95, hours=8, warmup=60)
    k = Simulation(m, 11).finish().kpis()
    t = k["total"]
    span = 7 * 3600
    lam = t["offered"] / span
    assert t["mean_queue"] == pytest.approx(lam * t["asa_s"], rel=0.05)


def test_channel_down_blocks_exactly_its_arrivals_in_the_window():
    m = single(600, 120, 20, patience=300)
    sim = Simulation(m, 5)
    sim.apply(fx.ChannelDown(channel="phone", in_progress="finish"), at=3600)
    sim.apply(fx.ChannelUp(channel="phone"), at=5400)
    k = sim.finish().kpis()
    arrivals = sim._base_t[0]
    expected = int(((arrivals >= 3600) & (arrivals < 5400)).sum())
    assert k["total"]["blocked"] == expected > 0
    assert k["total"]["dropped"] == 0
    assert sum(r["blocked"] for r in k["intervals"][:4]) == 0
    assert sum(r["blocked"] for r in k["intervals"][6:]) == 0


def test_channel_down_drop_cuts_contacts_in_progress():
    m = single(600, 300, 60, patience=300)
    sim = Simulation(m, 5)
    sim.apply(fx.ChannelDown(channel="phone", in_progress="drop"), at=3600)
    k = sim.finish().kpis()
    assert k["total"]["dropped"] > 20
    assert k["intervals"][4]["occupancy"] == pytest.approx(0.0, abs=1e-12) or k["intervals"][5]["occupancy"] == 0
    _conserved(k)


def test_remote_agents_appear_after_their_ramp():
    m = single(600, 120, 20, patience=300)
    sim = Simulation(m, 1)
    sim.apply(fx.AgentsJoin(group="a", count=6, ramp_minutes=30, site="remote"), at=3600)
    k = sim.finish().kpis()
    agents = [r["agents"] for r in k["intervals"]]
    assert agents[:6] == [20.0] * 6  # until 01:30
    assert agents[6:] == [26.0] * (len(agents) - 6)
    assert "a@remote" in k["groups"]


def test_redirect_shares_match():
    m = demo()
    sim = Simulation(m, 9)
    sim.apply(fx.Redirect(from_channel="phone", to_channel="chat", share=0.3), at=0)
    k = sim.finish().kpis()
    phone_arrivals = len(sim._base_t[0])
    chat_arrivals = len(sim._base_t[1])
    redirected = k["channels"]["chat"]["offered"] - chat_arrivals - k["channels"]["chat"]["retries"]
    share = redirected / phone_arrivals
    half = 1.96 * math.sqrt(0.3 * 0.7 / phone_arrivals)
    assert abs(share - 0.3) < half
    _conserved(k)


def test_surge_multiplies_arrivals_and_ends():
    m = single(1000, 60, 30, patience=120)
    sim = Simulation(m, 2)
    sim.apply(fx.Surge(factor=2.0), at=3600)
    sim.apply(fx.Surge(factor=1.0), at=7200)
    k = sim.finish().kpis()
    base = Simulation(m, 2).finish().kpis()
    surge_hour = sum(r["offered"] for r in k["intervals"][4:8])
    base_hour = sum(r["offered"] for r in base["intervals"][4:8])
    assert surge_hour == pytest.approx(2 * base_hour, rel=0.15)
    assert [r["offered"] for r in k["intervals"][8:]] == [r["offered"] for r in base["intervals"][8:]]
    half = Simulation(m, 2).apply(fx.Surge(factor=0.5), at=0).finish().kpis()
    assert half["total"]["offered"] == pytest.approx(base["total"]["offered"] / 2, rel=0.1)


def test_agents_lost_site_lost_and_overflow():
    m = demo()
    sim = Simulation(m, 4)
    sim.apply(fx.AgentsLost(group="phone", count=10, when="now"), at=3600)
    k = sim.finish().kpis()
    assert k["intervals"][5]["agents"] == pytest.approx(38.0)
    assert k["total"]["dropped"] > 0
    _conserved(k)
    sim = Simulation(m, 4).apply(fx.SiteLost(site="onsite", when="after_contact"), at=3600)
    k = sim.finish().kpis()
    assert k["intervals"][6]["agents"] == 0
    assert sum(r["answered"] for r in k["intervals"][6:]) == 0
    _conserved(k)
    base = Simulation(m, 4).finish().kpis()
    ov = Simulation(m, 4).apply(fx.Overflow(from_group="phone", to_group="chat"), at=0).finish().kpis()
    assert ov["channels"]["phone"]["service_level"] > base["channels"]["phone"]["service_level"]


def test_callback_offered():
    m = single(1800, 180, 80, patience=60)
    sim = Simulation(m, 8).apply(fx.CallbackOffered(channel="phone", share=1.0, delay_minutes=5), at=0)
    k = sim.finish().kpis()
    base = Simulation(m, 8).finish().kpis()
    assert k["total"]["callbacks"] > 100
    assert k["total"]["abandoned"] < base["total"]["abandoned"]
    _conserved(k)


def test_retries_come_back():
    m = single(1800, 180, 80, patience=60, retry={"probability": 0.5, "delay_s": {"mean_s": 120}})
    k = Simulation(m, 8).finish().kpis()
    assert k["total"]["retries"] > 0
    _conserved(k)


def test_effect_errors():
    m = single(100, 60, 3)
    sim = Simulation(m, 1)
    with pytest.raises(SimulationError, match="unknown channel"):
        sim.apply(fx.ChannelDown(channel="fax"), at=10)
    with pytest.raises(SimulationError, match="unknown agent group"):
        sim.apply(fx.AgentsLost(group="zz", count=1), at=10)
    sim.run_until(100)
    with pytest.raises(SimulationError, match="in the past"):
        sim.apply(fx.ChannelUp(channel="phone"), at=50)
    with pytest.raises(SimulationError, match="back in time"):
        sim.run_until(10)


def test_each_simulation_owns_its_generator():
    m = single(600, 120, 20, patience=300)
    a, b = Simulation(m, 1), Simulation(m, 1)
    assert a.rng is not b.rng
    np.random.seed(0)
    ka = a.finish().kpis()
    np.random.seed(99)
    assert b.finish().kpis() == ka


def test_kpis_so_far_cover_only_the_elapsed_day():
    m = single(600, 120, 20, patience=300)
    sim = Simulation(m, 1).run_until(3600)
    k = sim.kpis()
    assert all(r["offered"] == 0 for r in k["intervals"][4:])
    assert k["intervals"][3]["mean_queue"] is not None


def test_compare_with_baseline():
    from ccdrill.twin.kpis import compare_with_baseline

    m = demo()
    r = compare_with_baseline(m, network_failure(m), seed=3)
    assert r["customers_affected"]["total"] > 100
    assert r["incident"]["total"]["blocked"] > 0 and r["baseline"]["total"]["blocked"] == 0
    assert r["time_to_recover_s"] is not None


def test_shifts_bring_agents_in_and_out():
    m = single(300, 120, 10, patience=300)
    d = m.model_dump()
    d["agents"].append({"group": "late", "count": 5, "channels": ["phone"],
                        "shift": {"start": "02:00", "end": "05:00"}})
    from ccdrill.twin.model import CentreModel

    k = Simulation(CentreModel.model_validate(d), 1).finish().kpis()
    agents = [r["agents"] for r in k["intervals"]]
    assert agents[:8] == [10.0] * 8
    assert agents[8:20] == [15.0] * 12
    assert 10.0 < agents[20] < 15.0  # they leave after their current contact
    assert agents[22:] == [10.0] * (len(agents) - 22)


def test_concurrency_pools_contact_slots():
    one = single(1200, 600, 30, patience=200)
    d = one.model_dump()
    d["agents"][0].update(count=10, concurrency=3)
    from ccdrill.twin.model import CentreModel

    three = CentreModel.model_validate(d)
    a = Simulation(one, 4).finish().kpis()["total"]
    b = Simulation(three, 4).finish().kpis()["total"]
    assert a == b  # 10 agents × 3 slots serve like 30 single-contact agents


def test_warmup_is_left_out_of_the_totals():
    m = single(600, 120, 20, patience=300, warmup=60)
    k = Simulation(m, 2).finish().kpis()
    assert k["total"]["offered"] == sum(r["offered"] for r in k["intervals"][4:])
    assert all(r["warmup"] for r in k["intervals"][:4])


def test_service_level_definitions():
    from ccdrill.twin.model import CentreModel

    base = single(1800, 180, 88, patience=60)
    out = {}
    for d in ("offered", "answered", "offered_minus_short_abandons"):
        data = base.model_dump()
        data["service_level"]["definition"] = d
        out[d] = Simulation(CentreModel.model_validate(data), 6).finish().kpis()["total"]
    t = out["offered"]
    assert t["service_level"] == pytest.approx(t["answered_within"] / t["offered"])
    assert out["answered"]["service_level"] == pytest.approx(t["answered_within"] / t["answered"])
    assert out["offered_minus_short_abandons"]["service_level"] == pytest.approx(
        t["answered_within"] / (t["offered"] - t["short_abandons"]))
    assert t["short_abandons"] > 0


def test_day_factor_doubles_the_variance():
    lam = 400.0  # a day of 400 arrivals; cv² = 1/λ gives variance ≈ 2 × mean
    m = single(lam / 8, 60, 5, hours=8, day_factor={"distribution": "gamma", "cv": (1 / lam) ** 0.5})
    counts = np.array([len(Simulation(m, s)._base_t[0]) for s in range(400)])
    assert counts.mean() == pytest.approx(lam, rel=0.03)
    assert 1.6 < counts.var(ddof=1) / counts.mean() < 2.5
    plain = single(lam / 8, 60, 5, hours=8)
    pc = np.array([len(Simulation(plain, s)._base_t[0]) for s in range(400)])
    assert 0.75 < pc.var(ddof=1) / pc.mean() < 1.3
