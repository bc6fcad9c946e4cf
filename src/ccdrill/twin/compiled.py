"""The general engine compiled: the same simulation as :class:`~ccdrill.twin.engine.Simulation`, with its
event loop in numba and its state in arrays.

``CompiledSimulation`` is a drop-in for ``Simulation`` (same constructor, ``run_until``, ``apply``,
``kpis``, ``finish``, ``counters``, ``hurt``).  It follows the very same algorithm and takes the very same
random draws, so with the same model, seed and effect timeline it gives the same numbers as the
pure-Python engine (the tests hold it to that).  The set-up is done by the pure engine; effects, shifts
and other rare events are handled in Python on the arrays, between compiled stretches of customers.
Only available when numba is installed (:func:`available`).
"""

from __future__ import annotations

import math

import numpy as np

from ccdrill.twin import effects as fx
from ccdrill.twin import limits
from ccdrill.twin.engine import (
    _EFFECT,
    _END,
    _JOIN,
    _JOINFX,
    _LEAVE,
    _P_CUST,
    _P_EFFECT,
    _P_STAFF,
    _SURGE,
    INF,
    POOL_BLOCK,
    Counters,
    Simulation,
    SimulationError,
    _flushed,
)

try:
    import numba as _numba
except ImportError:  # pragma: no cover
    _numba = None

# contact fields
F_T, F_HS, F_PAT, F_END = range(4)
I_CH, I_IV, I_OCH, I_OIX, I_ST, I_GRP, I_QNEXT, I_EPOCH = range(8)
WAITING, SERVING, GONE, DROPPED = 0, 1, 2, 3
# heap int fields
H_PRIO, H_SEQ, H_KIND, H_ID = range(4)
# meta
M_HN, M_SEQ, M_NC, M_APOS, M_LOW = range(5)
# groups
G_FREE, G_SLOTS, G_PENDING, G_GONE, G_CONC, G_NCH = range(6)
# channels (int)
K_DOWN, K_RTO, K_WAITING, K_QHEAD, K_QTAIL, K_EPOCH, K_NRT = range(7)
# channels (float)
KF_RSHARE, KF_CBSHARE, KF_CBDELAY, KF_SURGE, KF_THR, KF_RETRYP = range(6)
# counters (same order as the pure engine's names)
C_OFF, C_ANS, C_WITHIN, C_ABAND, C_SHORT, C_BLOCK, C_DROP, C_WAIT, C_CB, C_RETRY, C_UNSERVED = range(11)
# pools
P_UNI, P_DELAY, P_HANDLE, P_PAT = range(4)
# kinds handled in the kernel (the pure engine's numbering)
K_END, K_ABANDON, K_ARRIVE, K_CALLBACK, K_SURGE = 0, 1, 5, 6, 7
MARGIN = 16



