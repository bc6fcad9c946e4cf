"""Monte Carlo: many replications of a day, on local processes or a Dask cluster.

Replication ``i`` uses the ``i``-th child of ``numpy.random.SeedSequence(seed).spawn(N)``, so the
result depends only on the root seed — not on the engine, the number of workers or the order in
which replications finish.  Each replication runs the incident and, when there are effects, the
no-incident baseline with the same seed (the same customers) to count the customers affected.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np

from ccdrill.twin import limits
from ccdrill.twin.engine import Simulation
from ccdrill.twin.kpis import customers_affected, summarise, time_to_recover
from ccdrill.twin.model import CentreModel

KPI_NAMES = ("service_level", "abandon_rate", "asa_s", "offered", "answered", "abandoned", "blocked", "dropped",
             "mean_queue", "max_queue", "occupancy")
CHANNEL_KPIS = ("service_level", "abandon_rate", "asa_s", "offered", "answered", "abandoned", "blocked",
                "mean_queue", "max_queue")

Timeline = Sequence[tuple[float, object]]


def engine_class(compiled: bool | None = None):
    """The general engine to use: the compiled one when numba is installed (same numbers), else the pure one."""
    from ccdrill.twin import compiled as comp

    if compiled is None:
        compiled = comp.available()
    return comp.CompiledSimulation if compiled else Simulation


def run_day(model: CentreModel, seed, timeline: Timeline = (), *, fast: bool = True,
            compiled: bool | None = None) -> dict:
    """One replication: KPIs of the day with the effects (and against the baseline when there are any)."""
    out: dict = {}
    if not timeline and fast:
        from ccdrill.twin.fastpath import eligible, fast_counters

        if eligible(model):
            k = summarise(fast_counters(model, seed))
            return _flat(k, None, None, None)
    cls = engine_class(compiled)
    sim = cls(model, seed)
    for t, e in timeline:
        sim.apply(e, at=t)
    sim.finish()
    k = sim.kpis()
    if not timeline:
        return _flat(k, None, None, None)
    base = cls(model, seed).finish()
    kb = base.kpis()
    aff = customers_affected(sim, base)
    since = recovery_since(timeline)
    out = _flat(k, kb, aff, time_to_recover(k, since))
    return out


def recovery_since(timeline: Timeline) -> float:
    """When the incident ends: the last ``channel_up`` if any, else the last effect."""
    from ccdrill.twin.effects import ChannelUp

    ups = [t for t, e in timeline if isinstance(e, ChannelUp)]
    return max(ups) if ups else max(t for t, _ in timeline)


def _flat(k: dict, kb: dict | None, aff: dict | None, ttr: float | None) -> dict:
    tot = k["total"]
    r = {"kpis": {n: tot[n] for n in KPI_NAMES},
         "channels": {c: {n: v[n] for n in CHANNEL_KPIS} for c, v in k["channels"].items()},
         "intervals": [{"start": row["start"], "service_level": row["service_level"],
                        "mean_queue": row["mean_queue"], "offered": row["offered"]} for row in k["intervals"]],
         "target": k["service_level_target"]}
    r["kpis"]["customers_affected"] = aff["total"] if aff else 0
    r["kpis"]["time_to_recover_s"] = ttr
    if aff:
        for c, v in aff["channels"].items():
            r["channels"][c]["customers_affected"] = v
    if kb is not None:
        for row, brow in zip(r["intervals"], kb["intervals"], strict=True):
            row["baseline_service_level"] = brow["service_level"]
            row["baseline_mean_queue"] = brow["mean_queue"]
        r["baseline"] = {n: kb["total"][n] for n in KPI_NAMES}
    return r


def _run_batch(model: CentreModel, timeline: Timeline, seeds: list, fast: bool) -> list[dict]:
    return [run_day(model, s, timeline, fast=fast) for s in seeds]


def _t95(df: int) -> float:
    """Two-sided 95 % Student-t quantile (Cornish–Fisher expansion; exact table for small df)."""
    table = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
             10: 2.228}
    if df in table:
        return table[df]
    z = 1.959964
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def summary(values: Sequence[float | None]) -> dict:
    """Mean and 95 % confidence interval of the replications' values (``None`` values skipped)."""
    x = np.asarray([v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))],
                   dtype=float)
    if len(x) == 0:
        return {"mean": None, "ci95_low": None, "ci95_high": None, "n": 0}
    m = float(x.mean())
    if len(x) < 2:
        return {"mean": m, "ci95_low": m, "ci95_high": m, "n": 1}
    h = _t95(len(x) - 1) * float(x.std(ddof=1)) / math.sqrt(len(x))
    return {"mean": m, "ci95_low": m - h, "ci95_high": m + h, "n": int(len(x))}


