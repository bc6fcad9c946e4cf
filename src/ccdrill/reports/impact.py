"""客户影响 — customer impact of a drill: the twin replayed on the drill's effect timeline.

Pure and deterministic: the centre model, the folded drill's effect timeline and a fixed seed
give the same figures every time.  The incident run and the baseline run use the same seed, so
they serve the same customers (see :func:`ccdrill.twin.kpis.customers_affected`).

Decisions:

* Drill time 0 is the programme's ``schedule.start``; twin time 0 is the centre model's
  ``horizon.start``.  Twin seconds = drill seconds + (schedule.start − horizon.start) × 60.
* The **incident window** runs from the first effect of a scenario's incident (else the first
  effect at all) to the **incident end**: the latest service restoration recorded in the log (a step
  with ``restores_service``); without one, the last ``channel_up`` effect; without one, the end of
  the drill.  A channel that is still down when the drill ends stays down in the twin for the rest
  of the simulated day — ``channels_still_down`` names them so the report can say so.
* Window figures (offered, answered within the threshold, abandoned, blocked, service level,
  abandonment rate) add up the twin's intervals that overlap the window, for both runs.
* **Time to recover**: from the incident end until the first interval (holding or after that
  moment) whose service level is back at the target (:func:`ccdrill.twin.kpis.time_to_recover`);
  ``None`` when it is not back within the simulated day.
* **Customers affected**: customers blocked, abandoned, cut off or answered later than the
  threshold in the drill run but not in the baseline, over the whole simulated day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ccdrill.domain.common import minutes_of
from ccdrill.domain.fold import DrillState
from ccdrill.twin import effects as fx
from ccdrill.twin.model import CentreModel, clock_text

IMPACT_SEED = 0


@dataclass(frozen=True)
class IntervalPoint:
    """One interval of the simulated day, baseline against the drill run."""

    start: str  # clock label "09:15"
    start_s: float  # twin seconds
    drill_s: float  # drill seconds (negative before the drill starts)
    baseline_sl: float | None
    incident_sl: float | None
    baseline_abandoned: int
    incident_abandoned: int
    baseline_blocked: int
    incident_blocked: int
    baseline_queue: float | None
    incident_queue: float | None
    baseline_offered: int
    incident_offered: int


@dataclass(frozen=True)
class WindowFigures:
    offered: int
    answered: int
    answered_within: int
    abandoned: int
    blocked: int
    service_level: float | None
    abandon_rate: float | None

    @property
    def unanswered(self) -> int:
        """Contacts that never reached an agent: abandoned in the queue or not let in at all."""
        return self.abandoned + self.blocked

    @property
    def unanswered_rate(self) -> float | None:
        return self.unanswered / self.offered if self.offered else None


@dataclass(frozen=True)
class CustomerImpact:
    centre_id: str
    centre_name_zh: str
    centre_name_en: str
    seed: int
    interval_minutes: float
    target: float
    answer_within_s: float  # the first channel's threshold, for the legend
    offset_s: float  # twin seconds at drill time 0
    effects: int  # how many effects were replayed
    incident_start_s: float | None  # drill seconds
    incident_end_s: float | None  # drill seconds
    incident_end_source: str  # "restoration", "channel_up", "drill_end", "none"
    window_baseline: WindowFigures | None
    window_incident: WindowFigures | None
    day_baseline_sl: float | None
    day_incident_sl: float | None
    customers_affected: int
    affected_by_channel: tuple[tuple[str, str, str, int], ...]  # (channel id, zh name, en name, count)
    time_to_recover_s: float | None
    recovered_at_s: float | None  # drill seconds when the interval service level was back at target
    channels_still_down: tuple[str, ...]
    intervals: tuple[IntervalPoint, ...]

    @property
    def service_held(self) -> bool | None:
        """Did the service level stay at or above the target during the incident window?"""
        if self.window_incident is None or self.window_incident.service_level is None:
            return None
        return self.window_incident.service_level >= self.target - 1e-12

    def centre_name(self, lang: str) -> str:
        return self.centre_name_en if lang == "en" else self.centre_name_zh


def twin_offset_s(state_or_start_minutes: DrillState | int, model: CentreModel) -> float:
    """Twin seconds at drill time 0."""
    start = (state_or_start_minutes.start_minutes if isinstance(state_or_start_minutes, DrillState)
             else int(state_or_start_minutes))
    return (start - model.horizon.start_min) * 60.0


def _window(k: dict, lo_s: float, hi_s: float, definition: str) -> WindowFigures:
    from ccdrill.twin.kpis import service_level

    L = k["interval_minutes"] * 60.0
    sums = dict.fromkeys(("offered", "answered", "answered_within", "abandoned", "blocked", "short_abandons"), 0)
    for row in k["intervals"]:
        a, b = row["start_s"], row["start_s"] + L
        if b <= lo_s or a >= max(hi_s, lo_s + 1e-9):
            continue
        for key in sums:
            sums[key] += int(row[key])
    sl = service_level(sums["answered_within"], sums["offered"], sums["answered"], sums["short_abandons"],
                       definition)
    rate = sums["abandoned"] / sums["offered"] if sums["offered"] else None
    return WindowFigures(offered=sums["offered"], answered=sums["answered"], answered_within=sums["answered_within"],
                         abandoned=sums["abandoned"], blocked=sums["blocked"], service_level=sl, abandon_rate=rate)


def _still_down(timeline: Sequence[tuple[float, object]]) -> tuple[str, ...]:
    down: dict[str, bool] = {}
    for _, e in timeline:
        if isinstance(e, fx.ChannelDown):
            down[e.channel] = True
        elif isinstance(e, fx.ChannelUp):
            down[e.channel] = False
    return tuple(sorted(c for c, d in down.items() if d))


def compute_impact(state: DrillState, model: CentreModel, *, seed: int = IMPACT_SEED) -> CustomerImpact:
    """Replay ``state``'s effect timeline on ``model`` against the same-seed baseline."""
    from ccdrill.twin.engine import Simulation
    from ccdrill.twin.kpis import customers_affected, time_to_recover

    offset = twin_offset_s(state, model)
    horizon = model.horizon_s
    drill_timeline = state.effect_timeline()
    # Effects before the horizon start at its start; effects after its end change nothing.
    timeline = [(max(0.0, t + offset), e) for t, e in drill_timeline if t + offset < horizon]

    inc = Simulation(model, seed)
    for t, e in timeline:
        inc.apply(e, at=t)
    inc.finish()
    base = Simulation(model, seed).finish()
    k, kb = inc.kpis(), base.kpis()
    aff = customers_affected(inc, base)

    incident_effects = [te.at_s for te in state.effects if te.source.startswith("incident:")]
    if incident_effects:
        start = min(incident_effects)
    elif drill_timeline:
        start = min(t for t, _ in drill_timeline)
    else:
        start = None
    restored = [m.restored_at for m in state.milestones.values() if m.restored_at is not None]
    ups = [t for t, e in drill_timeline if isinstance(e, fx.ChannelUp)]
    still_down = _still_down(drill_timeline)
    if start is None:
        end, source = None, "none"
    elif restored and not still_down:
        end, source = max(restored), "restoration"
    elif ups and not still_down:
        end, source = max(ups), "channel_up"
    else:
        end, source = max(state.drill_time_s, start), "drill_end"

    definition = model.service_level.definition
    if start is not None and end is not None:
        wb = _window(kb, start + offset, end + offset, definition)
        wi = _window(k, start + offset, end + offset, definition)
        ttr = time_to_recover(k, end + offset)
    else:
        wb = wi = None
        ttr = None

    points = []
    for row, brow in zip(k["intervals"], kb["intervals"], strict=True):
        points.append(IntervalPoint(
            start=row["start"], start_s=row["start_s"], drill_s=row["start_s"] - offset,
            baseline_sl=brow["service_level"], incident_sl=row["service_level"],
            baseline_abandoned=int(brow["abandoned"]), incident_abandoned=int(row["abandoned"]),
            baseline_blocked=int(brow["blocked"]), incident_blocked=int(row["blocked"]),
            baseline_queue=brow["mean_queue"], incident_queue=row["mean_queue"],
            baseline_offered=int(brow["offered"]), incident_offered=int(row["offered"]),
        ))
    names = model.channels
    by_channel = tuple(
        (cid, names[cid].name.zh if names[cid].name else cid, names[cid].name.en if names[cid].name else cid, int(n))
        for cid, n in aff["channels"].items()
    )
    first_thr = next(iter(k["channels"].values()))["answer_within_s"] if k["channels"] else 20.0
    name = model.name
    return CustomerImpact(
        centre_id=model.id, centre_name_zh=name.zh if name else model.id, centre_name_en=name.en if name else model.id,
        seed=seed if isinstance(seed, int) else 0, interval_minutes=k["interval_minutes"],
        target=k["service_level_target"], answer_within_s=float(first_thr), offset_s=offset, effects=len(timeline),
        incident_start_s=start, incident_end_s=end, incident_end_source=source,
        window_baseline=wb, window_incident=wi,
        day_baseline_sl=kb["total"]["service_level"], day_incident_sl=k["total"]["service_level"],
        customers_affected=int(aff["total"]), affected_by_channel=by_channel,
        time_to_recover_s=ttr, recovered_at_s=(end + ttr) if (ttr is not None and end is not None) else None,
        channels_still_down=still_down, intervals=tuple(points),
    )


def drill_clock(state_or_programme_start: int, drill_s: float) -> str:
    """``"09:10"`` for 600 s into a drill that starts at 09:00 (minutes: 540)."""
    return clock_text(state_or_programme_start + drill_s / 60.0)


__all__ = ["IMPACT_SEED", "CustomerImpact", "IntervalPoint", "WindowFigures", "compute_impact", "drill_clock",
           "minutes_of", "twin_offset_s"]
