"""The centre model: channels, arrivals, handle times, patience, agents and shifts.

A model is a YAML file (``kind: centre``) validated by :class:`CentreModel`;
``CentreModel.model_json_schema()`` is its JSON Schema.  Cross-checks raise
:class:`pydantic_core.PydanticCustomError` whose English templates are msgids of
``twin.po``, so the located messages of the file validator translate.
"""

from __future__ import annotations

import math
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ccdrill.twin import distributions as dist
from ccdrill.twin import limits

# Hourly shares (%) of daily call volume for hours 07–20, from the public US bank
# call-centre data of Weinberg, Brown & Stroud (2007), "Bayesian forecasting of an
# inhomogeneous Poisson process with applications to call center data", JASA 102(480),
# 164 weekdays of 2003.
DEFAULT_SHAPE_START_HOUR = 7
DEFAULT_SHAPE_PERCENT = (3.1, 5.9, 9.9, 10.5, 10.1, 9.6, 9.2, 8.9, 8.6, 7.6, 5.7, 4.4, 3.5, 2.9)

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$|^24:00$")


def clock_minutes(value: str) -> int:
    """``"HH:MM"`` → minutes after midnight (``"24:00"`` allowed)."""
    if not _CLOCK.match(value):
        raise PydanticCustomError("clock", 'expected a clock time "HH:MM", got {value}', {"value": value})
    h, m = value.split(":")
    return int(h) * 60 + int(m)


def clock_text(minutes: float) -> str:
    m = int(round(minutes))
    return f"{(m // 60) % 24:02d}:{m % 60:02d}" if m < 24 * 60 or m % (24 * 60) else "24:00"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Name(_Strict):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class Horizon(_Strict):
    """The simulated day: ``start`` and either ``end`` (same day) or ``hours``."""

    start: str = "08:00"
    end: str | None = None
    hours: float | None = Field(None, gt=0)

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, v: str | None) -> str | None:
        if v is not None:
            clock_minutes(v)
        return v

    @model_validator(mode="after")
    def _length(self) -> Horizon:
        if self.end is None and self.hours is None:
            raise PydanticCustomError("horizon", "the horizon needs an end or hours")
        if self.end is not None and self.hours is not None:
            raise PydanticCustomError("horizon", "give the horizon an end or hours, not both")
        if self.hours is not None and self.hours > limits.MAX_HORIZON_HOURS:
            raise PydanticCustomError(
                "limit", "the horizon of {hours} hours is longer than the limit of {limit} hours",
                {"hours": self.hours, "limit": limits.MAX_HORIZON_HOURS})
        if self.end is not None and clock_minutes(self.end) <= clock_minutes(self.start):
            raise PydanticCustomError("horizon", "the horizon ends before it starts")
        return self

    @property
    def start_min(self) -> int:
        return clock_minutes(self.start)

    @property
    def seconds(self) -> float:
        if self.hours is not None:
            return self.hours * 3600.0
        return (clock_minutes(self.end) - self.start_min) * 60.0


class ServiceLevel(_Strict):
    """Service level: answered within ``answer_within_s`` ÷ the denominator named by ``definition``.

    * ``offered`` (default): ÷ every contact offered, abandoned and blocked ones included;
    * ``answered``: ÷ contacts answered;
    * ``offered_minus_short_abandons``: ÷ offered minus contacts abandoned within ``short_abandon_s``.
    """

    answer_within_s: float = Field(20.0, ge=0, le=limits.MAX_MEAN_S)
    target: float = Field(0.8, ge=0, le=1)
    definition: Literal["offered", "answered", "offered_minus_short_abandons"] = "offered"
    short_abandon_s: float = Field(5.0, ge=0, le=3600)


