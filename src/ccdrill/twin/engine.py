"""The simulation: a tiny heap core driving customers, queues and agent groups.

``Simulation(model, seed)`` is incremental and deterministic: ``run_until(t)``
advances simulated time (seconds after the horizon starts), ``apply(effect, at=t)``
schedules an effect at any time not in the past, ``kpis()`` reports what has
happened so far and ``finish()`` runs on past the horizon until every customer
is served or gone.  The same model, seed and effect timeline give identical
numbers whether run in one go or step by step.

Design for speed: every channel's arrivals, handle times, patience and routing
draws are pre-drawn in vectorised NumPy blocks from the channel's own random
substreams (so a baseline and an incident run with the same seed share the same
customers); the base arrivals are fed from a merged sorted array and only the
events that must wait (service ends, abandonments, effects, retries) go through
the heap of ``(time, priority, sequence, kind, payload)`` tuples.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from ccdrill.twin import effects as fx
from ccdrill.twin import limits
from ccdrill.twin.model import CentreModel, clock_minutes

INF = math.inf

# heap event kinds
_END, _ABANDON, _EFFECT, _JOIN, _LEAVE, _ARRIVE, _CALLBACK, _SURGE, _JOINFX = range(9)
# priorities at the same instant: effects, then staffing changes, then customers
_P_EFFECT, _P_STAFF, _P_CUST = 0, 1, 2

# contact record fields (a list, for speed)
T, CH, HS, PAT, IV, OCH, OIX, ST, GRP, END = range(10)
# states
WAITING, SERVING, GONE, DROPPED = 0, 1, 2, 3

_STREAM_ARRIVALS, _STREAM_HANDLE, _STREAM_PATIENCE, _STREAM_UNIFORM, _STREAM_DYNAMIC = range(5)


class SimulationError(ValueError):
    """A user error at run time (an effect naming an unknown group, time going backwards …).

    ``msgid`` and ``params`` give the translatable message (msgids in ``twin.po``)."""

    def __init__(self, msgid: str, /, **params: object) -> None:
        super().__init__(msgid.format(**params))
        self.msgid = msgid
        self.params = params


class _Group:
    __slots__ = ("name", "base", "site", "conc", "channels", "base_channels", "free", "slots", "pending",
                 "gone", "order", "busy_tr", "staff_tr", "label")

    def __init__(self, name, base, site, conc, channels, order, n, label=None):
        self.name = name
        self.base = base
        self.site = site
        self.conc = conc
        self.channels = list(channels)
        self.base_channels = list(channels)
        self.free = 0
        self.slots = 0
        self.pending = 0  # slots leaving after their current contact
        self.gone = False
        self.order = order
        self.busy_tr = [0.0] * (n + 1)  # busy slot-seconds per interval (+ one sink past the horizon)
        self.staff_tr = [0, 0.0, [0.0] * n, [0] * n]
        self.label = label


def _level(tr: list, t: float, d: int, L: float, n: int) -> None:
    """Move a level tracker ``[level, last_t, area per interval, max per interval]`` to ``t`` and add ``d``."""
    lvl = tr[0]
    last = tr[1]
    if t > last:
        if lvl:
            i = int(last // L)
            end = (i + 1) * L
            area = tr[2]
            mx = tr[3]
            while t > end and i < n:
                area[i] += lvl * (end - last)
                last = end
                i += 1
                end = (i + 1) * L
                if i < n and lvl > mx[i]:
                    mx[i] = lvl
            if i < n:
                area[i] += lvl * (t - last)
        tr[1] = t
    lvl += d
    tr[0] = lvl
    if d > 0:
        i = int(t // L)
        if i < n and lvl > tr[3][i]:
            tr[3][i] = lvl


def _busy(bt: list, t0: float, t1: float, L: float, N: int, sign: float = 1.0) -> None:
    """Add (``sign`` −1: take away) the busy time of [t0, t1) to the intervals it overlaps."""
    i = int(t0 // L)
    while t0 < t1 and i < N:
        end = (i + 1) * L
        bt[i] += sign * ((t1 if t1 < end else end) - t0)
        t0 = end
        i += 1


def _flushed(tr: list, t: float, L: float, n: int) -> tuple[list, list]:
    """Area and max of a tracker as if moved to ``t`` — without touching it."""
    copy = [tr[0], tr[1], list(tr[2]), list(tr[3])]
    _level(copy, t, 0, L, n)
    return copy[2], copy[3]


@dataclass
class Counters:
    """Raw counts of a run so far; :mod:`ccdrill.twin.kpis` turns them into KPIs."""

    channels: list[str]
    groups: list[str]
    group_concurrency: list[int]
    interval_s: float
    horizon_s: float
    warmup_intervals: int
    start_minutes: int
    thresholds: list[float]
    target: float
    definition: str
    short_abandon_s: float
    now: float
    per_channel: dict[str, np.ndarray] = field(default_factory=dict)  # name → (C, N)
    per_group: dict[str, np.ndarray] = field(default_factory=dict)  # name → (G, N)


class Simulation:
    """A contact centre from ``model`` driven by the random streams of ``seed``."""

    def __init__(self, model: CentreModel, seed: int | np.random.SeedSequence = 0, *,
                 chunk: int = 1 << 16) -> None:
        check_limits(model)
        self.model = model
        ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        self.seed_sequence = ss
        self.rng = np.random.default_rng(ss)  # the simulation's own generator (tie-free extras)
        self.now = 0.0
        self.finished = False
        self._chunk = int(chunk)
        self.channels = list(model.channels)
        self._cix = {c: i for i, c in enumerate(self.channels)}
        C = len(self.channels)
        self.H = model.horizon_s
        self.L = model.interval_s
        self.N = model.n_intervals
        self.warmup_iv = int(round(model.warmup_minutes * 60 / self.L))
        sl = model.service_level
        self._thr = [float(model.channels[c].answer_within_s if model.channels[c].answer_within_s is not None
                           else sl.answer_within_s) for c in self.channels]
        self._short = sl.short_abandon_s

        self._streams = [channel_streams(ss, i) for i in range(C)]
        self._dyn = [s[_STREAM_DYNAMIC] for s in self._streams]
        self._pools = [make_pools(model, name, ss, i) for i, name in enumerate(self.channels)]
        self._handle = [model.channels[c].handle_time.build() for c in self.channels]
        self._patience = [model.channels[c].patience.build() if model.channels[c].patience else None
                          for c in self.channels]
        self._retry_p = [model.channels[c].retry.probability if model.channels[c].retry else 0.0
                         for c in self.channels]
        self._retry_d = [model.channels[c].retry.delay_s.build() if model.channels[c].retry else None
                         for c in self.channels]
        self._factor = [1.0] * C

        # ---- pre-draw every channel's customers ---------------------------------------------
        ts, chs, ixs, hss, pts, us = [], [], [], [], [], []
        self._base_t: list[np.ndarray] = []
        for i in range(C):
            s = self._streams[i]
            t = self._draw_arrivals(i, s[_STREAM_ARRIVALS], 0.0, 1.0, first=True)
            n = len(t)
            self._base_t.append(t)
            ts.append(t)
            chs.append(np.full(n, i, dtype=np.int32))
            ixs.append(np.arange(n, dtype=np.int64))
            hss.append(self._handle[i].sample(s[_STREAM_HANDLE], n))
            pts.append(self._patience[i].sample(s[_STREAM_PATIENCE], n) if self._patience[i] is not None
                       else np.full(n, INF))
            us.append(s[_STREAM_UNIFORM].random((n, 3)))
        allt = np.concatenate(ts)
        order = np.argsort(allt, kind="stable")
        self._A_t = allt[order]
        self._A_ch = np.concatenate(chs)[order]
        self._A_ix = np.concatenate(ixs)[order]
        self._A_hs = np.concatenate(hss)[order]
        self._A_pt = np.concatenate(pts)[order]
        self._A_u = np.concatenate(us)[order]
        self._nA = len(allt)
        self._next = 0  # first arrival not yet in a chunk
        self._ci = 0  # index within the chunk
        self._cl: list = []  # the chunk as Python lists
        self._load_chunk()

        # ---- counters ---------------------------------------------------------------------------
        N = self.N
        self._cnt_names = ("offered", "answered", "answered_within", "abandoned", "short_abandons", "blocked",
                           "dropped", "wait_sum", "callbacks", "retries", "unserved")
        self._cnt = {k: [[0] * N for _ in range(C)] for k in self._cnt_names}
        self._cnt["wait_sum"] = [[0.0] * N for _ in range(C)]
        self._qtr = [[0, 0.0, [0.0] * N, [0] * N] for _ in range(C)]
        self._hurt = [np.zeros(len(t), dtype=bool) for t in self._base_t]
        self._extra_hurt = [0] * C
        self._extra_seen = [0] * C

        # ---- queues, groups, routing -------------------------------------------------------------
        self._queues = [deque() for _ in range(C)]
        self._waiting = [0] * C
        self._down = [False] * C
        self._redirect: list[tuple[int, float] | None] = [None] * C
        self._callback: list[tuple[float, float] | None] = [None] * C
        self._surge = [1.0] * C
        self._epoch = [0] * C
        self._heap: list = []
        self._next_seq = itertools.count().__next__
        self._groups: list[_Group] = []
        self._gindex: dict[str, _Group] = {}
        start_min = model.horizon.start_min
        for a in model.agents:
            g = self._new_group(a.group, a.group, a.site, a.concurrency, [self._cix[c] for c in a.channels],
                                label=a.name)
            s = (clock_minutes(a.shift.start) - start_min) * 60.0 if a.shift.start else 0.0
            e = (clock_minutes(a.shift.end) - start_min) * 60.0 if a.shift.end else None
            if s <= 0:
                self._add_slots(g, a.count * a.concurrency, 0.0)
            else:
                self._push(s, _P_STAFF, _JOIN, (g, a.count * a.concurrency))
            if e is not None:
                self._push(max(e, 0.0), _P_STAFF, _LEAVE, g)
        self._routes()
        self.timeline: list[tuple[float, object]] = []
        self._announced: set[str] = set()  # groups an applied agents_join will create

    # ------------------------------------------------------------------------------------------
    def _draw_arrivals(self, i: int, rng: np.random.Generator, t0: float, mult: float, first: bool = False):
        """Arrival times of channel ``i`` in [t0, horizon) at ``mult`` × the model's rates."""
        name = self.channels[i]
        if first:
            self._factor[i] = day_factor(self.model, name, rng)
        return arrival_times(self.model, name, rng, self._factor[i] * mult, t0)

    def _load_chunk(self) -> bool:
        """Turn the next block of pre-drawn arrivals into Python lists (ends with an INF sentinel)."""
        a = self._next
        b = min(a + self._chunk, self._nA)
        self._ci = 0
        if a >= b:
            self._cl = [[INF], [0], [0], [0.0], [INF]]
            self._exhausted = True
            return False
        self._cl = [self._A_t[a:b].tolist() + [INF], self._A_ch[a:b].tolist(), self._A_ix[a:b].tolist(),
                    self._A_hs[a:b].tolist(), self._A_pt[a:b].tolist()]
        self._chunk_start = a
        self._next = b
        self._exhausted = b >= self._nA
        return True

    def _push(self, t: float, prio: int, kind: int, payload) -> None:
        heapq.heappush(self._heap, (t, prio, self._next_seq(), kind, payload))

    def _new_group(self, name, base, site, conc, channels, label=None) -> _Group:
        if len(self._groups) >= limits.MAX_GROUPS:
            raise SimulationError("too many agent groups (limit {limit})", limit=limits.MAX_GROUPS)
        g = _Group(name, base, site, conc, channels, len(self._groups), self.N, label)
        self._groups.append(g)
        self._gindex[name] = g
        return g

    def _routes(self) -> None:
        C = len(self.channels)
        routes: list[list[_Group]] = [[] for _ in range(C)]
        for g in self._groups:
            for pri, c in enumerate(g.channels):
                routes[c].append((pri, g.order, g))
        self._route = [[g for _, _, g in sorted(r, key=lambda x: (x[0], x[1]))] for r in routes]

    # ---- agents ---------------------------------------------------------------------------------
    def _add_slots(self, g: _Group, k: int, t: float) -> None:
        if g.gone or k <= 0:
            return
        total = sum(x.slots for x in self._groups) + k
        if total > limits.MAX_AGENTS_TOTAL * limits.MAX_CONCURRENCY:
            raise SimulationError("{count} agents in the centre is beyond the limit of {limit}",
                                  count=total, limit=limits.MAX_AGENTS_TOTAL)
        g.slots += k
        _level(g.staff_tr, t, k, self.L, self.N)
        for _ in range(k):
            self._release(g, t)

    def _remove_slots(self, g: _Group, k: int, t: float, now: bool) -> None:
        k = min(k, g.slots - g.pending)
        if k <= 0:
            return
        f = min(g.free, k)
        if f:
            g.free -= f
            g.slots -= f
            _level(g.staff_tr, t, -f, self.L, self.N)
        rest = k - f
        if not rest:
            return
        if not now:
            g.pending += rest
            return
        victims = [ev[4] for ev in self._heap if ev[3] == _END and ev[4][GRP] is g and ev[4][ST] == SERVING]
        victims.sort(key=lambda c: -c[T])
        for c in victims[:rest]:
            self._drop(c, t, release=False)
        g.slots -= rest
        _level(g.staff_tr, t, -rest, self.L, self.N)

    def _release(self, g: _Group, t: float) -> None:
        """One slot of ``g`` is free: leave (pending), take the next waiting contact, or idle."""
        if g.pending:
            g.pending -= 1
            g.slots -= 1
            _level(g.staff_tr, t, -1, self.L, self.N)
            return
        waiting = self._waiting
        for ch in g.channels:
            if waiting[ch]:
                q = self._queues[ch]
                c = q.popleft()
                while c[ST] != WAITING:
                    c = q.popleft()
                waiting[ch] -= 1
                _level(self._qtr[ch], t, -1, self.L, self.N)
                self._serve(c, g, t)
                return
        g.free += 1

    def _serve(self, c: list, g: _Group, t: float) -> None:
        c[ST] = SERVING
        c[GRP] = g
        ch = c[CH]
        w = t - c[T]
        iv = c[IV]
        late = w > self._thr[ch]
        if iv >= 0:
            cnt = self._cnt
            cnt["answered"][ch][iv] += 1
            cnt["wait_sum"][ch][iv] += w
            if not late:
                cnt["answered_within"][ch][iv] += 1
        if late:
            self._mark_hurt(c)
        e = t + c[HS]
        c[END] = e
        _busy(g.busy_tr, t, e, self.L, self.N)
        heapq.heappush(self._heap, (e, _P_CUST, self._next_seq(), _END, c))

    def _mark_hurt(self, c: list) -> None:
        ix = c[OIX]
        if ix >= 0:
            self._hurt[c[OCH]][ix] = True
        elif ix == -1:
            self._extra_hurt[c[OCH]] += 1

    def _drop(self, c: list, t: float, release: bool) -> None:
        g = c[GRP]
        c[ST] = DROPPED
        if c[IV] >= 0:
            self._cnt["dropped"][c[CH]][c[IV]] += 1
        self._mark_hurt(c)
        _busy(g.busy_tr, t, c[END], self.L, self.N, -1.0)
        self._maybe_retry(c, t)
        if release:
            self._release(g, t)

    # ---- customers --------------------------------------------------------------------------------
    def _iv(self, t: float) -> int:
        return int(t // self.L) if 0 <= t < self.H else -1

    def _offer(self, c: list, t: float, u1: float, u2: float) -> None:
        ch = c[CH]
        r = self._redirect[ch]
        if r is not None and u1 < r[1]:
            to = r[0]
            c[CH] = ch = to
            c[HS] = self._pools[to][POOL_HANDLE].take()
            c[PAT] = self._pools[to][POOL_PATIENCE].take()
        iv = c[IV]
        cnt = self._cnt
        if iv >= 0:
            cnt["offered"][ch][iv] += 1
        if self._down[ch]:
            if iv >= 0:
                cnt["blocked"][ch][iv] += 1
            self._mark_hurt(c)
            self._maybe_retry(c, t)
            return
        for g in self._route[ch]:
            if g.free:
                g.free -= 1
                self._serve(c, g, t)
                return
        cb = self._callback[ch]
        if cb is not None and u2 < cb[0]:
            if iv >= 0:
                cnt["callbacks"][ch][iv] += 1
            c[PAT] = INF
            self._push(t + cb[1], _P_CUST, _CALLBACK, c)
            return
        self._enqueue(c, t)

    def _enqueue(self, c: list, t: float) -> None:
        ch = c[CH]
        self._queues[ch].append(c)
        self._waiting[ch] += 1
        _level(self._qtr[ch], t, 1, self.L, self.N)
        p = c[PAT]
        if p < INF:
            heapq.heappush(self._heap, (c[T] + p if c[T] + p > t else t, _P_CUST, self._next_seq(), _ABANDON, c))

    def _maybe_retry(self, c: list, t: float) -> None:
        ch = c[CH]
        p = self._retry_p[ch]
        if not p:
            return
        pools = self._pools[ch]
        if pools[POOL_UNIFORM].take() >= p:
            return
        t2 = t + pools[POOL_DELAY].take()
        iv = self._iv(t2)
        nc = [t2, ch, c[HS], c[PAT], iv, c[OCH], c[OIX], WAITING, None, 0.0]
        if iv >= 0:
            self._cnt["retries"][ch][iv] += 1
        self._push(t2, _P_CUST, _ARRIVE, nc)

    # ---- the loop ---------------------------------------------------------------------------------
    def run_until(self, t: float) -> Simulation:
        """Process every event strictly before ``t`` (seconds after the horizon starts)."""
        if t < self.now:
            raise SimulationError("cannot run back in time: now {now} s, asked {t} s", now=self.now, t=t)
        heap = self._heap
        pop = heapq.heappop
        push = heapq.heappush
        cl = self._cl
        ci = self._ci
        at = cl[0]
        L = self.L
        thr = self._thr
        cnt_off = self._cnt["offered"]
        cnt_ans = self._cnt["answered"]
        cnt_wait = self._cnt["wait_sum"]
        cnt_within = self._cnt["answered_within"]
        route = self._route
        down = self._down
        redirect = self._redirect
        surge = self._surge
        callback = self._callback
        qtr = self._qtr
        N = self.N
        nseq = self._next_seq
        waiting = self._waiting
        queues = self._queues
        mark_hurt = self._mark_hurt
        while True:
            na = at[ci]
            if na == INF and not self._exhausted:
                self._ci = ci
                self._load_chunk()
                cl = self._cl
                ci = 0
                at = cl[0]
                continue
            ht = heap[0][0] if heap else INF
            if na < ht:
                if na >= t:
                    break
                # ---- a base arrival ----
                ch = cl[1][ci]
                c = [na, ch, cl[3][ci], cl[4][ci], int(na // L), ch, cl[2][ci], WAITING, None, 0.0]
                ci += 1
                if surge[ch] != 1.0 or redirect[ch] is not None or down[ch] or callback[ch] is not None:
                    u = self._A_u[self._chunk_start + ci - 1]
                    if surge[ch] < 1.0 and u[2] >= surge[ch]:
                        continue
                    self._offer(c, na, float(u[0]), float(u[1]))
                    continue
                iv = c[4]
                cnt_off[ch][iv] += 1
                for g in route[ch]:
                    if g.free:
                        g.free -= 1
                        # inline serve, wait 0
                        c[ST] = SERVING
                        c[GRP] = g
                        cnt_ans[ch][iv] += 1
                        if thr[ch] >= 0:
                            cnt_within[ch][iv] += 1
                        e = na + c[HS]
                        c[END] = e
                        bt = g.busy_tr
                        i = int(na // L)
                        if e <= (i + 1) * L and i < N:
                            bt[i] += e - na
                        else:
                            _busy(bt, na, e, L, N)
                        push(heap, (e, _P_CUST, nseq(), _END, c))
                        break
                else:
                    queues[ch].append(c)
                    waiting[ch] += 1
                    _level(qtr[ch], na, 1, L, N)
                    p = c[PAT]
                    if p < INF:
                        push(heap, (na + p, _P_CUST, nseq(), _ABANDON, c))
                continue
            if ht >= t:
                break
            ev = pop(heap)
            kind = ev[3]
            now = ev[0]
            if kind == _END:
                c = ev[4]
                if c[ST] != SERVING:
                    continue
                c[ST] = GONE
                g = c[GRP]
                # fast hand-over to the next waiting contact
                if not g.pending:
                    for ch in g.channels:
                        if waiting[ch]:
                            q = queues[ch]
                            nc = q.popleft()
                            while nc[ST] != WAITING:
                                nc = q.popleft()
                            waiting[ch] -= 1
                            _level(qtr[ch], now, -1, L, N)
                            nc[ST] = SERVING
                            nc[GRP] = g
                            w = now - nc[T]
                            iv = nc[IV]
                            if iv >= 0:
                                cnt_ans[ch][iv] += 1
                                cnt_wait[ch][iv] += w
                                if w <= thr[ch]:
                                    cnt_within[ch][iv] += 1
                            if w > thr[ch]:
                                mark_hurt(nc)
                            e = now + nc[HS]
                            nc[END] = e
                            bt = g.busy_tr
                            i = int(now // L)
                            if e <= (i + 1) * L and i < N:
                                bt[i] += e - now
                            else:
                                _busy(bt, now, e, L, N)
                            push(heap, (e, _P_CUST, nseq(), _END, nc))
                            break
                    else:
                        g.free += 1
                    continue
                self._release(g, now)
            elif kind == _ABANDON:
                c = ev[4]
                if c[ST] != WAITING:
                    continue
                c[ST] = GONE
                ch = c[CH]
                waiting[ch] -= 1
                _level(qtr[ch], now, -1, L, N)
                iv = c[IV]
                if iv >= 0:
                    self._cnt["abandoned"][ch][iv] += 1
                    if now - c[T] < self._short:
                        self._cnt["short_abandons"][ch][iv] += 1
                mark_hurt(c)
                self._maybe_retry(c, now)
            else:
                self._ci = ci
                self._event(ev)
                cl = self._cl
                ci = self._ci
                at = cl[0]
                route = self._route
        self._ci = ci
        self.now = max(self.now, t if t < INF else self.now)
        return self

    def _event(self, ev: tuple) -> None:
        t, _, _, kind, payload = ev
        if kind == _ARRIVE:
            u = self._pools[payload[CH]][POOL_UNIFORM]
            self._offer(payload, t, u.take(), u.take())
        elif kind == _CALLBACK:
            c = payload
            for g in self._route[c[CH]]:
                if g.free:
                    g.free -= 1
                    self._serve(c, g, t)
                    return
            self._enqueue(c, t)
        elif kind == _SURGE:
            c, epoch = payload
            if epoch != self._epoch[c[CH]]:
                return
            u = self._pools[c[CH]][POOL_UNIFORM]
            self._offer(c, t, u.take(), u.take())
        elif kind == _JOIN:
            g, k = payload
            self._add_slots(g, k, t)
        elif kind == _LEAVE:
            self._remove_slots(payload, payload.slots, t, now=False)
        elif kind == _JOINFX:
            self._join(payload, t)
        elif kind == _EFFECT:
            self._do_effect(payload, t)

    # ---- effects ------------------------------------------------------------------------------------
    def _channel(self, name: str) -> int:
        if name not in self._cix:
            raise SimulationError("the effect names unknown channel {channel}", channel=name)
        return self._cix[name]

    def _groups_of(self, name: str) -> list[_Group]:
        gs = [g for g in self._groups if g.base == name]
        if not gs:
            raise SimulationError("the effect names unknown agent group {group}", group=name)
        return gs

    def _check_effect(self, e) -> None:
        if isinstance(e, (fx.ChannelDown, fx.ChannelUp, fx.CallbackOffered)):
            self._channel(e.channel)
        elif isinstance(e, fx.Redirect):
            self._channel(e.from_channel)
            self._channel(e.to_channel)
        elif isinstance(e, fx.Surge):
            if e.channel is not None:
                self._channel(e.channel)
        elif isinstance(e, fx.AgentsLost):
            if e.group not in self._announced:
                self._groups_of(e.group)
        elif isinstance(e, fx.AgentsJoin):
            if e.channels:
                for c in e.channels:
                    self._channel(c)
            elif e.group not in self._gindex and not any(g.base == e.group for g in self._groups):
                raise SimulationError("agent group {group} is new: the effect must list its channels",
                                      group=e.group)
        elif isinstance(e, fx.Overflow):
            self._groups_of(e.from_group)
            self._groups_of(e.to_group)
        elif isinstance(e, fx.SiteLost):
            pass
        else:
            raise SimulationError("unknown effect")

    def apply(self, effect, at: float | None = None) -> Simulation:
        """Schedule ``effect`` at ``at`` seconds after the horizon starts (default: now)."""
        at = self.now if at is None else float(at)
        if at < self.now:
            raise SimulationError("cannot apply an effect in the past: now {now} s, effect at {at} s",
                                  now=self.now, at=at)
        if not math.isfinite(at):
            raise SimulationError("the effect time must be finite")
        self._check_effect(effect)
        if isinstance(effect, fx.AgentsJoin):
            self._announced.add(effect.group)
        self.timeline.append((at, effect))
        self._push(at, _P_EFFECT, _EFFECT, effect)
        return self

    def _do_effect(self, e, t: float) -> None:
        if isinstance(e, fx.ChannelDown):
            ch = self._cix[e.channel]
            self._down[ch] = True
            if e.in_progress == "drop":
                q = self._queues[ch]
                while q:
                    c = q.popleft()
                    if c[ST] != WAITING:
                        continue
                    c[ST] = GONE
                    self._waiting[ch] -= 1
                    _level(self._qtr[ch], t, -1, self.L, self.N)
                    if c[IV] >= 0:
                        self._cnt["blocked"][ch][c[IV]] += 1
                    self._mark_hurt(c)
                    self._maybe_retry(c, t)
                victims = [ev[4] for ev in self._heap
                           if ev[3] == _END and ev[4][CH] == ch and ev[4][ST] == SERVING]
                victims.sort(key=lambda c: (c[T], c[OIX]))
                for c in victims:
                    self._drop(c, t, release=True)
        elif isinstance(e, fx.ChannelUp):
            self._down[self._cix[e.channel]] = False
        elif isinstance(e, fx.AgentsLost):
            left = e.count
            for g in [g for g in self._groups if g.base == e.group]:
                agents = (g.slots - g.pending) // g.conc
                k = min(left, agents)
                self._remove_slots(g, k * g.conc, t, now=(e.when == "now"))
                left -= k
                if not left:
                    break
        elif isinstance(e, fx.SiteLost):
            for g in self._groups:
                if g.site == e.site:
                    self._remove_slots(g, g.slots, t, now=(e.when == "now"))
                    g.gone = True
        elif isinstance(e, fx.AgentsJoin):
            self._push(t + e.ramp_minutes * 60.0, _P_STAFF, _JOINFX, e)
        elif isinstance(e, fx.Redirect):
            f = self._cix[e.from_channel]
            self._redirect[f] = (self._cix[e.to_channel], e.share) if e.share > 0 else None
        elif isinstance(e, fx.CallbackOffered):
            ch = self._cix[e.channel]
            self._callback[ch] = (e.share, e.delay_minutes * 60.0) if e.share > 0 else None
        elif isinstance(e, fx.Surge):
            chans = [self._cix[e.channel]] if e.channel is not None else range(len(self.channels))
            for ch in chans:
                self._surge[ch] = e.factor
                self._epoch[ch] += 1
                if e.factor > 1.0 and t < self.H:
                    dyn = self._dyn[ch]
                    times = self._draw_arrivals(ch, dyn, t, e.factor - 1.0)
                    n = len(times)
                    hs = self._handle[ch].sample(dyn, n)
                    p = self._patience[ch]
                    pt = p.sample(dyn, n) if p is not None else np.full(n, INF)
                    w = self.warmup_iv * self.L
                    for x, h, q in zip(times.tolist(), hs.tolist(), pt.tolist(), strict=True):
                        c = [x, ch, h, q, int(x // self.L), ch, -1 if x >= w else -2, WAITING, None, 0.0]
                        self._push(x, _P_CUST, _SURGE, (c, self._epoch[ch]))
                        self._extra_seen[ch] += 1 if x >= w else 0
        elif isinstance(e, fx.Overflow):
            src = self._groups_of(e.from_group)
            extra = []
            for g in src:
                for c in g.base_channels:
                    if c not in extra:
                        extra.append(c)
            for g in self._groups_of(e.to_group):
                if e.enabled:
                    g.channels = g.base_channels + [c for c in extra if c not in g.base_channels]
                else:
                    g.channels = list(g.base_channels)
            self._routes()
            if e.enabled:
                for g in self._groups_of(e.to_group):
                    k = g.free
                    g.free = 0
                    for _ in range(k):
                        self._release(g, t)

    def _join(self, e: fx.AgentsJoin, t: float) -> None:
        g = next((g for g in self._groups if g.base == e.group and g.site == e.site and not g.gone), None)
        if g is None:
            base = next((g for g in self._groups if g.base == e.group), None)
            chans = [self._cix[c] for c in e.channels] if e.channels else list(base.base_channels)
            conc = base.conc if base is not None else 1
            name = f"{e.group}@{e.site}"
            while name in self._gindex:
                name += "+"
            g = self._new_group(name, e.group, e.site, conc, chans,
                                label=base.label if base is not None else None)
            self._routes()
        self._add_slots(g, e.count * g.conc, t)

    # ---- results --------------------------------------------------------------------------------
    def finish(self) -> Simulation:
        """Run past the horizon until every customer is served or gone; close the rest as unserved."""
        if self.finished:
            return self
        self.run_until(INF)
        self.now = max(self.now, self.H)
        for ch, q in enumerate(self._queues):
            while q:
                c = q.popleft()
                if c[ST] != WAITING:
                    continue
                c[ST] = GONE
                if c[IV] >= 0:
                    self._cnt["abandoned"][ch][c[IV]] += 1
                    self._cnt["unserved"][ch][c[IV]] += 1
                self._mark_hurt(c)
            if self._waiting[ch]:
                _level(self._qtr[ch], self.now, -self._waiting[ch], self.L, self.N)
                self._waiting[ch] = 0
        self.finished = True
        return self

    def counters(self) -> Counters:
        m = self.model
        t = min(self.now, self.H) if not self.finished else self.H
        L, N = self.L, self.N
        out = Counters(
            channels=list(self.channels), groups=[g.name for g in self._groups],
            group_concurrency=[g.conc for g in self._groups], interval_s=L, horizon_s=self.H,
            warmup_intervals=self.warmup_iv, start_minutes=m.horizon.start_min, thresholds=list(self._thr),
            target=m.service_level.target, definition=m.service_level.definition,
            short_abandon_s=m.service_level.short_abandon_s, now=self.now)
        for k in self._cnt_names:
            out.per_channel[k] = np.asarray(self._cnt[k], dtype=float)
        qa, qm = zip(*[_flushed(tr, t, L, N) for tr in self._qtr], strict=True)
        out.per_channel["queue_area"] = np.asarray(qa, dtype=float)
        out.per_channel["queue_max"] = np.asarray(qm, dtype=float)
        ba = [list(g.busy_tr[:N]) for g in self._groups]
        if not self.finished:  # take out the future part of contacts still in service
            index = {g.name: j for j, g in enumerate(self._groups)}
            for ev in self._heap:
                if ev[3] == _END and ev[4][ST] == SERVING and ev[0] > t:
                    tmp = [0.0] * (N + 1)
                    _busy(tmp, max(t, 0.0), ev[0], L, N)
                    row = ba[index[ev[4][GRP].name]]
                    for i in range(N):
                        if tmp[i]:
                            row[i] -= tmp[i]
        sa = [_flushed(g.staff_tr, t, L, N)[0] for g in self._groups]
        out.per_group["busy_area"] = np.asarray(ba, dtype=float)
        out.per_group["staffed_area"] = np.asarray(sa, dtype=float)
        return out

    def kpis(self) -> dict:
        """KPIs so far: see :func:`ccdrill.twin.kpis.summarise`."""
        from ccdrill.twin.kpis import summarise

        return summarise(self.counters())

    def hurt(self) -> tuple[list[np.ndarray], list[int]]:
        """Per channel: which counted base customers were blocked, abandoned, dropped or answered late;
        and how many surge customers were."""
        w = self.warmup_iv * self.L
        return ([h & (bt >= w) for h, bt in zip(self._hurt, self._base_t, strict=True)],
                list(self._extra_hurt))


POOL_UNIFORM, POOL_DELAY, POOL_HANDLE, POOL_PATIENCE = range(4)
POOL_BLOCK = 1024


class Pool:
    """Draws made during the run (retry decisions and delays, redirected customers' handle time and
    patience, routing draws of dynamic contacts), taken one by one from fixed-size blocks of a
    substream of their own — the same sequence whichever engine takes them."""

    __slots__ = ("rng", "draw", "buf", "i")

    def __init__(self, rng: np.random.Generator, draw) -> None:
        self.rng = rng
        self.draw = draw
        self.buf: list[float] = []
        self.i = 0

    def block(self) -> np.ndarray:
        return np.asarray(self.draw(self.rng, POOL_BLOCK), dtype=float)

    def take(self) -> float:
        if self.i >= len(self.buf):
            self.buf = self.block().tolist()
            self.i = 0
        v = self.buf[self.i]
        self.i += 1
        return v


def make_pools(model: CentreModel, name: str, ss: np.random.SeedSequence, i: int) -> list[Pool]:
    ch = model.channels[name]
    handle = ch.handle_time.build()
    patience = ch.patience.build() if ch.patience else None
    delay = ch.retry.delay_s.build() if ch.retry else None

    def rng(k: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence(ss.entropy, spawn_key=ss.spawn_key + (i, 5 + k)))

    return [
        Pool(rng(POOL_UNIFORM), lambda r, n: r.random(n)),
        Pool(rng(POOL_DELAY), (lambda r, n: delay.sample(r, n)) if delay else (lambda r, n: np.zeros(n))),
        Pool(rng(POOL_HANDLE), lambda r, n: handle.sample(r, n)),
        Pool(rng(POOL_PATIENCE), (lambda r, n: patience.sample(r, n)) if patience else (lambda r, n: np.full(n, INF))),
    ]


def channel_streams(ss: np.random.SeedSequence, i: int) -> list[np.random.Generator]:
    """The five random substreams of channel ``i``: arrivals, handle times, patience, routing draws, dynamic."""
    return [np.random.default_rng(np.random.SeedSequence(ss.entropy, spawn_key=ss.spawn_key + (i, k)))
            for k in range(5)]


def day_factor(model: CentreModel, name: str, rng: np.random.Generator) -> float:
    """The day's volume factor of a channel (mean 1), drawn first from its arrival stream."""
    f = model.channels[name].day_factor
    if f is None:
        return 1.0
    if f.distribution == "gamma":
        k = 1.0 / f.cv**2
        return float(rng.gamma(k, 1.0 / k))
    s2 = math.log1p(f.cv**2)
    return float(rng.lognormal(-s2 / 2, math.sqrt(s2)))


def arrival_times(model: CentreModel, name: str, rng: np.random.Generator, mult: float, t0: float = 0.0):
    """Poisson arrivals with piecewise-constant rates × ``mult`` in [t0, horizon), sorted (vectorised)."""
    H = model.horizon_s
    seg, rates = model.rates(name)
    starts = np.arange(len(rates)) * seg
    ends = np.minimum(starts + seg, H)
    starts = np.maximum(starts, t0)
    lengths = np.clip(ends - starts, 0.0, None)
    lam = np.asarray(rates, dtype=float) * mult * lengths / 3600.0
    if float(lam.sum()) > limits.MAX_CUSTOMERS:
        raise SimulationError("about {n} customers a day is beyond the limit of {limit}",
                              n=int(lam.sum()), limit=limits.MAX_CUSTOMERS)
    counts = rng.poisson(lam)
    total = int(counts.sum())
    t = np.repeat(starts, counts) + rng.random(total) * np.repeat(lengths, counts)
    t.sort()
    return t


def check_limits(model: CentreModel) -> None:
    """Refuse absurd sizes before any memory is spent (models may be built without validation)."""
    from ccdrill.twin.model import check_model

    try:
        check_model(model)
    except Exception as exc:  # PydanticCustomError → SimulationError with the same msgid
        tmpl = getattr(exc, "message_template", None)
        ctx = getattr(exc, "context", None) or {}
        if tmpl is None:
            raise
        raise SimulationError(tmpl, **ctx) from None
    for a in model.agents:
        if a.count > limits.MAX_AGENTS_PER_GROUP:
            raise SimulationError("{count} agents in one group is beyond the limit of {limit}",
                                  count=a.count, limit=limits.MAX_AGENTS_PER_GROUP)
    for name, ch in model.channels.items():
        for spec in (ch.handle_time, ch.patience):
            if spec is not None and spec.distribution != "empirical":
                if spec.mean_s is None or not (limits.MIN_MEAN_S <= spec.mean_s <= limits.MAX_MEAN_S):
                    raise SimulationError("channel {channel}: mean_s must be between {low} and {high} seconds",
                                          channel=name, low=limits.MIN_MEAN_S, high=limits.MAX_MEAN_S)
