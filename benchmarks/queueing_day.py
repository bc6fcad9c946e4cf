"""The queueing day: M/M/c+M in ccdrill, SimPy and Ciw, side by side in one run.

Small day: 100 agents, 1,800 calls/h, handle 180 s, patience 120 s, 8 h.
Large day: 1,000 agents, 18,000 calls/h (ten times larger).
Prints customers per second of each engine (one core) and the ratios against the peers;
Ciw on the large day is capped to fewer hours (its per-customer rate is what is reported).

    python benchmarks/queueing_day.py [--quick]
"""

from __future__ import annotations

import argparse
import heapq
import math
import time
import tracemalloc

import numpy as np

from ccdrill.twin import compiled, fastpath
from ccdrill.twin.engine import Simulation
from ccdrill.twin.model import CentreModel

AHT, PATIENCE = 180.0, 120.0


def model(agents: int, rate: float, hours: float) -> CentreModel:
    return CentreModel.model_validate({
        "horizon": {"start": "00:00", "hours": hours},
        "channels": {"phone": {"arrivals_per_hour": rate, "handle_time": {"mean_s": AHT},
                               "patience": {"mean_s": PATIENCE}}},
        "agents": [{"group": "agents", "count": agents, "channels": ["phone"]}]})


def best_of(fn, repeat: int) -> tuple[float, int]:
    best, n = math.inf, 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        n = fn()
        best = min(best, time.perf_counter() - t0)
    return best, n


def run_general(m: CentreModel, seed: int = 1, cls=Simulation) -> int:
    return cls(m, seed).finish().kpis()["total"]["offered"]


def run_fast(m: CentreModel, compiled: bool, seed: int = 1) -> int:
    return fastpath.fast_kpis(m, seed, compiled=compiled)["total"]["offered"]


def run_simpy(agents: int, rate: float, hours: float, seed: int = 1) -> int:
    import simpy

    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity=agents)
    horizon = hours * 3600
    stats = {"n": 0, "served": 0, "abandoned": 0}

    def customer(hs: float, pat: float):
        with servers.request() as req:
            res = yield req | env.timeout(pat)
            if req in res:
                stats["served"] += 1
                yield env.timeout(hs)
            else:
                stats["abandoned"] += 1

    def source():
        mean_ia = 3600.0 / rate
        while True:
            yield env.timeout(rng.exponential(mean_ia))
            if env.now >= horizon:
                return
            stats["n"] += 1
            env.process(customer(rng.exponential(AHT), rng.exponential(PATIENCE)))

    env.process(source())
    env.run()
    return stats["n"]


def run_ciw(agents: int, rate: float, hours: float, seed: int = 1) -> int:
    import ciw

    net = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate / 3600.0)],
        service_distributions=[ciw.dists.Exponential(1 / AHT)],
        reneging_time_distributions=[ciw.dists.Exponential(1 / PATIENCE)],
        number_of_servers=[agents])
    ciw.seed(seed)
    sim = ciw.Simulation(net)
    sim.simulate_until_max_time(hours * 3600)
    recs = sim.get_all_records()
    return len(recs)


def run_heap_recursion(agents: int, rate: float, hours: float, seed: int = 1) -> int:
    """The plain-Python reference: FCFS recursion over a heap of server free times (no KPIs)."""
    rng = np.random.default_rng(seed)
    n = rng.poisson(rate * hours)
    a = np.sort(rng.random(n) * hours * 3600).tolist()
    s = rng.exponential(AHT, n).tolist()
    p = rng.exponential(PATIENCE, n).tolist()
    free = [0.0] * agents
    rep = heapq.heapreplace
    for i in range(n):
        ai = a[i]
        f = free[0]
        w = f - ai if f > ai else 0.0
        if w <= p[i]:
            rep(free, ai + w + s[i])
    return n


def peak_mb_per_million(fn) -> float:
    tracemalloc.start()
    n = fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / n * 1e6 / 2**20


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="one repeat, Ciw capped harder")
    args = ap.parse_args()
    rep = 1 if args.quick else 3
    if fastpath.has_numba():
        t0 = time.perf_counter()
        run_fast(model(10, 100, 1), True)
        print(f"numba compile/load of the fast-path kernel: {time.perf_counter() - t0:.2f} s (excluded)")
    for label, agents, rate in (("small", 100, 1800.0), ("large", 1000, 18000.0)):
        hours = 8.0
        m = model(agents, rate, hours)
        rows = {}
        if fastpath.has_numba():
            rows["ccdrill fast path (numba)"] = best_of(lambda m=m: run_fast(m, True), rep)
        rows["ccdrill fast path (pure Python)"] = best_of(lambda m=m: run_fast(m, False), rep)
        if compiled.available():
            run_general(model(10, 100, 1), cls=compiled.CompiledSimulation)
            rows["ccdrill general engine, compiled (numba)"] = best_of(
                lambda m=m: run_general(m, cls=compiled.CompiledSimulation), rep)
        rows["ccdrill general engine, pure Python"] = best_of(lambda m=m: run_general(m), rep)
        rows["heap recursion, no KPIs (reference)"] = best_of(
            lambda a=agents, r=rate, h=hours: run_heap_recursion(a, r, h), rep)
        rows["SimPy"] = best_of(lambda a=agents, r=rate, h=hours: run_simpy(a, r, h), 1)
        ciw_hours = (2.0 if label == "small" else 0.5) if args.quick else (8.0 if label == "small" else 1.0)
        rows[f"Ciw ({ciw_hours:g} h)"] = best_of(lambda a=agents, r=rate, h=ciw_hours: run_ciw(a, r, h), 1)
        rates = {k: n / t for k, (t, n) in rows.items()}
        simpy_rate = rates["SimPy"]
        ciw_rate = rates[f"Ciw ({ciw_hours:g} h)"]
        print(f"\n{label} queueing day: {agents} agents, {rate:,.0f} calls/h, {hours:g} h")
        print(f"  {'engine':40s} {'customers':>10s} {'seconds':>8s} {'customers/s':>12s} {'×SimPy':>7s} {'×Ciw':>7s}")
        for k, (t, n) in rows.items():
            print(f"  {k:40s} {n:10,d} {t:8.3f} {rates[k]:12,.0f} {rates[k] / simpy_rate:7.1f} "
                  f"{rates[k] / ciw_rate:7.1f}")


    big = model(1000, 18000, 56)  # about a million customers
    print("\npeak memory (tracemalloc), M/M/c+M with 1,000 agents over 56 h (~1M customers):")
    if fastpath.has_numba():
        print(f"  fast path (numba): {peak_mb_per_million(lambda: run_fast(big, True)):,.0f} MB per million customers")
    print(f"  general engine:    {peak_mb_per_million(lambda: run_general(big)):,.0f} MB per million customers")
    if compiled.available():
        mb = peak_mb_per_million(lambda: run_general(big, cls=compiled.CompiledSimulation))
        print(f"  general engine, compiled: {mb:,.0f} MB per million customers")


if __name__ == "__main__":
    main()