if _numba is not None:  # the compiled engine: module-level functions, inlined into ``run``
    # No function here allocates, so numba's reference counting (NRT) is switched off: with it on, every
    # inlined call increfs and decrefs each array argument, which tripled the cost of a customer.
    try:
        _FLAGS = {"_nrt": False}
        _numba.njit(**_FLAGS)
    except Exception:  # pragma: no cover - a numba without the flag
        _FLAGS = {}
    njit = _numba.njit(cache=True, nogil=True, inline="always", **_FLAGS)
    njit_outer = _numba.njit(cache=True, nogil=True, **_FLAGS)

    @njit
    def push(HT, HI, META, t, prio, kind, cid):
        n = META[M_HN]
        seq = META[M_SEQ]
        META[M_SEQ] = seq + 1
        META[M_HN] = n + 1
        j = n
        while j > 0:
            p = (j - 1) // 2
            tp = HT[p]
            if t < tp or (t == tp and (prio < HI[p, 0] or (prio == HI[p, 0] and seq < HI[p, 1]))):
                HT[j] = tp
                HI[j, 0] = HI[p, 0]
                HI[j, 1] = HI[p, 1]
                HI[j, 2] = HI[p, 2]
                HI[j, 3] = HI[p, 3]
                j = p
            else:
                break
        HT[j] = t
        HI[j, 0] = prio
        HI[j, 1] = seq
        HI[j, 2] = kind
        HI[j, 3] = cid

    @njit
    def pop(HT, HI, META):
        t0 = HT[0]
        kind = HI[0, 2]
        cid = HI[0, 3]
        n = META[M_HN] - 1
        META[M_HN] = n
        if n > 0:
            t = HT[n]
            pr = HI[n, 0]
            sq = HI[n, 1]
            kd = HI[n, 2]
            ci = HI[n, 3]
            j = 0
            while True:
                c = 2 * j + 1
                if c >= n:
                    break
                r = c + 1
                if r < n and (HT[r] < HT[c] or (HT[r] == HT[c] and (HI[r, 0] < HI[c, 0] or (
                        HI[r, 0] == HI[c, 0] and HI[r, 1] < HI[c, 1])))):
                    c = r
                if HT[c] < t or (HT[c] == t and (HI[c, 0] < pr or (HI[c, 0] == pr and HI[c, 1] < sq))):
                    HT[j] = HT[c]
                    HI[j, 0] = HI[c, 0]
                    HI[j, 1] = HI[c, 1]
                    HI[j, 2] = HI[c, 2]
                    HI[j, 3] = HI[c, 3]
                    j = c
                else:
                    break
            HT[j] = t
            HI[j, 0] = pr
            HI[j, 1] = sq
            HI[j, 2] = kd
            HI[j, 3] = ci
        return t0, kind, cid

    @njit
    def level(LV, A, M, r, t, d, L, N):
        lvl = LV[r, 0]
        last = LV[r, 1]
        if t > last:
            if lvl != 0:
                i = int(last // L)
                end = (i + 1) * L
                while t > end and i < N:
                    A[r, i] += lvl * (end - last)
                    last = end
                    i += 1
                    end = (i + 1) * L
                    if i < N and lvl > M[r, i]:
                        M[r, i] = lvl
                if i < N:
                    A[r, i] += lvl * (t - last)
            LV[r, 1] = t
        lvl += d
        LV[r, 0] = lvl
        if d > 0:
            i = int(t // L)
            if i < N and lvl > M[r, i]:
                M[r, i] = lvl

    @njit
    def busy(BA, g, t0, t1, L, N, sign):
        i = int(t0 // L)
        while t0 < t1 and i < N:
            end = (i + 1) * L
            e = t1 if t1 < end else end
            BA[g, i] += sign * (e - t0)
            t0 = end
            i += 1

    @njit
    def take(PB, PIX, PN, META, ch, k):
        i = PIX[ch, k]
        v = PB[ch, k, i]
        PIX[ch, k] = i + 1
        if PN[ch, k] - i - 1 < MARGIN:
            META[M_LOW] = 1
        return v

    @njit
    def mark_hurt(CI, HURT, EXH, c):
        ix = CI[c, I_OIX]
        if ix >= 0:
            HURT[ix] = 1
        elif ix == -1:
            EXH[CI[c, I_OCH]] += 1

    @njit
    def new_contact(CF, CI, META, t, ch, hs, pat, iv, och, oix):
        c = META[M_NC]
        META[M_NC] = c + 1
        CF[c, F_T] = t
        CF[c, F_HS] = hs
        CF[c, F_PAT] = pat
        CF[c, F_END] = 0.0
        CI[c, I_CH] = ch
        CI[c, I_IV] = iv
        CI[c, I_OCH] = och
        CI[c, I_OIX] = oix
        CI[c, I_ST] = WAITING
        CI[c, I_GRP] = -1
        CI[c, I_QNEXT] = -1
        CI[c, I_EPOCH] = 0
        return c

    @njit
    def serve(CF, CI, KF, CNT, BA, HT, HI, META, HURT, EXH, L, N, c, g, t):
        CI[c, I_ST] = SERVING
        CI[c, I_GRP] = g
        ch = CI[c, I_CH]
        w = t - CF[c, F_T]
        iv = CI[c, I_IV]
        late = w > KF[ch, KF_THR]
        if iv >= 0:
            CNT[C_ANS, ch, iv] += 1
            CNT[C_WAIT, ch, iv] += w
            if not late:
                CNT[C_WITHIN, ch, iv] += 1
        if late:
            mark_hurt(CI, HURT, EXH, c)
        e = t + CF[c, F_HS]
        CF[c, F_END] = e
        busy(BA, g, t, e, L, N, 1.0)
        push(HT, HI, META, e, _P_CUST, K_END, c)

    @njit
    def maybe_retry(CF, CI, KF, CNT, PB, PIX, PN, META, HT, HI, L, H, c, t):
        ch = CI[c, I_CH]
        p = KF[ch, KF_RETRYP]
        if p == 0.0:
            return
        if take(PB, PIX, PN, META, ch, P_UNI) >= p:
            return
        t2 = t + take(PB, PIX, PN, META, ch, P_DELAY)
        iv = -1
        if t2 >= 0 and t2 < H:
            iv = int(t2 // L)
        nc = new_contact(CF, CI, META, t2, ch, CF[c, F_HS], CF[c, F_PAT], iv, CI[c, I_OCH], CI[c, I_OIX])
        if iv >= 0:
            CNT[C_RETRY, ch, iv] += 1
        push(HT, HI, META, t2, _P_CUST, K_ARRIVE, nc)

    @njit
    def enqueue(CF, CI, KI, QLV, QA, QM, HT, HI, META, L, N, c, t):
        ch = CI[c, I_CH]
        CI[c, I_QNEXT] = -1
        tail = KI[ch, K_QTAIL]
        if tail >= 0:
            CI[tail, I_QNEXT] = c
        else:
            KI[ch, K_QHEAD] = c
        KI[ch, K_QTAIL] = c
        KI[ch, K_WAITING] += 1
        level(QLV, QA, QM, ch, t, 1, L, N)
        p = CF[c, F_PAT]
        if p < np.inf:
            tt = CF[c, F_T] + p
            if tt < t:
                tt = t
            push(HT, HI, META, tt, _P_CUST, K_ABANDON, c)

    @njit
    def pop_queue(CI, KI, ch):
        c = KI[ch, K_QHEAD]
        while CI[c, I_ST] != WAITING:
            c = CI[c, I_QNEXT]
        nxt = CI[c, I_QNEXT]
        KI[ch, K_QHEAD] = nxt
        if nxt < 0:
            KI[ch, K_QTAIL] = -1
        return c

    @njit
    def pull(CF, CI, GI, GCH, KI, KF, CNT, BA, QLV, QA, QM, HT, HI, META, HURT, EXH, L, N, g, t):
        for k in range(GI[g, G_NCH]):
            ch = GCH[g, k]
            if KI[ch, K_WAITING] > 0:
                c = pop_queue(CI, KI, ch)
                KI[ch, K_WAITING] -= 1
                level(QLV, QA, QM, ch, t, -1, L, N)
                serve(CF, CI, KF, CNT, BA, HT, HI, META, HURT, EXH, L, N, c, g, t)
                return True
        return False

    @njit
    def release(CF, CI, GI, GCH, KI, KF, CNT, BA, QLV, QA, QM, SLV, SA, SM, HT, HI, META, HURT, EXH, L, N, g, t):
        if GI[g, G_PENDING] > 0:
            GI[g, G_PENDING] -= 1
            GI[g, G_SLOTS] -= 1
            level(SLV, SA, SM, g, t, -1, L, N)
            return
        if not pull(CF, CI, GI, GCH, KI, KF, CNT, BA, QLV, QA, QM, HT, HI, META, HURT, EXH, L, N, g, t):
            GI[g, G_FREE] += 1

    @njit
    def offer(CF, CI, GI, RT, KI, KF, CNT, BA, QLV, QA, QM, HT, HI, META, HURT, EXH, PB, PIX, PN, L, N, H,
              c, t, u1, u2):
        ch = CI[c, I_CH]
        to = KI[ch, K_RTO]
        if to >= 0 and u1 < KF[ch, KF_RSHARE]:
            CI[c, I_CH] = to
            ch = to
            CF[c, F_HS] = take(PB, PIX, PN, META, to, P_HANDLE)
            CF[c, F_PAT] = take(PB, PIX, PN, META, to, P_PAT)
        iv = CI[c, I_IV]
        if iv >= 0:
            CNT[C_OFF, ch, iv] += 1
        if KI[ch, K_DOWN] != 0:
            if iv >= 0:
                CNT[C_BLOCK, ch, iv] += 1
            mark_hurt(CI, HURT, EXH, c)
            maybe_retry(CF, CI, KF, CNT, PB, PIX, PN, META, HT, HI, L, H, c, t)
            return
        for r in range(KI[ch, K_NRT]):
            g = RT[ch, r]
            if GI[g, G_FREE] > 0:
                GI[g, G_FREE] -= 1
                serve(CF, CI, KF, CNT, BA, HT, HI, META, HURT, EXH, L, N, c, g, t)
                return
        cbs = KF[ch, KF_CBSHARE]
        if cbs >= 0.0 and u2 < cbs:
            if iv >= 0:
                CNT[C_CB, ch, iv] += 1
            CF[c, F_PAT] = np.inf
            push(HT, HI, META, t + KF[ch, KF_CBDELAY], _P_CUST, K_CALLBACK, c)
            return
        enqueue(CF, CI, KI, QLV, QA, QM, HT, HI, META, L, N, c, t)

    @njit_outer
    def drop(CF, CI, GI, GCH, KI, KF, CNT, BA, QLV, QA, QM, SLV, SA, SM, HT, HI, META, HURT, EXH, PB, PIX, PN,
             L, N, H, c, t, do_release):
        g = CI[c, I_GRP]
        CI[c, I_ST] = DROPPED
        if CI[c, I_IV] >= 0:
            CNT[C_DROP, CI[c, I_CH], CI[c, I_IV]] += 1
        mark_hurt(CI, HURT, EXH, c)
        busy(BA, g, t, CF[c, F_END], L, N, -1.0)
        maybe_retry(CF, CI, KF, CNT, PB, PIX, PN, META, HT, HI, L, H, c, t)
        if do_release:
            release(CF, CI, GI, GCH, KI, KF, CNT, BA, QLV, QA, QM, SLV, SA, SM, HT, HI, META, HURT, EXH, L, N, g, t)

    @njit_outer
    def release_py(CF, CI, GI, GCH, KI, KF, CNT, BA, QLV, QA, QM, SLV, SA, SM, HT, HI, META, HURT, EXH, L, N,
                   g, t):
        release(CF, CI, GI, GCH, KI, KF, CNT, BA, QLV, QA, QM, SLV, SA, SM, HT, HI, META, HURT, EXH, L, N, g, t)

    @njit_outer
    def retry_py(CF, CI, KF, CNT, PB, PIX, PN, META, HT, HI, L, H, c, t):
        maybe_retry(CF, CI, KF, CNT, PB, PIX, PN, META, HT, HI, L, H, c, t)

    @njit_outer
    def push_py(HT, HI, META, t, prio, kind, cid):
        push(HT, HI, META, t, prio, kind, cid)

    @njit_outer
    def pop_py(HT, HI, META):
        return pop(HT, HI, META)

    @njit_outer
    def level_py(LV, A, M, r, t, d, L, N):
        level(LV, A, M, r, t, d, L, N)

    @njit_outer
    def new_contact_py(CF, CI, META, t, ch, hs, pat, iv, och, oix):
        return new_contact(CF, CI, META, t, ch, hs, pat, iv, och, oix)

    @njit_outer
    def run(CF, CI, HT, HI, META, GI, GCH, RT, KI, KF, CNT, QLV, QA, QM, BA, SLV, SA, SM, HURT, EXH,
            PB, PIX, PN, AT, AHS, APT, ACH, AU, PF, t_end, cap, hcap):
        """Customers until ``t_end``; returns 0 done, 1 a Python event is next, 2 refill or grow."""
        L = PF[0]
        H = PF[1]
        short = PF[2]
        N = QA.shape[1]
        nA = AT.shape[0]
        while True:
            if META[M_LOW] != 0 or META[M_NC] + MARGIN > cap or META[M_HN] + MARGIN > hcap:
                return 2
            k = META[M_APOS]
            na = np.inf
            if k < nA:
                na = AT[k]
            ht = np.inf
            if META[M_HN] > 0:
                ht = HT[0]
            if na < ht:
                if na >= t_end:
                    return 0
                META[M_APOS] = k + 1
                ch = ACH[k]
                CF[k, F_T] = na
                CF[k, F_HS] = AHS[k]
                CF[k, F_PAT] = APT[k]
                CF[k, F_END] = 0.0
                CI[k, I_CH] = ch
                CI[k, I_IV] = int(na // L)
                CI[k, I_OCH] = ch
                CI[k, I_OIX] = k
                CI[k, I_ST] = WAITING
                CI[k, I_GRP] = -1
                CI[k, I_QNEXT] = -1
                CI[k, I_EPOCH] = 0
                sg = KF[ch, KF_SURGE]
                if sg < 1.0 and AU[k, 2] >= sg:
                    continue
                u1 = AU[k, 0]
                u2 = AU[k, 1]
                offer(CF, CI, GI, RT, KI, KF, CNT, BA, QLV, QA, QM, HT, HI, META, HURT, EXH, PB, PIX, PN, L, N, H,
                      k, na, u1, u2)
                continue
            if ht >= t_end:
                return 0
            kind = HI[0, 2]
            if kind != K_END and kind != K_ABANDON and kind != K_ARRIVE and kind != K_CALLBACK \
                    and kind != K_SURGE:
                return 1
            now, kind, c = pop(HT, HI, META)
            if kind == K_END:
                if CI[c, I_ST] != SERVING:
                    continue
                CI[c, I_ST] = GONE
                g = CI[c, I_GRP]
                if GI[g, G_PENDING] == 0:
                    if not pull(CF, CI, GI, GCH, KI, KF, CNT, BA, QLV, QA, QM, HT, HI, META, HURT, EXH, L, N,
                                g, now):
                        GI[g, G_FREE] += 1
                    continue
                release(CF, CI, GI, GCH, KI, KF, CNT, BA, QLV, QA, QM, SLV, SA, SM, HT, HI, META, HURT, EXH, L, N,
                        g, now)
            elif kind == K_ABANDON:
                if CI[c, I_ST] != WAITING:
                    continue
                CI[c, I_ST] = GONE
                ch = CI[c, I_CH]
                KI[ch, K_WAITING] -= 1
                level(QLV, QA, QM, ch, now, -1, L, N)
                iv = CI[c, I_IV]
                if iv >= 0:
                    CNT[C_ABAND, ch, iv] += 1
                    if now - CF[c, F_T] < short:
                        CNT[C_SHORT, ch, iv] += 1
                mark_hurt(CI, HURT, EXH, c)
                maybe_retry(CF, CI, KF, CNT, PB, PIX, PN, META, HT, HI, L, H, c, now)
            elif kind == K_CALLBACK:
                ch = CI[c, I_CH]
                done = False
                for r in range(KI[ch, K_NRT]):
                    g = RT[ch, r]
                    if GI[g, G_FREE] > 0:
                        GI[g, G_FREE] -= 1
                        serve(CF, CI, KF, CNT, BA, HT, HI, META, HURT, EXH, L, N, c, g, now)
                        done = True
                        break
                if not done:
                    enqueue(CF, CI, KI, QLV, QA, QM, HT, HI, META, L, N, c, now)
            else:  # K_ARRIVE or K_SURGE
                ch = CI[c, I_CH]
                if kind == K_SURGE and CI[c, I_EPOCH] != KI[ch, K_EPOCH]:
                    continue
                u1 = take(PB, PIX, PN, META, ch, P_UNI)
                u2 = take(PB, PIX, PN, META, ch, P_UNI)
                offer(CF, CI, GI, RT, KI, KF, CNT, BA, QLV, QA, QM, HT, HI, META, HURT, EXH, PB, PIX, PN, L, N, H,
                      c, now, u1, u2)

    _FUNCS = {"run": run, "drop": drop, "release": release_py, "retry": retry_py, "push": push_py,
              "pop": pop_py, "level": level_py, "new_contact": new_contact_py}


_K = None


def available() -> bool:
    return _numba is not None


def _k():
    global _K
    if _K is None:
        if _numba is None:
            raise RuntimeError("numba is not installed")
        _K = _FUNCS
    return _K


class CompiledSimulation(Simulation):
    """:class:`~ccdrill.twin.engine.Simulation` with its event loop compiled (same numbers)."""

    def __init__(self, model, seed=0, *, chunk: int = 1 << 16) -> None:
        super().__init__(model, seed, chunk=chunk)
        self._K = _k()
        self._cache: dict[str, tuple] = {}
        self._cl = None  # the pure engine's chunk lists are not used
        C = len(self.channels)
        N = self.N
        nA = self._nA
        self._gcap = min(limits.MAX_GROUPS, len(self._groups) + 64)
        G = self._gcap
        cap = nA + nA // 10 + 4096  # room for retries and surges before growing
        hcap = 4096 + 2 * sum(a.count * a.concurrency for a in model.agents) + 1024
        CF = np.zeros((cap, 4))
        CI = np.zeros((cap, 8), dtype=np.int32)
        HT = np.zeros(hcap)
        HI = np.zeros((hcap, 4), dtype=np.int64)
        META = np.zeros(8, dtype=np.int64)
        META[M_NC] = nA
        self._payloads: list = []
        GI = np.zeros((G, 6), dtype=np.int64)
        GCH = np.zeros((G, C), dtype=np.int64)
        BA = np.zeros((G, N + 1))
        SLV = np.zeros((G, 2))
        SA = np.zeros((G, N))
        SM = np.zeros((G, N))
        for j, g in enumerate(self._groups):
            GI[j] = (g.free, g.slots, g.pending, int(g.gone), g.conc, len(g.channels))
            GCH[j, :len(g.channels)] = g.channels
            BA[j] = g.busy_tr
            SLV[j] = (g.staff_tr[0], g.staff_tr[1])
            SA[j] = g.staff_tr[2]
            SM[j] = g.staff_tr[3]
        KI = np.zeros((C, 7), dtype=np.int64)
        KI[:, K_RTO] = -1
        KI[:, K_QHEAD] = -1
        KI[:, K_QTAIL] = -1
        KF = np.zeros((C, 6))
        KF[:, KF_CBSHARE] = -1.0
        KF[:, KF_SURGE] = 1.0
        KF[:, KF_THR] = self._thr
        KF[:, KF_RETRYP] = self._retry_p
        CNT = np.zeros((11, C, N))
        QLV = np.zeros((C, 2))
        QA = np.zeros((C, N))
        QM = np.zeros((C, N))
        HURT = np.zeros(nA, dtype=np.uint8)
        EXH = np.zeros(C, dtype=np.int64)
        PB = np.zeros((C, 4, 2 * POOL_BLOCK))
        PIX = np.zeros((C, 4), dtype=np.int64)
        PN = np.zeros((C, 4), dtype=np.int64)
        PF = np.asarray([self.L, self.H, self._short])
        self._S = dict(CF=CF, CI=CI, HT=HT, HI=HI, META=META, GI=GI, GCH=GCH, RT=None, KI=KI, KF=KF, CNT=CNT,
                       QLV=QLV, QA=QA, QM=QM, BA=BA, SLV=SLV, SA=SA, SM=SM, HURT=HURT, EXH=EXH, PB=PB, PIX=PIX,
                       PN=PN, AT=self._A_t, AHS=self._A_hs, APT=self._A_pt, ACH=self._A_ch,
                       AU=np.ascontiguousarray(self._A_u), PF=PF)
        self._A_ix = None  # not needed by the compiled loop
        self._cap, self._hcap = cap, hcap
        self._routes_arrays()
        # the heap the pure engine built (shift joins and leaves): same sequence numbers
        for (t, prio, seq, kind, payload) in sorted(self._heap):
            META[M_SEQ] = seq
            self._hpush(t, prio, kind, self._payload(kind, payload))
        META[M_SEQ] = self._next_seq()  # continue the pure engine's counter
        self._heap = []
        self._refill()

    # ---- plumbing ------------------------------------------------------------------------------
    def _a(self, names: str) -> tuple:
        got = self._cache.get(names)
        if got is None:
            got = self._cache[names] = tuple(self._S[n] for n in names.split())
        return got

    def _load_chunk(self) -> bool:  # the compiled loop reads the arrays directly
        self._cl = [[INF]]
        self._exhausted = True
        return False

    def _hpush(self, t, prio, kind, cid) -> None:
        self._K["push"](*self._a("HT HI META"), t, prio, kind, cid)

    _ALL = "CF CI GI GCH KI KF CNT BA QLV QA QM SLV SA SM HT HI META HURT EXH"

    def _release_slot(self, g: int, t: float) -> None:
        self._ensure()
        self._K["release"](*self._a(self._ALL), self.L, self.N, g, t)

    def _drop_contact(self, c: int, t: float, release: bool) -> None:
        self._ensure()
        self._K["drop"](*self._a(self._ALL + " PB PIX PN"), self.L, self.N, self.H, c, t, release)

    def _retry(self, c: int, t: float) -> None:
        self._ensure()
        self._K["retry"](*self._a("CF CI KF CNT PB PIX PN META HT HI"), self.L, self.H, c, t)

    def _mark_hurt(self, c: int) -> None:
        CI = self._S["CI"]
        ix = CI[c, I_OIX]
        if ix >= 0:
            self._S["HURT"][ix] = 1
        elif ix == -1:
            self._S["EXH"][CI[c, I_OCH]] += 1

    def _lvl(self, which: str, r: int, t: float, d: int) -> None:
        self._K["level"](*self._a(which), r, t, d, self.L, self.N)

    def _payload(self, kind, payload) -> int:
        if kind == _JOIN:
            payload = (payload[0].order, payload[1])
        elif kind == _LEAVE:
            payload = payload.order
        self._payloads.append(payload)
        return len(self._payloads) - 1

    def _routes_arrays(self) -> None:
        super()._routes()
        C = len(self.channels)
        RT = np.zeros((C, self._gcap), dtype=np.int64)
        for c, r in enumerate(self._route):
            self._S["KI"][c, K_NRT] = len(r)
            RT[c, :len(r)] = [g.order for g in r]
        self._S["RT"] = RT
        if "_cache" in self.__dict__:
            self._cache.clear()

    def _routes(self) -> None:  # the pure engine calls this when groups change
        if "_S" in self.__dict__:
            GI, GCH = self._S["GI"], self._S["GCH"]
            for g in self._groups:
                GI[g.order, G_NCH] = len(g.channels)
                GCH[g.order, :len(g.channels)] = g.channels
            self._routes_arrays()
        else:
            super()._routes()

    def _refill(self) -> None:
        PB, PIX, PN = self._a("PB PIX PN")
        for ch, pools in enumerate(self._pools):
            for k, pool in enumerate(pools):
                i, n = PIX[ch, k], PN[ch, k]
                if n - i < POOL_BLOCK:
                    rest = PB[ch, k, i:n].copy()
                    PB[ch, k, :len(rest)] = rest
                    PB[ch, k, len(rest):len(rest) + POOL_BLOCK] = pool.block()
                    PIX[ch, k] = 0
                    PN[ch, k] = len(rest) + POOL_BLOCK
        self._S["META"][M_LOW] = 0

    def _ensure(self, contacts: int = 0) -> None:
        """Refill the draw pools and grow the contact and heap arrays so that the next steps fit."""
        META = self._S["META"]
        if META[M_LOW]:
            self._refill()
        need = META[M_NC] + contacts + 8 * MARGIN
        if need > self._cap:
            cap = max(need, int(self._cap * 1.25))
            for idx in ("CF", "CI"):
                old = self._S[idx]
                new = np.zeros((cap, old.shape[1]), dtype=old.dtype)
                new[:len(old)] = old
                self._S[idx] = new
            self._cap = cap
            self._cache.clear()
        hneed = META[M_HN] + contacts + 8 * MARGIN
        if hneed > self._hcap:
            hcap = max(hneed, int(self._hcap * 1.25))
            for idx in ("HT", "HI"):
                old = self._S[idx]
                new = np.zeros((hcap,) + old.shape[1:], dtype=old.dtype)
                new[:len(old)] = old
                self._S[idx] = new
            self._hcap = hcap
            self._cache.clear()

    def _push(self, t, prio, kind, payload) -> None:
        if "_S" not in self.__dict__:  # set-up by the pure engine
            return super()._push(t, prio, kind, payload)
        self._ensure()
        self._hpush(t, prio, kind, self._payload(kind, payload))

    # ---- the loop -------------------------------------------------------------------------------
    def run_until(self, t: float):
        if t < self.now:
            raise SimulationError("cannot run back in time: now {now} s, asked {t} s", now=self.now, t=t)
        K = self._K
        while True:
            status = K["run"](*self._a("CF CI HT HI META GI GCH RT KI KF CNT QLV QA QM BA SLV SA SM HURT EXH "
                                       "PB PIX PN AT AHS APT ACH AU PF"), t, self._cap, self._hcap)
            if status == 0:
                break
            if status == 2:
                self._ensure()
                continue
            now, kind, pid = K["pop"](*self._a("HT HI META"))
            self._python_event(now, kind, self._payloads[pid])
        self.now = max(self.now, t if t < INF else self.now)
        return self

    def _python_event(self, t, kind, payload) -> None:
        if kind == _JOIN:
            g, k = payload
            self._add_slots(self._groups[g], k, t)
        elif kind == _LEAVE:
            g = self._groups[payload]
            self._remove_slots(g, int(self._S["GI"][g.order, G_SLOTS]), t, now=False)
        elif kind == _JOINFX:
            self._join(payload, t)
        elif kind == _EFFECT:
            self._do_effect(payload, t)

    # ---- agents on the arrays -----------------------------------------------------------------------
    def _staff(self, g, t, d) -> None:
        self._lvl("SLV SA SM", g.order, t, d)

    def _add_slots(self, g, k, t) -> None:
        if "_S" not in self.__dict__:  # set-up by the pure engine
            return super()._add_slots(g, k, t)
        GI = self._S["GI"]
        if GI[g.order, G_GONE] or k <= 0:
            return
        total = int(GI[:, G_SLOTS].sum()) + k
        if total > limits.MAX_AGENTS_TOTAL * limits.MAX_CONCURRENCY:
            raise SimulationError("{count} agents in the centre is beyond the limit of {limit}",
                                  count=total, limit=limits.MAX_AGENTS_TOTAL)
        GI[g.order, G_SLOTS] += k
        self._staff(g, t, k)
        for _ in range(k):
            self._release_slot(g.order, t)

    def _victims(self, pred) -> list[int]:
        HI, META, CI = self._a("HI META CI")
        n = META[M_HN]
        out = []
        for j in range(n):
            if HI[j, H_KIND] == _END:
                c = int(HI[j, H_ID])
                if CI[c, I_ST] == SERVING and pred(c):
                    out.append(c)
        return out

    def _remove_slots(self, g, k, t, now) -> None:
        GI = self._S["GI"]
        j = g.order
        k = min(k, int(GI[j, G_SLOTS] - GI[j, G_PENDING]))
        if k <= 0:
            return
        f = min(int(GI[j, G_FREE]), k)
        if f:
            GI[j, G_FREE] -= f
            GI[j, G_SLOTS] -= f
            self._staff(g, t, -f)
        rest = k - f
        if not rest:
            return
        if not now:
            GI[j, G_PENDING] += rest
            return
        CI, CF = self._a("CI CF")
        victims = self._victims(lambda c: CI[c, I_GRP] == j)
        victims.sort(key=lambda c: -CF[c, F_T])
        for c in victims[:rest]:
            self._drop_contact(c, t, False)
        GI[j, G_SLOTS] -= rest
        self._staff(g, t, -rest)

    def _join(self, e, t) -> None:
        GI = self._S["GI"]
        g = next((g for g in self._groups if g.base == e.group and g.site == e.site
                  and not GI[g.order, G_GONE]), None)
        if g is None:
            if len(self._groups) >= self._gcap:
                raise SimulationError("too many agent groups (limit {limit})", limit=self._gcap)
            base = next((g for g in self._groups if g.base == e.group), None)
            chans = [self._cix[c] for c in e.channels] if e.channels else list(base.base_channels)
            conc = base.conc if base is not None else 1
            name = f"{e.group}@{e.site}"
            while name in self._gindex:
                name += "+"
            g = self._new_group(name, e.group, e.site, conc, chans, label=base.label if base is not None else None)
            GI[g.order, G_CONC] = conc
            self._routes()
        self._add_slots(g, e.count * g.conc, t)

    # ---- effects on the arrays ----------------------------------------------------------------------
    def _do_effect(self, e, t) -> None:
        S = self._S
        KI, KF, GI = S["KI"], S["KF"], S["GI"]
        if isinstance(e, fx.ChannelDown):
            ch = self._cix[e.channel]
            KI[ch, K_DOWN] = 1
            if e.in_progress == "drop":
                while KI[ch, K_QHEAD] >= 0:
                    CI = S["CI"]
                    c = int(KI[ch, K_QHEAD])
                    KI[ch, K_QHEAD] = CI[c, I_QNEXT]
                    if CI[c, I_ST] != WAITING:
                        continue
                    CI[c, I_ST] = GONE
                    KI[ch, K_WAITING] -= 1
                    self._lvl("QLV QA QM", ch, t, -1)
                    if CI[c, I_IV] >= 0:
                        S["CNT"][C_BLOCK, ch, CI[c, I_IV]] += 1
                    self._mark_hurt(c)
                    self._retry(c, t)
                KI[ch, K_QTAIL] = -1
                CI, CF = self._a("CI CF")
                victims = self._victims(lambda c: CI[c, I_CH] == ch)
                victims.sort(key=lambda c: (CF[c, F_T], CI[c, I_OIX]))
                for c in victims:
                    self._drop_contact(c, t, True)
        elif isinstance(e, fx.ChannelUp):
            KI[self._cix[e.channel], K_DOWN] = 0
        elif isinstance(e, fx.AgentsLost):
            left = e.count
            for g in [g for g in self._groups if g.base == e.group]:
                agents = int(GI[g.order, G_SLOTS] - GI[g.order, G_PENDING]) // g.conc
                k = min(left, agents)
                self._remove_slots(g, k * g.conc, t, now=(e.when == "now"))
                left -= k
                if not left:
                    break
        elif isinstance(e, fx.SiteLost):
            for g in self._groups:
                if g.site == e.site:
                    self._remove_slots(g, int(GI[g.order, G_SLOTS]), t, now=(e.when == "now"))
                    GI[g.order, G_GONE] = 1
        elif isinstance(e, fx.AgentsJoin):
            self._push(t + e.ramp_minutes * 60.0, _P_STAFF, _JOINFX, e)
        elif isinstance(e, fx.Redirect):
            f = self._cix[e.from_channel]
            if e.share > 0:
                KI[f, K_RTO] = self._cix[e.to_channel]
                KF[f, KF_RSHARE] = e.share
            else:
                KI[f, K_RTO] = -1
        elif isinstance(e, fx.CallbackOffered):
            ch = self._cix[e.channel]
            KF[ch, KF_CBSHARE] = e.share if e.share > 0 else -1.0
            KF[ch, KF_CBDELAY] = e.delay_minutes * 60.0
        elif isinstance(e, fx.Surge):
            chans = [self._cix[e.channel]] if e.channel is not None else range(len(self.channels))
            for ch in chans:
                KF[ch, KF_SURGE] = e.factor
                KI[ch, K_EPOCH] += 1
                if e.factor > 1.0 and t < self.H:
                    dyn = self._dyn[ch]
                    times = self._draw_arrivals(ch, dyn, t, e.factor - 1.0)
                    n = len(times)
                    hs = self._handle[ch].sample(dyn, n)
                    p = self._patience[ch]
                    pt = p.sample(dyn, n) if p is not None else np.full(n, INF)
                    w = self.warmup_iv * self.L
                    self._ensure(contacts=n)
                    K = self._K
                    for x, h, q in zip(times.tolist(), hs.tolist(), pt.tolist(), strict=True):
                        oix = -1 if x >= w else -2
                        c = K["new_contact"](*self._a("CF CI META"), x, ch, h, q, int(x // self.L), ch, oix)
                        S["CI"][c, I_EPOCH] = KI[ch, K_EPOCH]
                        self._hpush(x, _P_CUST, _SURGE, c)
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
                    k = int(GI[g.order, G_FREE])
                    GI[g.order, G_FREE] = 0
                    for _ in range(k):
                        self._release_slot(g.order, t)

    def apply(self, effect, at=None):
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

    # ---- results --------------------------------------------------------------------------------------
    def finish(self):
        if self.finished:
            return self
        self.run_until(INF)
        self.now = max(self.now, self.H)
        S = self._S
        KI, CI, CNT = S["KI"], S["CI"], S["CNT"]
        for ch in range(len(self.channels)):
            while KI[ch, K_QHEAD] >= 0:
                c = int(KI[ch, K_QHEAD])
                KI[ch, K_QHEAD] = CI[c, I_QNEXT]
                if CI[c, I_ST] != WAITING:
                    continue
                CI[c, I_ST] = GONE
                if CI[c, I_IV] >= 0:
                    CNT[C_ABAND, ch, CI[c, I_IV]] += 1
                    CNT[C_UNSERVED, ch, CI[c, I_IV]] += 1
                self._mark_hurt(c)
            KI[ch, K_QTAIL] = -1
            if KI[ch, K_WAITING]:
                self._lvl("QLV QA QM", ch, self.now, -int(KI[ch, K_WAITING]))
                KI[ch, K_WAITING] = 0
        self.finished = True
        return self

    def counters(self) -> Counters:
        m = self.model
        S = self._S
        t = min(self.now, self.H) if not self.finished else self.H
        L, N = self.L, self.N
        G = len(self._groups)
        out = Counters(
            channels=list(self.channels), groups=[g.name for g in self._groups],
            group_concurrency=[g.conc for g in self._groups], interval_s=L, horizon_s=self.H,
            warmup_intervals=self.warmup_iv, start_minutes=m.horizon.start_min, thresholds=list(self._thr),
            target=m.service_level.target, definition=m.service_level.definition,
            short_abandon_s=m.service_level.short_abandon_s, now=self.now)
        for k, name in enumerate(self._cnt_names):
            out.per_channel[name] = S["CNT"][k].copy()

        def tracker(LV, A, M, r):
            return [LV[r, 0], LV[r, 1], A[r].tolist(), M[r].tolist()]

        C = len(self.channels)
        qa, qm = zip(*[_flushed(tracker(S["QLV"], S["QA"], S["QM"], c), t, L, N) for c in range(C)], strict=True)
        out.per_channel["queue_area"] = np.asarray(qa, dtype=float)
        out.per_channel["queue_max"] = np.asarray(qm, dtype=float)
        ba = S["BA"][:G, :N].copy()
        if not self.finished:
            CI, HT, HI = S["CI"], S["HT"], S["HI"]
            for j in range(int(S["META"][M_HN])):
                if HI[j, H_KIND] == _END and CI[HI[j, H_ID], I_ST] == SERVING and HT[j] > t:
                    tmp = np.zeros((1, N + 1))
                    self._K_busy_py(tmp, max(t, 0.0), HT[j])
                    ba[CI[HI[j, H_ID], I_GRP]] -= tmp[0, :N]
        out.per_group["busy_area"] = ba
        out.per_group["staffed_area"] = np.asarray(
            [_flushed(tracker(S["SLV"], S["SA"], S["SM"], j), t, L, N)[0] for j in range(G)],
            dtype=float).reshape(G, N)
        return out

    def _K_busy_py(self, arr, t0, t1) -> None:
        L, N = self.L, self.N
        i = int(t0 // L)
        while t0 < t1 and i < N:
            end = (i + 1) * L
            arr[0, i] += (t1 if t1 < end else end) - t0
            t0 = end
            i += 1

    def hurt(self):
        w = self.warmup_iv * self.L
        H = self._S["HURT"].astype(bool)
        ach = self._A_ch
        out = []
        for i in range(len(self.channels)):
            mask = ach == i
            out.append(H[mask] & (self._A_t[mask] >= w))
        return out, [int(x) for x in self._S["EXH"]]
