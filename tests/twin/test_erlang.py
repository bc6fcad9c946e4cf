"""Erlang C and Erlang A against published values and against each other."""

import math

import pytest

from ccdrill.twin import erlang as er


def test_erlang_c_published_call_centre_example():
    # 100 calls per 30 min, AHT 180 s, 14 agents, 20 s threshold
    r = er.erlang_c_metrics(200, 180, 14, threshold_s=20)
    assert r.p_wait == pytest.approx(0.1741, abs=5e-5)
    assert r.service_level == pytest.approx(0.8884, abs=5e-5)
    assert r.asa_s == pytest.approx(7.84, abs=5e-3)
    assert r.occupancy == pytest.approx(10 / 14)


def test_erlang_c_mm2_textbook():
    # M/M/2 with λ = 10, μ = 12 (per hour): P0 0.412, P(wait) 0.245, Lq 0.175, Wq 0.018 h
    r = er.erlang_c_metrics(10, 3600 / 12, 2)
    assert r.p0 == pytest.approx(0.412, abs=5e-4)
    assert r.p_wait == pytest.approx(0.245, abs=5e-4)
    assert r.mean_queue == pytest.approx(0.175, abs=5e-4)
    assert r.asa_s / 3600 == pytest.approx(0.018, abs=5e-4)


def test_erlang_b_recursion_is_stable_for_large_centres():
    b = er.erlang_b(5000, 4900.0)
    assert 0 < b < 1 and math.isfinite(b)
    r = er.erlang_c_metrics(18000 * 10, 180, 9100)
    assert 0 <= r.p_wait <= 1 and 0 <= r.service_level <= 1


def test_overloaded_erlang_c_is_flagged():
    r = er.erlang_c_metrics(400, 180, 14)
    assert r.p_wait == 1.0 and r.service_level == 0.0 and math.isinf(r.asa_s)


def test_erlang_a_tends_to_erlang_c_with_endless_patience():
    c = er.erlang_c_metrics(200, 180, 14)
    a = er.erlang_a_metrics(200, 180, 14, patience_s=1e9)
    assert a.p_wait == pytest.approx(c.p_wait, rel=1e-5)
    assert a.service_level == pytest.approx(c.service_level, rel=1e-5)
    assert a.asa_s == pytest.approx(c.asa_s, rel=1e-4)


def test_erlang_a_relations():
    a = er.erlang_a_metrics(1800, 180, 80, patience_s=120)  # overloaded: 90 erlangs on 80 agents
    # throughput balance: served load = busy agents
    assert a.occupancy * 80 == pytest.approx(90 * (1 - a.p_abandon), rel=1e-6)
    assert 0 < a.p_abandon < a.p_wait < 1
    assert 0 < a.service_level < 1
    assert a.asa_all_s == pytest.approx(a.mean_queue / 0.5, rel=1e-9)  # Little: Wq = Lq / λ


def test_agents_needed():
    assert er.agents_needed(200, 180, target=0.8, threshold_s=20) == 14  # SL 0.888 at 14 (published)
    assert er.erlang_c_metrics(200, 180, 13).service_level < 0.8
    n = er.agents_needed(1800, 180, target=0.8, threshold_s=20, patience_s=120)
    assert er.erlang_a_metrics(1800, 180, n, 120).service_level >= 0.8
    assert er.erlang_a_metrics(1800, 180, n - 1, 120).service_level < 0.8