class DistributionSpec(_Strict):
    distribution: Literal["exponential", "lognormal", "gamma", "empirical", "fixed"] = "exponential"
    mean_s: float | None = Field(None, description="Mean in seconds (not for empirical).")
    cv: float | None = Field(None, gt=0, le=20, description="Coefficient of variation (lognormal, gamma).")
    values: list[float] | None = Field(None, description="Observed values in seconds (empirical).")

    @model_validator(mode="after")
    def _check(self) -> DistributionSpec:
        if self.distribution == "empirical":
            if not self.values:
                raise PydanticCustomError("distribution", "an empirical distribution needs values")
            if len(self.values) > limits.MAX_EMPIRICAL_VALUES:
                raise PydanticCustomError("limit", "too many empirical values (limit {limit})",
                                          {"limit": limits.MAX_EMPIRICAL_VALUES})
            if min(self.values) < 0 or not all(math.isfinite(v) for v in self.values):
                raise PydanticCustomError("distribution", "durations must be finite and not negative")
            if sum(self.values) / len(self.values) < limits.MIN_MEAN_S:
                raise PydanticCustomError("limit", "a mean of {mean} s is below the minimum of {limit} s",
                                          {"mean": sum(self.values) / len(self.values),
                                           "limit": limits.MIN_MEAN_S})
            return self
        if self.mean_s is None:
            raise PydanticCustomError("distribution", "the distribution needs mean_s")
        if not (limits.MIN_MEAN_S <= self.mean_s <= limits.MAX_MEAN_S):
            raise PydanticCustomError("limit", "mean_s must be between {low} and {high} seconds, got {mean}",
                                      {"low": limits.MIN_MEAN_S, "high": limits.MAX_MEAN_S, "mean": self.mean_s})
        return self

    def build(self) -> dist.Distribution:
        return dist.make(self.distribution, self.mean_s, self.cv, self.values)

    @property
    def mean(self) -> float:
        return self.build().mean


class DayFactor(_Strict):
    """Day-to-day volume factor (mean 1). Real days vary more than Poisson: with
    cv² ≈ 1/λ the variance of a slot's count is about twice its mean."""

    distribution: Literal["gamma", "lognormal"] = "gamma"
    cv: float = Field(gt=0, le=2)


class Profile(_Strict):
    interval_minutes: Literal[15, 30, 60] = 15
    rates: list[float] = Field(min_length=1, description="Arrivals per hour in each interval.")

    @field_validator("rates")
    @classmethod
    def _rates(cls, v: list[float]) -> list[float]:
        for r in v:
            if not (0 <= r <= limits.MAX_RATE_PER_HOUR) or not math.isfinite(r):
                raise PydanticCustomError("limit", "arrival rates must be between 0 and {limit} per hour",
                                          {"limit": limits.MAX_RATE_PER_HOUR})
        return v


class Retry(_Strict):
    """After abandoning or being blocked, a customer tries again with ``probability`` after ``delay_s``."""

    probability: float = Field(ge=0, le=0.99)
    delay_s: DistributionSpec = Field(default_factory=lambda: DistributionSpec(mean_s=300.0))


class Channel(_Strict):
    name: Name | None = None
    arrivals_per_hour: float | None = Field(None, ge=0, le=limits.MAX_RATE_PER_HOUR)
    profile: Profile | None = None
    daily_volume: float | None = Field(None, ge=0)
    shape: Literal["default"] | None = None
    day_factor: DayFactor | None = None
    handle_time: DistributionSpec
    patience: DistributionSpec | None = None
    retry: Retry | None = None
    answer_within_s: float | None = Field(None, ge=0, le=limits.MAX_MEAN_S,
                                          description="Overrides the centre's threshold for this channel.")

    @model_validator(mode="after")
    def _one_arrival_form(self) -> Channel:
        given = [self.arrivals_per_hour is not None, self.profile is not None, self.daily_volume is not None]
        if sum(given) != 1:
            raise PydanticCustomError(
                "arrivals", "give exactly one of arrivals_per_hour, profile, daily_volume")
        if self.shape is not None and self.daily_volume is None:
            raise PydanticCustomError("arrivals", "shape goes with daily_volume")
        return self


