"""The exact fast path against the general engine, compiled and pure."""

import pytest
from twin_models import demo, single

from ccdrill.twin import fastpath
from ccdrill.twin.engine import Simulation

MODES = [False] + ([True] if fastpath.has_numba() else [])


def _same(a, b):
    for key, va in a.items():
        vb = b[key]
        if isinstance(va, float) or isinstance(vb, float):
            assert va == pytest.approx(vb, rel=1e-9, abs=1e-9), key
        else:
            assert va == vb, key


@pytest.mark.parametrize("compiled", MODES)
@pytest.mark.parametrize("handle, patience", [("exponential", 120), ("lognormal", 300), ("exponential", None)])
def test_fast_path_reproduces_the_engine_customer_by_customer(compiled, handle, patience):
    m = single(1800, 180, 92, patience=patience, hours=3, handle=handle)
    general = Simulation(m, 5).finish().kpis()
    fast = fastpath.fast_kpis(m, 5, compiled=compiled)
    _same(general["total"], fast["total"])
    for a, b in zip(general["intervals"], fast["intervals"], strict=True):
        _same({k: v for k, v in a.items() if k != "channels"}, {k: v for k, v in b.items() if k != "channels"})
    t = fast["total"]
    assert t["offered"] == t["answered"] + t["abandoned"] + t["blocked"]


def test_compiled_and_pure_agree():
    if not fastpath.has_numba():
        pytest.skip("numba not installed")
    m = single(18000, 180, 1000, patience=120, hours=1)
    a, b = fastpath.fast_kpis(m, 3, compiled=True), fastpath.fast_kpis(m, 3, compiled=False)
    _same(a["total"], b["total"])
    for x, y in zip(a["intervals"], b["intervals"], strict=True):
        _same({k: v for k, v in x.items() if k != "channels"}, {k: v for k, v in y.items() if k != "channels"})


def test_eligibility():
    assert fastpath.eligible(single(100, 60, 3))
    assert not fastpath.eligible(demo())
    assert not fastpath.eligible(single(100, 60, 3), effects=[object()])
    assert not fastpath.eligible(single(100, 60, 3, retry={"probability": 0.2}))
    with pytest.raises(ValueError):
        fastpath.fast_counters(demo(), 1)
