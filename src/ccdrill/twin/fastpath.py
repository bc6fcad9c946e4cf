"""An exact fast path for one queue served first-come-first-served by one group.

For a model with one channel and one agent group (concurrency 1, on duty the whole
day, no retries) and no effects, the waiting time of each customer follows from
the earlier ones alone — the virtual-waiting-time recursion over a heap of server
free times: a customer arriving at ``a`` with patience ``p`` meets the earliest
free server at ``f``; it waits ``w = max(0, f − a)`` and is served if ``w ≤ p``
(the server is then busy until ``a + w + s``), otherwise it abandons.  That is
exact for FCFS with any arrival, handle-time and patience distributions, and uses
the very same random draws as :class:`~ccdrill.twin.engine.Simulation`, so with
the same seed it reproduces the general engine customer by customer.

The recursion runs compiled with numba when numba is installed, else in plain
Python (same numbers).  Queue and busy curves per interval are then rebuilt with
vectorised NumPy.
"""

from __future__ import annotations

import heapq
import math

import numpy as np

from ccdrill.twin.engine import (
    _STREAM_ARRIVALS,
    _STREAM_HANDLE,
    _STREAM_PATIENCE,
    Counters,
    arrival_times,
    channel_streams,
    check_limits,
    day_factor,
)
from ccdrill.twin.model import CentreModel

try:  # optional compiled kernel
    import numba as _numba
except ImportError:  # pragma: no cover - depends on the environment
    _numba = None


def eligible(model: CentreModel, effects: list | tuple = ()) -> bool:
    """True when the fast path is exact for ``model`` with these effects (none)."""
    if effects or len(model.channels) != 1 or len(model.agents) != 1:
        return False
    (ch,) = model.channels.values()
    g = model.agents[0]
    if g.concurrency != 1 or ch.retry is not None:
        return False
    if g.shift.end is not None:
        return False
    if g.shift.start is not None and model.clock_to_seconds(g.shift.start) > 0:
        return False
    return g.count >= 1


def _recursion_py(a, s, p, n):
    free = [0.0] * n
    m = len(a)
    w = np.empty(m)
    served = np.zeros(m, dtype=np.bool_)
    wl = w.tolist()
    sl = served.tolist()
    replace = heapq.heapreplace
    al, ss, pl = a.tolist(), s.tolist(), p.tolist()
    for i in range(m):
        ai = al[i]
        f = free[0]
        wi = f - ai if f > ai else 0.0
        wl[i] = wi
        if wi <= pl[i]:
            sl[i] = True
            replace(free, ai + wi + ss[i])
    return np.asarray(wl), np.asarray(sl, dtype=np.bool_)


