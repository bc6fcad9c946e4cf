"""The simulator against queueing theory: Erlang C and Erlang A within 95 % confidence intervals."""

import numpy as np
import pytest
from twin_models import single

from ccdrill.twin import erlang as er
from ccdrill.twin.engine import Simulation
from ccdrill.twin.montecarlo import summary

pytestmark = pytest.mark.slow


def _replicate(model, n, seed):
    seqs = np.random.SeedSequence(seed).spawn(n)
    return [Simulation(model, s).finish().kpis()["total"] for s in seqs]


def _within(values, expected, name):
    s = summary(values)
    assert s["ci95_low"] <= expected <= s["ci95_high"], (name, expected, s)


@pytest.mark.parametrize("rate, agents, label", [(900, 55, "light"), (1800, 95, "heavy")])
def test_engine_agrees_with_erlang_c(rate, agents, label):
    m = single(rate, 180, agents, hours=4, warmup=60)
    runs = _replicate(m, 30, 2024)
    ref = er.erlang_c_metrics(rate, 180, agents, 20)
    _within([r["service_level"] for r in runs], ref.service_level, f"{label} SL")
    _within([r["asa_s"] for r in runs], ref.asa_s, f"{label} ASA")
    _within([r["occupancy"] for r in runs], ref.occupancy, f"{label} occupancy")


@pytest.mark.parametrize("rate, agents, label", [(900, 50, "light"), (1800, 92, "heavy"),
                                                 (1800, 75, "overloaded")])
def test_engine_agrees_with_erlang_a(rate, agents, label):
    m = single(rate, 180, agents, patience=120, hours=4, warmup=60)
    runs = _replicate(m, 30, 77)
    ref = er.erlang_a_metrics(rate, 180, agents, 120, 20)
    _within([r["service_level"] for r in runs], ref.service_level, f"{label} SL")
    _within([r["abandon_rate"] for r in runs], ref.p_abandon, f"{label} abandonment")
    _within([r["asa_s"] for r in runs], ref.asa_s, f"{label} ASA")
    _within([r["mean_queue"] for r in runs], ref.mean_queue, f"{label} Lq")
