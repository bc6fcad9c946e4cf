"""Monte Carlo: seeds from one root, local processes and Dask giving the same numbers."""

import pytest
from twin_models import demo, network_failure, single

from ccdrill.twin.montecarlo import run_montecarlo, summary


def test_summary_ci():
    s = summary([1.0, 2.0, 3.0, None])
    assert s["mean"] == 2.0 and s["n"] == 3
    assert s["ci95_low"] == pytest.approx(2 - 4.303 * 1 / 3**0.5)
    assert summary([None])["mean"] is None


def test_local_processes_match_in_process_run():
    m = single(1800, 180, 92, patience=120, hours=2)
    one = run_montecarlo(m, replications=12, seed=5, workers=1)
    pool = run_montecarlo(m, replications=12, seed=5, workers=2)
    assert one == pool
    assert one["replications"] == 12
    assert 0 <= one["p_service_level_met"] <= 1
    assert one["kpis"]["service_level"]["ci95_low"] <= one["kpis"]["service_level"]["mean"]


def test_incident_replications_report_customers_affected():
    m = demo()
    seen = []
    res = run_montecarlo(m, network_failure(m), replications=3, seed=1, workers=1,
                         progress=lambda d, n: seen.append((d, n)))
    assert res["kpis"]["customers_affected"]["mean"] > 0
    assert "baseline_service_level" in res["intervals"][0]
    assert seen[-1] == (3, 3)


@pytest.mark.slow
def test_dask_matches_local():
    distributed = pytest.importorskip("distributed")
    m = single(1800, 180, 92, patience=120, hours=2)
    local = run_montecarlo(m, replications=6, seed=9, workers=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        on_dask = run_montecarlo(m, replications=6, seed=9, engine="dask", client=client)
        by_address = run_montecarlo(m, replications=6, seed=9, engine="dask", address=cluster.scheduler_address)
    assert on_dask == local
    assert by_address == local
