"""Monte Carlo: 1,000 replications of the incident day across all local cores (and the queueing day).

    python benchmarks/montecarlo.py [--replications 1000] [--workers K]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from incident_day import load  # noqa: E402
from queueing_day import model  # noqa: E402

from ccdrill.twin.montecarlo import run_montecarlo  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replications", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    cores = os.cpu_count()
    m, tl = load()
    for workers in sorted({1, args.workers or cores}):
        n = args.replications if workers > 1 else max(20, args.replications // 20)
        t0 = time.perf_counter()
        res = run_montecarlo(m, tl, replications=n, seed=1, workers=workers)
        dt = time.perf_counter() - t0
        sl = res["kpis"]["service_level"]
        aff = res["kpis"]["customers_affected"]
        print(f"incident day (+ baseline each), {n} replications on {workers} worker(s): {dt:.1f} s, "
              f"{n / dt:,.1f} replications/s; SL {sl['mean']:.3f} [{sl['ci95_low']:.3f}, {sl['ci95_high']:.3f}], "
              f"customers affected {aff['mean']:.0f} [{aff['ci95_low']:.0f}, {aff['ci95_high']:.0f}], "
              f"P(SL>=target) {res['p_service_level_met']:.2f}")
    q = model(1000, 18000, 8)
    t0 = time.perf_counter()
    res = run_montecarlo(q, replications=args.replications, seed=1, workers=args.workers or cores)
    dt = time.perf_counter() - t0
    print(f"large queueing day (fast path), {args.replications} replications on {args.workers or cores} workers: "
          f"{dt:.1f} s, {args.replications * res['kpis']['offered']['mean'] / dt:,.0f} customers/s overall")


if __name__ == "__main__":
    main()
