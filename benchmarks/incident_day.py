"""The incident day: the demo centre through the seed network-failure incident, general engine.

All channels down at 10:00 for 20 minutes, the phone for 40, callers redirected to chat,
remote agents joining after 30 minutes — every effect applied exactly by the general engine.
Prints customers per second (one core), with and without the KPI summary, and the peak memory
per million customers on a long multi-channel run.

    python benchmarks/incident_day.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import time
import tracemalloc
from pathlib import Path

import yaml

from ccdrill.twin import compiled
from ccdrill.twin.effects import EffectsFile, timeline
from ccdrill.twin.engine import Simulation
from ccdrill.twin.model import CentreModel

LIB = Path(__file__).resolve().parents[1] / "src" / "ccdrill" / "library"


def load():
    m = CentreModel.model_validate(yaml.safe_load((LIB / "centres" / "demo-centre.yaml").read_text("utf-8")))
    ef = EffectsFile.model_validate(yaml.safe_load((LIB / "effects" / "network-failure-incident.yaml").read_text("utf-8")))
    return m, timeline(ef, m.horizon.start_min)


def day(m, tl, seed: int, with_kpis: bool, cls=Simulation) -> int:
    sim = cls(m, seed)
    for t, e in tl:
        sim.apply(e, at=t)
    sim.finish()
    k = sim.kpis() if with_kpis else None
    return k["total"]["offered"] if k else int(sim.counters().per_channel["offered"].sum())


def rate(m, tl, reps: int, with_kpis: bool, cls=Simulation) -> tuple[float, int]:
    n_total, t_total = 0, 0.0
    for seed in range(reps):
        t0 = time.perf_counter()
        n_total += day(m, tl, seed, with_kpis, cls)
        t_total += time.perf_counter() - t0
    return n_total / t_total, n_total


def memory_per_million(m, tl, cls=Simulation) -> tuple[float, int]:
    """Peak traced memory of one long day scaled to a million customers."""
    big = m.model_copy(deep=True)
    big.horizon.end = None
    big.horizon.hours = 60.0
    for ch in big.channels.values():
        ch.daily_volume = ch.daily_volume * 50
    for a in big.agents:
        a.count *= 50
    big = CentreModel.model_validate(big.model_dump())
    tracemalloc.start()
    sim = cls(big, 1)
    for t, e in tl:
        sim.apply(e, at=t)
    sim.finish()
    n = sim.kpis()["total"]["offered"]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / n * 1e6 / 2**20, n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    m, tl = load()
    reps = 5 if args.quick else 30
    engines = [("pure Python", Simulation)]
    if compiled.available():
        t0 = time.perf_counter()
        day(m, tl, 98, True, compiled.CompiledSimulation)
        print(f"numba compile/load of the compiled engine: {time.perf_counter() - t0:.1f} s (excluded)")
        engines.append(("compiled (numba)", compiled.CompiledSimulation))
    for label, cls in engines:
        day(m, tl, 99, True, cls)  # warm up
        r_run, n = rate(m, tl, reps, False, cls)
        r_kpi, _ = rate(m, tl, reps, True, cls)
        print(f"incident day (demo centre + network failure), {reps} days, {n / reps:,.0f} customers a day")
        print(f"  general engine {label}, simulate only:   {r_run:12,.0f} customers/s")
        print(f"  general engine {label}, simulate + KPIs: {r_kpi:12,.0f} customers/s")
        if not args.quick:
            mb, n_big = memory_per_million(m, tl, cls)
            print(f"  peak memory (tracemalloc), {n_big:,} customers over 60 h with 50x volume and agents: "
                  f"{mb:,.0f} MB per million customers")
        if not math.isnan(r_run):
            print(f"  (target: 1,000,000 customers/s; reached {r_run / 1e6:.2f}M)")


if __name__ == "__main__":
    main()
