"""Key performance indicators from a run's raw counters.

Definitions (also in ``docs/*/twin.md``):

* **offered** — contacts arriving in the interval (blocked, abandoned and retried ones included);
* **answered / abandoned / blocked** — their outcomes (conservation: offered = answered + abandoned + blocked,
  once the run is finished); **dropped** — answered contacts cut off by an effect (a subset of answered);
  **unserved** — still waiting when the run closed, counted as abandoned;
* **service level** — answered within the threshold ÷ offered (definition ``offered``, the default), or
  ÷ answered (``answered``), or ÷ (offered − abandoned within ``short_abandon_s``)
  (``offered_minus_short_abandons``);
* **ASA** — mean wait of answered contacts; **abandon rate** — abandoned ÷ offered;
* **mean queue** — time-average number waiting; **max queue** — largest number waiting;
* **occupancy** — busy agent-time ÷ staffed agent-time (per slot for concurrent channels);
* **agents** — time-average number of agents staffed.

Contacts are attributed to the interval in which they arrive; totals cover the
intervals after the warm-up.
"""

from __future__ import annotations

import numpy as np

from ccdrill.twin.model import clock_text

_COUNTS = ("offered", "answered", "answered_within", "abandoned", "short_abandons", "blocked", "dropped",
           "callbacks", "retries", "unserved")


def _ratio(a: float, b: float) -> float | None:
    return float(a / b) if b > 0 else None


def service_level(within: float, offered: float, answered: float, short: float, definition: str) -> float | None:
    if definition == "answered":
        return _ratio(within, answered)
    if definition == "offered_minus_short_abandons":
        return _ratio(within, offered - short)
    return _ratio(within, offered)


def _vratio(a: np.ndarray, b: np.ndarray) -> list:
    """Element-wise a / b as a list, ``None`` where b is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(b > 0, a / np.where(b > 0, b, 1.0), np.nan)
    return [None if x != x else x for x in r.tolist()]


def _blocks(s: dict[str, np.ndarray], definition: str, span: np.ndarray, busy: np.ndarray | None,
            staffed: np.ndarray | None, qmax: np.ndarray) -> list[dict]:
    """KPI blocks for aligned arrays of sums (one block per element)."""
    if definition == "answered":
        den = s["answered"]
    elif definition == "offered_minus_short_abandons":
        den = s["offered"] - s["short_abandons"]
    else:
        den = s["offered"]
    cols: dict[str, list] = {k: np.rint(s[k]).astype(np.int64).tolist() for k in _COUNTS}
    cols["service_level"] = _vratio(s["answered_within"], den)
    cols["asa_s"] = _vratio(s["wait_sum"], s["answered"])
    cols["abandon_rate"] = _vratio(s["abandoned"], s["offered"])
    cols["mean_queue"] = _vratio(s["queue_area"], span)
    cols["max_queue"] = np.rint(qmax).astype(np.int64).tolist()
    if busy is not None:
        cols["occupancy"] = _vratio(busy, staffed)
    keys = list(cols)
    return [dict(zip(keys, vals, strict=True)) for vals in zip(*(cols[k] for k in keys), strict=True)]


def summarise(c) -> dict:
    """Counters → ``{"total", "channels", "groups", "intervals", …}`` (JSON-ready).

    ``total`` and each ``channels[id]`` hold offered, answered, answered_within, abandoned,
    short_abandons, blocked, dropped, callbacks, retries, unserved, service_level, asa_s,
    abandon_rate, mean_queue, max_queue (and occupancy for the total); ``intervals`` is a list with the
    same figures per interval plus ``index``, ``start``, ``start_s``, ``warmup``, ``agents`` and ``channels``.
    """
    pc = c.per_channel
    C, N = pc["offered"].shape
    L = c.interval_s
    w = c.warmup_intervals
    elapsed = min(max(c.now, 0.0), c.horizon_s)
    span_iv = np.clip(elapsed - np.arange(N) * L, 0.0, L)
    busy = c.per_group["busy_area"]
    staffed = c.per_group["staffed_area"]
    G = len(c.groups)
    conc = np.asarray(c.group_concurrency, dtype=float)[:, None] if G else np.ones((0, 1))
    keys = _COUNTS + ("wait_sum", "queue_area")
    post = slice(w, N)
    total_span = float(span_iv[post].sum())
    qmax_iv = pc["queue_max"].sum(axis=0)
    busy_iv = busy.sum(axis=0) if G else np.zeros(N)
    staffed_iv = staffed.sum(axis=0) if G else np.zeros(N)

    # totals (one element) and channels (C elements) over the post-warm-up intervals
    tot_s = {k: np.asarray([pc[k][:, post].sum()]) for k in keys}
    total = _blocks(tot_s, c.definition, np.asarray([total_span]), np.asarray([busy_iv[post].sum()]),
                    np.asarray([staffed_iv[post].sum()]), np.asarray([qmax_iv[post].max(initial=0)]))[0]
    ch_s = {k: pc[k][:, post].sum(axis=1) for k in keys}
    ch_blocks = _blocks(ch_s, c.definition, np.full(C, total_span), None, None,
                        pc["queue_max"][:, post].max(axis=1, initial=0))
    channels = {}
    for i, name in enumerate(c.channels):
        ch_blocks[i]["answer_within_s"] = c.thresholds[i]
        channels[name] = ch_blocks[i]
    groups = {}
    for j, name in enumerate(c.groups):
        groups[name] = {
            "occupancy": _ratio(float(busy[j, post].sum()), float(staffed[j, post].sum())),
            "agents": _ratio(float(staffed[j, post].sum()), total_span * c.group_concurrency[j]),
        }
    # per interval, overall and per channel
    iv_s = {k: pc[k].sum(axis=0) for k in keys}
    rows = _blocks(iv_s, c.definition, span_iv, busy_iv, staffed_iv, qmax_iv)
    agents = _vratio((staffed / conc).sum(axis=0) if G else np.zeros(N), span_iv)
    per_ch = [_blocks({k: pc[k][i] for k in keys}, c.definition, span_iv, None, None, pc["queue_max"][i])
              for i in range(C)]
    starts = [clock_text(c.start_minutes + i * L / 60) for i in range(N)]
    for i, row in enumerate(rows):
        row["index"] = i
        row["start_s"] = i * L
        row["start"] = starts[i]
        row["warmup"] = i < w
        row["agents"] = agents[i] if agents[i] is not None else 0.0
        row["channels"] = {name: per_ch[k][i] for k, name in enumerate(c.channels)}
    return {
        "now_s": c.now,
        "interval_minutes": L / 60,
        "horizon_s": c.horizon_s,
        "warmup_intervals": w,
        "service_level_target": c.target,
        "service_level_definition": c.definition,
        "total": total,
        "channels": channels,
        "groups": groups,
        "intervals": rows,
    }


def customers_affected(incident, baseline) -> dict:
    """Customers hurt (blocked, abandoned, dropped or answered past the threshold) in ``incident``
    but not in ``baseline`` — two finished :class:`~ccdrill.twin.engine.Simulation` runs of the same model
    and seed, so the same customers.  Surge customers have no baseline twin; those hurt count in full."""
    hi, ei = incident.hurt()
    hb, _ = baseline.hurt()
    per = {}
    for k, name in enumerate(incident.channels):
        per[name] = int(np.count_nonzero(hi[k] & ~hb[k])) + int(ei[k])
    return {"total": sum(per.values()), "channels": per,
            "hurt_incident": int(sum(int(x.sum()) for x in hi) + sum(ei)),
            "hurt_baseline": int(sum(int(x.sum()) for x in hb))}


def time_to_recover(k: dict, since_s: float, target: float | None = None) -> float | None:
    """Seconds from ``since_s`` (the end of an effect) until the interval service level is back at the target:
    0 when the interval holding ``since_s`` already meets it; ``None`` when it never does in the horizon."""
    target = k["service_level_target"] if target is None else target
    L = k["interval_minutes"] * 60
    for row in k["intervals"]:
        if row["start_s"] + L <= since_s:
            continue
        sl = row["service_level"]
        if sl is not None and sl >= target - 1e-12:
            return max(0.0, row["start_s"] - since_s)
    return None


def compare_with_baseline(model, timeline, seed=0) -> dict:
    """Run the day with the effects ``timeline`` (``[(seconds, effect), …]``) and without, same seed, and
    compare: ``{"incident", "baseline", "customers_affected", "time_to_recover_s"}``."""
    from ccdrill.twin.effects import ChannelUp
    from ccdrill.twin.engine import Simulation

    inc = Simulation(model, seed)
    for t, e in timeline:
        inc.apply(e, at=t)
    inc.finish()
    base = Simulation(model, seed).finish()
    k = inc.kpis()
    ups = [t for t, e in timeline if isinstance(e, ChannelUp)]
    since = max(ups) if ups else (max(t for t, _ in timeline) if timeline else 0.0)
    return {"incident": k, "baseline": base.kpis(), "customers_affected": customers_affected(inc, base),
            "time_to_recover_s": time_to_recover(k, since) if timeline else None}
