"""演练事件 — the events of a drill's log, the single source of truth of a live drill.

Every clock change, inject, participant action and twin effect is one :class:`Event`
(sequence number, drill time, wall time, actor, kind, payload, idempotency key).
Each kind has a payload model below; :func:`parse_payload` validates a payload against
it and :func:`canonical_payload` gives the JSON-ready dict that the log stores.

Drill time is seconds after the programme's scheduled start (``schedule.start`` is 0);
it only moves while the drill is running (see :mod:`ccdrill.live.clock`).
"""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ccdrill.domain.programme import Inject
from ccdrill.errors import InvalidInput, Problem
from ccdrill.twin.effects import Effect

SYSTEM = "system"  # the actor of everything the runtime does by itself (scheduled injects …)
NOTE_MAX_CHARS = 4000

# ---- kinds ----------------------------------------------------------------------------------------
# clock and lifecycle
DRILL_CREATED = "drill_created"
DRILL_SCHEDULED = "drill_scheduled"
DRILL_STARTED = "drill_started"
DRILL_PAUSED = "drill_paused"
DRILL_RESUMED = "drill_resumed"
DRILL_ENDED = "drill_ended"
DRILL_CANCELLED = "drill_cancelled"
SPEED_CHANGED = "speed_changed"
# injects
INJECT_FIRED = "inject_fired"
INJECT_SKIPPED = "inject_skipped"
INJECT_ADDED = "inject_added"
CONTINGENCY_RELEASED = "contingency_released"
# participants
ACKNOWLEDGE = "acknowledge"
REPORT = "report"
STEP_START = "step_start"
STEP_COMPLETE = "step_complete"
NOTE = "note"
# the twin
EFFECT_APPLIED = "effect_applied"

CLOCK_KINDS = frozenset({DRILL_CREATED, DRILL_SCHEDULED, DRILL_STARTED, DRILL_PAUSED, DRILL_RESUMED,
                         DRILL_ENDED, DRILL_CANCELLED, SPEED_CHANGED})
INJECT_KINDS = frozenset({INJECT_FIRED, INJECT_SKIPPED, INJECT_ADDED, CONTINGENCY_RELEASED})
PARTICIPANT_KINDS = frozenset({ACKNOWLEDGE, REPORT, STEP_START, STEP_COMPLETE, NOTE})

MIN_SPEED = 1.0
MAX_SPEED = 60.0


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# ---- clock payloads -------------------------------------------------------------------------------
class DrillCreated(_Payload):
    """A drill made from an exact programme version and the exact plan versions it runs."""

    programme: str = Field(min_length=1, max_length=200, description='"id@version"')
    plans: dict[str, str] = Field(default_factory=dict, description='plan id → "id@version"')
    speed: float = Field(1.0, ge=MIN_SPEED, le=MAX_SPEED)
    assignments: dict[str, list[str]] = Field(default_factory=dict, description="drill role → usernames")


class DrillScheduled(_Payload):
    at: datetime | None = Field(None, description="planned wall time of the start")
    date: dt.date | None = None


class ClockChange(_Payload):
    """started / paused / resumed / ended: nothing to say but an optional reason."""

    reason: str | None = Field(None, max_length=NOTE_MAX_CHARS)


class DrillCancelled(_Payload):
    reason: str | None = Field(None, max_length=NOTE_MAX_CHARS)


class SpeedChanged(_Payload):
    speed: float = Field(ge=MIN_SPEED, le=MAX_SPEED)


# ---- inject payloads ------------------------------------------------------------------------------
class InjectFired(_Payload):
    inject: int = Field(ge=1, description="the inject's seq")
    by: Literal["schedule", "command"] = "command"


class InjectSkipped(_Payload):
    inject: int = Field(ge=1)
    reason: str | None = Field(None, max_length=NOTE_MAX_CHARS)


class InjectAdded(_Payload):
    """An ad-hoc inject; its ``seq`` must be new in the drill (see ``DrillState.next_inject_seq``)."""

    inject: Inject


class ContingencyReleased(_Payload):
    inject: int = Field(ge=1)


# ---- participant payloads -------------------------------------------------------------------------
class _Action(_Payload):
    step: str | None = Field(None, max_length=140, description='"plan-id.step-id"')
    inject: int | None = Field(None, ge=1)
    note: str | None = Field(None, max_length=NOTE_MAX_CHARS)
    photo: str | None = Field(None, max_length=200, description="reference of an uploaded image")

    @field_validator("step")
    @classmethod
    def _ref(cls, v: str | None) -> str | None:
        if v is not None and v.count(".") != 1:
            raise ValueError('expected a step reference "plan-id.step-id"')
        return v


