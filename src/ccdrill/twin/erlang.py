"""The analytic side: Erlang C (M/M/n) and Erlang A (M/M/n+M).

Erlang C — A. K. Erlang (1917); the formulas as in Gans, Koole & Mandelbaum (2003),
"Telephone call centers: tutorial, review, and research prospects", MSOM 5(2):
with offered load ``a = λ/μ`` and ``n`` agents,

* Erlang B by the stable recursion ``B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1))`` (no factorials);
* ``P(wait) = C(n, a) = n·B / (n − a·(1 − B))`` for ``a < n`` (1 otherwise);
* ``SL(t) = 1 − C·exp(−(n − a)·μ·t)``; ``ASA = C / (nμ − λ)`` over all callers; occupancy ``a/n``.

Erlang A — Palm (1943), Garnett, Mandelbaum & Reiman (2002), "Designing a call center with
impatient customers", MSOM 4(3): exponential patience with rate ``θ = 1/mean patience``.  We compute
it exactly as the birth–death process with birth ``λ`` and death ``min(k, n)·μ + max(k − n, 0)·θ``
(truncated where the probabilities vanish): ``P(wait) = Σ_{k≥n} π_k``, ``P(abandon) = θ·E[Q]/λ``;
the service level (answered within t ÷ offered) follows a waiting customer through the pure-death
chain of the customers ahead (rate ``nμ + jθ`` with j ahead, killed at rate θ) by uniformisation;
ASA is the mean wait of answered customers.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class ErlangResult:
    model: str  # "C" or "A"
    agents: int
    load_erlangs: float
    p0: float | None
    p_wait: float
    p_abandon: float
    service_level: float
    asa_s: float  # Erlang C: over all callers; Erlang A: over answered callers
    asa_all_s: float  # mean wait over all callers (abandoned ones: time until they left)
    mean_queue: float  # Lq
    occupancy: float

    def as_dict(self) -> dict:
        return asdict(self)


def erlang_b(n: int, a: float) -> float:
    """Blocking probability of M/M/n/n by the stable recursion."""
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(n: int, a: float) -> float:
    """Probability that a caller waits in M/M/n with offered load ``a`` erlangs."""
    if a <= 0:
        return 0.0
    if a >= n:
        return 1.0
    b = erlang_b(n, a)
    return n * b / (n - a * (1.0 - b))


def _check(calls_per_hour: float, aht_s: float, agents: int) -> None:
    if not (calls_per_hour >= 0 and math.isfinite(calls_per_hour)):
        raise ValueError("calls per hour must be a finite number, not negative")
    if not (aht_s > 0 and math.isfinite(aht_s)):
        raise ValueError("the handle time must be positive")
    if not (0 < agents <= 1_000_000):
        raise ValueError("the number of agents must be between 1 and 1000000")


def erlang_c_metrics(calls_per_hour: float, aht_s: float, agents: int, threshold_s: float = 20.0) -> ErlangResult:
    """Erlang C figures for ``agents`` agents."""
    _check(calls_per_hour, aht_s, agents)
    lam = calls_per_hour / 3600.0
    mu = 1.0 / aht_s
    a = lam / mu
    n = agents
    if a >= n:
        return ErlangResult("C", n, a, 0.0, 1.0, 0.0, 0.0, math.inf, math.inf, math.inf, 1.0)
    c = erlang_c(n, a)
    # P0 = (1 − C)·B / … : from Erlang B, P0 = B·n!/a^n … computed stably as P(k < n) normalisation
    b = erlang_b(n, a)
    # π_n (= P(exactly n busy, none waiting)) = C·(1 − a/n); P0 = π_n / (a^n/n!) — use logs
    pi_n = c * (1.0 - a / n)
    log_term = n * math.log(a) - math.lgamma(n + 1) if a > 0 else -math.inf
    p0 = math.exp(math.log(pi_n) - log_term) if pi_n > 0 and a > 0 else 1.0
    del b
    sl = 1.0 - c * math.exp(-(n - a) * mu * threshold_s)
    asa = c / (n * mu - lam)
    lq = c * a / (n - a)
    return ErlangResult("C", n, a, p0, c, 0.0, sl, asa, asa, lq, a / n)


def _birth_death(lam: float, mu: float, theta: float, n: int) -> np.ndarray:
    """Stationary distribution of M/M/n+M, truncated where it vanishes."""
    logs = [0.0]
    k = 0
    top = 0.0
    cap = n + 2_000_000
    while True:
        k += 1
        death = min(k, n) * mu + max(k - n, 0) * theta
        if death <= 0:
            raise ValueError("the queue is unstable without abandonment")
        val = logs[-1] + math.log(lam) - math.log(death)
        logs.append(val)
        top = max(top, val)
        if k > n and death > lam and val < top - 50:
            break
        if k >= cap:
            raise ValueError("the queue is too large to compute")
    la = np.asarray(logs)
    p = np.exp(la - la.max())
    return p / p.sum()


def _served_within(q: np.ndarray, n: int, mu: float, theta: float, t: float) -> float:
    """Mass of waiting arrivals (``q[j]`` with j customers ahead) served within ``t``."""
    if t <= 0 or q.sum() == 0:
        return 0.0
    J = len(q)
    r = n * mu + np.arange(J) * theta
    lam_u = float(r.max() + theta)
    x = lam_u * t
    kmax = int(x + 10 * math.sqrt(x) + 30)
    p = q.astype(float).copy()
    stay = 1.0 - (r + theta) / lam_u
    down = r / lam_u
    served = 0.0
    total = 0.0
    logw = -x
    for k in range(kmax + 1):
        if k:
            logw += math.log(x) - math.log(k)
            served += p[0] * down[0]
            newp = p * stay
            newp[:-1] += p[1:] * down[1:]
            p = newp
        total += math.exp(logw) * served
    # weights sum: Σ_k w_k S_k, with S_k the served mass after k steps
    return float(total)


def erlang_a_metrics(calls_per_hour: float, aht_s: float, agents: int, patience_s: float,
                     threshold_s: float = 20.0) -> ErlangResult:
    """Erlang A (M/M/n+M) figures, exact up to a vanishing truncation."""
    _check(calls_per_hour, aht_s, agents)
    if not (patience_s > 0):
        raise ValueError("the mean patience must be positive")
    lam = calls_per_hour / 3600.0
    mu = 1.0 / aht_s
    theta = 1.0 / patience_s if math.isfinite(patience_s) else 0.0
    n = agents
    a = lam / mu
    if lam == 0:
        return ErlangResult("A", n, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0)
    if theta == 0:
        return erlang_c_metrics(calls_per_hour, aht_s, agents, threshold_s)
    pi = _birth_death(lam, mu, theta, n)
    p_wait = float(pi[n:].sum())
    j = np.arange(len(pi) - n)
    eq = float((j * pi[n:]).sum())
    p_ab = theta * eq / lam
    q = pi[n:]  # an arrival in state n + j finds j ahead of it in the queue
    sl = float(pi[:n].sum()) + _served_within(q, n, mu, theta, threshold_s)
    # mean wait of the answered: E[W·1{served}] = Σ_j m_j/(r_j+θ)·h_j
    J = len(q)
    r = n * mu + np.arange(J) * theta
    h = np.cumprod(r / (r + theta))  # P(served | j ahead)
    m = np.zeros(J)
    carry = 0.0
    for jj in range(J - 1, -1, -1):
        m[jj] = q[jj] + carry
        carry = m[jj] * r[jj] / (r[jj] + theta) if jj > 0 else 0.0
    ew_served = float((m / (r + theta) * h).sum())
    p_served = 1.0 - p_ab
    asa = ew_served / p_served if p_served > 0 else math.inf
    busy = float((np.minimum(np.arange(len(pi)), n) * pi).sum())
    return ErlangResult("A", n, a, float(pi[0]), p_wait, p_ab, min(sl, 1.0), asa, eq / lam, eq, busy / n)


def agents_needed(calls_per_hour: float, aht_s: float, *, target: float = 0.8, threshold_s: float = 20.0,
                  patience_s: float | None = None, max_agents: int = 1_000_000) -> int:
    """Fewest agents whose service level (Erlang C, or Erlang A with ``patience_s``) reaches ``target``."""
    if not (0 < target < 1):
        raise ValueError("the target must be between 0 and 1")

    def ok(n: int) -> bool:
        if patience_s is None:
            return erlang_c_metrics(calls_per_hour, aht_s, n, threshold_s).service_level >= target
        return erlang_a_metrics(calls_per_hour, aht_s, n, patience_s, threshold_s).service_level >= target

    a = calls_per_hour / 3600.0 * aht_s
    lo = max(1, int(a) if patience_s is None else 1)
    hi = max(lo, int(a) + 1)
    while not ok(hi):
        lo = hi + 1
        hi *= 2
        if hi > max_agents:
            raise ValueError("the target needs more agents than the limit")
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo
