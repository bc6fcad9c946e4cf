"""The live twin of a drill: the centre simulated through the drill's effects, beside a baseline.

Per drill, a :class:`~ccdrill.twin.engine.Simulation` of the centre model with the drill's effect
timeline applied, advanced to the current drill time, and a baseline ``Simulation`` with the same
seed and no effects (the same customers, so the difference is the incident and the response).

Drill time 0 is the programme's ``schedule.start``; twin time 0 is the model's horizon start;
``offset`` converts (twin = drill + offset).  New effects are applied incrementally while they lie
ahead of the simulation; an effect in its past (never, in a live drill) rebuilds it from the start.
The engine gives identical numbers step by step or in one go, so a restart that replays the log
reproduces the series exactly.
"""

from __future__ import annotations

import logging
import math
import threading
from typing import Any

from ccdrill.twin.effects import Effect
from ccdrill.twin.engine import Simulation, SimulationError
from ccdrill.twin.model import CentreModel

log = logging.getLogger("ccdrill.live.twin")

SERIES_KEYS = ("service_level", "queue", "abandon_rate", "agents")
_STEP_S = 15.0  # recompute at most every 15 twin seconds (a quarter of a minute of drill time)


def library_centre(centre_id: str = "demo-centre") -> CentreModel:
    from ccdrill.library import catalog

    return catalog.load(centre_id, "centre")


class LiveTwin:
    def __init__(self, model: CentreModel, *, seed: int, start_minutes: int) -> None:
        self.model = model
        self.seed = int(seed)
        self.offset = (start_minutes - model.horizon.start_min) * 60.0
        self.horizon = model.horizon_s
        self._lock = threading.Lock()
        self._sim: Simulation | None = None
        self._base: Simulation | None = None
        self._applied: list[tuple[float, Effect]] = []
        self._cache: tuple[Any, dict] | None = None
        self.rejected: list[tuple[float, str]] = []

    # ---- time ----
    def twin_time(self, drill_s: float) -> float:
        return min(max(drill_s + self.offset, 0.0), self.horizon)

    def _reset(self) -> None:
        self._sim = Simulation(self.model, self.seed)
        self._applied = []
        self.rejected = []

    def _feed(self, timeline: list[tuple[float, Effect]]) -> None:
        if self._sim is None or timeline[: len(self._applied)] != self._applied:
            self._reset()
        for at_s, effect in timeline[len(self._applied):]:
            at = max(at_s + self.offset, 0.0)
            if at < self._sim.now:  # pragma: no cover - live effects are never in the twin's past
                self._reset()
                return self._feed(timeline)
            if at <= self.horizon:
                try:
                    self._sim.apply(effect, at=at)
                except SimulationError as exc:  # an effect this centre cannot take: shown, never fatal
                    self.rejected.append((at_s, str(exc)))
            self._applied.append((at_s, effect))

    # ---- the series ----
    def series(self, timeline: list[tuple[float, Effect]], drill_s: float) -> dict:
        """KPI series per interval from the drill start to ``drill_s``, with the baseline."""
        now = self.twin_time(drill_s)
        key = (tuple((t, e.model_dump_json()) for t, e in timeline), math.floor(now / _STEP_S))
        with self._lock:
            if self._cache is not None and self._cache[0] == key:
                return self._cache[1]
            self._feed(list(timeline))
            sim = self._sim
            assert sim is not None
            sim.run_until(max(now, sim.now))
            if self._base is None or self._base.now > now:
                self._base = Simulation(self.model, self.seed)
            self._base.run_until(now)
            out = self._build(sim.kpis(), self._base.kpis(), now)
            self._cache = (key, out)
            return out

    def _build(self, k: dict, b: dict, now: float) -> dict:
        L = k["interval_minutes"] * 60.0
        out: dict[str, Any] = {"t": [], "target": k["service_level_target"], "interval_s": L,
                               "now_s": now - self.offset}
        for name in SERIES_KEYS:
            out[name] = []
            out["baseline_" + name] = []
        for row, brow in zip(k["intervals"], b["intervals"], strict=True):
            start = row["start_s"]
            if start + L <= self.offset or start >= now:
                continue
            out["t"].append(start - self.offset)
            for r, prefix in ((row, ""), (brow, "baseline_")):
                out[prefix + "service_level"].append(r["service_level"])
                out[prefix + "queue"].append(r["mean_queue"])
                out[prefix + "abandon_rate"].append(r["abandon_rate"])
                out[prefix + "agents"].append(r["agents"])
        latest = {"t": out["t"][-1] if out["t"] else None}
        for name in SERIES_KEYS:
            latest[name] = out[name][-1] if out[name] else None
            latest["baseline_" + name] = out["baseline_" + name][-1] if out["baseline_" + name] else None
        latest["offered"] = k["total"]["offered"]
        latest["abandoned"] = k["total"]["abandoned"]
        out["latest"] = latest
        return out