def _overlap(out, t0, t1, L, N):  # add the length of [t0, t1) falling in each interval
    i = int(t0 // L)
    while i < N and t0 < t1:
        end = (i + 1) * L
        seg = (t1 if t1 < end else end) - t0
        out[i] += seg
        t0 = end
        i += 1


def _day_nb(a, s, p, n, L, N, thr, short):
    """The whole day in one pass: the recursion plus every per-interval counter.

    Queue length only rises at arrivals, so its maximum per interval is seen at an arrival or carried
    in at the interval's start; the queue's exit times are kept in a second heap to know it there."""
    m = a.shape[0]
    heap = np.zeros(n)
    qh = np.empty(m + 1)  # min-heap of queue exit times
    qn = 0
    out = np.zeros((9, N))  # offered answered within abandoned short wait_sum q_area q_max busy_area
    cur = -1
    for i in range(m):
        ai = a[i]
        iv = int(ai // L)
        if iv != cur:
            # the level carried into each new interval
            for k in range(cur + 1, iv + 1):
                b = k * L
                while qn > 0 and qh[0] <= b:
                    qn -= 1
                    x = qh[qn]
                    j = 0
                    while True:
                        c = 2 * j + 1
                        if c >= qn:
                            break
                        if c + 1 < qn and qh[c + 1] < qh[c]:
                            c += 1
                        if qh[c] < x:
                            qh[j] = qh[c]
                            j = c
                        else:
                            break
                    if qn > 0:
                        qh[j] = x
                if k < N and qn > out[7, k]:
                    out[7, k] = qn
            cur = iv
        while qn > 0 and qh[0] <= ai:
            qn -= 1
            x = qh[qn]
            j = 0
            while True:
                c = 2 * j + 1
                if c >= qn:
                    break
                if c + 1 < qn and qh[c + 1] < qh[c]:
                    c += 1
                if qh[c] < x:
                    qh[j] = qh[c]
                    j = c
                else:
                    break
            if qn > 0:
                qh[j] = x
        f = heap[0]
        wi = f - ai if f > ai else 0.0
        out[0, iv] += 1
        if wi <= p[i]:
            out[1, iv] += 1
            out[5, iv] += wi
            if wi <= thr:
                out[2, iv] += 1
            st = ai + wi
            x = st + s[i]
            j = 0
            while True:
                left = 2 * j + 1
                if left >= n:
                    break
                c = left
                if left + 1 < n and heap[left + 1] < heap[left]:
                    c = left + 1
                if heap[c] < x:
                    heap[j] = heap[c]
                    j = c
                else:
                    break
            heap[j] = x
            _overlap_nb(out[8], st, x, L, N)
            q = wi
        else:
            out[3, iv] += 1
            if p[i] < short:
                out[4, iv] += 1
            q = p[i]
        if q > 0:
            _overlap_nb(out[6], ai, ai + q, L, N)
            # push the exit time
            j = qn
            qn += 1
            ex = ai + q
            while j > 0:
                par = (j - 1) // 2
                if qh[par] > ex:
                    qh[j] = qh[par]
                    j = par
                else:
                    break
            qh[j] = ex
            if qn > out[7, iv]:
                out[7, iv] = qn
    return out


if _numba is not None:
    _overlap_nb = _numba.njit(cache=True, nogil=True, inline="always")(_overlap)
    _day_compiled = _numba.njit(cache=True, nogil=True)(_day_nb)
else:  # pragma: no cover
    _day_compiled = None


def has_numba() -> bool:
    return _day_compiled is not None


def _curve(t_in: np.ndarray, t_out: np.ndarray, L: float, N: int) -> tuple[np.ndarray, np.ndarray]:
    """Area and max per interval of the level ``#{in ≤ t} − #{out ≤ t}`` (exits before entries at ties)."""
    H = N * L
    bounds = np.arange(1, N + 1) * L
    times = np.concatenate([t_out, t_in, bounds])
    steps = np.concatenate([-np.ones(len(t_out)), np.ones(len(t_in)), np.zeros(N)])
    order = np.argsort(times, kind="stable")
    times = times[order]
    level = np.cumsum(steps[order])
    nxt = np.empty_like(times)
    nxt[:-1] = times[1:]
    nxt[-1] = times[-1]
    mask = times < H
    t0 = times[mask]
    dt = np.minimum(nxt[mask], H) - t0
    lv = level[mask]
    iv = (t0 // L).astype(np.int64)
    area = np.bincount(iv, weights=lv * dt, minlength=N)[:N]
    mx = np.zeros(N)
    np.maximum.at(mx, iv, lv)
    # the level carried into each interval from before
    lead = np.concatenate([[0.0], level[np.searchsorted(times, bounds[:-1], side="right") - 1]])
    mx = np.maximum(mx, lead)
    return area, mx


def fast_counters(model: CentreModel, seed: int | np.random.SeedSequence = 0, *, compiled: bool | None = None
                  ) -> Counters:
    """Counters of one day by the recursion; ``compiled`` forces (True) or refuses (False) numba."""
    if not eligible(model):
        raise ValueError("the fast path does not apply to this model")
    check_limits(model)
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    (name,) = model.channels
    ch = model.channels[name]
    st = channel_streams(ss, 0)
    f = day_factor(model, name, st[_STREAM_ARRIVALS])
    a = arrival_times(model, name, st[_STREAM_ARRIVALS], f)
    n_c = len(a)
    s = ch.handle_time.build().sample(st[_STREAM_HANDLE], n_c)
    p = ch.patience.build().sample(st[_STREAM_PATIENCE], n_c) if ch.patience else np.full(n_c, math.inf)
    g = model.agents[0]
    use_nb = has_numba() if compiled is None else compiled
    if use_nb and not has_numba():
        raise ValueError("numba is not installed")
    L = model.interval_s
    N = model.n_intervals
    sl = model.service_level
    thr = float(ch.answer_within_s if ch.answer_within_s is not None else sl.answer_within_s)
    c = Counters(
        channels=[name], groups=[g.group], group_concurrency=[1], interval_s=L, horizon_s=model.horizon_s,
        warmup_intervals=int(round(model.warmup_minutes * 60 / L)), start_minutes=model.horizon.start_min,
        thresholds=[thr], target=sl.target, definition=sl.definition, short_abandon_s=sl.short_abandon_s,
        now=model.horizon_s)
    zero = np.zeros((1, N))
    if use_nb:
        o = _day_compiled(a, s, p, g.count, L, N, thr, sl.short_abandon_s)
        c.per_channel = {
            "offered": o[0:1], "answered": o[1:2], "answered_within": o[2:3], "abandoned": o[3:4],
            "short_abandons": o[4:5], "wait_sum": o[5:6], "queue_area": o[6:7], "queue_max": o[7:8],
            "blocked": zero, "dropped": zero, "callbacks": zero, "retries": zero, "unserved": zero}
        c.per_group = {"busy_area": o[8:9], "staffed_area": np.full((1, N), g.count * L)}
        return c
    w, served = _recursion_py(a, s, p, g.count)
    iv = (a // L).astype(np.int64)

    def per(weights=None) -> np.ndarray:
        return np.bincount(iv, weights=weights, minlength=N)[:N].astype(float)[None, :]

    ab = ~served
    qtime = np.where(served, w, p)
    waiting = qtime > 0
    c.per_channel = {
        "offered": per(),
        "answered": per(served.astype(float)),
        "answered_within": per((served & (w <= thr)).astype(float)),
        "abandoned": per(ab.astype(float)),
        "short_abandons": per((ab & (p < sl.short_abandon_s)).astype(float)),
        "blocked": zero.copy(), "dropped": zero.copy(), "callbacks": zero.copy(), "retries": zero.copy(),
        "unserved": zero.copy(),
        "wait_sum": per(np.where(served, w, 0.0)),
    }
    qa, qm = _curve(a[waiting], (a + qtime)[waiting], L, N)
    c.per_channel["queue_area"] = qa[None, :]
    c.per_channel["queue_max"] = qm[None, :]
    start = (a + w)[served]
    ba, _ = _curve(start, start + s[served], L, N)
    c.per_group = {"busy_area": ba[None, :], "staffed_area": np.full((1, N), g.count * L)}
    return c


def fast_kpis(model: CentreModel, seed: int | np.random.SeedSequence = 0, *, compiled: bool | None = None) -> dict:
    from ccdrill.twin.kpis import summarise

    return summarise(fast_counters(model, seed, compiled=compiled))