def aggregate(results: list[dict]) -> dict:
    """Replication results → mean and 95 % CI of each KPI, per channel and per interval, and P(SL ≥ target)."""
    n = len(results)
    target = results[0]["target"]
    out: dict = {"replications": n}
    out["kpis"] = {k: summary([r["kpis"][k] for r in results]) for k in results[0]["kpis"]}
    sls = [r["kpis"]["service_level"] for r in results]
    out["p_service_level_met"] = float(np.mean([s is not None and s >= target for s in sls]))
    out["service_level_target"] = target
    out["channels"] = {c: {k: summary([r["channels"][c][k] for r in results]) for k in results[0]["channels"][c]}
                       for c in results[0]["channels"]}
    ivs = []
    for i, row in enumerate(results[0]["intervals"]):
        d = {"start": row["start"]}
        for k in row:
            if k != "start":
                d[k] = summary([r["intervals"][i][k] for r in results])
        ivs.append(d)
    out["intervals"] = ivs
    if "baseline" in results[0]:
        out["baseline"] = {k: summary([r["baseline"][k] for r in results]) for k in results[0]["baseline"]}
    return out


def seeds_for(seed: int, replications: int) -> list[np.random.SeedSequence]:
    return np.random.SeedSequence(seed).spawn(replications)


def run_montecarlo(model: CentreModel, timeline: Timeline = (), *, replications: int = 100, seed: int = 0,
                   engine: str = "local", address: str | None = None, client=None, workers: int | None = None,
                   progress: Callable[[int, int], None] | None = None, fast: bool = True) -> dict:
    """Run ``replications`` days and aggregate them (see :func:`aggregate`).

    ``engine="local"`` uses a process pool over all cores (``workers`` to choose; 1 runs in this process);
    ``engine="dask"`` submits to ``client`` or to a ``distributed.Client(address)``.
    """
    if not (1 <= replications <= limits.MAX_REPLICATIONS):
        raise ValueError(f"replications must be between 1 and {limits.MAX_REPLICATIONS}")
    seeds = seeds_for(seed, replications)
    timeline = list(timeline)
    workers = workers or os.cpu_count() or 1
    size = max(1, math.ceil(replications / (workers * 8)))
    batches = [seeds[i:i + size] for i in range(0, replications, size)]
    results: list[list[dict] | None] = [None] * len(batches)
    done = 0

    def tick(k: int) -> None:
        nonlocal done
        done += k
        if progress is not None:
            progress(done, replications)

    if engine == "dask":
        own = None
        if client is None:
            from distributed import Client

            own = client = Client(address)
        try:
            from distributed import as_completed as d_completed

            futs = [client.submit(_run_batch, model, timeline, b, fast, pure=False) for b in batches]
            index = {f.key: i for i, f in enumerate(futs)}
            for f in d_completed(futs):
                results[index[f.key]] = f.result()
                tick(len(batches[index[f.key]]))
        finally:
            if own is not None:
                own.close()
    elif engine == "local":
        if workers == 1 or len(batches) == 1:
            for i, b in enumerate(batches):
                results[i] = _run_batch(model, timeline, b, fast)
                tick(len(b))
        else:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                futs = {pool.submit(_run_batch, model, timeline, b, fast): i for i, b in enumerate(batches)}
                for f in as_completed(futs):
                    results[futs[f]] = f.result()
                    tick(len(batches[futs[f]]))
    else:
        raise ValueError(f"unknown engine {engine}")
    flat = [r for batch in results for r in batch]  # type: ignore[union-attr]
    return aggregate(flat)