class Shift(_Strict):
    start: str | None = None
    end: str | None = None

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, v: str | None) -> str | None:
        if v is not None:
            clock_minutes(v)
        return v


class AgentGroup(_Strict):
    group: str = Field(min_length=1, max_length=64)
    name: Name | None = None
    count: int = Field(ge=0)
    channels: list[str] = Field(min_length=1, description="Channels served, highest priority first.")
    shift: Shift = Field(default_factory=Shift)
    site: str = "onsite"
    concurrency: int = Field(1, ge=1)

    @field_validator("count")
    @classmethod
    def _count(cls, v: int) -> int:
        if v > limits.MAX_AGENTS_PER_GROUP:
            raise PydanticCustomError("limit", "{count} agents in one group is beyond the limit of {limit}",
                                      {"count": v, "limit": limits.MAX_AGENTS_PER_GROUP})
        return v

    @field_validator("concurrency")
    @classmethod
    def _conc(cls, v: int) -> int:
        if v > limits.MAX_CONCURRENCY:
            raise PydanticCustomError("limit", "concurrency {value} is beyond the limit of {limit}",
                                      {"value": v, "limit": limits.MAX_CONCURRENCY})
        return v


class CentreModel(_Strict):
    """A contact centre for the twin (``kind: centre``)."""

    kind: Literal["centre"] = "centre"
    id: str = Field("centre", min_length=1, max_length=100)
    version: int | None = Field(None, ge=1, le=999_999, description="set by the store; optional in files")
    name: Name | None = None
    horizon: Horizon = Field(default_factory=lambda: Horizon(start="08:00", end="16:00"))
    warmup_minutes: float = Field(0.0, ge=0)
    interval_minutes: Literal[5, 10, 15, 30, 60] = 15
    service_level: ServiceLevel = Field(default_factory=ServiceLevel)
    channels: dict[str, Channel] = Field(min_length=1)
    agents: list[AgentGroup] = Field(min_length=1)

    @model_validator(mode="after")
    def _cross_checks(self) -> CentreModel:
        check_model(self)
        return self

    # ---- derived quantities used by the engine -------------------------------------------------
    @property
    def horizon_s(self) -> float:
        return self.horizon.seconds

    @property
    def interval_s(self) -> float:
        return self.interval_minutes * 60.0

    @property
    def n_intervals(self) -> int:
        return int(round(self.horizon_s / self.interval_s))

    def clock_to_seconds(self, clock: str) -> float:
        """Clock time of the (first) day → seconds after the horizon starts."""
        return (clock_minutes(clock) - self.horizon.start_min) * 60.0

    def rates(self, channel: str) -> tuple[float, list[float]]:
        """(segment length in s, arrivals per hour in each segment) covering the horizon."""
        ch = self.channels[channel]
        h = self.horizon_s
        if ch.arrivals_per_hour is not None:
            return h, [ch.arrivals_per_hour]
        if ch.profile is not None:
            return ch.profile.interval_minutes * 60.0, list(ch.profile.rates)
        # daily volume with the default shape: per hour of the clock
        seg = 3600.0
        start_min = self.horizon.start_min
        out = []
        n = int(math.ceil(h / seg))
        # an horizon starting off the hour: use 15-minute segments
        if start_min % 60:
            seg = 900.0
            n = int(math.ceil(h / seg))
        for i in range(n):
            hour = int(((start_min * 60 + i * seg) // 3600) % 24)
            k = hour - DEFAULT_SHAPE_START_HOUR
            share = DEFAULT_SHAPE_PERCENT[k] / 100.0 if 0 <= k < len(DEFAULT_SHAPE_PERCENT) else 0.0
            out.append(ch.daily_volume * share)
        return seg, out

    def expected_arrivals(self, channel: str) -> float:
        seg, rates = self.rates(channel)
        h = self.horizon_s
        total = 0.0
        for i, r in enumerate(rates):
            length = min(seg, h - i * seg)
            if length > 0:
                total += r * length / 3600.0
        return total




def check_model(m: CentreModel) -> None:
    """Cross-checks and size limits; raises :class:`PydanticCustomError` (msgid templates)."""
    h = m.horizon.seconds
    if h > limits.MAX_HORIZON_HOURS * 3600:
        raise PydanticCustomError("limit", "the horizon of {hours} hours is longer than the limit of {limit} hours",
                                  {"hours": h / 3600, "limit": limits.MAX_HORIZON_HOURS})
    iv = m.interval_minutes * 60.0
    if abs(h / iv - round(h / iv)) > 1e-9:
        raise PydanticCustomError("horizon", "the horizon must be a whole number of {minutes}-minute intervals",
                                  {"minutes": m.interval_minutes})
    if m.warmup_minutes * 60 >= h:
        raise PydanticCustomError("warmup", "the warm-up must end before the horizon does")
    if abs(m.warmup_minutes / m.interval_minutes - round(m.warmup_minutes / m.interval_minutes)) > 1e-9:
        raise PydanticCustomError("warmup", "the warm-up must be a whole number of {minutes}-minute intervals",
                                  {"minutes": m.interval_minutes})
    if len(m.channels) > limits.MAX_CHANNELS:
        raise PydanticCustomError("limit", "too many channels (limit {limit})", {"limit": limits.MAX_CHANNELS})
    if len(m.agents) > limits.MAX_GROUPS:
        raise PydanticCustomError("limit", "too many agent groups (limit {limit})", {"limit": limits.MAX_GROUPS})
    total_agents = sum(a.count for a in m.agents)
    if total_agents > limits.MAX_AGENTS_TOTAL:
        raise PydanticCustomError("limit", "{count} agents in the centre is beyond the limit of {limit}",
                                  {"count": total_agents, "limit": limits.MAX_AGENTS_TOTAL})
    seen: set[str] = set()
    for a in m.agents:
        if a.group in seen:
            raise PydanticCustomError("group", "agent group {group} is defined twice", {"group": a.group})
        seen.add(a.group)
        for c in a.channels:
            if c not in m.channels:
                raise PydanticCustomError("channel", "agent group {group} serves unknown channel {channel}",
                                          {"group": a.group, "channel": c})
        if len(set(a.channels)) != len(a.channels):
            raise PydanticCustomError("channel", "agent group {group} lists a channel twice", {"group": a.group})
        s = clock_minutes(a.shift.start) if a.shift.start else None
        e = clock_minutes(a.shift.end) if a.shift.end else None
        if s is not None and e is not None and e <= s:
            raise PydanticCustomError("shift", "the shift of agent group {group} ends before it starts",
                                      {"group": a.group})
        hs = m.horizon.start_min
        he = hs + h / 60
        if (s is not None and s >= he) or (e is not None and e <= hs):
            raise PydanticCustomError("shift", "the shift of agent group {group} lies outside the horizon",
                                      {"group": a.group})
    expected = 0.0
    for cid, ch in m.channels.items():
        if ch.profile is not None:
            need = h / (ch.profile.interval_minutes * 60.0)
            if abs(need - round(need)) > 1e-9 or len(ch.profile.rates) != round(need):
                raise PydanticCustomError(
                    "profile", "channel {channel}: the profile has {n} rates, the horizon needs {needed}",
                    {"channel": cid, "n": len(ch.profile.rates), "needed": math.ceil(need)})
        served = any(cid in a.channels for a in m.agents)
        if not served:
            raise PydanticCustomError("channel", "no agent group serves channel {channel}", {"channel": cid})
        factor = 1.0 + 3.0 * (ch.day_factor.cv if ch.day_factor else 0.0)
        expected += m.expected_arrivals(cid) * factor
    if expected > limits.MAX_CUSTOMERS:
        raise PydanticCustomError("limit", "about {n} customers a day is beyond the limit of {limit}",
                                  {"n": int(expected), "limit": limits.MAX_CUSTOMERS})