class Acknowledge(_Action):
    @model_validator(mode="after")
    def _what(self) -> Acknowledge:
        if self.step is None and self.inject is None:
            raise ValueError("say what is acknowledged: an inject or a step")
        return self


class Report(_Action):
    scenario: str | None = Field(None, max_length=64, description="plan id, when no step or inject says it")


class StepAction(_Action):
    step: str = Field(max_length=140, description='"plan-id.step-id"')


class Note(_Action):
    note: str = Field(min_length=1, max_length=NOTE_MAX_CHARS)


# ---- twin payloads --------------------------------------------------------------------------------
class EffectApplied(_Payload):
    """An effect the command post applies by hand (effects of injects and steps are derived)."""

    effect: Effect
    reason: str | None = Field(None, max_length=NOTE_MAX_CHARS)


PAYLOADS: dict[str, type[_Payload]] = {
    DRILL_CREATED: DrillCreated,
    DRILL_SCHEDULED: DrillScheduled,
    DRILL_STARTED: ClockChange,
    DRILL_PAUSED: ClockChange,
    DRILL_RESUMED: ClockChange,
    DRILL_ENDED: ClockChange,
    DRILL_CANCELLED: DrillCancelled,
    SPEED_CHANGED: SpeedChanged,
    INJECT_FIRED: InjectFired,
    INJECT_SKIPPED: InjectSkipped,
    INJECT_ADDED: InjectAdded,
    CONTINGENCY_RELEASED: ContingencyReleased,
    ACKNOWLEDGE: Acknowledge,
    REPORT: Report,
    STEP_START: StepAction,
    STEP_COMPLETE: StepAction,
    NOTE: Note,
    EFFECT_APPLIED: EffectApplied,
}
KINDS = tuple(PAYLOADS)

_PROBLEM_MESSAGES = {
    "string_too_long": "Too long: at most {max_length} characters.",
    "missing": "This field is required.",
    "extra_forbidden": "Unknown field.",
}


def parse_payload(kind: str, payload: dict[str, Any] | None) -> _Payload:
    """The payload model of ``kind``; unknown kinds and bad payloads raise :class:`InvalidInput`."""
    model = PAYLOADS.get(kind)
    if model is None:
        raise InvalidInput([Problem("Unknown event kind {kind}; expected one of: {kinds}.",
                                    {"kind": kind, "kinds": ", ".join(KINDS)}, path="kind")])
    try:
        return model.model_validate(payload or {})
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            path = ".".join(str(p) for p in err["loc"])
            msgid = _PROBLEM_MESSAGES.get(err["type"], "Invalid value: {detail}")
            params: dict[str, object] = {"detail": str(err.get("msg", ""))}
            if err["type"] == "string_too_long":
                params = {"max_length": (err.get("ctx") or {}).get("max_length", "?")}
            elif err["type"] in _PROBLEM_MESSAGES:
                params = {}
            problems.append(Problem(msgid, params, path=path))
        raise InvalidInput(problems) from None


def canonical_payload(kind: str, payload: dict[str, Any] | None) -> dict[str, Any]:
    """The validated payload as the JSON-ready dict the log stores (defaults filled in)."""
    model = parse_payload(kind, payload)
    data = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(model, InjectAdded):
        # ClockTime dumps as "09:10:00", which DrillTime does not read back; store its label.
        data["inject"]["time"] = model.inject.time.label()
    return data


class Event(BaseModel):
    """One appended entry of a drill's log."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: int = Field(ge=1, description="1, 2, 3 … dense per drill")
    drill_time_s: float = Field(ge=0, description="drill time when it happened, seconds after schedule.start")
    wall_time: datetime = Field(description="UTC")
    actor: str = Field(min_length=1, max_length=64, description='username or "system"')
    kind: str
    payload: dict[str, Any] = Field(default_factory=dict)
    idempotency_key: str | None = Field(None, min_length=1, max_length=200)

    @field_validator("wall_time")
    @classmethod
    def _utc(cls, v: datetime) -> datetime:
        if v.tzinfo is None:
            raise ValueError("wall_time must carry a time zone")
        return v.astimezone(UTC)

    def data(self) -> _Payload:
        """The payload as its kind's model."""
        return parse_payload(self.kind, self.payload)
