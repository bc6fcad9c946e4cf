"""What an incident or a response does to the simulated centre.

An effect is data: a plan step, an inject, a live drill or a what-if file names
one, and the engine applies it at a simulated time.  ``after_minutes`` delays an
effect from whatever triggers it (a step completing, an inject firing); ``at``
pins it to a clock time of the day in a what-if effects file.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class _Effect(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    after_minutes: float = Field(0.0, ge=0, le=24 * 60, description="Delay after the trigger, in minutes.")
    at: str | None = Field(None, description='Clock time "HH:MM" (what-if effects files).')

    @field_validator("at")
    @classmethod
    def _clock(cls, v: str | None) -> str | None:
        if v is not None and not _CLOCK.match(v):
            raise ValueError('expected a clock time "HH:MM"')
        return v


class ChannelDown(_Effect):
    """A channel stops taking contacts: new arrivals are blocked."""

    type: Literal["channel_down"] = "channel_down"
    channel: str
    in_progress: Literal["finish", "drop"] = "finish"


class ChannelUp(_Effect):
    type: Literal["channel_up"] = "channel_up"
    channel: str


class AgentsLost(_Effect):
    """``count`` agents of ``group`` leave, at once or after their current contact."""

    type: Literal["agents_lost"] = "agents_lost"
    group: str
    count: int = Field(ge=1, le=100_000)
    when: Literal["now", "after_contact"] = "after_contact"


class SiteLost(_Effect):
    """Every agent at ``site`` (``onsite``/``remote`` or a named site) is lost."""

    type: Literal["site_lost"] = "site_lost"
    site: str
    when: Literal["now", "after_contact"] = "after_contact"


class AgentsJoin(_Effect):
    """``count`` agents join ``group`` after ``ramp_minutes`` (remote agents taking over)."""

    type: Literal["agents_join"] = "agents_join"
    group: str
    count: int = Field(ge=1, le=100_000)
    ramp_minutes: float = Field(0.0, ge=0, le=24 * 60)
    site: str = "remote"
    channels: list[str] | None = None  # for a new group: channels served, in priority order


class Redirect(_Effect):
    """A share of ``from_channel``'s new arrivals goes to ``to_channel`` instead (share 0 ends it)."""

    type: Literal["redirect"] = "redirect"
    from_channel: str
    to_channel: str
    share: float = Field(ge=0, le=1)


class CallbackOffered(_Effect):
    """A share of callers who would wait leave a number and are called back later (share 0 ends it)."""

    type: Literal["callback"] = "callback"
    channel: str
    share: float = Field(ge=0, le=1)
    delay_minutes: float = Field(10.0, ge=0, le=24 * 60)


class Surge(_Effect):
    """Arrivals on ``channel`` (every channel when absent) are multiplied by ``factor`` (1 ends it)."""

    type: Literal["surge"] = "surge"
    channel: str | None = None
    factor: float = Field(gt=0, le=100)


class Overflow(_Effect):
    """Agents of ``to_group`` also take ``from_group``'s contacts (``enabled: false`` ends it)."""

    type: Literal["overflow"] = "overflow"
    from_group: str
    to_group: str
    enabled: bool = True


Effect = Annotated[
    ChannelDown | ChannelUp | AgentsLost | SiteLost | AgentsJoin | Redirect | CallbackOffered | Surge | Overflow,
    Field(discriminator="type"),
]


class EffectsFile(BaseModel):
    """A what-if scenario or an incident: effects pinned to clock times (``kind: effects``)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["effects"] = "effects"
    id: str = Field(min_length=1, max_length=100)
    name: dict[Literal["zh", "en"], str] | None = None
    description: dict[Literal["zh", "en"], str] | None = None
    effects: list[Effect] = Field(default_factory=list, max_length=10_000)


def effect_seconds(effect: _Effect, horizon_start_minutes: int, trigger_s: float = 0.0) -> float:
    """Simulated time of an effect, in seconds after the horizon starts: at its clock time ``at``
    (if any, else at ``trigger_s``) plus ``after_minutes``."""
    if effect.at is not None:
        h, m = effect.at.split(":")
        base = ((int(h) * 60 + int(m)) - horizon_start_minutes) * 60.0
    else:
        base = trigger_s
    return base + effect.after_minutes * 60.0


def timeline(effects: EffectsFile | list, horizon_start_minutes: int) -> list[tuple[float, _Effect]]:
    """An effects file (or a list of effects) → ``[(seconds, effect), …]`` in time order (stable)."""
    items = effects.effects if isinstance(effects, EffectsFile) else effects
    pairs = [(effect_seconds(e, horizon_start_minutes), e) for e in items]
    for t, _ in pairs:
        if t < 0:
            raise ValueError("an effect is timed before the horizon starts")
    return sorted(pairs, key=lambda p: p[0])
